"""AppTest for pages/befolkning.py on the authored store of tests/test_demography.py.

Chooses kommune, alternative and horizon (URL and sidebar) and asserts that the key figures,
the paragraph and the captions shown equal what ``analysis.demography`` computes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_sources.store import get_store, reset_store
from tests.report_page import assert_page_shows, markdown_tables, shown_key_figures
from tests.test_demography import make_store

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "page.duckdb"
    make_store(path).close()
    return path


@pytest.fixture
def app(db, monkeypatch):
    monkeypatch.setenv("KG_DB_PATH", str(db))
    reset_store()
    st.cache_data.clear()
    yield
    reset_store()


def _open(region="3103", alt="MMMM", year="2030"):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["region"] = region
    at.query_params["alt"] = alt
    at.query_params["aar"] = year
    at.run()
    at.switch_page("views/befolkning.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _report(db, region, alt, horizon, language="nb"):
    from analysis.population_report import population_report, region_names
    from analysis.report import Selection
    store = get_store(db)
    names = region_names(store)
    fylke = {"3103": "31", "3101": "31"}.get(region)
    level = "land" if region == "0" else ("fylke" if len(region) == 2 else "kommune")
    return population_report(store, Selection(region, names.get(region, region), level, fylke,
                                              alt, horizon), language)


def _choose(at, key: str, label: str) -> None:
    box = at.sidebar.selectbox(key=key)
    box.select_index(box.options.index(label)).run()
    assert not at.exception, at.exception


def _metrics(at) -> dict:
    return {m.label: m for m in at.metric}


def test_page_equals_report(app, db):
    at = _open("3103", "LLML", "2030")
    report = _report(db, "3103", "LLML", 2030)
    assert_page_shows(at, report)
    assert shown_key_figures(at, report) == 9
    m = _metrics(at)
    assert "Nøkkeltall 2030 sammenlignet med 2026" in [h.value for h in at.subheader]
    # Hand values from the authored store (tests/test_demography.py): 80–89 år in LLML 2030
    # is 54, in 2026 observed 20 → +34 (+170,0 %).
    assert m["80–89 år"].value == "54"
    assert m["80–89 år"].delta == "+34 (+170,0\u00a0%)"
    assert m["Flere 65+ enn 0–19"].value == "allerede"
    summary = report.summary[0]
    assert "etter alternativet «Lav nasjonal vekst» (LLML)" in summary and " ventes " in summary
    caps = [c.value for c in at.caption]
    assert any(c.startswith("Kilde: SSB, tabell 14746 (befolkningsframskrivingene 2026, "
                            "oppdatert 16.06.2026), alternativet «Lav nasjonal vekst» (LLML)")
               and "tabell 07459 (folkemengde 1. januar, oppdatert 25.02.2026)" in c
               for c in caps)
    # three alternatives in the authored store: no caption or text claims nine
    assert not any(" ni alternativ" in c for c in caps + [md.value for md in at.markdown])


def test_key_figure_table_shows_formatted_numbers(app, db):
    at = _open("3103", "MMMM", "2030")
    report = _report(db, "3103", "MMMM", 2030)
    # a plain Markdown table, not the interactive grid (no grid or Arrow code to load)
    assert not at.dataframe
    [(columns, rows)] = markdown_tables(at)
    want = report.item("nokkeltall_tabell").formatted()
    assert columns == want.columns.tolist()
    assert rows == want.astype(str).to_numpy().tolist()
    cells = [v for r in rows for v in r]
    assert "None" not in cells and "nan" not in cells
    share = dict(zip(columns, next(r for r in rows if r[0] == "Andel 67+")))
    assert share["2026"].count(",") == 1 and "." not in share["2026"]


def test_switch_region_alternative_horizon(app, db):
    at = _open("3103", "MMMM", "2030")
    _choose(at, "_w_region", "Hele landet (hele landet)")
    assert not at.exception
    assert_page_shows(at, _report(db, "0", "MMMM", 2030))
    assert _metrics(at)["Flere 65+ enn 0–19"].value == "2030"
    _choose(at, "_w_alt", "Høy nasjonal vekst (HHMH)")
    assert_page_shows(at, _report(db, "0", "HHMH", 2030))
    # The 2040 horizon is beyond the authored projection (2030): clipped to 2030.
    at.button_group(key="_w_horizon").set_value(2040).run()
    assert not at.exception
    assert at.session_state["horizon"] == 2040
    assert "Nøkkeltall 2030 sammenlignet med 2026" in [h.value for h in at.subheader]


def test_fylke_without_history_and_missing_region(app, db):
    at = _open("31", "MMMM", "2030")
    m = _metrics(at)
    assert m["Flere 65+ enn 0–19"].value == "ikke innen 2030"
    at = _open("3101", "MMMM", "2030")  # Halden: not in the store
    assert not at.metric
    assert any("ingen befolkningsframskriving for Halden" in i.value for i in at.info)


# -- ui helpers used by the page (pure; no app run) --------------------------------------
def test_source_caption_text():
    from ui.charts import source_caption
    rows = {"14746": {"kind": "projection", "round": "2026",
                      "ssb_updated": "2026-06-16T06:00:00Z"},
            "07459": {"kind": "population", "ssb_updated": None}}
    text = source_caption(["14746", "07459"], extra={"14746": "hovedalternativet MMMM"},
                          lookup=rows.get)
    assert text == ("Kilde: SSB, tabell 14746 (befolkningsframskrivingene 2026, oppdatert "
                    "16.06.2026), hovedalternativet MMMM; tabell 07459 (folkemengde 1. januar).")
    assert source_caption(["99999"], lookup=lambda t: None) == "Kilde: SSB, tabell 99999."


def test_csv_and_excel_hold_the_numbers():
    import io

    import pandas as pd

    from ui.export import to_csv_bytes, to_excel_bytes
    df = pd.DataFrame({"År": [2026, 2040], "Indeks": [100.0, 123.4], "Region": ["Moss", "Ås"]})
    csv = to_csv_bytes(df).decode("utf-8-sig")
    assert csv.splitlines() == ["År;Indeks;Region", "2026;100,0;Moss", "2040;123,4;Ås"]
    back = pd.read_excel(io.BytesIO(to_excel_bytes(df)), engine="openpyxl")
    pd.testing.assert_frame_equal(back, df, check_dtype=False)


def test_pyramid_chart_one_year_on_fixed_axes():
    import pandas as pd

    from ui.charts import pyramid_chart
    rows = [{"year": y, "age": a, "sex": s, "persons": float(a + (y - 2026) * 10)}
            for y in (2026, 2027, 2028) for s in "12" for a in range(106)]
    fig = pyramid_chart(pd.DataFrame(rows), 2026, year=2027)
    assert not fig.frames and not fig.layout.sliders  # one year, no animation frames
    assert fig.layout.separators == ", "
    xmax = (105 + 20) * 1.08  # the largest bar of all years (2028, age 105), not of 2027
    assert tuple(fig.layout.xaxis.range) == pytest.approx((-xmax, xmax))
    assert list(fig.data[1].x)[:3] == [10.0, 11.0, 12.0]  # kvinner 2027, ages 0–2
    assert list(fig.data[0].x)[:2] == [-10.0, -11.0]  # menn drawn to the left
    outline = fig.data[2]  # the base year's outline does not move with the frames
    assert outline.x[0] == -0.0 and outline.y[0] == -0.5


def _pyramid_women(at, age: int) -> float:
    import base64
    import json

    import numpy as np
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)  # the pyramid is the last chart
    x = next(t for t in spec["data"] if t.get("name") == "Kvinner")["x"]
    if isinstance(x, dict):  # plotly's typed-array encoding of numpy arrays
        x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
    return float(x[age])


def test_pyramid_year_slider_draws_that_year(app, db):
    at = _open("3103", "HHMH", "2030")
    slider = at.select_slider(key="pyr_year")
    assert slider.value == 2030 and slider.options == [str(y) for y in range(2026, 2031)]
    # Hand values (tests/test_demography.py): kvinner 85 år in HHMH = 1.1 × (1 + 0.5 t).
    assert _pyramid_women(at, 85) == pytest.approx(1.1 * 3.0)
    slider.set_value(2027).run()
    assert not at.exception
    assert _pyramid_women(at, 85) == pytest.approx(1.1 * 1.5)


# -- track record -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def db_round(tmp_path_factory):
    """The authored store plus SSB's 2024 round (14288, MMMM) for Moss: every (sex, age)
    cell 1.1 × the observed cell in 2025 and 0.95 × in 2026."""
    import itertools

    import pandas as pd

    from data_sources.store import SourceInfo
    from tests.test_demography import AGES, YOUNG
    path = tmp_path_factory.mktemp("round") / "round.duckdb"
    s = make_store(path)
    rows = [dict(region_code="3103", sex=sx, age=a, year=y, alternative="MMMM",
                 persons=(YOUNG["3103"] if a < 20 else 1.0) * (0.5 if y == 2025 else 1.0) * f,
                 table_id="14288")
            for sx, a, (y, f) in itertools.product("12", AGES, ((2025, 1.1), (2026, 0.95)))]
    s.replace_table_data(SourceInfo("14288", "Framskrevet folkemengde", "projection",
                                    round="2024"), pd.DataFrame(rows))
    s.close()
    return path


def test_track_record_section_by_hand(db_round):
    # Hand: Moss 2025 observed 106 persons (212 × 0.5), 80+ 26; the round says 116.6 and
    # 28.6 → +10,0 %. 2026: observed 212 (80+ 52), projected 201.4 (49.4) → −5,0 %.
    rep = _report(db_round, "3103", "MMMM", 2030)
    sec = rep.section("treffsikkerhet")
    assert sec.text[0] == "2024-framskrivingen bommet med −5,0\u00a0% på folketallet for 2026."
    assert sec.text[1] == ("2024-framskrivingen bommet med −5,0\u00a0% på antallet innbyggere "
                           "80 år og eldre for 2026.")
    total = rep.item("treff_total").data.set_index("year")
    assert total.loc[2025, "value"] == pytest.approx(10.0)
    assert (total.loc[2025, "projected"], total.loc[2025, "observed"]) == \
        (pytest.approx(116.6), 106.0)
    assert rep.item("treff_80").data.set_index("year").loc[2025, "observed"] == 26.0
    assert rep.item("treff_total").caption.startswith(
        "Kilde: SSB, tabell 14288 (befolkningsframskrivingene 2024), hovedalternativet MMMM; "
        "tabell 07459")
    assert any("8 av 10 kommuner" in m and "små kommuner" in m for m in rep.method)
    # the current round stays the newest one
    assert rep.item("band_Totalt").caption.startswith("Kilde: SSB, tabell 14746")


def test_page_shows_track_record(db_round, monkeypatch):
    monkeypatch.setenv("KG_DB_PATH", str(db_round))
    reset_store()
    st.cache_data.clear()
    at = _open("3103", "MMMM", "2030")
    report = _report(db_round, "3103", "MMMM", 2030)
    assert_page_shows(at, report)
    assert "Hvor godt har framskrivingene truffet?" in [h.value for h in at.subheader]
    assert " ".join(report.section("treffsikkerhet").text[:2]) in [m.value for m in at.markdown]
    # the 4 bands as one small-multiples figure, index, pyramid, and the 2 track-record
    # charts side by side in one figure
    assert len(at.get("plotly_chart")) == 4
    reset_store()


def test_page_says_in_one_line_when_no_round(app, db):
    at = _open("3103", "MMMM", "2030")
    caps = [c.value for c in at.caption]
    assert ("Databasen har ingen tidligere framskrivinger fra SSB (2020, 2022 eller 2024) for "
            "Moss, så treffsikkerheten kan ikke vises.") in caps


def test_band_grid_is_the_four_band_charts_in_one_figure():
    """The small-multiples figure holds each band chart's traces unchanged, on its own
    axes, with one legend (hand-made band data: the figure must carry it exactly)."""
    import pandas as pd

    from ui import charts
    years = [2024, 2025, 2026, 2027]
    panels = []
    for k in range(4):
        panels.append((pd.DataFrame({"År": years, "Observert": [10 + k, 11 + k, None, None],
                                     "Framskrevet": [None, 11 + k, 12 + k, 13 + k],
                                     "Lav": [None, 11 + k, 11 + k, 12 + k],
                                     "Høy": [None, 11 + k, 13 + k, 15 + k]}), f"Panel {k}"))
    fig = charts.band_grid(panels, 2025)
    assert sorted({t.yaxis for t in fig.data}) == ["y", "y2", "y3", "y4"]
    assert len(fig.data) == 16
    proj = [t for t in fig.data if t.name.startswith("Framskrevet")]
    assert [list(t.y) for t in proj] == [[11 + k, 12 + k, 13 + k] for k in range(4)]
    assert sum(t.showlegend is not False for t in fig.data) == 3  # band, observed, projected
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("<b>")]
    assert titles == [f"<b>Panel {k}</b>" for k in range(4)]


def test_track_record_panels_side_by_side_keep_each_chart():
    """The two track-record charts as one figure: each panel's lines unchanged on its own
    axes, its title above it, each round listed once in the legend (hand-made data)."""
    import pandas as pd

    from analysis.report import Chart
    from ui import charts, render
    cs = []
    for key, title, errs in (("treff_total", "Avvik i folketallet", [-0.1, -0.9]),
                             ("treff_80", "Avvik i antallet 80 år og eldre", [1.6, 2.4])):
        data = pd.DataFrame({"label": ["2020-framskrivingen"] * 2 + ["2022-framskrivingen"],
                             "year": [2021, 2023, 2023], "value": [*errs, errs[1] / 2]})
        cs.append(Chart(key, title, "lines", data, spec={"ytitle": "Avvik (%)"}))
    fig = charts.side_by_side([render.figure(c) for c in cs], [c.title for c in cs])
    assert [(t.name, t.xaxis, t.yaxis, list(t.y)) for t in fig.data] == [
        ("2020-framskrivingen", "x", "y", [-0.1, -0.9]), ("2022-framskrivingen", "x", "y", [-0.45]),
        ("2020-framskrivingen", "x2", "y2", [1.6, 2.4]), ("2022-framskrivingen", "x2", "y2", [1.2])]
    assert [t.showlegend for t in fig.data] == [True, True, False, False]
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]  # side by side
    assert fig.layout.yaxis2.title.text == "Avvik (%)"
    assert [a.text for a in fig.layout.annotations] == [
        "<b>Avvik i folketallet</b>", "<b>Avvik i antallet 80 år og eldre</b>"]
    # an axis title needs room in the fixed margin (no automargin): the panels' margin
    assert fig.layout.margin.l == charts.MARGIN_LEFT + charts.TITLE_ROOM


def test_axes_have_fixed_margins_and_titles_beside_their_labels():
    """Margins are set, not measured: no axis asks Plotly to measure its labels, the left
    margin has room for a y title when there is one, and a title keeps a set distance."""
    from ui import charts
    plain = charts.layout_defaults()
    titled = charts.layout_defaults({"yaxis2": {"title": {"text": "Alder"}}}, ytitle="Personer",
                                    xtitle="År")
    assert plain["margin"]["l"] == charts.MARGIN_LEFT
    assert titled["margin"]["l"] == charts.MARGIN_LEFT + charts.TITLE_ROOM
    assert titled["margin"]["b"] == charts.MARGIN_BOTTOM + charts.TITLE_ROOM
    for layout in (plain, titled):
        for k, axis in layout.items():
            if k.startswith(("xaxis", "yaxis")):
                assert axis["automargin"] is False and axis["title"]["standoff"] == 6, k
    assert titled["yaxis2"]["title"]["text"] == "Alder"


def test_markdown_table_escapes_and_aligns():
    """Markdown's special characters stay text ($ would start maths, | a new cell); number
    columns are right-aligned, text columns left (hand-written expectation)."""
    import pandas as pd

    from ui.render import _markdown_table
    df = pd.DataFrame({"Navn": ["a|b", "x_$y*"], "Enhet": ["personer", "%"],
                       "2026": ["57 335", "−1,1"], "Endring (%)": ["0,9", "–"]})
    text = _markdown_table(df)
    assert text.splitlines()[1] == "|:---|:---|---:|---:|"
    assert "a\\|b" in text and "x\\_\\$y\\*" in text

    class Md:
        value = text

    class At:
        markdown = [Md()]
    assert markdown_tables(At()) == [(list(df.columns), df.to_numpy().tolist())]


def test_a_report_item_is_drawn_once_and_shared():
    """Figures and Markdown tables are kept on the report's own items (``render._kept``):
    a second draw of the same report reuses them; a new report (new store version, region
    or alternative) is drawn anew; the item's fields and repr are unchanged."""
    import pandas as pd

    from analysis.report import Chart, Table
    from ui import render
    data = pd.DataFrame({"label": ["Bodø", "Bodø"], "year": [2024, 2025],
                         "value": [22.2, 23.4]})
    c, twin = (Chart("k", "Tittel", "lines", data.copy()) for _ in range(2))
    fig = render.shared_figure(c)
    assert render.shared_figure(c) is fig
    assert render.shared_figure(twin) is not fig
    assert "_drawn" not in repr(c) and repr(c) == repr(twin)  # not part of the chart
    assert [list(t["y"]) for t in fig.to_dict()["data"]] == [[22.2, 23.4]]
    t = Table("t", "Tabell", pd.DataFrame({"År": [2025], "Antall": [1234.4]}), {"Antall": 0})
    md = render._kept(t, "markdown", lambda: render._markdown_table(t.formatted()))
    assert md.splitlines()[2] == "| 2025 | 1\u00a0234 |"
    assert render._kept(t, "markdown", lambda: "rebuilt") is md
