"""Tjenester og kapasitet: users of institution and home services toward 2050, places,
scenarios and the KOSTRA comparison. Thin page: the model is ``analysis.services`` and
``analysis.kostra``; charts and downloads go through ``ui``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import kostra, method
from analysis import services as sv
from data_sources import catalog, config
from ui import charts, data, export, state
from ui import scenario as scn
from analysis.format import fmt_int, fmt_num


# -- cached model runs ---------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=512)
def _projection(version: str, path: str, region: str, level: str, ptab: str | None,
                scenario: sv.Scenario) -> pd.DataFrame:
    base = scn.base(version, path, region, level)
    pop = scn.population(version, path, region, base.pop_year, ptab)
    return sv.project_users(base.bands, pop, base.pop_year, scenario)


@st.cache_data(show_spinner=False, max_entries=512)
def _summary(version: str, path: str, region: str, level: str, ptab: str | None,
             scenario: sv.Scenario, alternative: str) -> pd.DataFrame:
    """year, service, users, low, high for the chosen alternative (range: all alternatives)."""
    return sv.with_range(_projection(version, path, region, level, ptab, scenario), alternative)


def users_figure(table: pd.DataFrame, places: float | None, title: str,
                 show_scenario: bool):
    return scn.band_figure(table, unchanged="Uendret", scenario="Scenario", title=title,
                           ytitle="Personer", show_scenario=show_scenario, hline=places,
                           hline_text=scn.places_text(places) if places is not None else "")


def _no_data(sel: state.Selection, why: str) -> None:
    st.info(f"{why} Hent eller importer tallene på siden «Oversikt og data».")
    if (Path(__file__).parent / "oversikt.py").exists():
        st.page_link("views/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")


# -- figures -------------------------------------------------------------------------------
def service_table(sum_u: pd.DataFrame, sum_s: pd.DataFrame, service: str) -> pd.DataFrame:
    """År, Uendret, Scenario, Lav, Høy (scenario range over all alternatives) — persons.

    ``sum_u``/``sum_s``: ``_summary`` frames (unchanged / scenario)."""
    u = sum_u[sum_u["service"] == service]
    s = sum_s[sum_s["service"] == service]
    out = pd.DataFrame({"År": u["year"].astype(int), "Uendret": u["users"].round(1)})
    out = out.merge(pd.DataFrame({"År": s["year"].astype(int), "Scenario": s["users"].round(1),
                                  "Lav (alle alternativer)": s["low"].round(1),
                                  "Høy (alle alternativer)": s["high"].round(1)}), on="År")
    return out


def coverage_table(base: sv.ServiceBase) -> pd.DataFrame:
    b = base.bands
    return pd.DataFrame({
        "Tjeneste": b["service"].map(sv.SERVICE_LABELS), "Aldersgruppe": b["label"],
        "Brukere": b["users"].round(1), "Innbyggere": b["population"].astype(int),
        "Dekningsgrad (%)": (b["coverage"] * 100).round(2)})


# -- sections ------------------------------------------------------------------------------
def show_key_figures(base: sv.ServiceBase, proj_u, proj_s, sel, horizon: int,
                     scenario: sv.Scenario, sum_u=None, sum_s=None) -> None:
    y0 = base.pop_year
    st.subheader(f"Nøkkeltall {horizon}")
    st.caption(f"Brukere per 31.12.{base.kostra_year} (KOSTRA) og framskrevet til {horizon} "
               f"med {catalog.alternative_phrase(sel.alternative)}. Venstre tall: uendret dekningsgrad; "
               "endringen viser scenarioet.")
    services = [s for s in ("institusjon", "langtid", "hjemme") if s in base.services]
    cols = st.columns(len(services) + 1)
    for col, s in zip(cols, services):
        today = base.users(s)
        u = sum_u[sum_u["service"] == s].set_index("year")
        sc = sum_s[sum_s["service"] == s].set_index("year")
        if horizon not in u.index:
            continue
        unchanged, scen = float(u.loc[horizon, "users"]), float(sc.loc[horizon, "users"])
        delta = f"{fmt_int(scen - unchanged, sign=True)} i scenarioet" \
            if not scenario.unchanged else f"{fmt_int(unchanged - today, sign=True)} fra i dag"
        diff = (scen - unchanged) if not scenario.unchanged else (unchanged - today)
        col.metric(f"{sv.SERVICE_SHORT[s]} {horizon}", fmt_int(unchanged), delta,
                   delta_color="off", border=True, delta_arrow=scn.arrow(diff),
                   help=(f"{sv.SERVICE_LABELS[s]}, uendret dekningsgrad. "
                         f"I dag: {fmt_int(today)} ({base.kostra_year}). Spenn over alle "
                         f"alternativer: {fmt_int(u.loc[horizon, 'low'])}–"
                         f"{fmt_int(u.loc[horizon, 'high'])}. "
                         "Framskrevne brukere = Σ dekningsgrad i aldersgruppen × framskrevet "
                         "folkemengde i gruppen."))
    need_u = _need(proj_u, sel.alternative)
    need_s = _need(proj_s, sel.alternative)
    cap_u = sv.capacity(base.places, need_u)
    cap_s = sv.capacity(base.places, need_s)
    with cols[-1]:
        if base.places is None:
            st.metric("Institusjonsplasser i dag", "–", border=True,
                      help="Tabell 11875 har ingen tall for regionen.")
        else:
            first = _first_text(cap_u.first_year_over, y0)
            st.metric("Flere brukere enn plasser", first,
                      None if scenario.unchanged else
                      f"scenario: {_first_text(cap_s.first_year_over, y0)}",
                      delta_color="off", delta_arrow="off", border=True,
                      help=(f"Første år behovet er større enn dagens plasser: framskrevne "
                            "brukere av institusjonstjenester er flere "
                            f"enn dagens {fmt_int(base.places)} disponible plasser "
                            f"({base.places_year}, tabell 11875)."))
    if y0 != base.kostra_year + 1:
        st.caption(f"Basisår for framskrivingen: {y0}.")


def display(df: pd.DataFrame, decimals: dict[str, int]) -> pd.DataFrame:
    """Copy of ``df`` with the given columns as Norwegian-formatted text (for st.dataframe)."""
    out = df.copy()
    for col, d in decimals.items():
        out[col] = [fmt_num(v, d) for v in out[col]]
    return out


def _need(proj: pd.DataFrame, alternative: str) -> pd.Series:
    d = proj[(proj["service"] == "institusjon") & (proj["alternative"] == alternative)]
    return d.set_index("year")["users"].astype(float)


def _first_text(year: int | None, base_year: int) -> str:
    if year is None:
        return "ikke før 2050"
    return "i dag" if year <= base_year else str(year)


def show_capacity(base: sv.ServiceBase, proj_u, proj_s, sel, caption: str) -> None:
    st.subheader("Institusjonsplasser og behov")
    if base.places is None:
        st.info("Ingen tall for institusjonsplasser (tabell 11875) for regionen. "
                + " ".join(n for n in base.notes if "11875" in n))
        return
    cu = sv.capacity(base.places, _need(proj_u, sel.alternative))
    cs = sv.capacity(base.places, _need(proj_s, sel.alternative))
    rows = []
    for y in scn.KEY_YEARS:
        if y in cu.gaps:
            rows.append({"År": y, "Plasser i dag": base.places,
                         "Behov, uendret": round(cu.gaps[y] + base.places, 1),
                         "Mangler, uendret": round(cu.gaps[y], 1),
                         "Behov, scenario": round(cs.gaps[y] + base.places, 1),
                         "Mangler, scenario": round(cs.gaps[y], 1)})
    table = pd.DataFrame(rows)
    st.markdown(
        f"{sel.region_name} har {fmt_int(base.places)} disponible institusjonsplasser "
        f"({base.places_year}). Med uendret dekningsgrad blir behovet større enn dagens "
        f"plasser **{_first_text(cu.first_year_over, base.pop_year)}**"
        + ("." if cs.first_year_over == cu.first_year_over else
           f"; i scenarioet **{_first_text(cs.first_year_over, base.pop_year)}**."))
    st.dataframe(display(table, {c: 0 for c in table.columns if c != "År"}), hide_index=True)
    st.caption("«Mangler»: behov minus dagens plasser; negative tall er ledige plasser. "
               + caption)
    export.download_buttons(table, f"plasser_{sel.region_code}_{sel.alternative}", "dl_cap")


def comparison_figure(d: pd.DataFrame, unit: str):
    traces = []
    for i, lab in enumerate(dict.fromkeys(d["label"])):
        t = d[d["label"] == lab].sort_values("year")
        traces.append(dict(type="scatter", x=t["year"].tolist(), y=t["value"].tolist(),
                           mode="lines+markers", name=lab, hovertemplate="%{y:,.1f}",
                           line=dict(color=charts.REGION_COLORS[i % 4],
                                     width=3 if i == 0 else 2)))
    return charts.figure(traces, charts.layout_defaults(height=300, yformat=",.1f",
                                                        ytitle=unit))


def latest_table(cmp: pd.DataFrame, keys) -> pd.DataFrame:
    """Latest year with a value per indicator: one row per indicator, value and count per
    comparator (text, Norwegian format; '–' with the note where there is no number)."""
    rows = []
    for ind in kostra.INDICATORS:
        if ind.key not in keys:
            continue
        d = cmp[cmp["indicator"] == ind.key]
        ok = d[d["value"].notna()]
        if ok.empty:
            rows.append({"Indikator": ind.title, "År": "–"})
            continue
        year = int(ok["year"].max())
        row = {"Indikator": f"{ind.title} ({ind.unit})", "År": str(year)}
        for r in d[d["year"] == year].itertuples(index=False):
            row[r.label] = fmt_num(r.value, 1)
            if not pd.isna(r.count):
                row[f"{r.label}, antall"] = fmt_num(r.count, 1 if r.count % 1 else 0)
        rows.append(row)
    return pd.DataFrame(rows)


def show_comparison(cmp: pd.DataFrame, sel, keys=None, key_prefix: str = "cmp") -> None:
    """Latest year for all indicators in one table, then the trend of a chosen indicator."""
    keys = keys or [i.key for i in kostra.INDICATORS]
    inds = [i for i in kostra.INDICATORS if i.key in keys]
    table = latest_table(cmp, keys)
    st.dataframe(table, hide_index=True)
    st.caption("Siste år med tall. «Antall» er brukere, årsverk eller plasser bak andelen – "
               "i små kommuner gir noen få personer store utslag.")
    notes = cmp[(cmp["role"] == cmp["role"].iloc[0]) & cmp["indicator"].isin(keys)] \
        .dropna(subset=["note"]) if len(cmp) else cmp
    pick = st.segmented_control("Utvikling over tid", [i.key for i in inds],
                                default=inds[0].key, key=f"{key_prefix}_pick",
                                format_func=lambda k: next(i.title for i in inds
                                                           if i.key == k)) or inds[0].key
    ind = next(i for i in inds if i.key == pick)
    d = cmp[cmp["indicator"] == ind.key]
    if d["value"].notna().any():
        st.plotly_chart(comparison_figure(d, ind.unit), key=f"{key_prefix}_chart", config={"displaylogo": False})
    else:
        st.info("Ingen tall i databasen for denne indikatoren.")
    n = notes[notes["indicator"] == ind.key] if len(notes) else notes
    if len(n):
        st.caption(f"Merknader for {sel.region_name}: " + " ".join(
            f"{int(y)}: {t}" for y, t in zip(n["year"], n["note"])))
    st.caption(f"Definisjon: {ind.definition} Enhet: {ind.unit}. {ind.polarity} "
               f"Kilde: {ind.source}{_updated(ind.table_id)}.")
    out = cmp[cmp["indicator"].isin(keys)].rename(columns={
        "indicator": "Indikator", "label": "Region", "code": "KOSTRA-kode", "year": "År",
        "value": "Verdi", "count": "Antall", "status": "SSB-symbol", "note": "Merknad"})
    export.download_buttons(out[["Indikator", "Region", "KOSTRA-kode", "År", "Verdi", "Antall",
                                 "SSB-symbol", "Merknad"]],
                            f"kostra_{sel.region_code}", f"dl_{key_prefix}")


def _updated(table_id: str) -> str:
    src = data.source_of(table_id)
    d = charts.format_date(src.get("ssb_updated")) if src else None
    return f", oppdatert {d}" if d else ""


def main() -> None:
    sel = state.current()
    version, path = data.cache_version(), str(config.db_path())
    st.title(f"Tjenester og kapasitet – {sel.region_name}")
    st.markdown(
        "Hvor mange vil trenge institusjonsplass og hjemmetjenester mot 2030, 2040 og 2050 "
        "hvis dagens dekningsgrad i hver aldersgruppe holder seg – og hva skjer hvis den "
        "endres? Dekningsgraden er fra KOSTRA; befolkningen fra SSBs framskrivinger. "
        "Skyggen viser spennet mellom SSBs ni alternativer.")
    base = scn.base(version, path, sel.region_code, sel.level)
    for n in base.notes:
        st.caption(f"ℹ️ {n}")
    if not base.ok:
        _no_data(sel, f"Databasen mangler KOSTRA-brukertall eller befolkning for "
                      f"{sel.region_name}.")
        return
    ptab = scn.projection_table(version, path)
    pop = scn.population(version, path, sel.region_code, base.pop_year, ptab)
    if pop.empty or sel.alternative not in pop.index.get_level_values("alternative"):
        _no_data(sel, f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
                      f"({catalog.alternative_phrase(sel.alternative)}).")
        return
    scenario = scn.controls()
    proj_u = _projection(version, path, sel.region_code, sel.level, ptab, sv.UNCHANGED)
    proj_s = proj_u if scenario.unchanged else \
        _projection(version, path, sel.region_code, sel.level, ptab, scenario)
    last = int(proj_u["year"].max())
    horizon = min(sel.horizon, last)
    ptab_q = ptab
    ptab = ptab or "14746"
    caption = charts.source_caption(
        ["12003", "12292", "07459", ptab],
        extra={"12003": f"brukere 31.12.{base.kostra_year}",
               ptab: f"{catalog.alternative_phrase(sel.alternative)}; spenn: alle ni alternativer; "
                     f"{scn.describe(scenario)}"})

    sum_u = _summary(version, path, sel.region_code, sel.level, ptab_q, sv.UNCHANGED,
                     sel.alternative)
    sum_s = sum_u if scenario.unchanged else _summary(
        version, path, sel.region_code, sel.level, ptab_q, scenario, sel.alternative)
    show_key_figures(base, proj_u, proj_s, sel, horizon, scenario, sum_u, sum_s)

    st.subheader("Brukere fram mot 2050")
    options = [s for s in ("institusjon", "langtid", "hjemme") if s in base.services]
    service = st.segmented_control("Tjeneste", options, default=options[0],
                                   format_func=sv.SERVICE_LABELS.get, key="svc_choice") \
        or options[0]
    table = service_table(sum_u, sum_s, service)
    fig = users_figure(table, base.places if service == "institusjon" else None,
                       f"{sv.SERVICE_LABELS[service]}, {sel.region_name}",
                       not scenario.unchanged)
    st.plotly_chart(fig, key="users_chart", config={"displaylogo": False})
    st.caption(caption + (f" Plasser: tabell 11875 ({base.places_year})."
                          if service == "institusjon" and base.places is not None else ""))
    export.download_buttons(table, f"brukere_{service}_{sel.region_code}_{sel.alternative}",
                            "dl_users")

    show_capacity(base, proj_u, proj_s, sel, caption)

    st.subheader(f"Dekningsgrad i dag ({base.kostra_year})")
    st.caption("Brukere per 31.12. delt på innbyggere 1.1. året etter, per aldersgruppe. "
               "Antallet står ved siden av andelen – i små kommuner gir noen få brukere store "
               "utslag.")
    cov = coverage_table(base)
    st.dataframe(display(cov, {"Brukere": 0, "Innbyggere": 0, "Dekningsgrad (%)": 2}),
                 hide_index=True)
    st.caption(charts.source_caption(["12003", "12292", "07459"]))
    export.download_buttons(cov, f"dekningsgrad_{sel.region_code}", "dl_cov")

    st.subheader("Sammenlignet med KOSTRA-gruppe, fylke og land" if sel.level == "kommune"
                 else "KOSTRA-nøkkeltall over tid")
    show_comparison(scn.comparison(version, path, sel.region_code, sel.level), sel,
                    keys=("hjemme80", "inst80", "plasser1000"))

    with st.expander("Metode"):
        st.markdown(method.markdown())


main()
