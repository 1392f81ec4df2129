"""Every command shown in README.md and docs/*.md, and every example of the `--help` texts, is
read by the real argument parser: synopses expanded (each `[option]` with and without, each
`a|b` alternative), placeholders (`DOSSIER`, `FILE.jsonl`) replaced by sample values. A line
of a shell block that is neither ours nor a known tool fails: a new kind of command gets a
checker here, not a pass."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import io
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import pytest

from auditor_tui.cli import parser as cli
from tests.markdown import DOCS, README, ROOT, blocks, inline_code

# Tools a page may show that are not ours: run by CI itself (pip, pytest, ruff, mypy) or plain
# shell. Anything else in a shell block must be one of our commands.
OTHER_TOOLS = {
    ".",
    "source",
    "cd",
    "mkdir",
    "rm",
    "mv",
    "cp",
    "tar",
    "head",
    "export",
    "pip",
    "ruff",
    "mypy",
    ".ci/run",
}
OTHER_PYTHON_MODULES = {"venv", "pytest", "pip"}
SHELL_LANGS = {"", "sh", "bash", "shell", "console"}
SAMPLE_VALUES = {"--table": "dealers", "--period": "2026-T2", "--format": "csv", "--service": "VN"}
_PLACEHOLDER = re.compile(r"[A-ZÀ-Ý][A-ZÀ-Ý0-9_-]*(\.[a-z0-9]+)?|…")


class Refused(AssertionError):
    """A documented command that its parser refuses."""


# ---- shell text → simple commands -------------------------------------------------------


def simple_commands(text: str) -> list[list[str]]:
    """Shell text → its simple commands, split at `&&`, `||`, `;` and `|` (spaced, as the
    docs write pipes: `json|csv` is a synopsis' alternative), redirections dropped."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    skip_next = False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token in ("&&", "||", ";", "|"):
            commands.append([])
        elif token in (">", ">>", "<", "2>"):
            skip_next = True
        elif not re.match(r"^\d?>", token):
            commands[-1].append(token)
    return [c for c in commands if c]


def shell_lines(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """A block's logical lines (an indented line continues the previous one), with offsets."""
    current: tuple[int, str] | None = None
    for offset, line in enumerate(lines):
        if line[:1].isspace() and current is not None and line.strip():
            current = (current[0], current[1] + " " + line.strip())
            continue
        if current is not None:
            yield current
        current = (offset, line) if line.strip() else None
    if current is not None:
        yield current


# ---- synopses → concrete command lines ----------------------------------------------------


def _items(tokens: list[str], pos: int = 0) -> tuple[list[Any], int]:
    """Tokens → items: a list of alternatives (a word), or ("opt", items) for `[...]`."""
    items: list[Any] = []
    while pos < len(tokens):
        token = tokens[pos]
        if token == "[":
            inner, pos = _items(tokens, pos + 1)
            items.append(("opt", inner))
        elif token == "]":
            return items, pos
        elif token != "...":
            items.append(token.split("|") if "|" in token else [token])
        pos += 1
    return items, pos


def _brackets_apart(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        while word.startswith("["):
            out.append("[")
            word = word[1:]
        closing = len(word) - len(word.rstrip("]"))
        if word.rstrip("]"):
            out.append(word.rstrip("]"))
        out.extend("]" * closing)
    return out


def _flatten(items: list[Any], k: int, optional: bool) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            if optional:
                out.extend(_flatten(item[1], k, optional))
        else:
            out.append(item[min(k, len(item) - 1)])
    return out


def _width(items: list[Any]) -> int:
    return max(
        [1, *(_width(i[1]) if isinstance(i, tuple) else len(i) for i in items)],
    )


def concrete(words: list[str]) -> list[list[str]]:
    """A synopsis → command lines covering every alternative and every optional part."""
    items, _ = _items(_brackets_apart(words))
    lines = [_flatten(items, k, True) for k in range(_width(items))]
    lines.append(_flatten(items, 0, False))
    out: list[list[str]] = []
    for line in lines:
        filled: list[str] = []
        for word in line:
            if _PLACEHOLDER.fullmatch(word):
                ext = word.rpartition(".")[2] if "." in word else ""
                default = f"sample.{ext}" if ext else "sample"
                word = SAMPLE_VALUES.get(filled[-1] if filled else "", default)
            filled.append(word)
        if filled not in out:
            out.append(filled)
    return out


# ---- the parsers ---------------------------------------------------------------------------


def _quietly(call: Callable[[], object]) -> tuple[int | str | None, str]:
    """Run `call`; its exit status (None: it returned) and what it printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            call()
        except SystemExit as exc:
            return exc.code, err.getvalue()
    return None, err.getvalue()


def _subcommand_path(words: list[str]) -> bool:
    """`auditor-tui dealers import` named in prose: each word a subcommand of the one before."""
    parser: argparse.ArgumentParser = cli.build_parser()
    for word in words:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or word not in subs[0].choices:
            return False
        parser = subs[0].choices[word]
    return bool(words)


def check_ours(args: list[str], where: str, mention_ok: bool = False) -> None:
    code, err = _quietly(lambda: cli.parse_args(args))
    if code in (None, 0) or (mention_ok and _subcommand_path(args)):
        return
    raise Refused(f"{where}: auditor-tui {shlex.join(args)}\n{err}")


class _Parsed(Exception):
    pass


def _load_script(path: Path) -> ModuleType:
    name = f"docs_check_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def check_python_main(module: ModuleType, args: list[str], where: str) -> None:
    """The module's `main`, stopped right after its parser read the arguments."""
    real = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, *a: Any, **k: Any) -> Any:
        raise _Parsed(real(self, *a, **k))

    main = module.main
    call = (lambda: main(args)) if inspect.signature(main).parameters else main
    with (
        mock.patch.object(argparse.ArgumentParser, "parse_args", parse_then_stop),
        mock.patch("sys.argv", [module.__name__, *args]),
    ):
        try:
            code, err = _quietly(call)
        except _Parsed:
            return
    raise Refused(f"{where}: {module.__name__} {shlex.join(args)} (status {code})\n{err}")


def script_path(word: str) -> Path | None:
    if not word.startswith("scripts/"):
        return None
    path = ROOT / word
    python = path.with_suffix(".py")
    return python if python.is_file() and path.suffix != ".py" else path


def check(words: list[str], where: str, mention_ok: bool = False) -> int:
    """Check one documented command (a synopsis: each line it stands for); the number of
    lines given to a parser. Raises Refused."""
    program, rest = words[0], words[1:]
    python = program in ("python", "python3")
    if python and rest[:1] == ["-m"] and len(rest) > 1:
        module, rest = rest[1], rest[2:]
        if module in OTHER_PYTHON_MODULES:
            return 0
        program = "auditor-tui" if module == "auditor_tui" else module
    elif python and rest:
        program, rest = rest[0], rest[1:]
    checked = 0
    for line in concrete(rest):
        if program == "auditor-tui":
            check_ours(line, where, mention_ok)
        elif program.startswith("auditor_tui."):
            check_python_main(importlib.import_module(program), line, where)
        elif (path := script_path(program)) is not None:
            assert path.is_file(), f"{where}: no such script {program}"
            check_python_main(_load_script(path), line, where)
        elif program in OTHER_TOOLS:
            return 0
        else:
            raise Refused(f"{where}: unknown command {program!r}: check it here, or list it")
        checked += 1
    return checked


def documented_commands() -> list[tuple[list[str], str, bool]]:
    """(words, place, a bare mention is fine) of every command in README.md and docs/*.md."""
    found: list[tuple[list[str], str, bool]] = []
    for path in [README, *DOCS]:
        for block in blocks(path):
            if block.lang not in SHELL_LANGS:
                continue
            for offset, line in shell_lines(block.lines):
                found.extend((c, block.where(offset), False) for c in simple_commands(line))
        for span, where in inline_code(path):
            if re.match(r"(auditor-tui|python3? -m auditor_tui)(\s|$)", span):
                found.extend((c, where, True) for c in simple_commands(span))
    return found


# ---- the tests -----------------------------------------------------------------------------


def test_every_documented_command_parses() -> None:
    commands = documented_commands()
    problems: list[str] = []
    checked = 0
    for words, where, mention_ok in commands:
        try:
            checked += check(words, where, mention_ok)
        except Refused as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)
    ours = [w for w, _, _ in commands if w[0] == "auditor-tui"]
    assert len(ours) >= 30 and checked >= 50, (len(ours), checked)


def _parsers() -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    stack: list[tuple[list[str], argparse.ArgumentParser]] = [([], cli.build_parser())]
    while stack:
        path, parser = stack.pop()
        yield path, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(([*path, name], sub) for name, sub in action.choices.items())


def help_examples() -> list[tuple[list[str], str]]:
    """Each command line in an epilog, and each `ex. a, b` / `parmi : a, b` value of an
    option's help, as (words, place)."""
    found: list[tuple[list[str], str]] = []
    for path, parser in _parsers():
        place = " ".join(["auditor-tui", *path, "--help"])
        for line in parser.format_help().splitlines():
            if line.strip().startswith("auditor-tui"):
                found.extend((c, place) for c in simple_commands(line.strip()))
        for action in parser._actions:
            listed = re.search(r"(?:ex\.|parmi :) ([^()]+)", action.help or "")
            if listed and action.option_strings:
                for value in listed[1].split(","):
                    words = ["auditor-tui", *path, action.option_strings[-1], value.strip()]
                    if path == ["export"]:
                        words += ["--out", "-"]
                    found.append((words, f"{place}, {action.option_strings[-1]}"))
    return found


def test_every_example_of_the_help_texts_parses() -> None:
    examples = help_examples()
    problems: list[str] = []
    for words, where in examples:
        try:
            check(words, where)
        except Refused as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)
    period = [w for w, _ in examples if "--period" in w]
    assert len(examples) >= 20 and len(period) >= 3, examples


@pytest.mark.parametrize(
    "line",
    [
        "auditor-tui report --period 2026-T5",
        "auditor-tui --db DOSSIER report [--table nope]",
        "auditor-tui export --format json|csv --out FILE",
        "auditor-tui import",
        "auditor-tui --read-only import FILE.jsonl",
        "scripts/bench --sizes",
        "python scripts/gen_store.py",
        "auditor-tool export",
    ],
)
def test_the_checker_refuses_what_the_parsers_refuse(line: str) -> None:
    """The checks above can fail: a wrong line in a page is caught, whichever part is wrong."""
    with pytest.raises(Refused):
        for words in simple_commands(line):
            check(words, "here")


def test_synopses_expand_to_every_alternative_and_option() -> None:
    words = shlex.split("--db DOSSIER report [--format table|json|csv] [--table NAME] FILE.csv")
    assert concrete(words) == [
        ["--db", "sample", "report", "--format", "table", "--table", "dealers", "sample.csv"],
        ["--db", "sample", "report", "--format", "json", "--table", "dealers", "sample.csv"],
        ["--db", "sample", "report", "--format", "csv", "--table", "dealers", "sample.csv"],
        ["--db", "sample", "report", "sample.csv"],
    ]
    assert simple_commands("a x|y [b] && c | head -1 > out.txt # → note") == [
        ["a", "x|y", "[b]"],
        ["c"],
        ["head", "-1"],
    ]
