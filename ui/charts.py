"""Plotly helpers shared by all pages: Norwegian layout, source captions, standard charts.

Every figure goes through ``base_layout`` (separators ``", "`` → "12 345,6", explicit tick
formats, one font, legend below). Chart builders take the tidy frames from ``analysis`` —
exactly the numbers the page also offers for download — and return ``go.Figure``.
No Streamlit import here except in ``source_caption``'s default lookup (lazy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.format import PLOTLY_SEPARATORS, fmt_int

COLORS = {
    "observed": "#1f4e79",
    "projected": "#2a7ab0",
    "band": "rgba(42, 122, 176, 0.18)",
    "men": "#2a7ab0",
    "women": "#c8553d",
    "outline": "#222222",
}
REGION_COLORS = ["#1f4e79", "#c8553d", "#6b8e23", "#8a6fb3"]
INT_FORMAT = ",.0f"  # d3: thousands grouped, no decimals ("12 345" with our separators)
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14)


def base_layout(fig: go.Figure, *, height: int = 420, yformat: str = INT_FORMAT,
                xformat: str = "d", ytitle: str | None = None,
                xtitle: str | None = None) -> go.Figure:
    """Apply the common layout in place (and return ``fig``)."""
    fig.update_layout(
        separators=PLOTLY_SEPARATORS, height=height, font=FONT, hovermode="x unified",
        margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
    fig.update_yaxes(tickformat=yformat, gridcolor="#e5e5e5", zeroline=False,
                     title_text=ytitle)
    fig.update_xaxes(tickformat=xformat, showgrid=False, title_text=xtitle)
    return fig


# -- captions ---------------------------------------------------------------------------
def format_date(value) -> str | None:
    """ISO date/time (string or datetime) → ``"dd.mm.yyyy"``; None when missing/unparsable."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.strftime("%d.%m.%Y")


def _describe(table_id: str, src: Mapping | None) -> str:
    if not src:
        return f"tabell {table_id}"
    kind, rnd = src.get("kind"), src.get("round")
    if kind == "projection":
        what = f"befolkningsframskrivingene {rnd}" if rnd else "befolkningsframskrivingene"
    elif kind == "population":
        what = "folkemengde 1. januar"
    else:
        what = (src.get("title") or "").strip()
    date = format_date(src.get("ssb_updated"))
    inner = ", ".join(p for p in (what, f"oppdatert {date}" if date else None) if p)
    return f"tabell {table_id} ({inner})" if inner else f"tabell {table_id}"


def source_caption(table_ids: Sequence[str], extra: Mapping[str, str] | str | None = None,
                   lookup: Callable[[str], Mapping | None] | None = None) -> str:
    """``"Kilde: SSB, tabell 14746 (befolkningsframskrivingene 2026, oppdatert 10.06.2026),
    hovedalternativet MMMM; tabell 07459 (folkemengde 1. januar, oppdatert 25.02.2026)."``

    ``extra``: text per table id placed after that table (e.g. the alternative), or one
    string appended at the end. ``lookup(table_id)`` gives the ``sources`` row (default:
    ``ui.data.source_of``).
    """
    if lookup is None:
        from ui.data import source_of
        lookup = source_of
    per_table = extra if isinstance(extra, Mapping) else {}
    parts = []
    for tid in table_ids:
        part = _describe(tid, lookup(tid))
        if per_table.get(tid):
            part += f", {per_table[tid]}"
        parts.append(part)
    text = "Kilde: SSB, " + "; ".join(parts)
    if isinstance(extra, str) and extra:
        text += f". {extra}"
    return text.rstrip(".") + "."


# -- charts -----------------------------------------------------------------------------
def band_chart(df: pd.DataFrame, base_year: int, *, title: str | None = None,
               projected_name: str = "Framskrevet", height: int = 360) -> go.Figure:
    """History line, projection line and min–max band; boundary at ``base_year``.

    ``df``: columns ``År, Observert, Framskrevet, Lav, Høy`` (persons) as from
    ``analysis.demography.chart_series``.
    """
    fig = go.Figure()
    band = df.dropna(subset=["Lav", "Høy"])
    fig.add_trace(go.Scatter(x=band["År"], y=band["Høy"], mode="lines", line=dict(width=0),
                             showlegend=False, hoverinfo="skip", name="Høy"))
    fig.add_trace(go.Scatter(x=band["År"], y=band["Lav"], mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor=COLORS["band"],
                             name="Spenn, alle alternativer",
                             hovertemplate="%{y:,.0f}–%{customdata:,.0f}",
                             customdata=band["Høy"]))
    obs = df.dropna(subset=["Observert"])
    fig.add_trace(go.Scatter(x=obs["År"], y=obs["Observert"], mode="lines",
                             line=dict(color=COLORS["observed"], width=3), name="Observert",
                             hovertemplate="%{y:,.0f}"))
    proj = df.dropna(subset=["Framskrevet"])
    fig.add_trace(go.Scatter(x=proj["År"], y=proj["Framskrevet"], mode="lines",
                             line=dict(color=COLORS["projected"], width=3, dash="dash"),
                             name=projected_name, hovertemplate="%{y:,.0f}"))
    fig.add_vline(x=base_year, line=dict(color="#888", width=1, dash="dot"))
    fig.add_annotation(x=base_year, y=1, yref="paper", text="Framskrevet →", showarrow=False,
                       xanchor="left", yanchor="bottom", font=dict(size=12, color="#555"))
    if title:
        fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)))
    base_layout(fig, height=height)
    fig.update_yaxes(rangemode="tozero")
    return fig


def index_chart(df: pd.DataFrame, names: Mapping[str, str], groups: Sequence[str], *,
                height: int = 380) -> go.Figure:
    """Growth index per group (one panel each), one line per region.

    ``df``: long ``region_code, group, year, index`` (base year = 100).
    """
    fig = make_subplots(rows=1, cols=len(groups), shared_yaxes=True,
                        subplot_titles=[f"{g} år" for g in groups], horizontal_spacing=0.04)
    for ri, (code, name) in enumerate(names.items()):
        color = REGION_COLORS[ri % len(REGION_COLORS)]
        for gi, g in enumerate(groups):
            d = df[(df["region_code"] == code) & (df["group"] == g)]
            fig.add_trace(go.Scatter(x=d["year"], y=d["index"], mode="lines", name=name,
                                     legendgroup=code, showlegend=gi == 0,
                                     line=dict(color=color, width=3 if ri == 0 else 2),
                                     hovertemplate=f"{name}: " + "%{y:,.1f}<extra></extra>"),
                          row=1, col=gi + 1)
    base_layout(fig, height=height, yformat=",.0f")
    fig.update_layout(hovermode="closest")
    fig.add_hline(y=100, line=dict(color="#888", width=1, dash="dot"))
    return fig


def _outline(ages: pd.Series, x: pd.Series) -> tuple[list, list]:
    """Step outline around horizontal bars centred on each age (bar height 1)."""
    xs, ys = list(x), [a - 0.5 for a in ages]
    if xs:
        xs.append(xs[-1])
        ys.append(ys[-1] + 1)
    return xs, ys


def pyramid_chart(df: pd.DataFrame, base_year: int, *, start_year: int | None = None,
                  height: int = 620) -> go.Figure:
    """Animated population pyramid (single-year age, menn left, kvinner right).

    ``df``: ``year, age, sex ('1'/'2'), persons`` as from ``analysis.demography.pyramid``.
    The base year's pyramid is drawn as an outline in every frame; axes are fixed to the
    largest bar over all years; a play button and a year slider drive the frames.
    """
    years = sorted(df["year"].unique().tolist())
    start = start_year if start_year in years else years[0]
    xmax = float(df["persons"].max() or 1) * 1.08

    def bars(year: int) -> list[go.Bar]:
        d = df[df["year"] == year]
        m, w = d[d["sex"] == "1"], d[d["sex"] == "2"]
        return [
            go.Bar(y=m["age"], x=-m["persons"], orientation="h", name="Menn",
                   marker_color=COLORS["men"], customdata=m["persons"],
                   hovertemplate="Menn %{y} år: %{customdata:,.0f}<extra></extra>"),
            go.Bar(y=w["age"], x=w["persons"], orientation="h", name="Kvinner",
                   marker_color=COLORS["women"], customdata=w["persons"],
                   hovertemplate="Kvinner %{y} år: %{x:,.0f}<extra></extra>"),
        ]

    b = df[df["year"] == base_year]
    bm, bw = b[b["sex"] == "1"], b[b["sex"] == "2"]
    mx, my = _outline(bm["age"], -bm["persons"])
    wx, wy = _outline(bw["age"], bw["persons"])
    outline = [
        go.Scatter(x=mx, y=my, mode="lines", line=dict(color=COLORS["outline"], width=1.2),
                   line_shape="vh", name=f"{base_year} (omriss)", hoverinfo="skip",
                   legendgroup="outline"),
        go.Scatter(x=wx, y=wy, mode="lines", line=dict(color=COLORS["outline"], width=1.2),
                   line_shape="vh", showlegend=False, hoverinfo="skip",
                   legendgroup="outline"),
    ]
    fig = go.Figure(data=bars(start) + outline,
                    frames=[go.Frame(data=bars(y), name=str(y), traces=[0, 1]) for y in years])
    ticks = _symmetric_ticks(xmax)
    fig.update_layout(
        barmode="overlay", bargap=0.05,
        updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.06, xanchor="left",
                          yanchor="top", direction="left", buttons=[
                              dict(label="▶ Spill av", method="animate",
                                   args=[None, dict(frame=dict(duration=400, redraw=True),
                                                    transition=dict(duration=0),
                                                    fromcurrent=True)]),
                              dict(label="❚❚ Pause", method="animate",
                                   args=[[None], dict(frame=dict(duration=0, redraw=False),
                                                      mode="immediate")])])],
        sliders=[dict(active=years.index(start), x=0.18, len=0.82, y=-0.02, yanchor="top",
                      currentvalue=dict(prefix="År: ", font=dict(size=16)),
                      pad=dict(t=30),
                      steps=[dict(label=str(y), method="animate",
                                  args=[[str(y)], dict(mode="immediate",
                                                       frame=dict(duration=0, redraw=True),
                                                       transition=dict(duration=0))])
                             for y in years])])
    base_layout(fig, height=height, xformat=INT_FORMAT, yformat="d")
    fig.update_layout(hovermode="closest", legend=dict(y=1.06, yanchor="bottom"),
                      margin=dict(l=10, r=10, t=40, b=120))
    fig.update_xaxes(range=[-xmax, xmax], tickvals=ticks,
                     ticktext=[fmt_int(abs(t)) for t in ticks], title_text="Personer",
                     autorange=False, fixedrange=True)
    fig.update_yaxes(range=[-1, 106], title_text="Alder", dtick=10, autorange=False,
                     fixedrange=True)
    return fig


def _symmetric_ticks(xmax: float) -> list[float]:
    """About five ticks per side at 1/2/5 × 10^k."""
    import math
    raw = xmax / 4
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    n = int(xmax // step)
    return [-(i * step) for i in range(n, 0, -1)] + [0] + [i * step for i in range(1, n + 1)]
