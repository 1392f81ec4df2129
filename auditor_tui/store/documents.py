"""The store's small documents: the dealer directory (`dealers.json`), the settings
(`settings.json`: identities, the auditor's name, sync state) and the waves' plans
(`plans.json`, one document a wave), each a TinyDB file written by atomic replace. A damaged
one is reported at open, a copy kept aside, the file untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from auditor_tui.store.errors import CorruptFileError, Damaged, StoreError
from auditor_tui.store.layout import document_problem
from auditor_tui.store.reading import keep_damaged_copy
from auditor_tui.store.storage import AtomicJSONStorage

DEALERS = "dealers.json"
SETTINGS = "settings.json"
PLANS = "plans.json"


def _rows(db: TinyDB, table: str) -> list[dict[str, Any]]:
    """Every document of a table of a small TinyDB file; CorruptFileError (a copy kept aside)
    for a file TinyDB cannot read as tables of documents."""
    try:
        return [dict(d) for d in db.table(table).all()]
    except (ValueError, TypeError, AttributeError) as exc:
        path = Path(db.storage.path) if isinstance(db.storage, AtomicJSONStorage) else None
        if path is None:
            raise
        detail = document_problem(db.storage.read()) or f"{type(exc).__name__} : {exc}"
        raise CorruptFileError(path, keep_damaged_copy(path), detail) from exc


class Documents:
    """The dealer directory and the settings of one store folder. Not thread-safe: the store
    calls it under its lock."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def check(self) -> list[Damaged]:
        """A damaged dealer directory or settings file, reported at start (a copy kept aside,
        the file untouched); reading it later raises the same CorruptFileError."""
        damaged: list[Damaged] = []
        for name in (DEALERS, SETTINGS, PLANS):
            path = self.root / name
            if not path.exists():
                continue
            try:
                data = AtomicJSONStorage(path, create_dirs=False).read()
                if data is None:
                    # The store never writes an empty file: this one was emptied by a crash
                    # of the system or a tool; TinyDB would read it as an empty directory.
                    raise CorruptFileError(path, keep_damaged_copy(path), "fichier vide")
                problem = document_problem(data)
                if problem is not None:
                    raise CorruptFileError(path, keep_damaged_copy(path), problem)
            except StoreError as exc:
                damaged.append(Damaged(path, getattr(exc, "backup_path", None), str(exc)))
        return damaged

    @contextmanager
    def _db(self, name: str) -> Iterator[TinyDB]:
        db = TinyDB(self.root / name, storage=AtomicJSONStorage)
        try:
            yield db
        finally:
            db.close()

    def dealers(self) -> list[dict[str, Any]]:
        with self._db(DEALERS) as db:
            return _rows(db, "dealers")

    def replace_dealers(self, dealers: Iterable[Mapping[str, Any]]) -> None:
        rows = [dict(d) for d in dealers]
        with self._db(DEALERS) as db:
            db.storage.write({"dealers": {str(i): r for i, r in enumerate(rows, start=1)}})

    def plans(self) -> list[dict[str, Any]]:
        """Every wave's plan document, in wave order."""
        with self._db(PLANS) as db:
            return _rows(db, "plans")

    def put_plan(self, document: Mapping[str, Any]) -> None:
        """Store a wave's plan (replacing that wave's), the file rewritten whole, atomically."""
        with self._db(PLANS) as db:
            waves = {str(r.get("wave")): r for r in _rows(db, "plans")}
            waves[str(document["wave"])] = dict(document)
            rows = [waves[w] for w in sorted(waves)]
            db.storage.write({"plans": {str(i): r for i, r in enumerate(rows, start=1)}})

    def _settings(self, db: TinyDB) -> dict[str, Any]:
        """The settings, or none when the file is damaged: preferences (the last identity used,
        the auditor's name) are not evidence; the damaged (or unreadable) file was reported at
        open and a copy kept aside (CorruptFileError), so the app goes on with defaults."""
        try:
            rows = _rows(db, "settings")
        except StoreError:  # damaged, a link, unreadable: reported at open
            return {}
        return dict(rows[0]) if rows else {}

    def setting(self, key: str, default: Any = None) -> Any:
        with self._db(SETTINGS) as db:
            return self._settings(db).get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        with self._db(SETTINGS) as db:
            current = self._settings(db)
            current[key] = value
            db.storage.write({"settings": {"1": current}})
