"""The one store: a DuckDB file with tidy tables and their provenance.

Tables (names and columns are an interface; other code and checks rely on them):

- ``projection(region_code, sex, age, year, alternative, persons, table_id)``
- ``population(region_code, sex, age, year, persons, table_id)`` (history, 2024 structure)
- ``kostra(region_code, table_id, contents_code, year, value, status, breakdown)``
  ``breakdown`` holds the other dimensions as ``"DIM=code;DIM2=code"`` ('' when none).
- ``kostra_contents(table_id, contents_code, label, unit, decimals)``
- ``regions(code, name, level, parent_code, kostra_group, valid_from, valid_to,
  centrality)``; ``centrality`` (SSB's sentralitetsindeks class 1–6, KLASS 128; NULL when
  unknown) was added later: a writable open of an older file adds the column.
- ``region_changes(old_code, new_code, old_name, new_name, change_date, kind)``
- ``alternatives(code, contents_code, label, table_id)``
- ``sources(table_id, title, round, ssb_updated, fetched_at, query, rows, kind)``
- ``fetch_log(table_id, fetched_at, query, rows, requests, origin)``

A write replaces one table's rows (optionally only for some regions) inside one
transaction: a failure or a killed process leaves the previous data intact.

Versions: one writer, many readers, never a mix. ``config.db_path()`` is a symlink to the
published version, an immutable DuckDB file in ``<name>.versions/``. Readers
(``get_store()``, ``acquire()``) open the published version read-only; a writer
(``publishing()``) takes an exclusive file lock, copies the published version, writes the
copy and publishes it by atomically replacing the symlink (``os.replace``). Readers keep the
version they opened until they ask again (the app: at the next script run). A version is
deleted once it is superseded and no process holds it open (in-process reference counts;
for other processes the POSIX lock DuckDB keeps on every open file). A plain DuckDB file at
``db_path()`` (older stores, tests) is read as it is and becomes the base of the first
published version. Nothing published yet: readers get an empty in-memory store.

Threads: one DuckDB connection per process and version; each thread works through its own
cursor (``Store.cursor()``), as DuckDB requires.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from . import config, derived

LOG = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS projection (
    region_code VARCHAR NOT NULL, sex VARCHAR NOT NULL, age INTEGER NOT NULL,
    year INTEGER NOT NULL, alternative VARCHAR NOT NULL, persons DOUBLE,
    table_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS population (
    region_code VARCHAR NOT NULL, sex VARCHAR NOT NULL, age INTEGER NOT NULL,
    year INTEGER NOT NULL, persons DOUBLE, table_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS kostra (
    region_code VARCHAR NOT NULL, table_id VARCHAR NOT NULL, contents_code VARCHAR NOT NULL,
    year INTEGER NOT NULL, value DOUBLE, status VARCHAR, breakdown VARCHAR NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS kostra_contents (
    table_id VARCHAR NOT NULL, contents_code VARCHAR NOT NULL, label VARCHAR,
    unit VARCHAR, decimals INTEGER);
CREATE TABLE IF NOT EXISTS regions (
    code VARCHAR NOT NULL, name VARCHAR NOT NULL, level VARCHAR NOT NULL,
    parent_code VARCHAR, kostra_group VARCHAR, valid_from DATE, valid_to DATE,
    centrality INTEGER);
ALTER TABLE regions ADD COLUMN IF NOT EXISTS centrality INTEGER;
CREATE TABLE IF NOT EXISTS region_changes (
    old_code VARCHAR NOT NULL, new_code VARCHAR NOT NULL, old_name VARCHAR,
    new_name VARCHAR, change_date DATE NOT NULL, kind VARCHAR);
CREATE TABLE IF NOT EXISTS alternatives (
    code VARCHAR NOT NULL, contents_code VARCHAR NOT NULL, label VARCHAR,
    table_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    table_id VARCHAR PRIMARY KEY, title VARCHAR, round VARCHAR, ssb_updated VARCHAR,
    fetched_at TIMESTAMP, query VARCHAR, rows BIGINT, kind VARCHAR);
CREATE TABLE IF NOT EXISTS fetch_log (
    table_id VARCHAR, fetched_at TIMESTAMP, query VARCHAR, rows BIGINT,
    requests INTEGER, origin VARCHAR);
"""

# Which store table holds each kind of SSB table, and its columns in order.
KIND_COLUMNS = {
    "projection": ["region_code", "sex", "age", "year", "alternative", "persons", "table_id"],
    "population": ["region_code", "sex", "age", "year", "persons", "table_id"],
    "kostra": ["region_code", "table_id", "contents_code", "year", "value", "status", "breakdown"],
}


@dataclass
class SourceInfo:
    """Provenance of one SSB table as stored in ``sources``."""
    table_id: str
    title: str
    kind: str  # projection | population | kostra
    round: str | None = None
    ssb_updated: str | None = None
    query: object = None  # dict/list (stored as JSON) or str
    origin: str = "api"  # api | file:<name>
    requests: int = 0


class StoreError(RuntimeError):
    pass


class StoreBusy(StoreError):
    """Another process or thread is writing a new version (the writer lock is taken)."""


# Real paths of DuckDB files this process has open: the collector never touches them (closing
# any descriptor of a file drops the POSIX locks the process holds on it, DuckDB's included).
_OPEN_FILES: set[str] = set()


class Store:
    """One DuckDB file (or an empty in-memory store). ``version`` is the published version id
    for stores handed out by ``get_store``/``acquire`` (None for a file opened directly)."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False,
                 _memory: bool = False):
        self.path = Path(path) if path else config.db_path()
        self.version: str | None = None
        self.read_only = read_only
        self._real = None if _memory else os.path.realpath(self.path)
        if not read_only and not _memory:
            if self.path.is_symlink():
                raise StoreError(f"{self.path} er en publisert versjon og kan ikke endres; "
                                 "skriv gjennom store.publishing()")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(":memory:" if _memory else self._real,
                                       read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"Kan ikke åpne databasen {self.path}: {exc}. Bruker en annen prosess den?") from exc
        if self._real:
            _OPEN_FILES.add(self._real)
        self.closed = False
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self.writes = 0  # committed writes through this object
        if not read_only:
            self._con.execute(SCHEMA)

    @classmethod
    def empty(cls) -> "Store":
        """An empty in-memory store with the schema (nothing published yet)."""
        s = cls(config.db_path(), _memory=True)
        s.version = ""
        return s

    # -- connections -------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the process-wide connection."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cur = cur
        return cur

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._con.close()
        if self._real:
            _OPEN_FILES.discard(self._real)

    def _check_writable(self) -> None:
        if self.read_only or self.version is not None:
            raise StoreError("Denne databasen er skrivebeskyttet; skriv gjennom "
                             "store.publishing()")

    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def scalar(self, sql: str, params: list | tuple | None = None):
        row = self.cursor().execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    # -- writes --------------------------------------------------------------------------
    def replace_table_data(self, source: SourceInfo, frame: pd.DataFrame,
                           regions: list[str] | None = None,
                           extra: dict[str, pd.DataFrame] | None = None) -> int:
        """Replace the rows of SSB table ``source.table_id`` in the store table of its kind.

        ``regions``: replace only these region codes (a kommune fetched on demand);
        ``None`` replaces the whole table. ``extra``: other store tables to replace for this
        table id too, e.g. ``{"kostra_contents": df}`` or ``{"alternatives": df}``.
        Everything happens in one transaction. Returns the table's row count afterwards.
        """
        self._check_writable()
        kind = source.kind
        cols = KIND_COLUMNS[kind]
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise StoreError(f"mangler kolonner {missing} for {kind}")
        data = frame[cols]
        cur = self.cursor()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        query = source.query if isinstance(source.query, str) or source.query is None \
            else json.dumps(source.query, ensure_ascii=False)
        with self._write_lock:
            cur.execute("BEGIN TRANSACTION")
            try:
                if regions is None:
                    cur.execute(f"DELETE FROM {kind} WHERE table_id = ?", [source.table_id])
                else:
                    cur.execute(f"DELETE FROM {kind} WHERE table_id = ? AND region_code IN "
                                "(SELECT unnest(?::VARCHAR[]))", [source.table_id, list(regions)])
                cur.register("_incoming", _arrow(data))
                cur.execute(f"INSERT INTO {kind} ({', '.join(cols)}) "
                            f"SELECT {', '.join(cols)} FROM _incoming")
                cur.unregister("_incoming")
                for name, df in (extra or {}).items():
                    cur.execute(f"DELETE FROM {name} WHERE table_id = ?", [source.table_id])
                    cur.register("_extra", df)
                    cur.execute(f"INSERT INTO {name} ({', '.join(df.columns)}) "
                                f"SELECT {', '.join(df.columns)} FROM _extra")
                    cur.unregister("_extra")
                rows = cur.execute(f"SELECT count(*) FROM {kind} WHERE table_id = ?",
                                   [source.table_id]).fetchone()[0]
                cur.execute("DELETE FROM sources WHERE table_id = ?", [source.table_id])
                cur.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [source.table_id, source.title, source.round, source.ssb_updated,
                             now, query, rows, kind])
                cur.execute("INSERT INTO fetch_log VALUES (?, ?, ?, ?, ?, ?)",
                            [source.table_id, now, query, len(data), source.requests,
                             source.origin])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            self.writes += 1
        return rows

    def replace_rows(self, table: str, frame: pd.DataFrame, where: str = "TRUE",
                     params: list | None = None) -> None:
        """Replace rows of a small table (regions, region_changes) in one transaction."""
        self._check_writable()
        cur = self.cursor()
        with self._write_lock:
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(f"DELETE FROM {table} WHERE {where}", params or [])
                cur.register("_rows", frame)
                cur.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) "
                            f"SELECT {', '.join(frame.columns)} FROM _rows")
                cur.unregister("_rows")
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            self.writes += 1

    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        """Run one writing statement on a writable store (counts as a write)."""
        self._check_writable()
        with self._write_lock:
            self.cursor().execute(sql, params or [])
            self.writes += 1

    # -- reads ---------------------------------------------------------------------------
    def source(self, table_id: str) -> dict | None:
        df = self.query("SELECT * FROM sources WHERE table_id = ?", [table_id])
        return None if df.empty else df.iloc[0].to_dict()

    def sources(self) -> pd.DataFrame:
        return self.query("SELECT * FROM sources ORDER BY kind, table_id")

    def regions_in(self, kind: str, table_id: str | None = None) -> set[str]:
        sql = f"SELECT DISTINCT region_code FROM {kind}"
        params = []
        if table_id:
            sql += " WHERE table_id = ?"
            params = [table_id]
        return set(self.query(sql, params)["region_code"])

    def status(self) -> pd.DataFrame:
        """Per stored SSB table: kind, title, round, SSB updated, fetched, rows, regions."""
        return self.query("""
            WITH r AS (
              SELECT table_id, count(DISTINCT region_code) AS n FROM projection GROUP BY 1
              UNION ALL SELECT table_id, count(DISTINCT region_code) FROM population GROUP BY 1
              UNION ALL SELECT table_id, count(DISTINCT region_code) FROM kostra GROUP BY 1)
            SELECT s.table_id, s.kind, s.title, s.round, s.ssb_updated, s.fetched_at, s.rows,
                   coalesce(r.n, 0) AS regions
            FROM sources s LEFT JOIN r USING (table_id) ORDER BY s.kind, s.table_id""")


# -- published versions ----------------------------------------------------------------------

GRACE_S = 10.0  # a version superseded less than this long ago is never deleted
UNSCOPED_GRACE_S = 30.0  # a store handed out without a lease stays open this long
_LOCK_POLL_S = 0.1


def _arrow(frame: pd.DataFrame):
    """``frame`` as an Arrow table for DuckDB to insert: it reads categoricals as Arrow
    dictionary arrays about a third faster than as pandas categoricals (a full 14746: 17.8 M
    rows in 3.2 s instead of 4.5 s, conversion 0.13 s; ``bench/import.py`` prints both). NaN becomes NULL either way. A column Arrow cannot type (mixed Python objects)
    goes in as the pandas frame, as before."""
    import pyarrow as pa
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return frame


def versions_dir(path: str | Path | None = None) -> Path:
    """Folder of the immutable store versions next to ``db_path()``."""
    p = Path(path) if path else config.db_path()
    return p.with_name(p.name + ".versions")


def published_version(path: str | Path | None = None) -> str:
    """Id of the published version (a ``readlink``, or one ``stat`` for a plain file);
    '' when nothing is published. Cheap enough to ask on every script run."""
    p = Path(path) if path else config.db_path()
    try:
        return Path(os.readlink(p)).stem
    except FileNotFoundError:
        return ""
    except OSError:  # a plain file: an older store or one a test built directly
        try:
            st = os.stat(p)
        except FileNotFoundError:
            return ""
        return f"file-{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def _in_use(path: Path) -> bool:
    """True when some process holds ``path`` open through DuckDB (which keeps a POSIX lock
    on every file it opens, read-only ones included), or when we cannot tell."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # e.g. a read-only mount: leave it to the writer
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the test lock


def collect(path: str | Path | None = None, writer: bool = False) -> list[str]:
    """Delete superseded versions nobody holds. ``writer``: the caller holds the writer lock,
    so unfinished builds are leftovers of a dead writer and go too. Returns what was removed."""
    p = Path(path) if path else config.db_path()
    vdir = versions_dir(p)
    if not vdir.is_dir():
        return []
    current = os.path.realpath(p)
    try:
        recent = time.time() - os.lstat(p).st_mtime < GRACE_S
    except FileNotFoundError:
        recent = False
    removed = []
    for f in sorted(vdir.iterdir()):
        real = os.path.realpath(f)
        if f.name.endswith(derived.SUFFIX):  # a version's prebuilt results go with it
            if not Path(str(f).removesuffix(derived.SUFFIX)).exists():
                shutil.rmtree(f, ignore_errors=True)
                removed.append(f.name)
            continue
        if f.suffix == ".building" or f.name.endswith(".building.wal"):
            if not writer or real in _OPEN_FILES:
                continue
        elif f.suffix != ".duckdb" or real == current or real in _OPEN_FILES or recent \
                or _in_use(f):
            continue
        try:
            f.unlink()
            Path(str(f) + ".wal").unlink(missing_ok=True)
            shutil.rmtree(str(f) + derived.SUFFIX, ignore_errors=True)
            removed.append(f.name)
        except OSError:
            pass  # read-only mount, or gone already: the writer collects later
    return removed


class _Pool:
    """This process's read-only stores of one ``db_path``: one per version, with leases."""

    def __init__(self, path: Path):
        self.path = path
        self.stores: dict[str, Store] = {}
        self.refs: dict[str, int] = {}
        self.handed: dict[str, float] = {}  # version -> last time handed out without lease
        self.lock = threading.Lock()

    def _open(self, version: str) -> Store:
        s = self.stores.get(version)
        if s is not None and not s.closed:
            return s
        if version == "":
            s = Store.empty()
        else:
            s = Store(self.path, read_only=True)
            if published_version(self.path) != version:  # published again meanwhile
                s.close()
                raise StoreError("ny versjon publisert under åpning")
        s.version = version
        self.stores[version] = s
        return s

    def get(self, lease: bool) -> Store:
        for attempt in range(20):
            version = published_version(self.path)
            with self.lock:
                try:
                    s = self._open(version)
                except StoreError:
                    # the file went between readlink and open (collected), a newer version
                    # came, or our lock probe was in the way: read the pointer again
                    if attempt == 19:
                        raise
                    time.sleep(0.05)
                    continue
                if lease:
                    self.refs[version] = self.refs.get(version, 0) + 1
                else:
                    self.handed[version] = time.monotonic()
                self._sweep(version)
                return s
        raise AssertionError("unreachable")

    def release(self, store: Store) -> None:
        with self.lock:
            v = store.version
            self.refs[v] = max(self.refs.get(v, 0) - 1, 0)
            self._sweep(published_version(self.path))

    def _sweep(self, current: str) -> None:
        now = time.monotonic()
        closed = False
        for v, s in list(self.stores.items()):
            if v == current or self.refs.get(v, 0) > 0 or \
                    now - self.handed.get(v, -1e9) < UNSCOPED_GRACE_S:
                continue
            s.close()
            del self.stores[v]
            self.refs.pop(v, None)
            self.handed.pop(v, None)
            closed = True
        if closed:
            collect(self.path)

    def close(self) -> None:
        with self.lock:
            for s in self.stores.values():
                s.close()
            self.stores.clear()
            self.refs.clear()
            self.handed.clear()


_POOLS: dict[Path, _Pool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(path: str | Path | None) -> _Pool:
    p = Path(path) if path else config.db_path()
    with _POOLS_LOCK:
        pool = _POOLS.get(p)
        if pool is None:
            pool = _POOLS[p] = _Pool(p)
        return pool


def get_store(path: str | Path | None = None) -> Store:
    """The published version, read-only (one connection per process and version).

    Without a lease: the store stays open while it is the published one and at least
    ``UNSCOPED_GRACE_S`` after it was last handed out. Code that must see one version for a
    longer piece of work (a Streamlit run) uses ``acquire``/``release`` or ``reading``.
    """
    return _pool(path).get(lease=False)


def acquire(path: str | Path | None = None) -> Store:
    """The published version, held (not closed, not deleted) until ``release(store)``."""
    return _pool(path).get(lease=True)


def release(store: Store) -> None:
    _pool(store.path).release(store)


@contextlib.contextmanager
def reading(path: str | Path | None = None):
    """``with reading() as store:`` one published version for the whole block."""
    s = acquire(path)
    try:
        yield s
    finally:
        release(s)


@contextlib.contextmanager
def _writer_lock(path: Path, timeout: float | None, on_wait=None):
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                if deadline is not None and time.monotonic() >= deadline:
                    raise StoreBusy("Databasen oppdateres av en annen prosess akkurat nå; "
                                    "prøv igjen om litt.") from None
                time.sleep(_LOCK_POLL_S)
        yield
    finally:
        os.close(fd)  # releases the flock


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SEQ = iter(range(1, 1 << 62))


@contextlib.contextmanager
def publishing(path: str | Path | None = None, timeout: float | None = None, on_wait=None,
               before_publish=None):
    """``with publishing() as store:`` write a new version and publish it at the end.

    Takes the writer lock (waits ``timeout`` seconds, None = as long as it takes, then
    raises ``StoreBusy``; ``on_wait()`` is called once if it has to wait), copies the
    published version (or starts empty), yields a writable ``Store`` on the copy, and on a
    normal exit publishes it by atomically replacing the ``db_path()`` symlink. An
    exception, or no write at all, publishes nothing and deletes the copy. Readers are never
    blocked and never see the copy half-written. ``before_publish(file, version)`` is called
    with the finished, immutable version file just before it is published (the refresh job
    prebuilds its reports there, so readers meet them ready); if it fails, the version is
    published all the same.
    """
    p = Path(path) if path else config.db_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    vdir = versions_dir(p)
    vdir.mkdir(exist_ok=True)
    with _writer_lock(p, timeout, on_wait):
        collect(p, writer=True)
        name = (f"v{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}-{next(_SEQ)}")
        building = vdir / f"{name}.building"
        if p.exists():
            base = Path(os.path.realpath(p))
            shutil.copyfile(base, building)
            if Path(str(base) + ".wal").exists():  # a plain file left by a crashed writer
                shutil.copyfile(str(base) + ".wal", str(building) + ".wal")
        store = Store(building)
        try:
            yield store
        except BaseException:
            store.close()
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
            raise
        store.close()  # checkpoints: the file is complete, no WAL
        if store.writes == 0:
            building.unlink(missing_ok=True)
            return
        final = vdir / f"{name}.duckdb"
        os.replace(building, final)
        _fsync(final)
        if before_publish is not None:
            try:
                before_publish(final, name)
            except Exception:  # noqa: BLE001 - an optimisation only: publish the data
                LOG.warning("before_publish for %s failed; publishing it all the same", name,
                            exc_info=True)
        link = p.with_name(f".{p.name}.{os.getpid()}.{threading.get_ident()}.link")
        link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(final, p.parent), link)
        os.replace(link, p)
        _fsync(p.parent, directory=True)
        collect(p, writer=True)


def reset_store() -> None:
    """Close every store this process has open (tests, or after KG_DB_PATH changed)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()
