"""The one store: a DuckDB file with tidy tables and their provenance.

Tables (names and columns are an interface; other code and checks rely on them):

- ``projection(region_code, sex, age, year, alternative, persons, table_id)``
- ``population(region_code, sex, age, year, persons, table_id)`` (history, 2024 structure)
- ``kostra(region_code, table_id, contents_code, year, value, status, breakdown)``
  ``breakdown`` holds the other dimensions as ``"DIM=code;DIM2=code"`` ('' when none).
- ``kostra_contents(table_id, contents_code, label, unit, decimals)``
- ``regions(code, name, level, parent_code, kostra_group, valid_from, valid_to)``
- ``region_changes(old_code, new_code, old_name, new_name, change_date, kind)``
- ``alternatives(code, contents_code, label, table_id)``
- ``sources(table_id, title, round, ssb_updated, fetched_at, query, rows, kind)``
- ``fetch_log(table_id, fetched_at, query, rows, requests, origin)``

A write replaces one table's rows (optionally only for some regions) inside one
transaction: a failure or a killed process leaves the previous data intact.

Threads: one DuckDB connection per process (``get_store()``); each thread works through
its own cursor (``Store.cursor()``), as DuckDB requires.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from . import config

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
    parent_code VARCHAR, kostra_group VARCHAR, valid_from DATE, valid_to DATE);
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


class Store:
    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        self.path = Path(path) if path else config.db_path()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"Kan ikke åpne databasen {self.path}: {exc}. Bruker en annen prosess den?") from exc
        self.closed = False
        self._local = threading.local()
        self._write_lock = threading.Lock()
        if not read_only:
            self._con.execute(SCHEMA)

    # -- connections -------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the process-wide connection."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cur = cur
        return cur

    def close(self) -> None:
        self._con.close()
        self.closed = True

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
                cur.register("_incoming", data)
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
        return rows

    def replace_rows(self, table: str, frame: pd.DataFrame, where: str = "TRUE",
                     params: list | None = None) -> None:
        """Replace rows of a small table (regions, region_changes) in one transaction."""
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


_STORE: Store | None = None
_STORE_LOCK = threading.Lock()


def get_store(path: str | Path | None = None) -> Store:
    """The process-wide store (one DuckDB connection per process)."""
    global _STORE
    wanted = Path(path) if path else config.db_path()
    with _STORE_LOCK:
        if _STORE is None or _STORE.closed or _STORE.path != wanted:
            if _STORE is not None and not _STORE.closed:
                _STORE.close()
            _STORE = Store(wanted)
        return _STORE


def reset_store() -> None:
    """Close the process-wide store (tests, or after KG_DB_PATH changed)."""
    global _STORE
    with _STORE_LOCK:
        if _STORE is not None:
            _STORE.close()
        _STORE = None
