"""Streamlit-side access to the store: one published version per script run, cached reads.

Pages never open DuckDB themselves; they call ``store()`` and pass it to ``analysis``
functions, or use the cached helpers here. ``app.py`` wraps every script run in
``run_scope()``, which pins the published store version for the whole run (a refresh
published meanwhile is seen at the next run, never halfway through one) and releases it
at the end, so superseded versions can be closed and deleted. ``cache_version()`` is that
version's id: cached results are keyed on it and never go stale, and asking costs no query.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from data_sources import config, derived
from data_sources import store as store_mod
from data_sources.store import Store

_RUN = threading.local()  # the script thread's pinned store (one Streamlit run)


@contextlib.contextmanager
def run_scope():
    """Pin the published store version for one script run (``app.py``)."""
    pinned = store_mod.acquire(config.db_path())
    outer = getattr(_RUN, "store", None)
    _RUN.store = pinned
    try:
        yield pinned
    finally:
        current = _RUN.store  # bump_version() may have moved the run to a newer version
        _RUN.store = outer
        store_mod.release(current)


def store() -> Store:
    """The store this run reads: the pinned version inside ``run_scope()``, else the
    published one."""
    pinned = getattr(_RUN, "store", None)
    if pinned is not None and not pinned.closed:
        return pinned
    return store_mod.get_store(config.db_path())


def cache_version() -> str:
    """Id of the store version this run reads (changes with every published write)."""
    return store().version or ""


def published_at(version: str) -> datetime | None:
    """When a version was published (UTC), read from its id; None for an empty store."""
    if version.startswith("v"):
        return datetime.strptime(version[1:].split("-")[0], "%Y%m%dT%H%M%S%f")
    if version.startswith("file-"):  # a plain file: its modification time
        return datetime.fromtimestamp(int(version.split("-")[2]) / 1e9, timezone.utc) \
            .replace(tzinfo=None)
    return None


def version_caption() -> None:
    """Sidebar line saying when the data the visitor sees were published (the version id
    in its tooltip, for operators and the load benchmark)."""
    version = cache_version()
    at = published_at(version)
    if at is None:
        return
    local = at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Oslo"))
    with st.sidebar:
        st.caption(f"Data publisert {local:%d.%m.%Y} kl. {local:%H.%M}",
                   help=f"Versjon {version}")


def bump_version() -> None:
    """After this run published a write: move the run to the new version."""
    pinned = getattr(_RUN, "store", None)
    if pinned is None:
        return
    _RUN.store = store_mod.acquire(config.db_path())
    store_mod.release(pinned)


_FUNCS: dict[str, Callable] = {}


@st.cache_data(show_spinner=False, max_entries=512)
def _call(version: str, path: str, name: str, args: tuple, kwargs: tuple):
    return _FUNCS[name](store(), *args, **dict(kwargs))


# Reports being computed at once in this process. Sessions run in threads that share one
# interpreter (the GIL), so 50 viewers' reports computed together all finish late, each
# holding its intermediate frames meanwhile; two at a time (one can wait on DuckDB, which
# releases the GIL, while the other computes) finish in turn, and the rest wait holding
# nothing. A prebuilt report is read without a slot.
BUILD_SLOTS = threading.BoundedSemaphore(2)


@st.cache_resource(show_spinner=False, max_entries=256)
def _shared_call(version: str, path: str, name: str, args: tuple, kwargs: tuple):
    s = store()
    # prebuilt for this version (ui.prebuild)
    kept = derived.load(s, name, args, kwargs) if config.use_prebuilt() else None
    if kept is not None:
        return kept
    with BUILD_SLOTS:
        return _FUNCS[name](s, *args, **dict(kwargs))


def fn_name(fn: Callable) -> str:
    """A cached function's name in cache keys (and in prebuilt results' keys)."""
    return f"{fn.__module__}.{fn.__qualname__}"


def _key(fn: Callable, args: tuple, kwargs: dict) -> tuple:
    name = fn_name(fn)
    _FUNCS[name] = fn
    return cache_version(), str(config.db_path()), name, args, tuple(sorted(kwargs.items()))


def cached(fn: Callable, *args, **kwargs):
    """``fn(store(), *args, **kwargs)``, cached per store version (and store file).

    The one caching helper for reads from the store: results are recomputed only for a
    new store version (``cache_version``). ``fn`` is a module-level function taking the
    store first; its arguments must be hashable by Streamlit (frozen dataclasses are).
    """
    return _call(*_key(fn, args, kwargs))


def shared(fn: Callable, *args, **kwargs):
    """As ``cached``, but every run and session gets the same object instead of a copy
    (``st.cache_resource``): for results only ever read, such as report objects, where
    unpickling a copy on every rerun would cost more than drawing it. A result prebuilt for
    the store version (``ui.prebuild``, ``data_sources.derived``) is read, not computed."""
    return _shared_call(*_key(fn, args, kwargs))


def _region_options(s: Store) -> pd.DataFrame:
    from data_sources import regions_default
    # SELECT *: a published store from before the centrality column is read-only and
    # has no such column; reindex gives it one with no values.
    regs = s.query("SELECT * FROM regions "
                   "WHERE level IN ('land', 'fylke', 'kommune') AND (valid_to IS NULL "
                   "OR valid_to > current_date)")
    if regs.empty:
        regs = regions_default.default_regions()
    regs = regs.reindex(columns=["code", "name", "level", "parent_code", "kostra_group",
                                 "centrality"])
    order = {"land": 0, "fylke": 1, "kommune": 2}
    regs = regs.assign(_o=regs["level"].map(order)).sort_values(["_o", "code"]).drop(columns="_o")
    regs["label"] = [
        f"{n} (hele landet)" if lvl == "land" else
        (f"{n} (fylke {c})" if lvl == "fylke" else f"{c} {n}")
        for c, n, lvl in zip(regs["code"], regs["name"], regs["level"])]
    return regs.reset_index(drop=True)


def region_options() -> pd.DataFrame:
    """code, name, level, parent_code, kostra_group, centrality, label — land, fylker,
    kommuner."""
    return cached(_region_options)


@dataclass(frozen=True)
class RegionLookup:
    """The sidebar's region options as plain dicts: labels and names by code, code by
    label, (name, level, parent code) by code."""
    labels: dict[str, str]
    names: dict[str, str]
    code_of: dict[str, str]
    rows: dict[str, tuple[str, str, str | None]]


def _region_lookup(s: Store) -> RegionLookup:
    opts = _region_options(s)
    codes, names = opts["code"].tolist(), opts["name"].tolist()
    labels = opts["label"].tolist()
    parents = [None if p is None or p != p else str(p) for p in opts["parent_code"].tolist()]
    return RegionLookup(dict(zip(codes, labels)), dict(zip(codes, names)),
                        dict(zip(labels, codes)),
                        dict(zip(codes, zip(names, opts["level"].tolist(), parents))))


def region_lookup() -> RegionLookup:
    """``region_options`` as dicts, one shared object per store version (the sidebar reads
    it on every run: no copy of the frame to unpickle, no pandas iteration)."""
    return shared(_region_lookup)


def _status(s: Store) -> pd.DataFrame:
    return s.status()


def status() -> pd.DataFrame:
    """``Store.status()`` (what each stored table holds), read once per store version."""
    return cached(_status)


def _stored(s: Store) -> tuple[frozenset, frozenset, frozenset]:
    return (frozenset(s.regions_in("projection")), frozenset(s.regions_in("population")),
            frozenset(s.sources()["table_id"]))


def missing_tables(region: str) -> list[str]:
    """Which table keys lack data for ``region`` (as ``refresh.missing_tables``), from the
    regions each store table holds, read once per store version: no query per switch."""
    from data_sources import catalog
    projection, population, tables = cached(_stored)
    need = [] if region in projection else ["projection"]
    need += [] if region in population else ["population"]
    return need + [t for t in catalog.KOSTRA_TABLES if t not in tables]


def _sources_by_id(s: Store) -> dict[str, dict]:
    return {r["table_id"]: r for r in s.sources().to_dict("records")}


def source_of(table_id: str) -> dict | None:
    """The ``sources`` row of one SSB table as a dict, or None."""
    row = cached(_sources_by_id).get(table_id)
    return None if row is None else dict(row)
