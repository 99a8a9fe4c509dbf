"""Streamlit-side access to the store: one connection per process, cached reads.

Pages never open DuckDB themselves; they call ``store()`` (a cached ``Store``) and pass it
to ``analysis`` functions, or use the cached helpers here. ``cache_version()`` changes
whenever the store is written (sources.fetched_at), so cached results never go stale.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_sources import config
from data_sources.store import Store, get_store


def store() -> Store:
    """The process-wide store (``get_store`` keeps one connection and reopens it when it
    was closed, e.g. by ``reset_store()`` after a path change)."""
    return get_store(config.db_path())


_VERSION: tuple[object, str] = (None, "")


def cache_version() -> str:
    """A token that changes when any table in the store is replaced.

    Asked once per script run (pages call it for every cached read): within a run the
    token is reused, keyed on the run's context object.
    """
    global _VERSION
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    token = None if ctx is None else ctx.cursors  # a new dict for every run
    if token is not None and _VERSION[0] is token:
        return _VERSION[1]
    v = str(store().scalar(
        "SELECT coalesce(max(fetched_at)::VARCHAR, '') || count(*) FROM fetch_log"))
    _VERSION = (token, v)
    return v


def bump_version() -> None:
    """Forget the per-run token (call after writing to the store within a run)."""
    global _VERSION
    _VERSION = (None, "")


@st.cache_data(show_spinner=False, max_entries=8)
def _region_options(version: str, path: str) -> pd.DataFrame:
    from data_sources import regions_default
    regs = store().query("SELECT code, name, level, parent_code, kostra_group FROM regions "
                         "WHERE level IN ('land', 'fylke', 'kommune') AND (valid_to IS NULL "
                         "OR valid_to > current_date)")
    if regs.empty:
        regs = regions_default.default_regions()
    order = {"land": 0, "fylke": 1, "kommune": 2}
    regs = regs.assign(_o=regs["level"].map(order)).sort_values(["_o", "code"]).drop(columns="_o")
    regs["label"] = [
        f"{n} (hele landet)" if lvl == "land" else
        (f"{n} (fylke {c})" if lvl == "fylke" else f"{c} {n}")
        for c, n, lvl in zip(regs["code"], regs["name"], regs["level"])]
    return regs.reset_index(drop=True)


def region_options() -> pd.DataFrame:
    """code, name, level, parent_code, kostra_group, label — land, fylker, kommuner."""
    return _region_options(cache_version(), str(config.db_path()))


@st.cache_data(show_spinner=False, max_entries=4)
def _sources(version: str, path: str) -> pd.DataFrame:
    return store().sources()


def sources() -> pd.DataFrame:
    return _sources(cache_version(), str(config.db_path()))


@st.cache_data(show_spinner=False, max_entries=4)
def _status(version: str, path: str) -> pd.DataFrame:
    return store().status()


def status() -> pd.DataFrame:
    """``Store.status()`` (what each stored table holds), read once per store version."""
    return _status(cache_version(), str(config.db_path()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _stored(version: str, path: str) -> tuple[frozenset, frozenset, frozenset]:
    s = store()
    return (frozenset(s.regions_in("projection")), frozenset(s.regions_in("population")),
            frozenset(s.sources()["table_id"]))


def missing_tables(region: str) -> list[str]:
    """Which table keys lack data for ``region`` (as ``refresh.missing_tables``), from the
    regions each store table holds, read once per store version: no query per switch."""
    from data_sources import catalog
    projection, population, tables = _stored(cache_version(), str(config.db_path()))
    need = [] if region in projection else ["projection"]
    need += [] if region in population else ["population"]
    return need + [t for t in catalog.KOSTRA_TABLES if t not in tables]


@st.cache_data(show_spinner=False, max_entries=4)
def _sources_by_id(version: str, path: str) -> dict[str, dict]:
    return {r["table_id"]: r for r in store().sources().to_dict("records")}


def source_of(table_id: str) -> dict | None:
    """The ``sources`` row of one SSB table as a dict, or None."""
    row = _sources_by_id(cache_version(), str(config.db_path())).get(table_id)
    return None if row is None else dict(row)
