"""For three kommuner, every number on each page equals the report object it draws.

Pages run in AppTest on the store of tests/test_page_tjenester.py; the report is built
directly with the same selection (and a moved scenario on Tjenester and Bemanning).
"""

from __future__ import annotations

import pytest

from analysis import services as sv
from analysis.population_report import population_report
from analysis.report import Selection
from analysis.services_report import services_report, staffing_report
from data_sources.store import get_store
from tests.report_page import assert_page_shows, shown_key_figures
from tests.test_page_tjenester import make_store, run_page

KOMMUNER = {"1804": ("Bodø", "18"), "1856": ("Røst", "18"), "1508": ("Ålesund", "15")}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("rep") / "r.duckdb"
    make_store(path).close()
    return path


def _sel(code: str, alt: str = "MMMM", year: int = 2040) -> Selection:
    name, fylke = KOMMUNER[code]
    return Selection(code, name, "kommune", fylke, alt, year)


@pytest.mark.parametrize("code", list(KOMMUNER))
def test_befolkning_equals_report(monkeypatch, store_path, code):
    at = run_page(monkeypatch, store_path, "views/befolkning.py", region=code, alt="LHML",
                  aar="2040")
    report = population_report(get_store(store_path), _sel(code, "LHML"))
    assert not report.missing
    assert_page_shows(at, report)
    assert shown_key_figures(at, report) == 9


@pytest.mark.parametrize("code", list(KOMMUNER))
def test_tjenester_and_bemanning_equal_report(monkeypatch, store_path, code):
    at = run_page(monkeypatch, store_path, "views/tjenester.py", region=code, aar="2040")
    at.select_slider(key="_w_scn_institution_change").set_value(-1.0).run()
    at.select_slider(key="_w_scn_shift_to_home").set_value(20.0).run()
    assert not at.exception
    scenario = sv.Scenario(institution_change=-1.0, shift_to_home=20.0)
    report = services_report(get_store(store_path), _sel(code), scenario)
    assert_page_shows(at, report, choice=("brukere_", "kostra_"))
    assert shown_key_figures(at, report) == len(report.section("nokkeltall").items)
    at.switch_page("views/bemanning.py").run()  # the scenario follows the user
    assert not at.exception
    report = staffing_report(get_store(store_path), _sel(code), scenario)
    assert_page_shows(at, report)
    assert shown_key_figures(at, report) >= 4
