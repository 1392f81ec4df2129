"""Shared fixtures: a real store in tmp_path, and a disk that fills up on demand."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from auditor_tui.store import Store


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path):
    with Store.open(store_path) as s:
        yield s


class FullDisk:
    """While `full` is set, every write into a file under `folder` fails as on a full disk
    (os.write raising ENOSPC): the store sees what the system would tell it."""

    def __init__(self, folder: Path) -> None:
        self.folder = str(folder)
        self.full = False

    def concerns(self, fd: int) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}").startswith(self.folder)
        except OSError:
            return False


@pytest.fixture
def full_disk(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    disk = FullDisk(store_path)
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        if disk.full and disk.concerns(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    return disk
