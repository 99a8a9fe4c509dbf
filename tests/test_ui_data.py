"""ui/data.py's per-version reads agree with the store (outside a Streamlit run)."""

import threading
import time

import pandas as pd
import pytest

from data_sources import catalog
from data_sources.refresh import missing_tables as refresh_missing
from data_sources.store import SourceInfo, get_store, publishing, reset_store
from ui import data


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "ui.duckdb"))
    reset_store()
    proj = pd.DataFrame({"region_code": ["3103"] * 2, "sex": ["1", "2"], "age": [80, 80],
                         "year": [2030, 2030], "alternative": ["MMMM"] * 2,
                         "persons": [10.0, 12.0], "table_id": ["14746"] * 2})
    pop = proj.drop(columns="alternative").assign(region_code="4601", table_id="07459")
    with publishing() as w:
        w.replace_table_data(SourceInfo("14746", "Framskrevet", "projection", round="2026"),
                             proj)
        w.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pop)
    yield get_store()
    reset_store()


def test_missing_tables_from_the_stored_region_sets(store):
    kostra = list(catalog.KOSTRA_TABLES)
    assert data.missing_tables("3103") == ["population"] + kostra
    assert data.missing_tables("4601") == ["projection"] + kostra
    assert data.missing_tables("0301") == ["projection", "population"] + kostra
    for region in ("3103", "4601", "0301"):  # the same answer as the refresh module's
        assert data.missing_tables(region) == refresh_missing(get_store(), region)


def test_status_and_missing_follow_a_new_version(store):
    assert set(data.status()["table_id"]) == {"14746", "07459"}
    pop = pd.DataFrame({"region_code": ["3103"], "sex": ["1"], "age": [80], "year": [2025],
                        "persons": [9.0], "table_id": ["07459"]})
    with publishing() as w:
        w.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pop,
                             regions=["3103"])
    assert data.missing_tables("3103") == list(catalog.KOSTRA_TABLES)
    assert data.status().set_index("table_id").loc["07459", "regions"] == 2


def _persons(s, region: str) -> float:
    return float(s.scalar("SELECT sum(persons) FROM projection WHERE region_code = ?",
                          [region]) or 0.0)


def test_shared_results_are_one_object_per_version(store):
    """``data.shared`` hands every run the same object for one store version, and a new
    version's object after a publish (the key holds the version)."""
    first = data.shared(_persons, "3103")
    assert first == 22.0
    assert data.shared(_persons, "3103") is data.shared(_persons, "3103")
    proj = pd.DataFrame({"region_code": ["3103"], "sex": ["1"], "age": [80], "year": [2031],
                         "alternative": ["MMMM"], "persons": [5.0], "table_id": ["14746"]})
    with publishing() as w:
        w.replace_table_data(SourceInfo("14746", "Framskrevet", "projection", round="2026"),
                             proj, regions=["3103"])
    assert data.shared(_persons, "3103") == 5.0


_RUNNING = {"now": 0, "most": 0}
_LOCK = threading.Lock()


def _slow_report(s, code):
    """A report that takes a while and records how many are computed at once."""
    with _LOCK:
        _RUNNING["now"] += 1
        _RUNNING["most"] = max(_RUNNING["most"], _RUNNING["now"])
    time.sleep(0.2)
    with _LOCK:
        _RUNNING["now"] -= 1
    return (code, threading.get_ident())


def test_reports_are_computed_two_at_a_time(store):
    """Six sessions asking for six different reports at once: at most two are computed at
    the same time (``data.BUILD_SLOTS``); each gets its own report."""
    got = {}

    def session(code):
        got[code] = data.shared(_slow_report, code)[0]
    threads = [threading.Thread(target=session, args=(f"{i:04d}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {f"{i:04d}": f"{i:04d}" for i in range(6)}
    assert _RUNNING["most"] == 2
