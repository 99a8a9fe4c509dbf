"""Figures and files of «Sammenlign kommuner»: the ranking chart with the set's median, the
map (boundaries shipped with the project, drawn offline) and peer colours. Plain functions
over DataFrames; no Streamlit import.
"""

from __future__ import annotations

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
                           automargin=True,
                           showgrid=False, title=dict(text=None))
    if not np.isnan(median):
        layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, y0=median, y1=median,
                                 line=dict(color="#444444", width=2, dash="dash"))]
        layout["annotations"] = [dict(xref="paper", x=1, y=median, xanchor="right",
                                      yanchor="bottom", showarrow=False,
                                      text=f"Median: {fmt_num(median, decimals)}",
                                      font=dict(color="#444444"))]
    return charts.figure([bars], layout)


MAP_CLASSES = 5
MAP_PALETTES = {  # light → dark (ColorBrewer, the near-white step left out)
    "Blues": ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
    "Greens": ["#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"],
}


def map_classes(values: pd.Series, n: int = MAP_CLASSES) -> list[float]:
    """Class edges: quantiles of the values (duplicates merged), lowest and highest included."""
    v = values.dropna().to_numpy(dtype=float)
    if not len(v):
        return []
    return sorted(set(np.quantile(v, np.linspace(0, 1, n + 1)).tolist()))


def map_figure(values: pd.Series, names: pd.Series, title: str, unit: str, decimals: int,
               polarity: str, source_line: str, height: int = 680):
    """A classed choropleth of ``values`` (index kommune code) drawn from the shipped
    boundaries as filled shapes on plain axes — no base map, nothing fetched, so it works
    offline. Quantile classes (up to five, light → dark); kommuner of the set without a value
    are one grey class «ingen data», never 0. Green for the better end when higher or lower
    is better; one neutral hue otherwise. Each trace's ``meta`` lists its kommune codes.
    ``source_line``: the indicator's sources (lines joined by ``<br>``), above the map
    attribution."""
    shapes = geo.outlines()
    codes = [c for c in values.index if c in shapes]
    edges = map_classes(values[codes])
    palette = MAP_PALETTES["Greens" if polarity in (ind.HIGHER_BETTER, ind.LOWER_BETTER)
                           else "Blues"]
    if polarity == ind.LOWER_BETTER:
        palette = palette[::-1]
    v = values.reindex(codes).to_numpy(dtype=float)
    cls = np.full(len(codes), -1)
    if edges:
        inner = edges[1:-1]
        cls = np.where(np.isnan(v), -1, np.searchsorted(inner, v, side="right"))
    n_cls = max(len(edges) - 1, 1)
    colors = [palette[round(i * (len(palette) - 1) / max(n_cls - 1, 1))] for i in range(n_cls)]
    lats = [lat for c in codes for lat in shapes[c][1] if lat is not None]
    k = float(np.cos(np.radians((min(lats) + max(lats)) / 2))) if lats else 0.5

    def xy(members):
        x, y = [], []
        for c in members:
            lon, lat, _ = shapes[c]
            x += [None if a is None else a * k for a in lon]
            y += lat
        return x, y

    traces = []
    for i in list(range(n_cls)) + [-1]:
        members = [c for c, ci in zip(codes, cls) if ci == i]
        if not members:
            continue
        x, y = xy(members)
        if i == -1:
            name, color = NO_DATA, NO_DATA_COLOR
        else:
            lo, hi = edges[i], edges[min(i + 1, len(edges) - 1)]
            name = (f"{fmt_num(lo, decimals)}–{fmt_num(hi, decimals)}" if hi != lo
                    else fmt_num(lo, decimals))
            color = colors[i]
        traces.append(dict(type="scatter", x=x, y=y, mode="lines", fill="toself",
                           fillcolor=color, line=dict(color="white", width=0.6), name=name,
                           hoverinfo="skip", meta=members, legendrank=n_cls - i if i >= 0
                           else 1000))
    # invisible markers at the kommuner's label points carry the hover text
    name_of = names.to_dict()
    px = [shapes[c][2][0] * k for c in codes]
    py = [shapes[c][2][1] for c in codes]
    text = [f"{name_of.get(c, c)}: " + (NO_DATA if np.isnan(val) else
                                          f"{fmt_num(val, decimals)} {unit}")
            for c, val in zip(codes, v)]
    traces.append(dict(type="scatter", x=px, y=py, mode="markers", text=text, meta=codes,
                       marker=dict(size=10, opacity=0), hovertemplate="%{text}<extra></extra>",
                       showlegend=False, name="kommuner"))
    axis = dict(visible=False, showgrid=False, zeroline=False)
    layout = dict(
        title=dict(text=title, x=0, xref="paper", font=dict(size=16)), height=height,
        separators=charts.PLOTLY_SEPARATORS, font=charts.FONT, plot_bgcolor="white",
        paper_bgcolor="white", margin=dict(l=8, r=0, t=40, b=20 + 16 * (source_line.count("<br>") + 2)),
        hovermode="closest", dragmode="pan",
        xaxis=axis, yaxis=dict(axis, scaleanchor="x", scaleratio=1),
        legend=dict(title=dict(text=unit), x=0.01, y=0.99, bgcolor="rgba(255,255,255,0.8)"),
        annotations=[dict(xref="paper", yref="paper", x=0, y=-0.02, xanchor="left",
                          yanchor="top", align="left", showarrow=False,
                          font=dict(size=11, color="#555555"),
                          text=f"{source_line}<br>{geo.ATTRIBUTION}")])
    return SharedFigure({"data": traces, "layout": layout}, _validate=False)


def cell_styles(categories: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """CSS per cell of the shown table: ``columns`` maps indicator key → shown column."""
    out = pd.DataFrame("", index=categories.index, columns=list(columns.values()))
    for key, col in columns.items():
        if key in categories:
            out[col] = [f"background-color: {CELL_COLORS[c]}" if CELL_COLORS[c] else ""
                        for c in categories[key]]
    return out


# -- table and files -------------------------------------------------------------------------
def mode(s: pd.Series) -> int | None:
    """The most common year of a column (the year a set's figures are «from»)."""
    s = s.dropna()
    return int(s.mode().iloc[0]) if len(s) else None


def table_columns(frame: pd.DataFrame, horizon: int, keys=None) -> list[tuple[str, str, int]]:
    """(frame column, shown label, decimals): each indicator of ``keys`` (default all) with
    its count right after it (a count shown once)."""
    base = mode(frame["base_year"])
    ky = mode(frame["kostra_year"])
    cols, seen = [], set()
    for i in ind.INDICATORS:
        if keys is not None and i.key not in keys:
            continue
        cols.append((i.key, ind.label_with_year(i, base, horizon, ky), i.decimals))
        if i.count and i.count not in seen and i.count not in ind.BY_KEY:
            seen.add(i.count)
            year = horizon if i.count.endswith("_h") else (ky if i.year == "kostra" else base)
            cols.append((i.count, f"{ind.COUNT_LABELS[i.count]} {year}", 0))
    return cols


def export_frame(sub: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """All indicators and counts of the set as exported: rounded once, numbers as numbers."""
    out = {"Kommunenummer": sub.index.to_numpy(), "Kommune": sub["name"].to_numpy(),
           "Fylke": sub["fylke"].to_numpy(), "KOSTRA-gruppe": sub["kostra_group"].to_numpy()}
    for key, label, d in table_columns(sub, horizon):
        v = sub[key].to_numpy(dtype=float).round(d)
        out[label] = pd.array(v, dtype="Int64") if d == 0 else v
    return pd.DataFrame(out)


def export_header(title: str, n: int, alternative: str, horizon: int, base_year: int | None,
                  kostra_year: int | None, cites: list[str], version: str
                  ) -> list[tuple[str, str]]:
    """The header block of the set's CSV and Excel files (as ``ui.export.header_rows`` for
    one region): the set, alternative, years, data version and sources."""
    from data_sources import catalog
    return [("Kunnskapsgrunnlag", "Sammenlign kommuner"),
            ("Utvalg", f"{title} ({n} kommuner)"),
            ("Framskrivingsalternativ",
             f"{catalog.alternative_label(alternative)} ({alternative})"),
            ("Framskrivingsår", str(horizon)),
            ("Basisår (befolkning)", str(base_year or "–")),
            ("KOSTRA-år", str(kostra_year or "–")),
            ("Dataversjon", version),
            ("Kilder", "; ".join(cites)), ("Lisens", "SSB, CC BY 4.0")]
