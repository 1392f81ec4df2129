"""JSON Lines framing of the sync file: records split on `\\n` only (a JSON string may hold any
other line or paragraph separator), decoded with finite numbers and whole Unicode characters,
each problem named by its line and field; and encoded so that no line splitter, even
`str.splitlines()`, cuts a record in two.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from auditor_tui.domain.record_check import Problem
from auditor_tui.text.french import thousands

MAX_RECORD_BYTES = 1_000_000  # one record, one line: its UTF-8 bytes, unknown fields included
MAX_DEPTH = 16  # a record nests 4 levels; deeper values would only strain the store's writer
BOM = b"\xef\xbb\xbf"


def split_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each line of a JSONL file with its number (from 1), split on b"\\n" only; a CR before
    it (CRLF files) is JSON whitespace. A UTF-8 BOM before the first line is skipped."""
    start = len(BOM) if data.startswith(BOM) else 0
    number = 0
    while start < len(data):
        end = data.find(b"\n", start)
        if end < 0:
            end = len(data)
        number += 1
        yield number, data[start:end]
        start = end + 1


def stream_lines(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """`split_lines` over a file read a chunk at a time, in bounded memory: a line longer
    than MAX_RECORD_BYTES comes cut just past that length (decode_line refuses it as such)."""
    number = 0
    rest = b""
    skipping = False  # the rest of an overlong line, dropped up to its end
    for chunk in _without_bom(chunks):
        data = rest + chunk if rest else chunk
        start = 0
        if skipping:
            end = data.find(b"\n")
            if end < 0:
                rest = b""
                continue
            skipping, start = False, end + 1
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            number += 1
            yield number, data[start:end]
            start = end + 1
        rest = data[start:]
        if len(rest) > MAX_RECORD_BYTES:
            number += 1
            yield number, rest[: MAX_RECORD_BYTES + 1]
            rest, skipping = b"", True
    if rest and not skipping:
        yield number + 1, rest


def _without_bom(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks, a UTF-8 BOM at the very start left out."""
    head = b""
    it = iter(chunks)
    for chunk in it:
        head += chunk
        if len(head) >= len(BOM):
            break
    yield head[len(BOM) :] if head.startswith(BOM) else head
    yield from it


class _NotFinite:
    """A number JSON holds but a float cannot (`1e999`, `NaN`, an integer of more than
    4,300 digits): kept in place while decoding, to be named by its field."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:  # as messages quote it
        return self.text


class _Made(threading.local):
    """How many _NotFinite this thread has made: a line is walked only if it made one."""

    count = 0


_made = _Made()


def _not_finite(text: str) -> _NotFinite:
    _made.count += 1
    return _NotFinite(text)


def _number(text: str) -> float | _NotFinite:
    value = float(text)
    return value if math.isfinite(value) else _not_finite(text)


def _integer(text: str) -> int | _NotFinite:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts
        return _not_finite(text[:20] + "…")


_DECODE = json.JSONDecoder(parse_float=_number, parse_constant=_not_finite).decode
_DECODE_INTS = json.JSONDecoder(
    parse_float=_number, parse_int=_integer, parse_constant=_not_finite
).decode
# The escape of a surrogate (raw, no UTF-8 decoder lets one through): the line is walked.
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field, problem) for every value JSON decoding let through that a record cannot hold:
    a number that is not finite, a lone UTF-16 surrogate (`"\\ud800"`: no UTF-8 encodes it)."""
    if isinstance(value, _NotFinite):
        yield path, f"nombre fini attendu, trouvé {value.text}"
    elif isinstance(value, str):
        if _SURROGATE.search(value):
            yield path, "caractère Unicode incomplet (demi-paire UTF-16 \\ud800-\\udfff)"
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if _SURROGATE.search(key):
                yield inner, "nom de champ avec un caractère Unicode incomplet"
            yield from _walk(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def too_deep(value: Any, limit: int) -> bool:
    """Whether a list or object sits deeper than `limit` levels (the top one is level 1):
    walked level by level, only through lists and objects."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, (dict, list))
        ]
        depth += 1
    return False


_BLANK = frozenset(b" \t\r")


def decode_line(raw: bytes, number: int) -> tuple[Any, list[Problem]]:
    """One line's JSON value, or the problems that refuse it (with its line and, where there
    is one, its field). (None, []) for a blank line. A value a record cannot hold (a number
    that is not finite, a lone surrogate) comes back with its problems, in place, so that the
    record's other problems can be listed too."""
    if len(raw) > MAX_RECORD_BYTES:
        message = f"enregistrement de plus de {thousands(MAX_RECORD_BYTES, thin=False)} octets"
        return None, [Problem(number, "(ligne)", message)]
    if not raw or _BLANK.issuperset(raw):
        return None, []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(number, "(ligne)", f"texte UTF-8 attendu (octet {exc.start + 1})")]
    made = _made.count
    try:
        try:
            obj = _DECODE(text)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            obj = _DECODE_INTS(text)  # an integer too long to convert: find where
    except json.JSONDecodeError as exc:
        return None, [Problem(number, "(json)", f"JSON invalide colonne {exc.colno} : {exc.msg}")]
    except RecursionError:
        return None, [Problem(number, "(json)", "JSON trop imbriqué")]
    if too_deep(obj, MAX_DEPTH):
        message = f"JSON trop imbriqué (plus de {MAX_DEPTH} niveaux)"
        return None, [Problem(number, "(json)", message)]
    if _made.count != made or _MAYBE_SURROGATE.search(text):
        found = [Problem(number, where or "(enregistrement)", why) for where, why in _walk(obj, "")]
        if found:
            return obj, found
    return obj, []


# One encoder for every line (json.dumps with options makes one per call). No NaN or Infinity:
# they are not JSON.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# Characters JSON leaves raw in a string that some readers take for line ends (str.splitlines,
# JavaScript before ES2019): escaped, the same string.
_ESCAPES = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def encode_record(obj: Any) -> str:
    """One record as its JSONL line, without the line end. ValueError for a number that is not
    finite."""
    return _escaped(_ENCODE(obj))


def encode_checked(obj: Any) -> str:
    """`encode_record` for a record whose numbers are known to be finite (an audit with no
    field of another version, once `check_exportable` has passed: its only non-integers are
    its transfer's seconds and its percent), eight times quicker: orjson writes the same JSON
    as the standard encoder (keys in order, no space, text as UTF-8), and the standard
    encoder writes what orjson cannot (an integer beyond 64 bits, a lone surrogate). A float
    under 0.0001 or from 10^16 is spelled otherwise by the two (« 1e-7 », « 1e-07 »), the same
    number; orjson would write a non-finite one as null, hence the check first."""
    try:
        return _escaped(orjson.dumps(obj).decode())
    except TypeError:
        return encode_record(obj)


def _escaped(line: str) -> str:
    # Three scans in C are twenty times quicker than one regular expression search here.
    if not line.isascii() and ("\u2028" in line or "\u2029" in line or "\x85" in line):
        line = line.translate(_ESCAPES)
    return line
