"""What «Tjenester og kapasitet» and «Bemanning» share: the scenario sliders (same keys on
both pages, so a scenario follows the user) and the band chart «uendret vs scenario with
the range over SSB's alternatives».
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import services as sv
from analysis import staffing as sf
from ui import charts
from analysis.format import fmt_num

SLIDERS = (  # key, label, min, max, step, decimals, unit, help
    ("institution_change", "Dekningsgrad institusjon, endring per år", -5.0, 5.0, 0.5, 1, "%",
     "Negativ verdi: færre får institusjonsplass i hver aldersgruppe, år for år."),
    ("home_change", "Dekningsgrad hjemmetjenester, endring per år", -5.0, 5.0, 0.5, 1, "%",
     "Positiv verdi: flere får hjemmetjenester i hver aldersgruppe, år for år."),
    ("healthy_years", "Sunnere aldring innen 2050", 0.0, 5.0, 0.5, 1, "år",
     "Dagens dekningsgrader flyttes så mange år opp i alder innen 2050, innfaset jevnt. "
     "Standard 0: økt levetid har ikke gitt klart lavere tjenestebruk det siste tiåret "
     "(Syse og Hjemås, SSB, 2024); andre verdier er din antakelse."),
    ("productivity", "Produktivitet, endring per år", -2.0, 3.0, 0.25, 2, "%",
     "Endring i hvor mange brukere ett årsverk dekker, per år (velferdsteknologi, "
     "organisering)."),
    ("shift_to_home", "Omsorgstrappen: fra institusjon til hjemme innen 2050", 0.0, 50.0, 5.0,
     0, "%", "Andel av institusjonsbrukerne som får hjemmetjenester i stedet innen 2050, "
     "innfaset jevnt."),
    ("standard", "Tjenestestandard: årsverk per bruker, endring per år", -1.0, 2.0, 0.25, 2,
     "%", "Endring i hvor mange årsverk hver bruker får, per år. SSBs HELSEMOD regner med "
     "+0,5 % per år i sitt basisalternativ (bedre standard); 0 = dagens standard."),
    ("family_care", "Familieomsorg: andel 67+ innen 2050", -20.0,
     20.0, 5.0, 0, "%", "Positiv verdi: familien tar over omsorgen for en andel av brukerne 67 "
     "år og eldre, innfaset jevnt; negativ: færre får hjelp av familien. Standard 0: det blir "
     "færre pårørende per eldre framover (Syse og Hjemås, SSB, 2024); andre verdier er din "
     "antakelse."),
)


def _option_texts(lo: float, hi: float, step: float, dec: int, unit: str) -> dict[float, str]:
    n = int(round((hi - lo) / step))
    return {o: f"{fmt_num(o, dec, sign=unit == '%')} {unit}"
            for o in (round(lo + i * step, 2) for i in range(n + 1))}


# every slider's options and their text, made once (not on every run)
OPTIONS = {key: _option_texts(lo, hi, step, dec, unit)
           for key, _, lo, hi, step, dec, unit, _ in SLIDERS}


def current() -> sv.Scenario:
    """The scenario as the sliders set it (widget values are in session_state before the
    script reruns, so a page can build its report before drawing the sliders), with the
    kommune's own numbers from the form on «Tjenester» (or the link)."""
    vals = {}
    for key, *_ in SLIDERS:
        w = st.session_state.get(f"_w_scn_{key}")
        vals[key] = float(w if w is not None else st.session_state.get(f"scn_{key}", 0.0))
    return sv.Scenario(**vals, own=own_numbers())


# -- the kommune's own numbers (form on «Tjenester», link parameters egen_*/plan) ------------
OWN_FIELDS = (  # setting, label, step, help
    ("langtid", "Beboere med langtidsopphold i institusjon", 1,
     "Antall beboere med langtidsopphold i dag (KOSTRA: tabell 11645)."),
    ("korttid", "Beboere med korttidsopphold i institusjon", 1,
     "Antall beboere med korttidsopphold i dag (KOSTRA: tabell 12292)."),
    ("bolig", "Beboere i bolig med heldøgns bemanning", 1,
     "Heldøgns omsorg = langtidsopphold + bolig med heldøgns bemanning (KOSTRA: 12292)."),
    ("hjemme", "Mottakere av hjemmetjenester", 1,
     "Antall mottakere av hjemmetjenester i dag (KOSTRA: tabell 12003)."),
    ("places", "Institusjonsplasser", 1, "Disponible institusjonsplasser i dag (KOSTRA: 11875)."),
    ("aarsverk", "Årsverk i brukerrettede tjenester", 0.1,
     "Årsverk i pleie og omsorg i dag (KOSTRA: tabell 12292)."),
)


def own_numbers() -> sv.OwnNumbers:
    """The kommune's own numbers as typed (session_state ``own_*``; None = KOSTRA)."""
    from analysis import report_link as rl
    ss = st.session_state
    vals = {k: ss.get(f"_w_own_{k}", ss.get(f"own_{k}")) for k, *_ in OWN_FIELDS}
    plan, _ = rl.parse_plan(ss.get("_w_own_plan", ss.get("own_plan", "")))
    users = tuple((k, float(vals[k])) for k in sv.OWN_SERVICES if vals.get(k) is not None)
    return sv.OwnNumbers(users=users,
                         places=None if vals["places"] is None else float(vals["places"]),
                         aarsverk=None if vals["aarsverk"] is None else float(vals["aarsverk"]),
                         plan=plan)


def _clear_own() -> None:
    for k, *_ in OWN_FIELDS:
        st.session_state[f"own_{k}"] = None
        st.session_state[f"_w_own_{k}"] = None
    st.session_state["own_plan"] = st.session_state["_w_own_plan"] = ""


def own_controls() -> None:
    """«Kommunens egne tall»: a collapsed form where a planner types today's users, places
    and årsverk from the kommune's own systems, and the økonomiplan's places by year. They
    replace KOSTRA in the model, are marked «kommunens egne tall» and travel in the link."""
    from analysis import report_link as rl
    ss = st.session_state
    own = own_numbers()
    used = not own.empty or bool(own.plan)
    # The form is drawn only while open (state tracked, a rerun on open/close): closed, its
    # eight widgets cost a kommune switch nothing; the numbers live in ``own_*``. The label
    # stays the same (it is part of the expander's identity: a new label would close it
    # as the first number is typed), so a line above says when own numbers are in use.
    if used:
        st.caption(":material/edit_note: Kommunens egne tall er i bruk (se skjemaet under).")
    box = st.expander("Kommunens egne tall og økonomiplan", expanded=False, key="own_open",
                      on_change="rerun")
    with box:
        if not box.open:
            return
        st.caption("Skriv inn tall fra kommunens egne systemer. De erstatter KOSTRA-tallet i "
                   "modellen og merkes «kommunens egne tall» på sidene, i filene og i lenken. "
                   "Tomt felt: KOSTRA-tallet brukes.")
        cols = st.columns(3)
        for i, (k, lab, step, help_) in enumerate(OWN_FIELDS):
            whole = step == 1
            kw = {} if f"_w_own_{k}" in ss else {"value": ss.get(f"own_{k}")}
            if whole and kw.get("value") is not None:
                kw["value"] = int(kw["value"])
            with cols[i % 3]:
                st.number_input(lab, min_value=0 if whole else 0.0,
                                max_value=rl.OWN_MAX if whole else float(rl.OWN_MAX),
                                step=step, key=f"_w_own_{k}", help=help_,
                                placeholder="KOSTRA", **kw)
            ss[f"own_{k}"] = ss[f"_w_own_{k}"]
        kw = {} if "_w_own_plan" in ss else {"value": ss.get("own_plan") or ""}
        st.text_input("Plasser økonomiplanen legger til (+) eller legger ned (−), per år",
                      key="_w_own_plan", placeholder="2027: +12, 2029: -8",
                      help="Skriv år: plasser, skilt med komma. Endringen gjelder fra "
                           "1. januar det året.", **kw)
        ss["own_plan"] = ss["_w_own_plan"]
        _, notes = rl.parse_plan(ss["own_plan"])
        for n in notes:
            st.warning(n, icon=":material/error:")
        st.button("Fjern egne tall", key="own_clear", on_click=_clear_own)


def _reset() -> None:
    for key, *_ in SLIDERS:
        st.session_state[f"scn_{key}"] = 0.0
        st.session_state[f"_w_scn_{key}"] = 0.0


def _ssb_standard() -> None:
    st.session_state["scn_standard"] = sf.STANDARD_PRESET
    st.session_state["_w_scn_standard"] = sf.STANDARD_PRESET


def controls() -> sv.Scenario:
    """Sliders (default 0 = uendret); values persist across pages in session_state."""
    for key, *_ in SLIDERS:
        st.session_state.setdefault(f"scn_{key}", 0.0)
    with st.expander("Scenario: endre forutsetningene", expanded=True):
        b1, b2 = st.columns(2)
        b1.button("Tilbakestill til uendret", key="scn_reset", on_click=_reset)
        b2.button(f"SSBs tjenestestandard (HELSEMOD: {fmt_num(sf.STANDARD_PRESET, 1, sign=True)}"
                  " % per år)", key="scn_ssb_standard", on_click=_ssb_standard)
        per_row = 4  # seven sliders in one row wrapped their labels letter by letter
        cols = [c for i in range(0, len(SLIDERS), per_row) for c in st.columns(per_row)]
        for col, (key, label, *_, help_) in zip(cols, SLIDERS):
            texts = OPTIONS[key]
            options = list(texts)
            now = st.session_state[f"scn_{key}"]
            nearest = min(options, key=lambda o: abs(o - now))
            if st.session_state.get(f"_w_scn_{key}") not in options:
                st.session_state[f"_w_scn_{key}"] = nearest
            with col:
                st.select_slider(label, options, help=help_, key=f"_w_scn_{key}",
                                 format_func=texts.__getitem__)
                st.session_state[f"scn_{key}"] = float(st.session_state[f"_w_scn_{key}"])
    return current()


# -- chart -----------------------------------------------------------------------------
def band_figure(df: pd.DataFrame, *, unchanged: str, scenario: str, title: str, ytitle: str,
                show_scenario: bool, hline: float | None = None,
                hline_text: str = "") -> "charts.go.Figure":
    """«Uendret» (dashed when a scenario is shown), the scenario line, and the range over
    all alternatives as a band (columns «Lav/Høy (alle alternativer)» of ``df``)."""
    x = df["År"].tolist()
    traces = [
        dict(type="scatter", x=x, y=df["Høy (alle alternativer)"].tolist(), mode="lines",
             line=dict(width=0), showlegend=False, hoverinfo="skip"),
        dict(type="scatter", x=x, y=df["Lav (alle alternativer)"].tolist(), mode="lines",
             line=dict(width=0), fill="tonexty", fillcolor=charts.COLORS["band"],
             name="Spenn, alle alternativer", hovertemplate="%{y:,.0f}"),
        dict(type="scatter", x=x, y=df[unchanged].tolist(), mode="lines", name="Uendret",
             line=dict(color="#888888", width=3, dash="dash" if show_scenario else "solid"),
             hovertemplate="%{y:,.0f}"),
    ]
    if show_scenario:
        traces.append(dict(type="scatter", x=x, y=df[scenario].tolist(), mode="lines",
                           name="Scenario", line=dict(color=charts.COLORS["projected"], width=3),
                           hovertemplate="%{y:,.0f}"))
    layout = charts.layout_defaults(
        dict(title=dict(text=title, x=0, font=dict(size=16))), height=380, ytitle=ytitle)
    layout["yaxis"]["rangemode"] = "tozero"
    if hline is not None:
        layout["shapes"] = [dict(type="line", xref="paper", x0=0, x1=1, y0=hline, y1=hline,
                                 line=dict(color="#c8553d", width=2, dash="dot"))]
        layout["annotations"] = [dict(xref="paper", x=0, y=hline, yanchor="bottom",
                                      xanchor="left", showarrow=False, text=hline_text,
                                      font=dict(color="#c8553d"))]
    return charts.figure(traces, layout)
