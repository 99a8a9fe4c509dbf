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


def test_link_with_scenario_reproduces_the_view(monkeypatch, store_path):
    """A shared link (scenario, målform, horizon) opened in a fresh session gives the
    same numbers, and the page writes the same parameters back."""
    at = run_page(monkeypatch, store_path, "views/bemanning.py", region="1856", alt="LHML",
                  aar="2050", inst="-1", trapp="20", prod="0.5", maal="nn")
    scenario = sv.Scenario(institution_change=-1.0, shift_to_home=20.0, productivity=0.5)
    report = staffing_report(get_store(store_path), _sel("1856", "LHML", 2050), scenario, "nn")
    assert_page_shows(at, report)
    assert at.select_slider(key="_w_scn_shift_to_home").value == 20.0
    assert "etter alternativet «Sterk aldring» (LHML) i befolkningsframskrivinga til SSB" in \
        " ".join(report.summary)
    qp = {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else
          at.query_params[k] for k in at.query_params}
    assert {k: qp[k] for k in ("region", "alt", "aar", "inst", "trapp", "prod", "maal")} == {
        "region": "1856", "alt": "LHML", "aar": "2050", "inst": "-1", "trapp": "20",
        "prod": "0.5", "maal": "nn"}
    assert qp["proj"] == "2026" and qp["kostra"] == "2025"
    link = [c.value for c in at.code if "region=1856" in c.value]
    assert link and "trapp=20" in link[0] and "/bemanning?" in link[0]


def test_bad_and_old_link_parameters_are_explained(monkeypatch, store_path):
    at = run_page(monkeypatch, store_path, "views/befolkning.py", region="1507", alt="QQQQ",
                  aar="2045")
    warnings = " ".join(w.value for w in at.warning)
    assert "1507" in warnings and "1508 Ålesund og 1580 Haram" in warnings
    assert "«QQQQ»" in warnings and "«2045»" in warnings
    assert at.title[0].value == "Befolkning – Ålesund"
    at = run_page(monkeypatch, store_path, "views/befolkning.py", region="9999")
    assert "«9999»" in " ".join(w.value for w in at.warning)


def test_presentation_steps_through_the_fixed_sequence(monkeypatch, store_path):
    from analysis.report_deck import steps
    at = run_page(monkeypatch, store_path, "views/presentasjon.py", region="1804", aar="2040",
                  steg="2")
    store = get_store(store_path)
    sel = _sel("1804")
    reports = {"befolkning": population_report(store, sel),
               "tjenester": services_report(store, sel), "bemanning": staffing_report(store, sel)}
    seq = steps(reports, presentation=True)
    assert [s.title() for s, _, _ in seq] == ["Befolkningen", "De eldste eldre", "Tjenestebehov",
                                              "Bemanning", "Sammenlignet med andre"]

    def shown():
        return " ".join(m.value for m in at.markdown)

    assert seq[1][2].headline in shown() and "2/5 · De eldste eldre · Bodø" in shown()
    for i in range(2, 5):
        at.button(key="present_next").click().run()
        assert not at.exception
        assert seq[i][2].headline in shown() and seq[i][2].caption in shown()
    assert at.button(key="present_next").disabled
    at.button(key="present_prev").click().run()
    assert seq[3][2].headline in shown()


def test_deck_and_report_are_built_with_steps_shown_and_follow_the_view(monkeypatch,
                                                                        store_path):
    """«Lag PowerPoint og rapport» shows its steps, then offers the files of this view;
    a changed view drops them (no stale deck for another kommune)."""
    import io

    from pptx import Presentation
    at = run_page(monkeypatch, store_path, "views/befolkning.py", region="1804", aar="2040")
    def file_buttons():
        return [b.label for b in at.get("download_button") if b.key.startswith("dl_")
                and b.key in ("dl_workbook", "dl_pptx", "dl_html")]

    assert file_buttons() == ["Excel-arbeidsbok (denne siden)"]
    at.button(key="make_files").click().run(timeout=120)
    assert not at.exception
    assert [(s.label, s.state) for s in at.status] == [("PowerPoint og rapport er klare",
                                                         "complete")]
    pptx, html = at.session_state["_export_files"][1]
    prs = Presentation(io.BytesIO(pptx))
    first = [sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame]
    assert first[0] == "Kunnskapsgrunnlag – Bodø" and len(prs.slides) == 9
    assert b"Bod\xc3\xb8" in html and b"Kilde" in html
    assert file_buttons() == ["Excel-arbeidsbok (denne siden)", "Last ned PowerPoint",
                      "Last ned rapport (HTML)"]
    at.sidebar.selectbox[0].select("1508 Ålesund").run()
    assert "_export_files" not in at.session_state
    assert file_buttons() == ["Excel-arbeidsbok (denne siden)"]
    assert at.button(key="make_files")


def test_files_carry_the_saved_comparison_set(monkeypatch, store_path):
    """The HTML report of a view opened with a saved comparison set (``sml``) has the set
    in Tjenester' KOSTRA comparison, as the page shows it."""
    at = run_page(monkeypatch, store_path, "views/befolkning.py", region="1804", aar="2040",
                  sml="1856,1508")
    at.button(key="make_files").click().run(timeout=120)
    assert not at.exception
    html = at.session_state["_export_files"][1][1].decode()
    assert "Lagret utvalg (median av 2)" in html


def test_a_failed_export_says_so_in_norwegian(monkeypatch, store_path):
    from ui import deck

    def broken(*_):
        raise OSError("disk full")

    monkeypatch.setattr(deck, "pptx_bytes", broken)
    at = run_page(monkeypatch, store_path, "views/befolkning.py", region="1856", aar="2050")
    at.button(key="make_files").click().run(timeout=120)
    assert not at.exception
    assert [(s.label, s.state) for s in at.status] == [("Kunne ikke lage filene", "error")]
    assert any("Noe gikk galt da filene skulle lages" in e.value for e in at.error)
    assert "_export_files" not in at.session_state and at.button(key="make_files")


def test_saved_set_is_a_pooled_line_in_the_growth_index_and_in_bemanning(monkeypatch,
                                                                          store_path):
    """With a saved set, Befolkning's growth index gets the set's kommuner pooled as one
    line, and Bemanning's KOSTRA comparison gets the set's median (the page shows both).
    Expected: persons 80–89 summed over the set's rows straight from the store, horizon
    over base year × 100."""
    store = get_store(store_path)
    rep = population_report(store, _sel("1804"), "nb", ("1856", "1508"))
    idx = rep.item("vekstindeks").data
    line = idx[(idx["region_code"] == "utvalg") & (idx["group"] == "80–89")]
    base = int(line["year"].min())
    q = ("SELECT sum(persons) FROM {t} WHERE region_code IN ('1856', '1508') AND age BETWEEN "
         "80 AND 89 AND year = ?")
    then = store.scalar(q.format(t="population"), [base])
    later = store.scalar(q.format(t="projection") + " AND alternative = 'MMMM'", [2040])
    got = float(line.loc[line["year"] == 2040, "index"].iloc[0])
    assert got == pytest.approx(later / then * 100)
    assert "Lagret utvalg (2 kommuner)" in rep.item("vekstindeks").spec["names"].values()
    assert any("2 kommuner slått sammen" in t for t in rep.section("vekstindeks").text)
    nn = population_report(store, _sel("1804"), "nn", ("1856", "1508"))
    assert "Lagra utval (2 kommunar)" in nn.item("vekstindeks").spec["names"].values()
    assert any("2 kommunar slått saman" in t for t in nn.section("vekstindeks").text)
    at = run_page(monkeypatch, store_path, "views/bemanning.py", region="1804", aar="2040",
                  sml="1856,1508")
    assert not at.exception
    assert any(m.label.startswith("Lagret utvalg (median av 2)") for m in at.metric)
