"""Results computed from one store version and kept beside it on disk (prebuilt reports).

A published store version never changes, so anything computed from it alone (a page's
report for a kommune, its figures) can be computed once, by a job, and read by every app
process and replica serving that version instead of being computed again per process.
``python -m ui.prebuild`` (run by the refresh job on a new version before publishing it,
and by ``serve.py`` when it starts) writes them; ``ui.data.shared`` reads them before
computing.

Layout: ``<store file>.derived/<version>/<code>/<key>.pkl`` next to the version's DuckDB
file (``<name>.versions/v….duckdb.derived/v…/…``, or ``store.duckdb.derived/file-…/…`` for
a plain file), so a result is never read with another version's data or made by other code:
the version id and a digest of the program's source (``code_version``: a new release on the
same store builds anew) are part of the path. ``store.collect`` deletes a version's folder
with the version.

The files are pickles written by this program into the store's own folder: they are
trusted exactly as the DuckDB file beside them is (whoever can write there can change the
data too). A file that cannot be read (cut short, an older program's classes) counts as
absent: the caller computes the result as it would without the file.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

LOG = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
SUFFIX = ".derived"
COMPLETE = "COMPLETE"  # marker file: the prebuild of this version finished


def root(store) -> Path | None:
    """Folder of derived results of every version of ``store``'s file; None for an
    in-memory store."""
    real = getattr(store, "_real", None)
    return Path(real + SUFFIX) if real else None


def source_digest(root: Path) -> str:
    """Digest of the source under ``root`` that builds kept results (``analysis``,
    ``data_sources``, ``ui``, with the built-in data files)."""
    h = hashlib.blake2b(digest_size=8)
    for pkg in ("analysis", "data_sources", "ui"):
        for f in sorted((root / pkg).rglob("*")):
            if f.is_file() and f.suffix in (".py", ".csv", ".json", ".geojson") \
                    and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


@functools.cache
def code_version() -> str:
    """``source_digest`` of this program, read once per process."""
    return source_digest(ROOT)


def folder(store) -> Path | None:
    """Folder of ``store``'s version (and this code); None for stores without a version id
    (a file opened for writing, an empty store): their results are never kept."""
    base, version = root(store), getattr(store, "version", None)
    if base is None or not version:
        return None
    return base / version / code_version()


def key(name: str, args: tuple, kwargs: tuple = ()) -> str:
    """File name of one result: a digest of the function's name and its arguments (frozen
    dataclasses, strings, numbers and tuples of them, as ``ui.data`` passes)."""
    blob = pickle.dumps((name, args, tuple(kwargs)), protocol=5)
    return hashlib.blake2b(blob, digest_size=20).hexdigest()


def load(store, name: str, args: tuple, kwargs: tuple = ()):
    """The kept result, or None (not prebuilt, or unreadable)."""
    d = folder(store)
    if d is None:
        return None
    path = d / f"{key(name, args, kwargs)}.pkl"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or outdated file: compute instead
        LOG.warning("derived result %s unreadable; computing it", path.name, exc_info=True)
        return None


def has(store, name: str, args: tuple, kwargs: tuple = ()) -> bool:
    d = folder(store)
    return d is not None and (d / f"{key(name, args, kwargs)}.pkl").is_file()


def save(store, name: str, args: tuple, kwargs: tuple, obj) -> bool:
    """Keep ``obj`` for ``store``'s version (atomically: readers see the whole file or
    none). False when the store has no version or the folder is not writable."""
    d = folder(store)
    if d is None:
        return False
    tmp = None
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=5)
        os.chmod(tmp, 0o644)  # readable by the app replicas, as the store file is
        os.replace(tmp, d / f"{key(name, args, kwargs)}.pkl")
        return True
    except OSError:
        LOG.warning("cannot keep derived result in %s", d, exc_info=True)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return False


def mark_complete(store, count: int) -> None:
    d = folder(store)
    if d is not None:
        d.mkdir(parents=True, exist_ok=True)
        (d / COMPLETE).write_text(f"{count}\n", encoding="utf-8")


def is_complete(store) -> bool:
    d = folder(store)
    return d is not None and (d / COMPLETE).is_file()


def prune(store) -> list[str]:
    """Delete derived folders of other versions of ``store``'s own file (a plain file whose
    content changed has a new version id) and of other code. Versioned stores lose theirs
    in ``collect``."""
    keep = folder(store)
    if keep is None or not keep.parent.parent.is_dir():
        return []
    removed = []
    for sub in [*keep.parent.parent.iterdir(), *(keep.parent.iterdir()
                                                if keep.parent.is_dir() else [])]:
        if sub not in (keep, keep.parent):
            if sub.is_dir():
                shutil.rmtree(sub, ignore_errors=True)
            else:
                sub.unlink(missing_ok=True)
            removed.append(str(sub.relative_to(keep.parent.parent)))
    return removed
