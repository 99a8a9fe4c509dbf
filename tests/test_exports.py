"""Exports read back with their own libraries: the .pptx with python-pptx, the workbook
with openpyxl, the HTML report with an HTML parser; numbers equal the report objects."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import openpyxl
import pytest
from pptx import Presentation

from analysis import services as sv
from analysis.population_report import population_report
from analysis.report import Selection
from analysis.report_deck import chart_series, steps
from analysis.services_report import services_report, staffing_report
from tests.test_page_tjenester import make_store
from ui import deck, export, html_report, workbook

SCENARIO = sv.Scenario(institution_change=-1.0, shift_to_home=20.0)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("exp") / "e.duckdb")
    sel = Selection("1804", "Bodø", "kommune", "18", "MMMM", 2040)
    out = {lang: {"befolkning": population_report(store, sel, lang),
                  "tjenester": services_report(store, sel, SCENARIO, lang),
                  "bemanning": staffing_report(store, sel, SCENARIO, lang)}
           for lang in ("nb", "nn")}
    store.close()
    return out


def test_pptx_slides_titles_numbers_sources(reports):
    reps = reports["nb"]
    prs = Presentation(io.BytesIO(deck.pptx_bytes(reps, "nb")))
    chosen = steps(reps)
    slides = list(prs.slides)
    assert len(slides) == 1 + len(chosen) + 1 == 9
    texts = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame] for s in slides]
    assert texts[0][0] == "Kunnskapsgrunnlag – Bodø"
    assert "scenario: institusjon \u22121,0 %/år, omsorgstrapp 20 %" in texts[0][1]
    assert [t[0] for t in texts[1:-1]] == [st.title() for st, _, _ in chosen]
    assert texts[-1][0] == "Metode og kilder"
    for s, t in zip(slides, texts):
        assert any(x.startswith("Kilde") for x in t)  # source footer on every slide
    assert "tabell 11875" in " ".join(texts[-1])
    for s, (st, rep, chart) in zip(slides[1:-1], chosen):
        assert chart.headline in [x for x in (sh.text_frame.text for sh in s.shapes
                                              if sh.has_text_frame)]
        ch = next(sh for sh in s.shapes if sh.has_chart).chart
        plot = ch.plots[0]
        # counts and shares start at zero, as on screen; a growth index keeps its scale
        assert ch.value_axis.minimum_scale == (None if chart.kind == "index" else 0)
        cats, series = chart_series(chart)
        assert [str(c) for c in plot.categories] == [str(c) for c in cats]
        for got, (name, values) in zip(plot.series, series):
            assert got.name == name
            assert list(got.values) == [None if v is None else float(v) for v in values]
        notes = s.notes_slide.notes_text_frame.text
        assert chart.headline in notes and chart.caption in notes
    # the users slide: 2040 institution users under today's coverage, as the page shows it
    users = reps["tjenester"].item("kf_brukere_institusjon")
    inst = next(s for s, (st, _, _) in zip(slides[1:-1], chosen) if st.key == "tjenester")
    assert f"2040: {users.text()}" in inst.notes_slide.notes_text_frame.text


def test_pptx_nynorsk(reports):
    prs = Presentation(io.BytesIO(deck.pptx_bytes(reports["nn"], "nn")))
    titles = [next(sh for sh in s.shapes if sh.has_text_frame).text_frame.text
              for s in prs.slides]
    assert "Dei eldste eldre" in titles and titles[-1] == "Metode og kjelder"


def test_workbook_sheets_header_numbers_sources(reports):
    rep = reports["nb"]["tjenester"]
    wb = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(rep)))
    assert wb.sheetnames[0] == "Nøkkeltall" and wb.sheetnames[-1] == "Kilder"
    ws = wb["Plasser og behov"]
    head = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 9)}
    assert head["Region"] == "Bodø (1804)"
    assert head["Framskrivingsalternativ"] == "Hovedalternativet (MMMM)"
    assert head["Scenario"].startswith("scenario: institusjon")
    assert head["Dataversjon"] == rep.data_version == "framskriving 2026, KOSTRA 2025"
    assert head["Kilde"].startswith("Kilde: SSB, tabell 12003")
    # the table starts after the header block and an empty row
    start = next(r for r in range(1, 20) if ws.cell(r, 1).value == "År")
    cols = [ws.cell(start, c).value for c in range(1, 7)]
    table = rep.item("kapasitet").rounded()
    assert cols == table.columns.tolist()
    first = [ws.cell(start + 1, c).value for c in range(1, 7)]
    assert first[1] == 335  # Bodø's places (SSB 11875), a number, not text
    assert first == [int(v) if hasattr(v, "item") else v for v in table.iloc[0].tolist()]
    assert all(isinstance(v, (int, float)) for v in first)
    src = wb["Kilder"]
    tables = [src.cell(r, 1).value for r in range(1, src.max_row + 1)]
    assert {"12003", "12292", "07459", "14746", "11875", "12209"} <= set(tables)


def test_csv_header_block_and_file_name(reports):
    rep = reports["nb"]["befolkning"]
    t = rep.item("nokkeltall_tabell")
    csv = export.to_csv_bytes(t.rounded(), export.header_rows(rep, t.caption)).decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "Kunnskapsgrunnlag;Befolkning – Bodø"
    assert lines[1] == "Region;Bodø (1804)"
    assert any(x.startswith('Kilde;"Kilde: SSB, tabell 14746') for x in lines)  # ; is quoted
    assert "None" not in csv and "nan" not in csv
    assert export.file_name(rep, t.key, "csv") == \
        "befolkning_nokkeltall_tabell_1804_bodo_MMMM_2040.csv"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tag, self.text = None, {}

    def handle_starttag(self, tag, attrs):
        self.tag = tag

    def handle_data(self, data):
        if data.strip():
            self.text.setdefault(self.tag, []).append(data.strip())


def test_html_report(reports):
    reps = reports["nb"]
    p = _Collect()
    p.feed(html_report.html_bytes(reps, "nb").decode("utf-8"))
    assert p.text["title"] == ["Kunnskapsgrunnlag – Bodø"]
    assert p.text["h2"] == ["Befolkning – Bodø", "Tjenester og kapasitet – Bodø",
                            "Bemanning – Bodø", "Metode og kilder"]
    cells = p.text["td"]
    for rep in reps.values():
        for kf in rep.key_figures():
            assert kf.text() in cells
    assert rep.summary[0] in p.text["p"]
    refs = " ".join(p.text["li"])
    for tid in ("14746", "07459", "12003", "12292", "11875", "12209"):
        assert f"tabell {tid}" in refs


def test_nynorsk_export_headers(reports):
    rep = reports["nn"]["tjenester"]
    wb = openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(rep)))
    ws = wb[next(n for n in wb.sheetnames if n.startswith("Brukarar av institusjon"))]
    keys = [ws.cell(r, 1).value for r in range(1, 10)]
    assert "Kjelde" in keys and "Kilde" not in keys
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "År")
    names = [ws.cell(header_row, c).value for c in range(1, 6)]
    assert "Uendra" in names and "Uendret" not in names
    prs = Presentation(io.BytesIO(deck.pptx_bytes(reports["nn"], "nn")))
    notes = " ".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
    assert "Kjelde: SSB" in notes and "Kilde:" not in notes
