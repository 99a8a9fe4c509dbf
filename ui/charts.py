"""Plotly helpers shared by all pages: Norwegian layout, source captions, standard charts.

Every figure goes through ``layout_defaults`` (separators ``", "`` → "12 345,6", explicit
tick formats, one font, legend below, a small template). Chart builders take the tidy
frames from ``analysis`` — exactly the numbers the page also offers for download — and
return ``go.Figure``; ``frozen(fig)`` marks one that is cached and drawn again.
No Streamlit import here except in ``source_caption``'s default lookup (lazy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.format import PLOTLY_SEPARATORS, fmt_int

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
# A minimal template: only a colour-blind-safe colorway (Okabe–Ito order after our own
# region colours) for the rare trace without its own colour. Charts are drawn with
# ``theme=None`` (PLOTLY_THEME): Streamlit's theme merge in the browser cost about a third
# of the renderer CPU per kommune switch (bench/pages.py --browser), and every layout
# here sets font, colours and background itself.
TEMPLATE = {"layout": {"colorway": REGION_COLORS + ["#e69f00", "#56b4e9", "#009e73",
                                                    "#cc79a7", "#0072b2", "#d55e00"]}}
PLOTLY_THEME = None


def figure(data: list[dict], layout: dict | None = None) -> go.Figure:
    """A ``go.Figure`` from plain trace/layout dicts, skipping plotly's per-property
    validation (10–20× faster for many traces; the dicts are authored here and the figures
    are covered by tests, so validation buys nothing at run time)."""
    return go.Figure({"data": data, "layout": layout or {}}, _validate=False)


class _Frozen(go.Figure):
    """A finished figure shared read-only between runs and sessions, held as its dict
    alone. ``st.plotly_chart`` needs a plotly figure only to call ``to_dict()`` on it (a deep
    copy each time for a live figure); this one returns the dict it was made from, so drawing
    it again copies nothing. It pickles as that dict (a prebuilt report, ``ui.prebuild``, is
    read back without making the figure again). For ``st.plotly_chart`` only: it has no
    traces or layout objects to change (``go.Figure.__init__`` is deliberately not run)."""

    def __init__(self, fig_dict: dict):  # noqa: D107 - see the class docstring
        self._kg_dict = fig_dict

    def to_dict(self) -> dict:
        return self._kg_dict

    def __reduce__(self):
        return (_Frozen, (self._kg_dict,))

    def __repr__(self) -> str:
        return f"<finished figure: {len(self._kg_dict.get('data', []))} traces>"


def frozen(fig: go.Figure) -> go.Figure:
    """``fig`` finished (no more changes), as a figure that only ``st.plotly_chart`` draws:
    for figures kept with a report and drawn again and again."""
    return _Frozen(fig.to_dict())


def _arr(s) -> np.ndarray:
    return np.asarray(s, dtype=float)


MARGIN_LEFT, MARGIN_BOTTOM, TITLE_ROOM = 80, 36, 26  # px: tick labels, and an axis title


def layout_defaults(layout: dict | None = None, *, height: int = 420,
                    yformat: str = INT_FORMAT, xformat: str = "d", ytitle: str | None = None,
                    xtitle: str | None = None) -> dict:
    """``layout`` (a plotly layout dict) with the common settings merged in: Norwegian
    separators, font, legend below, explicit tick formats on every x/y axis present."""
    out = dict(layout or {})
    out.setdefault("template", TEMPLATE)
    # Margins are fixed, wide enough for tick labels up to «−6 000 000» in FONT and an
    # axis title, instead of measured (``automargin``): Plotly then lays a figure out once
    # instead of measuring its labels and drawing again, which halves the time Chromium
    # takes to draw one (Befolkning's three figures, Plotly alone: 276 → 128 ms). A legend
    # below still makes room for itself.
    out.update(separators=PLOTLY_SEPARATORS, height=height, font=FONT, hovermode="x unified",
               margin=dict(l=MARGIN_LEFT + (TITLE_ROOM if ytitle else 0), r=24, t=40,
                           b=MARGIN_BOTTOM + (TITLE_ROOM if xtitle else 0)),
               plot_bgcolor="white", paper_bgcolor="white",
               legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0,
                           traceorder="normal"))
    xaxis = dict(tickformat=xformat, showgrid=False, title=dict(text=xtitle), automargin=False)
    yaxis = dict(tickformat=yformat, gridcolor="#e5e5e5", zeroline=False,
                 title=dict(text=ytitle), automargin=False)
    keys = [k for k in out if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]
    for k in set(keys) | {"xaxis", "yaxis"}:
        out[k] = {**(xaxis if k.startswith("x") else yaxis), **out.get(k, {})}
        # a set standoff places an axis title beside its tick labels; without one (and
        # without automargin) Plotly puts it at a fixed place that long labels run into
        title = out[k].get("title")
        if isinstance(title, dict):
            out[k]["title"] = {"standoff": 6, **title}
    return out


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
def _band_parts(df: pd.DataFrame, base_year: int, projected_name: str) -> tuple[list, dict]:
    """Traces and layout pieces (the base-year line and its note) of one band chart."""
    years = df["År"].to_numpy()
    obs, proj, low, high = (df[c].to_numpy(dtype=float)
                            for c in ("Observert", "Framskrevet", "Lav", "Høy"))
    b, o, p = ~np.isnan(low) & ~np.isnan(high), ~np.isnan(obs), ~np.isnan(proj)
    data = [
        dict(type="scatter", x=years[b], y=high[b], mode="lines", line=dict(width=0),
             showlegend=False, hoverinfo="skip", name="Høy"),
        dict(type="scatter", x=years[b], y=low[b], mode="lines", line=dict(width=0),
             fill="tonexty", fillcolor=COLORS["band"], name="Spenn, alle alternativer",
             customdata=high[b], hovertemplate="%{y:,.0f}–%{customdata:,.0f}"),
        dict(type="scatter", x=years[o], y=obs[o], mode="lines",
             line=dict(color=COLORS["observed"], width=3), name="Observert",
             hovertemplate="%{y:,.0f}"),
        dict(type="scatter", x=years[p], y=proj[p], mode="lines",
             line=dict(color=COLORS["projected"], width=3, dash="dash"),
             name=projected_name, hovertemplate="%{y:,.0f}"),
    ]
    line = dict(type="line", x0=base_year, x1=base_year, y0=0, y1=1, yref="paper",
                line=dict(color="#888", width=1, dash="dot"))
    note = dict(x=base_year, y=1, yref="paper", text="Framskrevet →", showarrow=False,
                xanchor="left", yanchor="bottom", font=dict(size=12, color="#555"))
    return data, {"shapes": [line], "annotations": [note]}


def band_chart(df: pd.DataFrame, base_year: int, *, title: str | None = None,
               projected_name: str = "Framskrevet", height: int = 360) -> go.Figure:
    """History line, projection line and min–max band; boundary at ``base_year``.

    ``df``: columns ``År, Observert, Framskrevet, Lav, Høy`` (persons) as from
    ``analysis.demography.chart_series``.
    """
    data, layout = _band_parts(df, base_year, projected_name)
    if title:
        layout["title"] = dict(text=title, x=0, font=dict(size=16))
    layout["yaxis"] = dict(rangemode="tozero")
    return figure(data, layout_defaults(layout, height=height))


def band_grid(panels: Sequence[tuple[pd.DataFrame, str]], base_year: int, *,
              projected_name: str = "Framskrevet", height: int = 760) -> go.Figure:
    """``band_chart`` per (data, title) as small multiples in ONE figure (two per row, each
    panel its own y axis, one legend). One figure draws in about half the browser time of
    four (bench/pages.py --browser: renderer CPU per kommune switch)."""
    rows = (len(panels) + 1) // 2
    gap_x, gap_y = 0.08, 0.16
    w, h = (1 - gap_x) / 2, (1 - gap_y * (rows - 1)) / rows
    data: list[dict] = []
    layout: dict = {"shapes": [], "annotations": []}
    for i, (df, title) in enumerate(panels):
        traces, parts = _band_parts(df, base_year, projected_name)
        sfx = str(i + 1) if i else ""
        r, c = divmod(i, 2)
        x0, y1 = c * (w + gap_x), 1 - r * (h + gap_y)
        layout[f"xaxis{sfx}"] = dict(domain=[x0, x0 + w], anchor=f"y{sfx}")
        layout[f"yaxis{sfx}"] = dict(domain=[y1 - h, y1], anchor=f"x{sfx}", rangemode="tozero")
        for t in traces:
            t.update(xaxis=f"x{sfx}", yaxis=f"y{sfx}", legendgroup=t["name"])
            if i:
                t["showlegend"] = False
            data.append(t)
        shape = dict(parts["shapes"][0], xref=f"x{sfx}", yref=f"y{sfx} domain")
        note = dict(parts["annotations"][0], xref=f"x{sfx}", yref=f"y{sfx} domain")
        head = dict(text=f"<b>{title}</b>", x=0, y=1.0, xref=f"x{sfx} domain",
                    yref=f"y{sfx} domain", xanchor="left", yanchor="bottom", yshift=18,
                    showarrow=False, font=dict(size=15))
        layout["shapes"].append(shape)
        layout["annotations"] += [note, head]
    out = layout_defaults(layout, height=height)
    out["legend"]["y"] = -0.06
    out["margin"] = dict(out["margin"], r=30, t=50)
    return figure(data, out)


def side_by_side(figs: Sequence[go.Figure], titles: Sequence[str], *,
                 height: int = 340) -> go.Figure:
    """Figures with one x and one y axis each, as panels of ONE figure side by side (each
    its own y axis and its title above it, one legend: a trace name is listed once and
    clicking it hides that line in every panel). One figure draws in less browser time
    than several (``band_grid``)."""
    n, gap = len(figs), 0.08
    width = (1 - gap * (n - 1)) / n
    data: list[dict] = []
    layout: dict = {"annotations": []}
    listed: set[str] = set()
    for i, (fig, title) in enumerate(zip(figs, titles)):
        d = fig.to_dict()
        sfx = str(i + 1) if i else ""
        x0 = i * (width + gap)
        layout[f"xaxis{sfx}"] = {**d["layout"].get("xaxis", {}), "domain": [x0, x0 + width],
                                 "anchor": f"y{sfx}"}
        layout[f"yaxis{sfx}"] = {**d["layout"].get("yaxis", {}), "anchor": f"x{sfx}"}
        for t in d["data"]:
            name = t.get("name", "")
            data.append({**t, "xaxis": f"x{sfx}", "yaxis": f"y{sfx}", "legendgroup": name,
                         "showlegend": name not in listed})
            listed.add(name)
        layout["annotations"].append(dict(
            text=f"<b>{title}</b>", x=0, y=1.0, xref=f"x{sfx} domain", yref="paper",
            xanchor="left", yanchor="bottom", yshift=12, showarrow=False, font=dict(size=15)))
    first = figs[0].to_dict()["layout"]
    out = layout_defaults(layout, height=height,
                          yformat=first.get("yaxis", {}).get("tickformat", INT_FORMAT))
    for key in ("hovermode", "separators"):
        if key in first:
            out[key] = first[key]
    out["margin"] = dict(first.get("margin", out["margin"]), r=30, t=50)  # room for titles
    return figure(data, out)


def index_chart(df: pd.DataFrame, names: Mapping[str, str], groups: Sequence[str], *,
                height: int = 380) -> go.Figure:
    """Growth index per group (one panel each), one line per region.

    ``df``: long ``region_code, group, year, index`` (base year = 100).
    """
    n, gap = len(groups), 0.04
    width = (1 - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    data = []
    for gi, g in enumerate(groups):
        sfx = str(gi + 1) if gi else ""
        x0 = gi * (width + gap)
        layout[f"xaxis{sfx}"] = dict(domain=[x0, x0 + width], anchor=f"y{sfx}")
        layout[f"yaxis{sfx}"] = dict(anchor=f"x{sfx}", **({"matches": "y",
                                                            "showticklabels": False}
                                                           if gi else {}))
        layout["annotations"].append(dict(text=f"{g} år", x=x0 + width / 2, y=1.0,
                                          xref="paper", yref="paper", xanchor="center",
                                          yanchor="bottom", showarrow=False,
                                          font=dict(size=15)))
    codes = df["region_code"].to_numpy(dtype=object)
    grp = df["group"].to_numpy(dtype=object)
    years, index = df["year"].to_numpy(), _arr(df["index"])
    for ri, (code, name) in enumerate(names.items()):
        color = REGION_COLORS[ri % len(REGION_COLORS)]
        for gi, g in enumerate(groups):
            m = (codes == code) & (grp == g)
            sfx = str(gi + 1) if gi else ""
            data.append(dict(
                type="scatter", x=years[m], y=index[m], mode="lines",
                name=name, legendgroup=code, showlegend=gi == 0, xaxis=f"x{sfx}",
                yaxis=f"y{sfx}", line=dict(color=color, width=3 if ri == 0 else 2),
                hovertemplate=f"{name}: " + "%{y:,.1f}<extra></extra>"))
    layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, y0=100, y1=100,
                             line=dict(color="#888", width=1, dash="dot"))]
    layout = layout_defaults(layout, height=height, yformat=",.0f")
    layout["hovermode"] = "closest"
    return figure(data, layout)


def _outline(ages: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step outline around horizontal bars centred on each age (bar height 1)."""
    if len(x) == 0:
        return np.asarray(x, float), np.asarray(ages, float)
    xs = np.append(np.asarray(x, float), x[-1])
    ys = np.append(np.asarray(ages, float) - 0.5, ages[-1] + 0.5)
    return xs, ys


def pyramid_chart(df: pd.DataFrame, base_year: int, *, year: int | None = None,
                  height: int = 620) -> go.Figure:
    """Population pyramid of one year (single-year age, menn left, kvinner right).

    ``df``: ``year, age, sex ('1'/'2'), persons`` as from ``analysis.demography.pyramid``,
    all years: the axes are fixed to the largest bar over all of them, so the chart keeps
    its scale when the page's year slider draws another year. The base year's pyramid is
    drawn as an outline. One year per figure (no animation frames): 25 frames were 75 KB of
    every kommune switch, sent whether or not anyone played them.
    """
    years = sorted(df["year"].unique().tolist())
    ages = np.arange(106)
    # cube[year, sex (0 menn, 1 kvinner), age]; ages missing in the data count as 0.
    cube = np.zeros((len(years), 2, len(ages)))
    yi = np.searchsorted(years, df["year"].to_numpy())
    si = (df["sex"].to_numpy() == "2").astype(int)
    cube[yi, si, df["age"].to_numpy().clip(0, 105)] = df["persons"].to_numpy(dtype=float)
    shown = cube[years.index(year)] if year in years else cube[0]
    xmax = float(cube.max() or 1) * 1.08
    base = cube[years.index(base_year)] if base_year in years else cube[0]
    mx, my = _outline(ages, -base[0])
    wx, wy = _outline(ages, base[1])
    line = dict(color=COLORS["outline"], width=1.2, shape="vh")
    data = [
        dict(type="bar", y=ages, x=-shown[0], orientation="h", name="Menn",
             marker=dict(color=COLORS["men"]), customdata=shown[0],
             hovertemplate="Menn %{y} år: %{customdata:,.0f}<extra></extra>"),
        dict(type="bar", y=ages, x=shown[1], orientation="h", name="Kvinner",
             marker=dict(color=COLORS["women"]),
             hovertemplate="Kvinner %{y} år: %{x:,.0f}<extra></extra>"),
        dict(type="scatter", x=mx, y=my, mode="lines", line=line,
             name=f"{base_year} (omriss)", hoverinfo="skip", legendgroup="outline"),
        dict(type="scatter", x=wx, y=wy, mode="lines", line=line, showlegend=False,
             hoverinfo="skip", legendgroup="outline"),
    ]
    ticks = _symmetric_ticks(xmax)
    layout = dict(
        barmode="overlay", bargap=0.05,
        xaxis=dict(range=[-xmax, xmax], tickvals=ticks,
                   ticktext=[fmt_int(abs(t)) for t in ticks], title=dict(text="Personer"),
                   autorange=False, fixedrange=True),
        yaxis=dict(range=[-1, 106], title=dict(text="Alder"), dtick=10, autorange=False,
                   fixedrange=True))
    layout = layout_defaults(layout, height=height, xformat=INT_FORMAT, yformat="d")
    layout.update(hovermode="closest", legend=dict(orientation="h", y=1.02, yanchor="bottom",
                                                   x=0, xanchor="left"))
    return figure(data, layout)


def _symmetric_ticks(xmax: float) -> list[float]:
    """About five ticks per side at 1/2/5 × 10^k."""
    import math
    raw = xmax / 4
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    n = int(xmax // step)
    return [-(i * step) for i in range(n, 0, -1)] + [0] + [i * step for i in range(1, n + 1)]
