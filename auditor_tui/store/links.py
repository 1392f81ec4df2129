"""The store's own folders and files, taken as they are and never through a link the store did
not make: `audits/` and the staging folders must be real folders, the files real files. The
folder given with `--db` may itself be a link (the user chose it), but never a shared folder
such as /tmp, and a folder of another user is never chmod'ed (docs/reliability.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_IMODE, S_ISDIR, S_ISLNK, S_ISREG, S_ISVTX

from auditor_tui.store.atomic import DIR_MODE
from auditor_tui.store.errors import StoreError, StoreWriteError, describe_oserror, kind_of
from auditor_tui.store.reading import LINK_REFUSED


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"Impossible d'examiner {path} : {describe_oserror(exc)}.", path) from exc


def check_folders(root: Path, audits: Path) -> None:
    """Refuse (StoreError naming the path) a store whose folder is shared (sticky, as /tmp) or
    whose `audits/` is a link or not a folder. Missing folders are fine (to be created)."""
    st = _lstat(root)
    if st is not None and S_ISLNK(st.st_mode):
        try:
            st = os.stat(root)  # the folder given may be a link: the user chose it
        except OSError:
            st = None
    if st is not None and S_ISDIR(st.st_mode) and st.st_mode & S_ISVTX:
        raise StoreError(
            f"{root} est un dossier partagé (sticky bit, comme /tmp) : il ne peut pas être un "
            "dossier de données ; choisissez-y un sous-dossier à vous",
            root,
        )
    st = _lstat(audits)
    if st is None:
        return
    if S_ISLNK(st.st_mode):
        raise StoreError(f"{audits} : {LINK_REFUSED} ; dossier refusé", audits)
    if not S_ISDIR(st.st_mode):
        raise StoreError(f"{audits} n'est pas un dossier : dossier de données refusé", audits)


def make_private(folder: Path) -> None:
    """Owner only (0700), even if made by hand or by an old version; a folder that belongs to
    another user is left as it is (its permissions are its owner's business)."""
    try:
        st = os.stat(folder)
        ours = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
        if ours and S_IMODE(st.st_mode) != DIR_MODE:
            os.chmod(folder, DIR_MODE)
    except OSError as exc:
        raise StoreWriteError(folder, exc, action="d'utiliser le dossier", tail="") from exc


def listing_problem(entry: os.DirEntry[str]) -> str | None:
    """Why an entry of `audits/` named like an audit file is not read (a link, a FIFO, a
    folder…), naming it; None for other names (temporary files, damaged copies)."""
    if not entry.name.endswith(".json"):
        return None
    if entry.is_symlink():
        return f"{entry.path} : {LINK_REFUSED} ; ignoré"
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return f"{entry.path} : {describe_oserror(exc)} ; ignoré"
    return f"{entry.path} : c'est {kind_of(mode)}, pas un fichier d'audit ; ignoré"


def check_journal_sources(root: Path, sources: list[str]) -> bool:
    """Whether every staged file a journal moves sits in real folders of the store (no link on
    the way) and is a regular file, or is gone (moved before a crash)."""
    for source in sources:
        path = root / source
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            return False
        folder = root
        for part in parts[:-1]:
            folder = folder / part
            st = _lstat(folder)
            if st is None:
                break  # gone, its files moved before a crash
            if not S_ISDIR(st.st_mode):  # a link is not S_ISDIR under lstat
                return False
        else:
            st = _lstat(path)
            if st is not None and not S_ISREG(st.st_mode):
                return False
    return True
