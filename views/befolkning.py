"""Befolkning: population toward 2030/2040/2050 for the selected region, with SSB's range.

Thin page: reads the selection, asks ``analysis.demography`` (cached per region), draws with
``ui.charts`` and offers the numbers with ``ui.export``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import demography as dem
from data_sources import catalog, config
from ui import charts, data, export, state
from analysis.format import fmt_int, fmt_num, fmt_pct, fmt_share

PROJ_FALLBACK = "14746"
HISTORY = "07459"


# -- cached reads (keyed by store version, so never stale) --------------------------------
@st.cache_data(show_spinner=False, max_entries=16)
def _projection_table(version: str, path: str) -> str | None:
    return dem.projection_table_id(data.store())


@st.cache_data(show_spinner=False, max_entries=64)
def _cube(version: str, path: str, region: str, ptab: str | None) -> dem.RegionCube:
    """All single-year numbers of one region (≈1 MB), read once per store version."""
    return dem.region_cube(data.store(), region, projection_table=ptab)


def _groups(version: str, path: str, region: str, ptab: str | None) -> pd.DataFrame:
    return dem.groups_from_cube(_cube(version, path, region, ptab))


def _pyramid(version: str, path: str, region: str, alternative: str, base_year: int,
             ptab: str | None) -> pd.DataFrame:
    return dem.pyramid_from_cube(_cube(version, path, region, ptab), alternative, base_year)


@st.cache_data(show_spinner=False, max_entries=4)
def _names(version: str, path: str) -> dict[str, str]:
    opts = data.region_options()
    return dict(zip(opts["code"], opts["name"]))


@st.cache_data(show_spinner=False, max_entries=4)
def _source_rows(version: str, path: str) -> dict[str, dict]:
    """Provenance rows by table id (for ``charts.source_caption``)."""
    return {r["table_id"]: r for r in data.store().sources().to_dict("records")}


def _delta(gc: dem.GroupChange) -> str:
    return f"{fmt_int(gc.change, sign=True)} ({fmt_pct(gc.pct, 1, sign=True)})"


def _arrow(x: float) -> str:
    return "off" if round(x, 3) == 0 else ("up" if x > 0 else "down")


def key_figure_rows(kf: dem.KeyFigures) -> pd.DataFrame:
    """The key figures as a table (what the metrics show), for download."""
    y0, y1 = kf.base_year, kf.horizon
    rows = []
    for g, label in (("Totalt", "Folketall"), ("67–79", "67–79 år"), ("80–89", "80–89 år"),
                     ("90+", "90 år og eldre")):
        gc = kf.groups[g]
        rows.append({"Nøkkeltall": label, str(y0): round(gc.base), str(y1): round(gc.target),
                     "Endring": round(gc.change),
                     "Endring (%)": None if gc.pct is None else round(gc.pct, 1)})
    for label, pair, dec in (("Andel 67 år og eldre (%)", kf.share_67, 1),
                             ("Andel 80 år og eldre (%)", kf.share_80, 1)):
        rows.append({"Nøkkeltall": label, str(y0): round(pair[0] * 100, dec),
                     str(y1): round(pair[1] * 100, dec),
                     "Endring": round((pair[1] - pair[0]) * 100, dec), "Endring (%)": None})
    for label, pair in (("Personer 20–66 år per person 67+", kf.support_67),
                        ("Personer 20–66 år per person 80+", kf.support_80)):
        rows.append({"Nøkkeltall": label, str(y0): round(pair[0], 1), str(y1): round(pair[1], 1),
                     "Endring": round(pair[1] - pair[0], 1), "Endring (%)": None})
    return pd.DataFrame(rows)


def show_key_figures(kf: dem.KeyFigures, caption: str) -> None:
    y0, y1 = kf.base_year, kf.horizon
    defs = dem.INDICATORS
    st.subheader(f"Nøkkeltall {y1} sammenlignet med {y0}")
    for col, (g, label) in zip(st.columns(4), (("Totalt", "Folketall"), ("67–79", "67–79 år"),
                                              ("80–89", "80–89 år"),
                                              ("90+", "90 år og eldre"))):
        gc = kf.groups[g]
        col.metric(label, fmt_int(gc.target), _delta(gc), delta_color="off",
                   delta_arrow=_arrow(gc.change), border=True,
                   delta_description=f"fra {fmt_int(gc.base)}",
                   help=f"{defs['persons'].definition} {defs['change'].definition}")
    cols = st.columns(4)
    for col, (key, label, pair) in zip(cols[:2], (("share_67", "Andel 67+", kf.share_67),
                                                 ("share_80", "Andel 80+", kf.share_80))):
        diff = (pair[1] - pair[0]) * 100
        col.metric(label, fmt_share(pair[1]), f"{fmt_num(diff, 1, sign=True)} %-poeng",
                   delta_color="off", delta_arrow=_arrow(diff), border=True,
                   delta_description=f"fra {fmt_share(pair[0])}", help=defs[key].definition)
    for col, (key, label, pair) in zip(cols[2:], (
            ("support_67", "20–66 år per 67+", kf.support_67),
            ("support_80", "20–66 år per 80+", kf.support_80))):
        diff = pair[1] - pair[0]
        col.metric(label, fmt_num(pair[1], 1), fmt_num(diff, 1, sign=True),
                   delta_color="green" if diff > 0 else ("red" if diff < 0 else "gray"),
                   delta_arrow=_arrow(diff), border=True,
                   delta_description=f"fra {fmt_num(pair[0], 1)}", help=defs[key].definition)
    cols = st.columns(4)
    cols[0].metric("Flere 65+ enn 0–19", dem.crossover_label(kf.crossover), border=True,
                   help=defs["crossover"].definition)
    with cols[1]:
        st.caption(f"Året innbyggere 65 år og eldre blir flere enn innbyggere 0–19 år "
                   f"({catalog.alternative_phrase(kf.alternative)}).")
    with st.expander("Nøkkeltallene som tabell"):
        table = key_figure_rows(kf)
        st.dataframe(table, hide_index=True)
        st.caption(caption)
        export.download_buttons(table, f"nokkeltall_{kf.region_code}_{y1}", "kf")


def main() -> None:
    sel = state.current()
    version, path = data.cache_version(), str(config.db_path())
    ptab = _projection_table(version, path)
    st.title(f"Befolkning – {sel.region_name}")
    st.markdown(
        "Hvor mange innbyggere i alderen 67–79, 80–89 og 90 år og eldre får vi mot 2030, "
        "2040 og 2050, hvor raskt endres det sammenlignet med fylket og landet, og hvor sikkert "
        "er det? Tallene er SSBs befolkningsframskrivinger; skyggen i figurene viser spennet "
        "mellom SSBs ni alternativer.")

    table = _groups(version, path, sel.region_code, ptab)
    if table.empty or not dem.has_projection(table, sel.region_code, sel.alternative):
        st.info(f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
                f"({catalog.alternative_phrase(sel.alternative)}). Hent eller importer tallene på siden "
                "«Oversikt og data».")
        if (Path(__file__).parent / "oversikt.py").exists():
            st.page_link("views/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")
        return

    ptab = ptab or PROJ_FALLBACK
    base = dem.latest_observed_year(table, sel.region_code)
    last = int(table.loc[table["series"] != dem.OBSERVED, "year"].max())
    horizon = min(sel.horizon, last)
    kf = dem.key_figures(table, sel.region_code, sel.alternative, horizon)
    has_history = (table["series"] == dem.OBSERVED).any()
    tables = [ptab, HISTORY] if has_history else [ptab]
    lookup = _source_rows(version, path).get
    caption = charts.source_caption(tables, extra={ptab: catalog.alternative_phrase(sel.alternative)},
                                    lookup=lookup)
    caption_band = charts.source_caption(
        tables, extra={ptab: f"{catalog.alternative_phrase(sel.alternative)}; spenn: alle ni alternativer"},
        lookup=lookup)

    show_key_figures(kf, caption)
    st.subheader("Kort oppsummert")
    st.markdown(dem.summary_text(sel.region_name, kf))
    st.caption(f"Beregnet fra {catalog.alternative_phrase(sel.alternative)}.")

    st.subheader("Utvikling per aldersgruppe")
    st.caption(dem.INDICATORS["band"].definition)
    groups = [("Totalt", "Hele befolkningen"), ("67–79", "67–79 år"), ("80–89", "80–89 år"),
              ("90+", "90 år og eldre")]
    for row in (groups[:2], groups[2:]):
        cols = st.columns(2)
        for col, (g, title) in zip(cols, row):
            with col:
                df = dem.chart_series(table, sel.region_code, sel.alternative, g)
                fig = charts.band_chart(df, base, title=title,
                                        projected_name=f"Framskrevet ({sel.alternative})")
                st.plotly_chart(fig, key=f"band_{g}", config={"displaylogo": False})
                st.caption(caption_band)
                export.download_buttons(df, f"befolkning_{sel.region_code}_{g}", f"dl_{g}")

    show_index(sel, table, version, path, ptab, caption)
    show_pyramid(sel, base, version, path, ptab, horizon, caption)

    with st.expander("Definisjoner"):
        for ind in dem.INDICATORS.values():
            st.markdown(f"**{ind.label}** ({ind.unit}; {ind.polarity}). {ind.definition}")


def show_index(sel: state.Selection, table: pd.DataFrame, version: str, path: str,
               ptab: str, caption: str) -> None:
    st.subheader("Vekst sammenlignet med fylket og landet")
    st.caption(f"Vekstindeks: {dem.INDICATORS['index'].definition}")
    names = {sel.region_code: sel.region_name}
    frames = [table]
    opts = _names(version, path)
    for code in ([sel.fylke_code] if sel.fylke_code else []) + (["0"] if sel.level != "land"
                                                                 else []):
        t = _groups(version, path, code, ptab)
        if dem.has_projection(t, code, sel.alternative):
            frames.append(t)
            names[code] = str(opts.get(code, code))
    both = pd.concat(frames, ignore_index=True)
    idx = dem.growth_index(both, list(names), sel.alternative)
    fig = charts.index_chart(idx, names, dem.ELDERLY_GROUPS)
    st.plotly_chart(fig, key="index", config={"displaylogo": False})
    st.caption(caption)
    out = idx.assign(region=idx["region_code"].map(names), index=idx["index"].round(1))
    out = out.rename(columns={"region_code": "Regionnummer", "region": "Region",
                              "group": "Aldersgruppe", "year": "År", "persons": "Personer",
                              "index": "Indeks"})
    export.download_buttons(out[["Regionnummer", "Region", "Aldersgruppe", "År", "Personer",
                                 "Indeks"]], f"vekstindeks_{sel.region_code}", "dl_index")


def show_pyramid(sel: state.Selection, base: int, version: str, path: str, ptab: str,
                 horizon: int, caption: str) -> None:
    st.subheader("Befolkningspyramide")
    st.caption(f"Antall personer etter ettårig alder og kjønn. Omrisset viser {base}. Trykk "
               "«Spill av» eller dra i glidebryteren for å se årene.")
    df = _pyramid(version, path, sel.region_code, sel.alternative, base, ptab)
    fig = charts.pyramid_chart(df, base, start_year=horizon)
    st.plotly_chart(fig, key="pyramid", config={"displaylogo": False})
    st.caption(caption)
    out = df.assign(sex=df["sex"].map({"1": "Menn", "2": "Kvinner"}))
    out = out.rename(columns={"year": "År", "age": "Alder", "sex": "Kjønn",
                              "persons": "Personer"})
    export.download_buttons(out, f"pyramide_{sel.region_code}_{sel.alternative}", "dl_pyr")


main()
