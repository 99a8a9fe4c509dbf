"""Bemanning: årsverk needed in pleie og omsorg toward 2050 and the share of people aged
20–66 it would take, beside the national figure. Thin page over ``analysis.staffing``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import kostra, method
from analysis import services as sv
from analysis import staffing as sf
from data_sources import catalog, config
from ui import charts, data, export, state
from ui import scenario as scn
from analysis.format import fmt_int, fmt_num, fmt_share


@st.cache_data(show_spinner=False, max_entries=512)
def _outlook(version: str, path: str, region: str, level: str, ptab: str | None,
             scenario: sv.Scenario) -> pd.DataFrame:
    base = scn.base(version, path, region, level)
    if not base.ok:
        return pd.DataFrame(columns=["alternative", "year", "aarsverk", "pop_20_66", "share"])
    return sf.outlook(base, scn.population(version, path, region, base.pop_year, ptab),
                      scenario)


def staffing_table(out_u: pd.DataFrame, out_s: pd.DataFrame, alternative: str) -> pd.DataFrame:
    """År, årsverk uendret/scenario with range, persons 20–66, shares (%)."""
    ru = sv.with_range(out_u, alternative, "aarsverk", keys=())
    rs = sv.with_range(out_s, alternative, "aarsverk", keys=())
    su = out_u[out_u["alternative"] == alternative].set_index("year")
    ss = out_s[out_s["alternative"] == alternative].set_index("year")
    years = ru["year"].astype(int)
    return pd.DataFrame({
        "År": years.to_numpy(),
        "Årsverk, uendret": ru["aarsverk"].round(1).to_numpy(),
        "Årsverk, scenario": rs["aarsverk"].round(1).to_numpy(),
        "Lav (alle alternativer)": rs["low"].round(1).to_numpy(),
        "Høy (alle alternativer)": rs["high"].round(1).to_numpy(),
        "Innbyggere 20–66 år": su.loc[years, "pop_20_66"].round(0).to_numpy(),
        "Andel 20–66, uendret (%)": (su.loc[years, "share"] * 100).round(2).to_numpy(),
        "Andel 20–66, scenario (%)": (ss.loc[years, "share"] * 100).round(2).to_numpy(),
    })


def aarsverk_figure(df: pd.DataFrame, title: str, show_scenario: bool):
    return scn.band_figure(df, unchanged="Årsverk, uendret", scenario="Årsverk, scenario",
                           title=title, ytitle="Årsverk", show_scenario=show_scenario)


def share_table(base_year: int, local: dict, land: dict, name: str) -> pd.DataFrame:
    """Andel (%) of 20–66 needed: rows per (region, variant), columns base year + key years."""
    rows = []
    for region, variants in ((name, local), ("Hele landet", land)):
        for variant, shares in variants.items():
            if shares:
                rows.append({"Region": region, "Forutsetning": variant,
                             **{str(y): round(shares[y] * 100, 2) if y in shares else None
                                for y in (base_year, *scn.KEY_YEARS)}})
    return pd.DataFrame(rows)


def share_figure(tab: pd.DataFrame):
    years = [c for c in tab.columns if c.isdigit()]
    colors = ["#1f4e79", "#2a7ab0", "#c8553d", "#e39b8b"]
    traces = [dict(type="bar", x=years, y=[None if pd.isna(r[y]) else float(r[y]) for y in years],
                   name=f"{r['Region']}, {r['Forutsetning'].lower()}",
                   marker=dict(color=colors[i % 4]), hovertemplate="%{y:,.2f} %")
              for i, (_, r) in enumerate(tab.iterrows())]
    layout = charts.layout_defaults(dict(barmode="group"), height=360, yformat=",.1f",
                                    xformat="", ytitle="Prosent")
    layout.update(hovermode="closest")
    layout["xaxis"]["type"] = "category"
    return charts.figure(traces, layout)


def main() -> None:
    sel = state.current()
    version, path = data.cache_version(), str(config.db_path())
    st.title(f"Bemanning – {sel.region_name}")
    st.markdown(
        "Hvor mange årsverk i pleie og omsorg trengs mot 2030, 2040 og 2050 med dagens "
        "dekningsgrad og bemanning per bruker – og hvor stor andel av innbyggerne 20–66 år "
        "ville det kreve, sammenlignet med landet? Endre forutsetningene for å se hva som "
        "hjelper.")
    base = scn.base(version, path, sel.region_code, sel.level)
    for n in base.notes:
        st.caption(f"ℹ️ {n}")
    ptab = scn.projection_table(version, path)
    if not base.ok or base.aarsverk is None:
        st.info(f"Databasen mangler KOSTRA-tall (brukere eller årsverk) eller befolkning for "
                f"{sel.region_name}. Hent eller importer tallene på siden «Oversikt og data».")
        if (Path(__file__).parent / "oversikt.py").exists():
            st.page_link("views/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")
        return
    out_u = _outlook(version, path, sel.region_code, sel.level, ptab, sv.UNCHANGED)
    if out_u.empty or sel.alternative not in set(out_u["alternative"]):
        st.info(f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
                f"({catalog.alternative_phrase(sel.alternative)}). Hent eller importer tallene på siden "
                "«Oversikt og data».")
        return
    scenario = scn.controls()
    out_s = out_u if scenario.unchanged else \
        _outlook(version, path, sel.region_code, sel.level, ptab, scenario)
    horizon = min(sel.horizon, int(out_u["year"].max()))
    y0 = base.pop_year
    ptab = ptab or "14746"
    caption = charts.source_caption(
        ["12292", "12003", "07459", ptab],
        extra={"12292": f"årsverk {base.aarsverk_year}",
               ptab: f"{catalog.alternative_phrase(sel.alternative)}; spenn: alle ni alternativer; "
                     f"{scn.describe(scenario)}"})

    # -- key figures -------------------------------------------------------------------
    au = sf.at_years(out_u, sel.alternative, (y0, horizon), "aarsverk")
    as_ = sf.at_years(out_s, sel.alternative, (y0, horizon), "aarsverk")
    shu = sf.at_years(out_u, sel.alternative, (y0, *scn.KEY_YEARS), "share")
    shs = sf.at_years(out_s, sel.alternative, (y0, *scn.KEY_YEARS), "share")
    land_u, land_s = {}, {}
    if sel.level != "land":
        lu = _outlook(version, path, "0", "land", ptab, sv.UNCHANGED)
        ls = lu if scenario.unchanged else _outlook(version, path, "0", "land", ptab, scenario)
        land_u = sf.at_years(lu, sel.alternative, (y0, *scn.KEY_YEARS), "share") if len(lu) else {}
        land_s = sf.at_years(ls, sel.alternative, (y0, *scn.KEY_YEARS), "share") if len(ls) else {}
    else:
        land_u, land_s = shu, shs
    st.subheader(f"Nøkkeltall {horizon}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"Årsverk i dag ({base.aarsverk_year})", fmt_int(base.aarsverk), border=True,
              help="Årsverk i brukerrettede tjenester i pleie og omsorg (KOSTRA 12292).")
    c2.metric(f"Årsverk {horizon}, uendret", fmt_int(au.get(horizon)),
              f"{fmt_int(au.get(horizon, 0) - base.aarsverk, sign=True)} fra i dag",
              delta_color="off", border=True,
              delta_arrow=scn.arrow(au.get(horizon, 0) - base.aarsverk),
              help=("Dagens årsverk × vektede brukere i året / vektede brukere i dag "
                    f"(hjemmetjenestemottaker = {fmt_num(sf.HOME_WEIGHT, 1)} "
                    "institusjonsbruker)."))
    c3.metric(f"Årsverk {horizon}, scenario", fmt_int(as_.get(horizon)),
              f"{fmt_int(as_.get(horizon, 0) - au.get(horizon, 0), sign=True)} mot uendret",
              delta_color="off", border=True,
              delta_arrow=scn.arrow(as_.get(horizon, 0) - au.get(horizon, 0)), help=scn.describe(scenario))
    c4.metric(f"Andel 20–66 år {horizon}", fmt_share(shu.get(horizon), 1),
              f"fra {fmt_share(shu.get(y0), 1)} i {y0}; landet "
              f"{fmt_share(land_u.get(horizon), 1)}", delta_color="off", border=True,
              delta_arrow="off",
              help=("Andel av innbyggerne 20–66 år som må jobbe i pleie og omsorg: "
                    "årsverk som trengs delt på innbyggere 20–66 år samme år (uendret "
                    "scenario). Deltid gjør at antall personer er høyere enn antall årsverk."))

    # -- årsverk chart -----------------------------------------------------------------
    st.subheader("Årsverk som trengs fram mot 2050")
    table = staffing_table(out_u, out_s, sel.alternative)
    st.plotly_chart(aarsverk_figure(table, f"Årsverk i pleie og omsorg, {sel.region_name}",
                                    not scenario.unchanged),
                    key="aarsverk_chart", config={"displaylogo": False})
    st.caption(caption)
    export.download_buttons(table, f"arsverk_{sel.region_code}_{sel.alternative}", "dl_aarsverk")

    # -- share of 20–66 ----------------------------------------------------------------
    st.subheader("Andel av innbyggerne 20–66 år som må jobbe i pleie og omsorg")
    local = {"Uendret": shu} if scenario.unchanged else {"Uendret": shu, "Scenario": shs}
    land = {} if sel.level == "land" else (
        {"Uendret": land_u} if scenario.unchanged else {"Uendret": land_u, "Scenario": land_s})
    stab = share_table(y0, local, land, sel.region_name)
    if not land_u and sel.level != "land":
        st.caption("ℹ️ Landstall mangler i databasen (KOSTRA EAK eller befolkning for hele "
                   "landet).")
    st.plotly_chart(share_figure(stab), key="share_chart", config={"displaylogo": False})
    st.caption(caption.rstrip(".") + "; hele landet beregnet på samme måte (KOSTRA EAK).")
    st.dataframe(stab.assign(**{c: [fmt_num(v, 2, missing="–") for v in stab[c]]
                                for c in stab.columns if c.isdigit()}), hide_index=True)
    export.download_buttons(stab, f"andel_20_66_{sel.region_code}_{sel.alternative}", "dl_share")

    # -- KOSTRA comparison --------------------------------------------------------------
    st.subheader("Årsverk per 1 000 innbyggere 80+ sammenlignet")
    cmp = scn.comparison(version, path, sel.region_code, sel.level)
    d = cmp[cmp["indicator"] == "aarsverk1000"]
    ind = next(i for i in kostra.INDICATORS if i.key == "aarsverk1000")
    if d["value"].notna().any():
        year = int(d.loc[d["value"].notna(), "year"].max())
        latest = d[d["year"] == year]
        cols = st.columns(len(latest))
        for col, r in zip(cols, latest.itertuples(index=False)):
            if pd.isna(r.value):
                col.metric(f"{r.label} {year}", "–", border=True,
                           help=r.note if isinstance(r.note, str) else "Ingen tall.")
            else:
                col.metric(f"{r.label} {year}", fmt_num(r.value, 1), border=True,
                           help=f"{ind.definition} Kilde: {ind.source}.")
                if not pd.isna(r.count):
                    col.caption(f"{fmt_num(r.count, 1)} årsverk")
        st.caption(f"Definisjon: {ind.definition} Enhet: {ind.unit}. Kilde: {ind.source}.")
        out = latest.rename(columns={"label": "Region", "code": "KOSTRA-kode", "year": "År",
                                     "value": "Årsverk per 1 000 80+", "count": "Årsverk",
                                     "note": "Merknad"})
        export.download_buttons(out[["Region", "KOSTRA-kode", "År", "Årsverk per 1 000 80+",
                                     "Årsverk", "Merknad"]],
                                f"arsverk_per_1000_80_{sel.region_code}", "dl_cmp")
    else:
        st.info("Ingen tall for årsverk per 1 000 innbyggere 80+ i databasen.")

    with st.expander("Metode"):
        st.markdown(method.markdown())


main()
