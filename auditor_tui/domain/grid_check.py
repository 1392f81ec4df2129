"""What reading a grid file checks with: the problems collected as it goes (`Checker`), so that
a broken file lists them all at once, and `GridError`, naming the file, question and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


class GridError(ValueError):
    """A grid file that cannot be used; lists every problem with the question and field."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"grille invalide {self.path} :\n{lines}")


class Checker:
    """Collects problems while reading raw JSON, so a broken file lists them all at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def get(
        self,
        obj: Mapping[str, Any],
        key: str,
        typ: type | tuple[type, ...],
        where: str,
        *,
        optional: bool = False,
    ) -> Any:
        if key not in obj or obj[key] is None:
            if not optional:
                self.problems.append(f"{where}, champ {key!r} : manquant")
            return None
        value = obj[key]
        bad_bool = isinstance(value, bool) and bool not in (
            typ if isinstance(typ, tuple) else (typ,)
        )
        if not isinstance(value, typ) or bad_bool:
            names = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
            self.problems.append(
                f"{where}, champ {key!r} : attendu {names}, "
                f"trouvé {type(value).__name__} ({value!r})"
            )
            return None
        return value
