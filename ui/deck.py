"""PowerPoint (.pptx) deck of a kommune's fact base, built with python-pptx from the three
views' report objects: a title slide (kommune, date, data version, scenario), one slide per
key chart (``analysis.report_deck.SEQUENCE``) with its headline sentence, a native and
editable PowerPoint chart, speaker notes holding the numbers and a source footer, and a
closing slide on method and sources.

Native charts rather than images: the user can restyle and edit them, the numbers stay
numbers (copyable, screen-reader friendly), the file is small, and building it needs no
browser (the export stays fast and works offline).
"""

from __future__ import annotations

import io
from datetime import date

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Inches, Pt

from analysis import report_text as tx
from analysis.format import fmt_num
from analysis.report import Report, say
from analysis.report_deck import chart_series, steps

# Okabe–Ito colours (safe for colour-blind viewers); dashes keep series apart in greyscale.
PALETTE = ["0072B2", "D55E00", "009E73", "E69F00", "56B4E9", "CC79A7", "000000"]
DASHES = [None, MSO_LINE_DASH_STYLE.DASH, MSO_LINE_DASH_STYLE.ROUND_DOT,
          MSO_LINE_DASH_STYLE.LONG_DASH, MSO_LINE_DASH_STYLE.DASH_DOT, None, None]
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
KEY_YEARS = (2030, 2040, 2050)


def _text(slide, text: str, left, top, width, height, size: int, bold: bool = False,
          color: str = "222222"):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    p.text = text
    p.font.size, p.font.bold = Pt(size), bold
    p.font.color.rgb = RGBColor.from_string(color)
    return box


def _footer(slide, text: str) -> None:
    _text(slide, text, Inches(0.5), HEIGHT - Inches(0.75), WIDTH - Inches(1.0), Inches(0.6),
          10, color="555555")


def _chart(slide, chart, language: str) -> None:
    cats, series = chart_series(chart)
    data = CategoryChartData()
    data.categories = [str(c) for c in cats]
    for name, values in series:
        data.add_series(tx.column_name(name, language), values)
    kind = XL_CHART_TYPE.COLUMN_CLUSTERED if chart.kind == "bars" else XL_CHART_TYPE.LINE
    frame = slide.shapes.add_chart(kind, Inches(0.5), Inches(1.9), WIDTH - Inches(1.0),
                                   Inches(4.7), data)
    ch = frame.chart
    ch.has_legend = True
    ch.legend.position = XL_LEGEND_POSITION.BOTTOM
    ch.legend.include_in_layout = False
    ch.legend.font.size = Pt(14)
    ch.value_axis.tick_labels.font.size = Pt(14)
    ch.category_axis.tick_labels.font.size = Pt(14)
    ch.value_axis.has_major_gridlines = True
    ch.value_axis.tick_labels.number_format = '# ##0' if chart.kind != "bars" else '0.0'
    ch.value_axis.tick_labels.number_format_is_linked = False
    if chart.kind != "index":  # counts and shares from zero, as on screen (an index: 100)
        ch.value_axis.minimum_scale = 0
    for i, s in enumerate(ch.plots[0].series):
        color = RGBColor.from_string(PALETTE[i % len(PALETTE)])
        if kind == XL_CHART_TYPE.LINE:
            s.smooth = False
            s.format.line.color.rgb = color
            s.format.line.width = Pt(3 if i < 2 else 1.75)
            if DASHES[i % len(DASHES)] is not None:
                s.format.line.dash_style = DASHES[i % len(DASHES)]
            s.marker.style = None
        else:
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = color


def notes_text(chart, language: str = "nb") -> str:
    """Speaker notes: the headline, the numbers at the base year and key years, the
    source line."""
    cats, series = chart_series(chart)
    keep = [i for i, c in enumerate(cats) if i == 0 or str(c) in {str(y) for y in KEY_YEARS}]
    dec = 1 if chart.kind in ("index", "lines") else (2 if chart.kind == "bars" else 0)
    lines = [chart.headline, ""]
    for name, values in series:
        shown = "; ".join(f"{cats[i]}: {fmt_num(values[i], dec)}" for i in keep)
        lines.append(f"{tx.column_name(name, language)}: {shown}")
    lines += ["", chart.caption]
    return "\n".join(lines)


def pptx_bytes(reports: dict[str, Report], language: str = "nb") -> bytes:
    """The deck for the reports of one selection and scenario (``befolkning``,
    ``tjenester``, ``bemanning``; a view without data is left out)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    first = next(iter(reports.values()))
    # -- title slide ----------------------------------------------------------------
    s = prs.slides.add_slide(blank)
    _text(s, f"Kunnskapsgrunnlag – {first.region_name}", Inches(0.8), Inches(2.0),
          WIDTH - Inches(1.6), Inches(1.4), 48, bold=True, color="1F4E79")
    scen = next((r.scenario for r in reports.values() if r.scenario), {})
    sub = [say(language, "Leve hele livet: befolkning, tjenester og bemanning",
               "Leve heile livet: befolkning, tenester og bemanning"),
           f"{tx.alt_label(first.alternative, language)} ({first.alternative}) · "
           f"{tx.describe_scenario(scen, language)}",
           f"Dataversjon: {max((r.data_version for r in reports.values()), key=len)} · "
           f"{date.today().strftime('%d.%m.%Y')}"]
    _text(s, "\n".join(sub), Inches(0.8), Inches(3.6), WIDTH - Inches(1.6), Inches(1.8), 22)
    licence = say(language, "Kilde", "Kjelde") + ": Statistisk sentralbyrå (SSB), lisens CC BY 4.0."
    _footer(s, f"{licence} " + say(language, "Laget med Kunnskapsgrunnlag.", "Laga med Kunnskapsgrunnlag."))
    s.notes_slide.notes_text_frame.text = "\n\n".join(p for r in reports.values()
                                                      for p in r.summary)
    # -- one slide per key chart ----------------------------------------------------
    for step, rep, chart in steps(reports):
        s = prs.slides.add_slide(blank)
        _text(s, step.title(language), Inches(0.5), Inches(0.3), WIDTH - Inches(1.0),
              Inches(0.6), 30, bold=True, color="1F4E79")
        _text(s, chart.headline, Inches(0.5), Inches(0.95), WIDTH - Inches(1.0), Inches(0.9),
              18)
        _chart(s, chart, language)
        _footer(s, chart.caption)
        s.notes_slide.notes_text_frame.text = notes_text(chart, language)
    # -- method and sources ---------------------------------------------------------
    s = prs.slides.add_slide(blank)
    _text(s, say(language, "Metode og kilder", "Metode og kjelder"), Inches(0.5), Inches(0.3),
          WIDTH - Inches(1.0), Inches(0.6), 30, bold=True, color="1F4E79")
    method = say(language,
                 "Befolkning: SSBs befolkningsframskrivinger (tabell 14746) med observert "
                 "folkemengde (07459); spennet er laveste og høyeste alternativ i databasen. "
                 "Tjenester: dagens dekningsgrad per aldersgruppe fra KOSTRA (12003, 12292) "
                 "ganget med framskrevet befolkning. Bemanning: dagens årsverk (12292) "
                 "fordelt på vektede brukere. Scenarioene endrer dekningsgrad, aldring, "
                 "produktivitet og omsorgstrapp.",
                 "Befolkning: befolkningsframskrivingane til SSB (tabell 14746) med observert "
                 "folkemengd (07459); spennet er lågaste og høgaste alternativ i databasen. "
                 "Tenester: dagens dekningsgrad per aldersgruppe frå KOSTRA (12003, 12292) "
                 "gonga med framskriven befolkning. Bemanning: dagens årsverk (12292) "
                 "fordelt på vekta brukarar. Scenaria endrar dekningsgrad, aldring, "
                 "produktivitet og omsorgstrapp.")
    cited, seen = [], set()
    for r in reports.values():
        for it in r.items():
            for sid in it.sources:
                if sid not in seen and sid in r.sources:
                    seen.add(sid)
                    cited.append(r.sources[sid].cite())
    _text(s, method, Inches(0.5), Inches(1.1), WIDTH - Inches(1.0), Inches(1.8), 16)
    _text(s, "\n".join(cited), Inches(0.5), Inches(3.0), WIDTH - Inches(1.0), Inches(3.4), 14)
    _footer(s, licence)
    s.notes_slide.notes_text_frame.text = "\n\n".join(
        dict.fromkeys(p for r in reports.values() for p in r.method))
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()

