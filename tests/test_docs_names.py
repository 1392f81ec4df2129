"""Every code name a page cites (`AuditFiles.known_row`, `record_row`, `export_changed`) is found in
the code: a function renamed or removed takes its mention with it (docs/performance.md once
cited a function of store.py that had moved to store_files.py under another name)."""

from __future__ import annotations

import re

from tests.markdown import DOCS, README, ROOT, inline_code

_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?")
_FILE_SUFFIXES = {"py", "md", "json", "jsonl", "csv", "xlsx", "tcss", "txt", "lock"}
# Named in the docs, made by the code without being written in it: the export's per-question
# columns (`q<id>_points`, …) and a json.dumps argument the store no longer uses.
_GENERATED = re.compile(r"q\d+[ab]?_(points|options|labels)|sort_keys")


def cited_names() -> list[tuple[str, str]]:
    """(name, place) of each inline code span that reads as a Python name: with an underscore,
    a dot or a call's parentheses, not a file name."""
    names = []
    for path in [README, *DOCS]:
        for span, where in inline_code(path):
            bare = span.removesuffix("()")
            if not _NAME.fullmatch(span) or bare.rpartition(".")[2] in _FILE_SUFFIXES:
                continue
            if "_" in span or "." in bare or span.endswith("()"):
                names.append((span, where))
    return names


def test_every_cited_code_name_exists() -> None:
    # The code, and the data files it reads (a grid rule such as `preferred_contact` is named
    # in the grid file, not in Python).
    sources = [
        p for folder in ("auditor_tui", "scripts", "tests") for p in (ROOT / folder).rglob("*.py")
    ]
    code = "\n".join(
        path.read_text(encoding="utf-8") for path in [*sources, *(ROOT / "data").glob("*.json")]
    )
    words = set(re.findall(r"\w+", code))
    names = cited_names()
    missing = [
        f"{where}: `{name}`"
        for name, where in names
        if not _GENERATED.fullmatch(name)
        and name.removesuffix("()").rpartition(".")[2] not in words
    ]
    assert not missing, "cited but not in the code:\n" + "\n".join(missing)
    assert len(names) >= 30, names  # the pages do cite code: the check is not empty


def test_every_cited_python_file_exists() -> None:
    """`store/facade.py`, `scripts/gen_store.py`, `labels.py`: a file the pages name in code is
    in the tree (from the root or from auditor_tui/; a bare name anywhere in it), so a page
    follows the code when a module moves."""
    tree = [
        p for folder in ("auditor_tui", "scripts", "tests") for p in (ROOT / folder).rglob("*.py")
    ]
    names = {p.name for p in tree}
    cited = [
        (span, where)
        for path in [README, *DOCS]
        for span, where in inline_code(path)
        if re.fullmatch(r"[\w./-]+\.py", span)
    ]
    missing = [
        f"{where}: `{span}`"
        for span, where in cited
        if not (
            (ROOT / span).is_file()
            or (ROOT / "auditor_tui" / span).is_file()
            or ("/" not in span and span in names)
        )
    ]
    assert not missing, "cited but not in the tree:\n" + "\n".join(missing)
    assert len(cited) >= 10, cited  # the pages do cite files: the check is not empty
