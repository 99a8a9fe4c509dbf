"""Draw the parts of an ``analysis.report.Report`` on screen (and build its figures).

``figure(chart)`` turns a report ``Chart`` into a Plotly figure by its ``kind`` (screen,
presentation mode and the exporters use the same function); ``metric``, ``table`` and
``chart`` draw one item with Streamlit. Pages only choose layout.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st

from analysis.report import Chart, KeyFigure, Report, Table
from ui import charts
from ui import scenario as scn

PLOTLY_CONFIG = {"displaylogo": False}


def _lines(chart: Chart, height: int):
    d, spec = chart.data, chart.spec
    labels = d["label"].to_numpy(dtype=object)
    years, values = d["year"].to_numpy(), d["value"].to_numpy()
    order = np.argsort(years, kind="stable")  # by year within each line
    traces = []
    for i, lab in enumerate(dict.fromkeys(labels.tolist())):
        at = order[labels[order] == lab]
        traces.append(dict(type="scatter", x=years[at].tolist(), y=values[at].tolist(),
                           mode="lines+markers", name=lab,
                           hovertemplate=f"%{{y:,.{spec.get('decimals', 1)}f}}",
                           line=dict(color=charts.REGION_COLORS[i % 4],
                                     width=3 if i == 0 else 2)))
    layout = charts.layout_defaults(height=height, yformat=f",.{spec.get('decimals', 1)}f",
                                    ytitle=spec.get("ytitle"))
    # zero always in view: a need line from 385 to 660 against 335 places looked like a
    # tenfold gap on a 340–660 axis (errors in % of the track record keep their sign)
    layout["yaxis"]["rangemode"] = "tozero"
    return charts.figure(traces, layout)


def _bars(chart: Chart, height: int):
    tab, spec = chart.data, chart.spec
    years = [c for c in tab.columns if c.isdigit()]
    colors = ["#1f4e79", "#2a7ab0", "#c8553d", "#e39b8b"]
    traces = [dict(type="bar", x=years, y=[None if pd.isna(r[y]) else float(r[y]) for y in years],
                   name=f"{r[spec['name_cols'][0]]}, {str(r[spec['name_cols'][1]]).lower()}",
                   marker=dict(color=colors[i % 4]), hovertemplate="%{y:,.2f} %")
              for i, (_, r) in enumerate(tab.iterrows())]
    layout = charts.layout_defaults(dict(barmode="group"), height=height, yformat=",.1f",
                                    xformat="", ytitle=spec.get("ytitle"))
    layout.update(hovermode="closest")
    layout["xaxis"]["type"] = "category"
    return charts.figure(traces, layout)


def figure(chart: Chart, height: int | None = None, title: bool = True,
           year: int | None = None):
    """The Plotly figure of a report chart (``kind``: band, index, pyramid, scenario_band,
    bars, lines). ``year``: the pyramid's year (default: the chart's ``start_year``)."""
    spec = chart.spec
    if chart.kind == "band":
        return charts.band_chart(chart.data, spec["base_year"], title=chart.title if title else None,
                                 projected_name=spec["projected_name"], height=height or 360)
    if chart.kind == "index":
        return charts.index_chart(chart.data, spec["names"], spec["groups"],
                                  height=height or 380)
    if chart.kind == "pyramid":
        return charts.pyramid_chart(chart.data, spec["base_year"],
                                    year=year if year is not None else spec.get("start_year"),
                                    height=height or 620)
    if chart.kind == "scenario_band":
        data = chart.data.rename(columns={spec["low"]: "Lav (alle alternativer)",
                                          spec["high"]: "Høy (alle alternativer)"})
        fig = scn.band_figure(data, unchanged=spec["unchanged"], scenario=spec["scenario"],
                              title=chart.title if title else "", ytitle=spec["ytitle"],
                              show_scenario=spec["show_scenario"], hline=spec.get("hline"),
                              hline_text=spec.get("hline_text", ""))
        if height:
            fig.layout.height = height
        return fig
    if chart.kind == "bars":
        return _bars(chart, height or 360)
    if chart.kind == "lines":
        return _lines(chart, height or 300)
    raise ValueError(f"unknown chart kind {chart.kind!r}")


def metric(col, kf: KeyFigure) -> None:
    col.metric(kf.label, kf.text(), kf.delta_text or None, delta_color=kf.delta_color,
               delta_arrow=kf.delta_arrow, border=True,
               delta_description=kf.delta_note or None, help=kf.help or None)


_NUMBER = re.compile(r"[−+-]?[\d\u00a0\u202f ]+(,\d+)?( ?%)?")
_MD_ESCAPE = {ord("\n"): " ", **{ord(ch): "\\" + ch for ch in "\\|*_$`[]<>#"}}


def _markdown_table(df: pd.DataFrame) -> str:
    """A formatted frame as a Markdown table: number columns right-aligned, text left."""
    def cell(v) -> str:  # Markdown's special characters as text ($ would start maths)
        return str(v).translate(_MD_ESCAPE)
    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    def numeric(col) -> bool:
        vals = [str(v) for v in df[col].tolist() if str(v) not in ("–", "-", "")]
        return bool(vals) and all(_NUMBER.fullmatch(v) for v in vals)
    align = "|" + "|".join("---:" if numeric(c) else ":---" for c in df.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, align, *rows])


def table(t: Table, caption: str | None = None) -> None:
    """A report table as a plain Markdown table, and its caption (``caption``: another
    line instead of the table's own). Report tables are small (at most a few dozen rows):
    text the browser draws as it is is cheaper to send and to draw than the interactive
    grid, whose code (the grid and Arrow: 21 files, 1.6 MB of JavaScript) a page would
    otherwise load and run; CSV and Excel downloads sit under each table."""
    st.markdown(_kept(t, "markdown", lambda: _markdown_table(t.formatted())))
    caption = t.caption if caption is None else caption
    if caption:
        st.caption(caption)


def notes(report: Report) -> None:
    for n in report.notes:
        st.caption(f"ℹ️ {n}")


def header(report: Report) -> bool:
    """Title, the view's question and data notes; False (after saying what is missing and
    where to get it) when the store lacks what the view needs."""
    st.title(report.title)
    st.markdown(report.intro)
    notes(report)
    if report.missing:
        st.info(f"{report.missing} Hent eller importer tallene på siden «Oversikt og data».")
        st.page_link("views/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")
        return False
    return True


def _kept(item, key, build):
    """``build()``, built once and kept on ``item``: a report chart or table, which
    ``data.shared`` hands to every run and session of one store version and selection,
    and which nothing changes after the report is built. So a figure or a drawn table is
    made once per report and shared with it; a new store version, region or alternative
    is a new report with new items. (Kept outside the dataclass's fields, so its fields
    and repr are unchanged.)"""
    kept = item.__dict__.setdefault("_drawn", {})
    out = kept.get(key)
    if out is None:  # two runs at once may both build it: the same result, one is kept
        out = kept.setdefault(key, build())
    return out


def shared_figure(c: Chart, year: int | None = None):
    """``figure(c)``, built once per chart and shared by every run and session."""
    # ``charts.frozen``: Streamlit does not deep-copy the kept figure on every draw
    return _kept(c, ("figure", year), lambda: charts.frozen(figure(c, year=year)))


def _grid_figure(cs: tuple[Chart, ...]):
    """Charts of one kind as panels of one figure, kept on the first chart: band charts as
    small multiples (two per row), line charts side by side."""
    first = cs[0]

    def build():
        if first.kind == "band":
            return charts.band_grid([(c.data, c.title) for c in cs], first.spec["base_year"],
                                    projected_name=first.spec["projected_name"])
        return charts.side_by_side([figure(c) for c in cs], [c.title for c in cs])
    return _kept(first, ("grid", *(c.key for c in cs)), lambda: charts.frozen(build()))


# Sections whose charts the pages draw as panels of one figure (``grid_block``), and the
# kind their charts have: Befolkning's four age bands, and its two track-record charts.
GRID_SECTIONS = {"utvikling": "band", "treffsikkerhet": "lines"}


def drawn_as_grid(sec) -> bool:
    """Does the page draw this section's charts as one figure?"""
    kind = GRID_SECTIONS.get(sec.key)
    return kind is not None and len(sec.items) > 1 and all(
        isinstance(c, Chart) and c.kind == kind for c in sec.items)


def pyramid_years(c: Chart) -> tuple[list[int], int]:
    """The pyramid's years and the one it opens at (the horizon year, else the last)."""
    years = sorted(int(y) for y in c.data["year"].unique())
    start = c.spec.get("start_year")
    return years, (start if start in years else years[-1])


def prepare(report: Report) -> None:
    """Build what the pages draw of ``report`` as a visitor first sees it (every figure,
    the pyramid at its opening year, the sections drawn as one figure, every table's
    Markdown) and keep it on the report's items, as drawing does: ``ui.prebuild`` keeps
    reports with their drawings. Anything a page draws that is not built here is built
    when first drawn, as without it."""
    for sec in report.sections:
        grid = drawn_as_grid(sec)
        if grid:
            _grid_figure(tuple(sec.items))
        for it in sec.items:
            if isinstance(it, Table):
                _kept(it, "markdown", lambda t=it: _markdown_table(t.formatted()))
            elif isinstance(it, Chart) and not grid:
                shared_figure(it, pyramid_years(it)[1] if it.kind == "pyramid" else None)


def grid_block(report: Report, sec, key: str) -> None:
    """A section's charts as one figure (``drawn_as_grid``: cheaper to draw than one
    figure each), their shared source line once, and each chart's CSV/Excel downloads."""
    from ui import export
    assert drawn_as_grid(sec), sec.key
    cs = tuple(sec.items)
    st.plotly_chart(_grid_figure(cs), key=key,
                    config=PLOTLY_CONFIG, theme=charts.PLOTLY_THEME)
    for cap in dict.fromkeys(c.caption for c in cs):
        st.caption(cap)
    with st.popover("Last ned tallene", icon=":material/download:"):
        for c in cs:
            st.markdown(f"**{c.title}**")
            export.item_downloads(report, c, f"dl_{c.key}")


def chart_block(report: Report, c: Chart, key: str, year: int | None = None) -> None:
    """A chart, its source line and its CSV/Excel downloads."""
    from ui import export
    st.plotly_chart(shared_figure(c, year), key=key, config=PLOTLY_CONFIG,
                    theme=charts.PLOTLY_THEME)
    st.caption(c.caption)
    export.item_downloads(report, c, f"dl_{key}")
