"""Shared pytest fixtures.

``standin`` (session): a loopback PxWebApi 2 stand-in (``tests.standin.StandinServer``) with a
small authored table set (see ``standin_tables()``), generous rate limits. ``ssb_env``
(function): points ``KG_SSB_BASE_URL`` at it.

``full_store`` (session): path of a store with every region and table, filled the way users
do (``tests.storefill.fill_store``) once per test process, in the session's tmp folder (never
the repository's ``cache/``, where a store built by older code could outlive a change).
Read it or copy it; never write to it.

The full-country stand-in tables (``tests.standin_data``) are built once per session and
kept as pickles in the session's tmp root, which its xdist workers share.
"""

from __future__ import annotations

import os

# Pages and apps started by tests do not fetch on first view unless a test asks for it.
os.environ.setdefault("KG_AUTO_FETCH", "0")
# ... nor prebuild every region's reports when serve.py starts (tests/test_prebuild.py
# prebuilds what it checks).
os.environ.setdefault("KG_PREBUILD_ON_START", "0")

import numpy as np
import pytest

from tests.standin import StandinDimension, StandinServer, StandinTable


def small_population_table() -> StandinTable:
    """07459-like: Region(4, eliminable, codelist agg_KommSummer) x Kjonn(2, eliminable)
    x ContentsCode(1) x Tid(3). value = 6*region_idx + 3*kjonn_idx + tid_idx."""
    region = StandinDimension(
        "Region", "region", ["0", "3101", "3103", "0301"],
        ["Hele landet", "Halden", "Moss", "Oslo"], elimination=True,
        codelists={"agg_KommSummer": (["K-3101", "K-3103", "K-0301"],
                                      ["Halden", "Moss", "Oslo"], [1, 2, 3])})
    kjonn = StandinDimension("Kjonn", "kjønn", ["1", "2"], ["Menn", "Kvinner"], elimination=True)
    contents = StandinDimension("ContentsCode", "statistikkvariabel", ["Personer1"], ["Personer"],
                                units={"Personer1": {"base": "personer", "decimals": 0}})
    tid = StandinDimension("Tid", "år", ["2024", "2025", "2026"], ["2024", "2025", "2026"],
                           time=True)
    values = np.arange(4 * 2 * 1 * 3, dtype=np.float64).reshape(4, 2, 1, 3)
    values[1, 1, 0, 2] = np.nan
    status = np.full(values.shape, None, dtype=object)
    status[1, 1, 0, 2] = ".."
    return StandinTable("07459", "07459: Befolkning, etter region, kjønn, statistikkvariabel og år",
                        "2026-02-25T07:00:00Z", [region, kjonn, contents, tid], values, status,
                        notes=["Authored test table."])


def big_projection_table() -> StandinTable:
    """14746-like, 2,000,000 cells: Region(400) x Kjonn(2) x Alder(100) x ContentsCode(5)
    x Tid(5); value = flat cell number (so every cell is identifiable)."""
    regions = [f"{i:04d}" for i in range(1001, 1401)]
    dims = [
        StandinDimension("Region", "region", regions, [f"Kommune {r}" for r in regions]),
        StandinDimension("Kjonn", "kjønn", ["1", "2"], ["Menn", "Kvinner"], elimination=True),
        StandinDimension("Alder", "alder", [f"{a:03d}" for a in range(100)],
                         [f"{a} år" for a in range(100)], elimination=True),
        StandinDimension("ContentsCode", "statistikkvariabel",
                         ["Personer", "Personer1", "Personer2", "Personer3", "Personer4"],
                         ["MMMM", "LLML", "HHMH", "MMMH", "LMML"]),
        StandinDimension("Tid", "år", ["2026", "2027", "2028", "2029", "2030"],
                         ["2026", "2027", "2028", "2029", "2030"], time=True),
    ]
    shape = tuple(len(d.codes) for d in dims)
    values = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    return StandinTable("14746", "14746: Framskrevet folkemengde 1. januar, etter region, "
                        "kjønn, alder, statistikkvariabel og år", "2026-06-16T06:00:00Z",
                        dims, values)


def standin_tables() -> list[StandinTable]:
    return [small_population_table(), big_projection_table()]


@pytest.fixture(scope="session")
def standin():
    with StandinServer(standin_tables(), max_calls=100_000, window_s=60) as server:
        yield server


@pytest.fixture
def ssb_env(standin, monkeypatch):
    monkeypatch.setenv("KG_SSB_BASE_URL", standin.url)
    return standin


@pytest.fixture(scope="session")
def full_store(tmp_path_factory):
    from tests.storefill import cached_full_store
    return cached_full_store(tmp_path_factory.mktemp("full") / "full.duckdb")


@pytest.fixture(scope="session", autouse=True)
def _standin_tables_once_per_session(tmp_path_factory):
    from tests import standin_data
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # a worker's basetemp sits in the session's
    standin_data.use_disk_cache(root / "standin-tables")
