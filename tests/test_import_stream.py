"""An import that streams (issue 15): the file read a chunk at a time and each record staged as
it comes, all or nothing; a line the store already holds exactly found unchanged without being
decoded again."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.exchange.export import write_jsonl
from auditor_tui.exchange.jsonl import MAX_RECORD_BYTES, split_lines, stream_lines
from auditor_tui.store import Store
from tests.factories import make_audit, tree_digest


def jsonl_file(path, audits):
    with path.open("w", encoding="utf-8") as out:
        write_jsonl(audits, out)
    return path


def summary_line(capsys):
    return capsys.readouterr().out.strip().split(" : ", 1)[1]


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=300).map(
        lambda b: b.replace(b"\x00", b"\n")  # some lines, often empty ones
    ),
    bom=st.booleans(),
    cuts=st.lists(st.integers(1, 40), max_size=30),
)
def test_lines_read_a_chunk_at_a_time_are_the_lines_of_the_whole_file(data, bom, cuts):
    """Wherever the chunks end (inside a line, its line end, the BOM), the lines and their
    numbers are those of the file read whole."""
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    chunks, start = [], 0
    for size in cuts:
        chunks.append(data[start : start + size])
        start += size
    chunks.append(data[start:])
    assert list(stream_lines(chunks)) == list(split_lines(data))


def test_an_overlong_line_is_refused_by_its_number_and_the_next_lines_are_read(tmp_path, capsys):
    good = make_audit(1)
    path = tmp_path / "a.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write('{"note": "' + "x" * (MAX_RECORD_BYTES + 10) + '"}\n')
        write_jsonl([good], out)
        out.write("{pas du json\n")
    assert main(["--db", str(tmp_path / "s"), "import", str(path)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "ligne 1, champ (ligne) : enregistrement de plus de 1 000 000 octets" in err
    assert "ligne 3, champ (json) : JSON invalide" in err
    assert "ligne 2" not in err
    assert [number for number, _ in stream_lines([path.read_bytes()])] == [1, 2, 3]


def test_the_same_file_again_is_unchanged_then_a_changed_audit_is_older(tmp_path, capsys):
    db = tmp_path / "s"
    audits = [make_audit(n) for n in range(5)]
    path = jsonl_file(tmp_path / "a.jsonl", audits)
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    assert summary_line(capsys).startswith("5 ajouté(s)")
    before = tree_digest(db / "audits")
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    assert summary_line(capsys) == (
        "0 ajouté(s), 0 remplacé(s), 5 inchangé(s), 0 plus ancien(s) ignoré(s), 0 conflit(s)."
    )
    assert tree_digest(db / "audits") == before  # nothing written
    with Store.open(db) as store:  # one audit edited at this desk since
        edited = store.get(audits[2].id)
        edited.notes["9"] = "réécouté"
        store.save(edited)
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    assert summary_line(capsys) == (
        "0 ajouté(s), 0 remplacé(s), 4 inchangé(s), 1 plus ancien(s) ignoré(s), 0 conflit(s)."
    )


def test_a_known_line_never_hides_a_problem_of_the_file(tmp_path, capsys):
    """Lines the store holds exactly, then a broken one and a repeated one: the file is
    refused whole, each problem named, the store unchanged."""
    db = tmp_path / "s"
    audits = [make_audit(n) for n in range(3)]
    path = jsonl_file(tmp_path / "a.jsonl", audits)
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = json.loads(lines[1])
    broken["status"] = "fini"
    new = jsonl_file(tmp_path / "new.jsonl", [make_audit(7)]).read_text(encoding="utf-8")
    again = tmp_path / "again.jsonl"
    again.write_text(lines[0] + new + json.dumps(broken) + "\n" + lines[0], encoding="utf-8")
    capsys.readouterr()
    before = tree_digest(db)
    assert main(["--db", str(db), "import", str(again)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "ligne 3, champ status" in err
    assert "ligne 4, champ id : identifiant déjà présent ligne 1" in err
    assert tree_digest(db) == before


def test_an_equal_revision_with_other_bytes_is_compared_as_before(tmp_path, capsys):
    """The same records written otherwise (spaces, key order) are decoded and compared:
    unchanged; other content at the same revision is a conflict."""
    db = tmp_path / "s"
    audits = [make_audit(n) for n in range(2)]
    path = jsonl_file(tmp_path / "a.jsonl", audits)
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records[1]["auditor"] = "Quelqu'un d'autre"
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_text(
        "".join(json.dumps(r, indent=None, sort_keys=True) + "\n" for r in records),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(spaced)]) == 3  # conflicts
    captured = capsys.readouterr()
    assert "1 inchangé(s)" in captured.out and "1 conflit(s)" in captured.out
    assert f"conflit : l'audit {audits[1].id}" in captured.err
