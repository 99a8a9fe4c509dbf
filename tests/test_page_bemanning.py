"""AppTest of «Bemanning»: the figures shown equal analysis.staffing's results."""

from __future__ import annotations

import pytest

from analysis import services as sv
from analysis import staffing as sf
from data_sources.store import get_store
from tests.report_page import tables
from tests.test_page_tjenester import make_store, metric, run_page
from analysis.format import fmt_int, fmt_share


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("bem") / "b.duckdb"
    make_store(path).close()
    return path


def outlook(path, region, level, scenario=sv.UNCHANGED):
    s = get_store(path)
    base = sv.load_base(s, region, level)
    return base, sf.outlook(base, sv.population_frame(s, region, base.pop_year), scenario)


def value(df, year, col="aarsverk"):
    return float(df[(df["alternative"] == "MMMM") & (df["year"] == year)][col].iloc[0])


def test_bemanning_figures_equal_model(monkeypatch, store_path):
    at = run_page(monkeypatch, store_path, "views/bemanning.py", aar="2040")
    assert at.title[0].value == "Bemanning – Bodø"
    base, out = outlook(store_path, "1804", "kommune")
    assert metric(at, "Årsverk i dag").value == fmt_int(base.aarsverk)
    assert value(out, base.pop_year) == base.aarsverk  # base year reproduced exactly
    assert metric(at, "Årsverk 2040, uendret").value == fmt_int(value(out, 2040))
    m = metric(at, "Andel 20–66 år 2040")
    assert m.value == fmt_share(value(out, 2040, "share"), 1)
    _, land = outlook(store_path, "0", "land")
    assert f"landet {fmt_share(value(land, 2040, 'share'), 1)}" in m.delta
    share = next(t for t in tables(at) if "Region" in t.columns)
    assert share["Region"].tolist()[:1] == ["Bodø"]
    assert "Hele landet" in share["Region"].tolist()


def test_home_weight_assumption_and_its_effect(monkeypatch, store_path):
    """The weight of a home-service user is our assumption: the page shows the årsverk at
    the assumed weight and at half and double of it (staffing.outlook, hand-checked in
    tests/test_staffing.py), and the difference of the figures shown."""
    at = run_page(monkeypatch, store_path, "views/bemanning.py", aar="2040")
    s = get_store(store_path)
    base = sv.load_base(s, "1804", "kommune")
    pop = sv.population_frame(s, "1804", base.pop_year)
    at_w = {w: value(sf.outlook(base, pop, home_weight=w), 2040) for w in (0.1, 0.2, 0.4)}
    table = next(t for t in tables(at) if "Vekt" in t.columns).set_index("Vekt")
    assert table.loc["0,2", "Årsverk 2040, uendret"] == fmt_int(at_w[0.2])
    assert table.loc["0,1", "Årsverk 2040, uendret"] == fmt_int(at_w[0.1])
    assert table.loc["0,4", "Forskjell mot antatt vekt"] == \
        fmt_int(round(at_w[0.4]) - round(at_w[0.2]), sign=True).replace("+", "")
    assert table.loc["0,2", "Forhold til antatt vekt"] == "antatt"
    text = " ".join(m.value for m in at.markdown)
    assert "Vekten er vår antakelse, ikke et SSB-tall." in text
    assert f"Med vekt 0,1 trengs {fmt_int(at_w[0.1])} årsverk i 2040" in text


def test_bemanning_sliders(monkeypatch, store_path):
    at = run_page(monkeypatch, store_path, "views/bemanning.py", aar="2050")
    _, unchanged = outlook(store_path, "1804", "kommune")
    for key, v, scen in (("_w_scn_productivity", 1.0, sv.Scenario(productivity=1.0)),
                         ("_w_scn_shift_to_home", 30.0, sv.Scenario(shift_to_home=30.0)),
                         ("_w_scn_institution_change", -1.0,
                          sv.Scenario(institution_change=-1.0)),
                         ("_w_scn_home_change", 1.0, sv.Scenario(home_change=1.0)),
                         ("_w_scn_healthy_years", 2.0, sv.Scenario(healthy_years=2.0))):
        at.select_slider(key=key).set_value(v).run()
        assert not at.exception
        _, out = outlook(store_path, "1804", "kommune", scen)
        assert metric(at, "Årsverk 2050, scenario").value == fmt_int(value(out, 2050))
        assert metric(at, "Årsverk 2050, uendret").value == \
            fmt_int(value(unchanged, 2050))
        assert abs(value(out, 2050) - value(unchanged, 2050)) > 1
        at.select_slider(key=key).set_value(0.0).run()


def test_bemanning_for_land_and_missing(monkeypatch, store_path, tmp_path):
    at = run_page(monkeypatch, store_path, "views/bemanning.py", region="0")
    assert at.title[0].value.startswith("Bemanning – Hele landet")
    assert not at.exception
    at = run_page(monkeypatch, store_path, "views/bemanning.py", region="1580")
    # Haram has users and årsverk from 2024 on (2024 code): page renders
    assert not at.exception and at.metric
