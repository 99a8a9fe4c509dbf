"""Tjenester og kapasitet: users of institution and home services toward 2050, places,
scenarios and the KOSTRA comparison. Thin page: the model is ``analysis.services`` and
``analysis.kostra``; charts and downloads go through ``ui``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import demography as dem
from analysis import kostra, method
from analysis import services as sv
from data_sources import catalog, config
from ui import charts, data, export, state
from ui.format import fmt_int, fmt_num, fmt_pct

KEY_YEARS = (2030, 2040, 2050)
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


# -- scenario controls (same keys on the Bemanning page, so the scenario follows the user) --
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


# -- cached model runs ---------------------------------------------------------------------
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
def _projection(version: str, path: str, region: str, level: str, ptab: str | None,
                scenario: sv.Scenario) -> pd.DataFrame:
    base = _base(version, path, region, level)
    pop = _pop(version, path, region, base.pop_year, ptab)
    return sv.project_users(base.bands, pop, base.pop_year, scenario)


@st.cache_data(show_spinner=False, max_entries=512)
def _summary(version: str, path: str, region: str, level: str, ptab: str | None,
             scenario: sv.Scenario, alternative: str) -> pd.DataFrame:
    """year, service, users, low, high for the chosen alternative (range: all alternatives)."""
    return sv.with_range(_projection(version, path, region, level, ptab, scenario), alternative)


@st.cache_data(show_spinner=False, max_entries=512)
def _users_chart(version: str, path: str, region: str, level: str, ptab: str | None,
                 scenario: sv.Scenario, alternative: str, service: str, title: str):
    u = _summary(version, path, region, level, ptab, sv.UNCHANGED, alternative)
    sc = _summary(version, path, region, level, ptab, scenario, alternative)
    table = service_table(u, sc, service)
    base = _base(version, path, region, level)
    fig = users_figure(table, base.places if service == "institusjon" else None, title,
                       not scenario.unchanged)
    return table, fig


@st.cache_data(show_spinner=False, max_entries=512)
def _comparison_figure(version: str, path: str, region: str, level: str, key: str):
    cmp = _comparison(version, path, region, level)
    ind = next(i for i in kostra.INDICATORS if i.key == key)
    return comparison_figure(cmp[cmp["indicator"] == key], ind.unit)


class _LazyFigures(dict):
    """figures[key] builds (and caches) only the figure that is shown."""

    def __init__(self, *args):
        super().__init__()
        self.args = args

    def __getitem__(self, key):
        return _comparison_figure(*self.args, key)

    def __bool__(self):
        return True


@st.cache_data(show_spinner=False, max_entries=256)
def _comparison(version: str, path: str, region: str, level: str) -> pd.DataFrame:
    return kostra.comparison(data.store(), region, level)


def _alt_phrase(code: str) -> str:
    if code == "MMMM":
        return "hovedalternativet MMMM"
    return f"alternativet «{catalog.alternative_label(code)}» ({code})"


def _no_data(sel: state.Selection, why: str) -> None:
    st.info(f"{why} Hent eller importer tallene på siden «Oversikt og data».")
    if (Path(__file__).parent / "oversikt.py").exists():
        st.page_link("pages/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")


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


def users_figure(df: pd.DataFrame, places: float | None, title: str,
                 show_scenario: bool) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["År"], y=df["Høy (alle alternativer)"], mode="lines",
                             line=dict(width=0), showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=df["År"], y=df["Lav (alle alternativer)"], mode="lines",
                             line=dict(width=0), fill="tonexty", fillcolor=charts.COLORS["band"],
                             name="Spenn, alle alternativer", hovertemplate="%{y:,.0f}"))
    fig.add_trace(go.Scatter(x=df["År"], y=df["Uendret"], mode="lines",
                             line=dict(color="#888888", width=3, dash="dash" if show_scenario
                                       else "solid"),
                             name="Uendret", hovertemplate="%{y:,.0f}"))
    if show_scenario:
        fig.add_trace(go.Scatter(x=df["År"], y=df["Scenario"], mode="lines",
                                 line=dict(color=charts.COLORS["projected"], width=3),
                                 name="Scenario", hovertemplate="%{y:,.0f}"))
    if places is not None:
        fig.add_hline(y=places, line=dict(color="#c8553d", width=2, dash="dot"),
                      annotation_text=f"Plasser i dag: {fmt_int(places)}",
                      annotation_position="top left")
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=16)))
    charts.base_layout(fig, height=380, ytitle="Personer")
    fig.update_yaxes(rangemode="tozero")
    return fig


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
               f"med {_alt_phrase(sel.alternative)}. Venstre tall: uendret dekningsgrad; "
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
                   delta_color="off", border=True, delta_arrow=_arrow(diff),
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
                      delta_color="off", border=True,
                      help=(f"Første år behovet er større enn dagens plasser: framskrevne "
                            "brukere av institusjonstjenester er flere "
                            f"enn dagens {fmt_int(base.places)} disponible plasser "
                            f"({base.places_year}, tabell 11875)."))
    if y0 != base.kostra_year + 1:
        st.caption(f"Basisår for framskrivingen: {y0}.")


def _arrow(x: float) -> str:
    return "off" if round(x) == 0 else ("up" if x > 0 else "down")


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
    for y in KEY_YEARS:
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


def comparison_figure(d: pd.DataFrame, unit: str) -> go.Figure:
    fig = go.Figure()
    for i, lab in enumerate(dict.fromkeys(d["label"])):
        t = d[d["label"] == lab].sort_values("year")
        fig.add_trace(go.Scatter(x=t["year"], y=t["value"], mode="lines+markers", name=lab,
                                 line=dict(color=charts.REGION_COLORS[i % 4],
                                           width=3 if i == 0 else 2),
                                 hovertemplate="%{y:,.1f}"))
    charts.base_layout(fig, height=300, yformat=",.1f", ytitle=unit)
    return fig


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


def show_comparison(cmp: pd.DataFrame, sel, keys=None, key_prefix: str = "cmp",
                    figures: dict | None = None) -> None:
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
        fig = figures[ind.key] if figures else comparison_figure(d, ind.unit)
        st.plotly_chart(fig, key=f"{key_prefix}_chart", config={"displaylogo": False})
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
    base = _base(version, path, sel.region_code, sel.level)
    for n in base.notes:
        st.caption(f"ℹ️ {n}")
    if not base.ok:
        _no_data(sel, f"Databasen mangler KOSTRA-brukertall eller befolkning for "
                      f"{sel.region_name}.")
        return
    ptab = _ptab(version, path)
    pop = _pop(version, path, sel.region_code, base.pop_year, ptab)
    if pop.empty or sel.alternative not in pop.index.get_level_values("alternative"):
        _no_data(sel, f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
                      f"({_alt_phrase(sel.alternative)}).")
        return
    scenario = scenario_controls()
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
               ptab: f"{_alt_phrase(sel.alternative)}; spenn: alle ni alternativer; "
                     f"{scenario_text(scenario)}"})

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
    table, fig = _users_chart(version, path, sel.region_code, sel.level, ptab_q, scenario,
                              sel.alternative, service,
                              f"{sv.SERVICE_LABELS[service]}, {sel.region_name}")
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
    show_comparison(_comparison(version, path, sel.region_code, sel.level), sel,
                    keys=("hjemme80", "inst80", "plasser1000"),
                    figures=_LazyFigures(version, path, sel.region_code, sel.level))

    with st.expander("Metode"):
        st.markdown(method.markdown())


main()
