"""Where the shipped data files (grids, sample dealers) live, installed or in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir() -> Path:
    """The data folder: `auditor_tui/data` in an installed wheel, else the checkout's `data/`."""
    packaged = Path(str(resources.files("auditor_tui"))) / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def data_path(name: str) -> Path:
    """A shipped data file by name; FileNotFoundError names both places looked in."""
    path = data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"fichier de données introuvable : {path}")
    return path
