"""Bemanning: årsverk needed in pleie og omsorg toward 2050 and the share of people aged
20–66 it would take, beside the national figure. Thin page over ``analysis.staffing``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import demography as dem
from analysis import kostra, method
from analysis import services as sv
from analysis import staffing as sf
from data_sources import catalog, config
from ui import charts, data, export, state
from ui.format import fmt_int, fmt_num, fmt_share

KEY_YEARS = (2030, 2040, 2050)
# Same keys as on «Tjenester og kapasitet», so a scenario follows the user between pages.
SLIDERS = (  # key, label, min, max, step, decimals, unit, help
    ("institution_change", "Dekningsgrad institusjon, endring per år", -5.0, 5.0, 0.5, 1, "%",
     "Negativ verdi: færre får institusjonsplass i hver aldersgruppe, år for år."),
    ("home_change", "Dekningsgrad hjemmetjenester, endring per år", -5.0, 5.0, 0.5, 1, "%",
     "Positiv verdi: flere får hjemmetjenester i hver aldersgruppe, år for år."),
    ("healthy_years", "Sunnere aldring innen 2050", 0.0, 5.0, 0.5, 1, "år",
     "Dagens dekningsgrader flyttes så mange år opp i alder innen 2050, innfaset jevnt."),
    ("productivity", "Produktivitet, endring per år", -2.0, 3.0, 0.25, 2, "%",
     "Endring i hvor mange brukere ett årsverk dekker, per år (velferdsteknologi, "
     "organisering)."),
    ("shift_to_home", "Omsorgstrappen: fra institusjon til hjemme innen 2050", 0.0, 50.0, 5.0,
     0, "%", "Andel av institusjonsbrukerne som får hjemmetjenester i stedet innen 2050, "
     "innfaset jevnt."),
)


def scenario_controls() -> sv.Scenario:
    """Sliders (default 0 = uendret); values persist across pages in session_state."""
    for key, *_ in SLIDERS:
        st.session_state.setdefault(f"scn_{key}", 0.0)
    with st.expander("Scenario: endre forutsetningene", expanded=True):
        if st.button("Tilbakestill til uendret", key="scn_reset"):
            for key, *_ in SLIDERS:
                st.session_state[f"scn_{key}"] = 0.0
                st.session_state.pop(f"_w_scn_{key}", None)
        cols = st.columns(len(SLIDERS))
        for col, (key, label, lo, hi, step, dec, unit, help_) in zip(cols, SLIDERS):
            n = int(round((hi - lo) / step))
            options = [round(lo + i * step, 2) for i in range(n + 1)]
            current = min(options, key=lambda o: abs(o - st.session_state[f"scn_{key}"]))
            with col:
                st.select_slider(
                    label, options, value=current, help=help_, key=f"_w_scn_{key}",
                    format_func=lambda v, d=dec, u=unit: f"{fmt_num(v, d, sign=u == '%')} {u}")
                st.session_state[f"scn_{key}"] = float(st.session_state[f"_w_scn_{key}"])
    return sv.Scenario(**{k: st.session_state[f"scn_{k}"] for k, *_ in SLIDERS})


@st.cache_data(show_spinner=False, max_entries=256)
def _base(version: str, path: str, region: str, level: str) -> sv.ServiceBase:
    return sv.load_base(data.store(), region, level)


@st.cache_data(show_spinner=False, max_entries=16)
def _ptab(version: str, path: str) -> str | None:
    return dem.projection_table_id(data.store())


@st.cache_data(show_spinner=False, max_entries=256)
def _pop(version: str, path: str, region: str, base_year: int, ptab: str | None) -> pd.DataFrame:
    return sv.population_frame(data.store(), region, base_year, ptab)


@st.cache_data(show_spinner=False, max_entries=512)
def _outlook(version: str, path: str, region: str, level: str, ptab: str | None,
             scenario: sv.Scenario) -> pd.DataFrame:
    base = _base(version, path, region, level)
    if not base.ok:
        return pd.DataFrame(columns=["alternative", "year", "aarsverk", "pop_20_66", "share"])
    return sf.outlook(base, _pop(version, path, region, base.pop_year, ptab), scenario)


@st.cache_data(show_spinner=False, max_entries=256)
def _comparison(version: str, path: str, region: str, level: str) -> pd.DataFrame:
    return kostra.comparison(data.store(), region, level)


def _alt_phrase(code: str) -> str:
    if code == "MMMM":
        return "hovedalternativet MMMM"
    return f"alternativet «{catalog.alternative_label(code)}» ({code})"


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


def aarsverk_figure(df: pd.DataFrame, title: str, show_scenario: bool) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["År"], y=df["Høy (alle alternativer)"], mode="lines",
                             line=dict(width=0), showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=df["År"], y=df["Lav (alle alternativer)"], mode="lines",
                             line=dict(width=0), fill="tonexty", fillcolor=charts.COLORS["band"],
                             name="Spenn, alle alternativer", hovertemplate="%{y:,.0f}"))
    fig.add_trace(go.Scatter(x=df["År"], y=df["Årsverk, uendret"], mode="lines",
                             line=dict(color="#888888", width=3,
                                       dash="dash" if show_scenario else "solid"),
                             name="Uendret", hovertemplate="%{y:,.0f}"))
    if show_scenario:
        fig.add_trace(go.Scatter(x=df["År"], y=df["Årsverk, scenario"], mode="lines",
                                 line=dict(color=charts.COLORS["projected"], width=3),
                                 name="Scenario", hovertemplate="%{y:,.0f}"))
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)))
    charts.base_layout(fig, height=380, ytitle="Årsverk")
    fig.update_yaxes(rangemode="tozero")
    return fig


def share_table(base_year: int, local: dict, land: dict, name: str) -> pd.DataFrame:
    """Andel (%) of 20–66 needed: rows per (region, variant), columns base year + key years."""
    rows = []
    for region, variants in ((name, local), ("Hele landet", land)):
        for variant, shares in variants.items():
            if shares:
                rows.append({"Region": region, "Forutsetning": variant,
                             **{str(y): round(shares[y] * 100, 2) if y in shares else None
                                for y in (base_year, *KEY_YEARS)}})
    return pd.DataFrame(rows)


def share_figure(tab: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    years = [c for c in tab.columns if c.isdigit()]
    colors = ["#1f4e79", "#2a7ab0", "#c8553d", "#e39b8b"]
    for i, (_, r) in enumerate(tab.iterrows()):
        vals = [r[y] for y in years]
        fig.add_trace(go.Bar(x=years, y=vals, name=f"{r['Region']}, {r['Forutsetning'].lower()}",
                             marker_color=colors[i % 4], hovertemplate="%{y:,.2f} %"))
    charts.base_layout(fig, height=360, yformat=",.1f", xformat="", ytitle="Prosent")
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(type="category")
    return fig


def main() -> None:
    sel = state.current()
    version, path = data.cache_version(), str(config.db_path())
    st.title(f"Bemanning – {sel.region_name}")
    st.markdown(
        "Hvor mange årsverk i pleie og omsorg trengs mot 2030, 2040 og 2050 med dagens "
        "dekningsgrad og bemanning per bruker – og hvor stor andel av innbyggerne 20–66 år "
        "ville det kreve, sammenlignet med landet? Endre forutsetningene for å se hva som "
        "hjelper.")
    base = _base(version, path, sel.region_code, sel.level)
    for n in base.notes:
        st.caption(f"ℹ️ {n}")
    ptab = _ptab(version, path)
    if not base.ok or base.aarsverk is None:
        st.info(f"Databasen mangler KOSTRA-tall (brukere eller årsverk) eller befolkning for "
                f"{sel.region_name}. Hent eller importer tallene på siden «Oversikt og data».")
        if (Path(__file__).parent / "oversikt.py").exists():
            st.page_link("pages/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")
        return
    out_u = _outlook(version, path, sel.region_code, sel.level, ptab, sv.UNCHANGED)
    if out_u.empty or sel.alternative not in set(out_u["alternative"]):
        st.info(f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
                f"({_alt_phrase(sel.alternative)}). Hent eller importer tallene på siden "
                "«Oversikt og data».")
        return
    scenario = scenario_controls()
    out_s = out_u if scenario.unchanged else \
        _outlook(version, path, sel.region_code, sel.level, ptab, scenario)
    horizon = min(sel.horizon, int(out_u["year"].max()))
    y0 = base.pop_year
    ptab = ptab or "14746"
    caption = charts.source_caption(
        ["12292", "12003", "07459", ptab],
        extra={"12292": f"årsverk {base.aarsverk_year}",
               ptab: f"{_alt_phrase(sel.alternative)}; spenn: alle ni alternativer; "
                     f"{scenario_text(scenario)}"})

    # -- key figures -------------------------------------------------------------------
    au = sf.at_years(out_u, sel.alternative, (y0, horizon), "aarsverk")
    as_ = sf.at_years(out_s, sel.alternative, (y0, horizon), "aarsverk")
    shu = sf.at_years(out_u, sel.alternative, (y0, *KEY_YEARS), "share")
    shs = sf.at_years(out_s, sel.alternative, (y0, *KEY_YEARS), "share")
    land_u, land_s = {}, {}
    if sel.level != "land":
        lu = _outlook(version, path, "0", "land", ptab, sv.UNCHANGED)
        ls = lu if scenario.unchanged else _outlook(version, path, "0", "land", ptab, scenario)
        land_u = sf.at_years(lu, sel.alternative, (y0, *KEY_YEARS), "share") if len(lu) else {}
        land_s = sf.at_years(ls, sel.alternative, (y0, *KEY_YEARS), "share") if len(ls) else {}
    else:
        land_u, land_s = shu, shs
    st.subheader(f"Nøkkeltall {horizon}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"Årsverk i dag ({base.aarsverk_year})", fmt_int(base.aarsverk), border=True,
              help="Årsverk i brukerrettede tjenester i pleie og omsorg (KOSTRA 12292).")
    c2.metric(f"Årsverk {horizon}, uendret", fmt_int(au.get(horizon)),
              f"{fmt_int(au.get(horizon, 0) - base.aarsverk, sign=True)} fra i dag",
              delta_color="off", border=True,
              delta_arrow=_arrow(au.get(horizon, 0) - base.aarsverk),
              help=("Dagens årsverk × vektede brukere i året / vektede brukere i dag "
                    f"(hjemmetjenestemottaker = {fmt_num(sf.HOME_WEIGHT, 1)} "
                    "institusjonsbruker)."))
    c3.metric(f"Årsverk {horizon}, scenario", fmt_int(as_.get(horizon)),
              f"{fmt_int(as_.get(horizon, 0) - au.get(horizon, 0), sign=True)} mot uendret",
              delta_color="off", border=True,
              delta_arrow=_arrow(as_.get(horizon, 0) - au.get(horizon, 0)), help=scenario_text(scenario))
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
    cmp = _comparison(version, path, sel.region_code, sel.level)
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


def _arrow(x: float) -> str:
    return "off" if round(x) == 0 else ("up" if x > 0 else "down")


def scenario_text(s: sv.Scenario) -> str:
    if s.unchanged:
        return "scenario uendret"
    parts = []
    if s.institution_change:
        parts.append(f"institusjon {fmt_num(s.institution_change, 1, sign=True)} %/år")
    if s.home_change:
        parts.append(f"hjemmetjenester {fmt_num(s.home_change, 1, sign=True)} %/år")
    if s.healthy_years:
        parts.append(f"sunnere aldring {fmt_num(s.healthy_years, 1)} år")
    if s.productivity:
        parts.append(f"produktivitet {fmt_num(s.productivity, 2, sign=True)} %/år")
    if s.shift_to_home:
        parts.append(f"omsorgstrapp {fmt_num(s.shift_to_home, 0)} %")
    return "scenario: " + ", ".join(parts)


main()
