"""Figures and files of «Sammenlign kommuner»: the ranking chart with the set's median, the
choropleth map (boundaries shipped with the project, offline), peer colours, and CSV/Excel
with a header block. Plain functions over DataFrames; no Streamlit import.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import geo
from analysis import indicators as ind
from analysis.format import fmt_num
from ui import charts

# Peer categories → cell/bar colours. Only good/bad are green/red; a «neither» indicator is
# only ever blue (high) or orange (low).
CATEGORY_COLORS = {
    ind.GOOD: "#1a9850", ind.BAD: "#d73027", ind.HIGH: "#2166ac", ind.LOW: "#e08214",
    ind.MIDDLE: "#bdbdbd", ind.NONE: "#eeeeee",
}
CELL_COLORS = {  # lighter shades for table cells (text stays readable)
    ind.GOOD: "#c7e9c0", ind.BAD: "#fcbba1", ind.HIGH: "#c6dbef", ind.LOW: "#fdd0a2",
    ind.MIDDLE: "", ind.NONE: "",
}
NO_DATA = "ingen data"
NO_DATA_COLOR = "#d9d9d9"
SELECTED_COLOR = "#222222"


class SharedFigure(go.Figure):
    """A figure that hands out its own dicts from ``to_dict`` instead of deep copies.

    For the cached map: Streamlit calls ``to_dict()`` and serialises the result on every
    run; deep-copying ~20 000 coordinate pairs each time cost more than the rest of the
    page. The figure is never mutated after it is built, so sharing is safe.
    """

    def to_dict(self):
        return {"data": self._data, "layout": self._layout}


def ranking_figure(values: pd.Series, names: pd.Series, categories: pd.Series, title: str,
                   unit: str, decimals: int, median: float, highlight: str | None = None):
    """Bars sorted from highest to lowest, coloured by peer category, the set's median as a
    dashed line; ``highlight`` (kommune code) drawn dark. Missing values are left out."""
    v = values.dropna().sort_values(ascending=False)
    codes = list(v.index)
    cat, name = categories.to_dict(), names.to_dict()
    colors = [SELECTED_COLOR if c == highlight else CATEGORY_COLORS[cat.get(c, ind.NONE)]
              for c in codes]
    labels = [str(name.get(c, c)) for c in codes]
    fmt = f",.{decimals}f"
    bars = dict(type="bar", x=labels, y=v.tolist(), marker=dict(color=colors),
                customdata=codes, hovertemplate=f"%{{x}}: %{{y:{fmt}}} {unit}<extra></extra>",
                name=title, showlegend=False)
    layout = charts.layout_defaults(dict(title=dict(text=title, x=0, font=dict(size=16))),
                                    height=420, yformat=fmt, ytitle=unit)
    layout["hovermode"] = "closest"
    layout["xaxis"] = dict(type="category", showticklabels=len(codes) <= 60, tickangle=-60,
                           showgrid=False, title=dict(text=None))
    if not np.isnan(median):
        layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, y0=median, y1=median,
                                 line=dict(color="#444444", width=2, dash="dash"))]
        layout["annotations"] = [dict(xref="paper", x=1, y=median, xanchor="right",
                                      yanchor="bottom", showarrow=False,
                                      text=f"Median: {fmt_num(median, decimals)}",
                                      font=dict(color="#444444"))]
    return charts.figure([bars], layout)


def map_figure(values: pd.Series, names: pd.Series, title: str, unit: str, decimals: int,
               polarity: str, source_line: str, height: int = 640):
    """Choropleth of ``values`` (index kommune code) on the shipped boundaries. Kommuner of
    the set without a value are drawn grey as «ingen data», never as 0. Colour scale: one
    hue (darker = higher) for «neither»; green for the better end otherwise."""
    codes = list(values.index)
    have = values.notna()
    feats = geo.subset(codes)
    scale = {ind.HIGHER_BETTER: "Greens", ind.LOWER_BETTER: "Greens_r"}.get(polarity, "Blues")
    fmt = f",.{decimals}f"
    traces = []
    missing = [c for c in codes if not have.get(c, False)]
    if missing:
        traces.append(dict(
            type="choropleth", geojson=feats, locations=missing, z=[0] * len(missing),
            colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]], showscale=False,
            name=NO_DATA, showlegend=True, text=[str(names.get(c, c)) for c in missing],
            hovertemplate=f"%{{text}}: {NO_DATA}<extra></extra>",
            marker=dict(line=dict(color="white", width=0.5))))
    ok = [c for c in codes if have.get(c, False)]
    if ok:
        traces.append(dict(
            type="choropleth", geojson=feats, locations=ok, z=values[ok].astype(float).tolist(),
            colorscale=scale, text=[str(names.get(c, c)) for c in ok], name=title,
            hovertemplate=f"%{{text}}: %{{z:{fmt}}} {unit}<extra></extra>",
            colorbar=dict(title=dict(text=unit), tickformat=fmt, thickness=14, len=0.7),
            marker=dict(line=dict(color="white", width=0.5))))
    layout = dict(
        title=dict(text=title, x=0, font=dict(size=16)), height=height,
        separators=charts.PLOTLY_SEPARATORS, font=charts.FONT,
        margin=dict(l=0, r=0, t=40, b=40),
        geo=dict(fitbounds="locations", visible=False, projection=dict(type="mercator")),
        legend=dict(orientation="h", x=0, y=0, yanchor="bottom", bgcolor="rgba(255,255,255,0.7)"),
        annotations=[dict(xref="paper", yref="paper", x=0, y=-0.05, xanchor="left",
                          yanchor="top", showarrow=False, font=dict(size=11, color="#555555"),
                          text=f"{source_line} {geo.ATTRIBUTION}")])
    return SharedFigure({"data": traces, "layout": layout}, _validate=False)


def cell_styles(categories: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """CSS per cell of the shown table: ``columns`` maps indicator key → shown column."""
    out = pd.DataFrame("", index=categories.index, columns=list(columns.values()))
    for key, col in columns.items():
        if key in categories:
            out[col] = [f"background-color: {CELL_COLORS[c]}" if CELL_COLORS[c] else ""
                        for c in categories[key]]
    return out


def to_csv_bytes(df: pd.DataFrame, header: list[tuple[str, str]]) -> bytes:
    """Norwegian CSV (``;``, decimal comma, UTF-8 with BOM) after a ``key;value`` header
    block and one empty line."""
    head = pd.DataFrame(header).to_csv(sep=";", index=False, header=False) + "\n"
    return (head + df.to_csv(sep=";", decimal=",", index=False)).encode("utf-8-sig")


def to_excel_bytes(df: pd.DataFrame, header: list[tuple[str, str]], sheet: str) -> bytes:
    """One sheet: the header block (bold keys), an empty row, the table (numbers stay
    numbers)."""
    from openpyxl.styles import Font
    buf = io.BytesIO()
    name = sheet[:31]
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name=name, startrow=len(header) + 1)
        ws = xw.sheets[name]
        for r, (k, v) in enumerate(header, start=1):
            ws.cell(r, 1, k).font = Font(bold=True)
            ws.cell(r, 2, v)
        for i, col in enumerate(df.columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(len(str(col)) + 2, 40)
    return buf.getvalue()
