"""Streamlit-side access to the store: one connection per process, cached reads.

Pages never open DuckDB themselves; they call ``store()`` (a cached ``Store``) and pass it
to ``analysis`` functions, or use the cached helpers here. ``cache_version()`` changes
whenever the store is written (sources.fetched_at), so cached results never go stale.
"""

from __future__ import annotations

from collections.abc import Callable

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


_FUNCS: dict[str, Callable] = {}


@st.cache_data(show_spinner=False, max_entries=512)
def _call(version: str, path: str, name: str, args: tuple, kwargs: tuple):
    return _FUNCS[name](store(), *args, **dict(kwargs))


def cached(fn: Callable, *args, **kwargs):
    """``fn(store(), *args, **kwargs)``, cached per store version (and store file).

    The one caching helper for reads from the store: results are recomputed only after
    the store changed (``cache_version``). ``fn`` is a module-level function taking the
    store first; its arguments must be hashable by Streamlit (frozen dataclasses are).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    _FUNCS[name] = fn
    return _call(cache_version(), str(config.db_path()), name, args,
                 tuple(sorted(kwargs.items())))


def _region_options(s: Store) -> pd.DataFrame:
    from data_sources import regions_default
    regs = s.query("SELECT code, name, level, parent_code, kostra_group FROM regions "
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
    return cached(_region_options)


def _sources_by_id(s: Store) -> dict[str, dict]:
    return {r["table_id"]: r for r in s.sources().to_dict("records")}


def source_of(table_id: str) -> dict | None:
    """The ``sources`` row of one SSB table as a dict, or None."""
    row = cached(_sources_by_id).get(table_id)
    return None if row is None else dict(row)
