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
     "Dagens dekningsgrader flyttes så mange år opp i alder innen 2050, innfaset jevnt."),
    ("productivity", "Produktivitet, endring per år", -2.0, 3.0, 0.25, 2, "%",
     "Endring i hvor mange brukere ett årsverk dekker, per år (velferdsteknologi, "
     "organisering)."),
    ("shift_to_home", "Omsorgstrappen: fra institusjon til hjemme innen 2050", 0.0, 50.0, 5.0,
     0, "%", "Andel av institusjonsbrukerne som får hjemmetjenester i stedet innen 2050, "
     "innfaset jevnt."),
    ("standard", "Tjenestestandard: årsverk per bruker, endring per år", -1.0, 2.0, 0.25, 2,
     "%", "Endring i hvor mange årsverk hver bruker får, per år. SSBs HELSEMOD regner med "
     "+0,5 % per år i sitt basisalternativ (bedre standard); 0 = dagens standard."),
)


def current() -> sv.Scenario:
    """The scenario as the sliders set it (widget values are in session_state before the
    script reruns, so a page can build its report before drawing the sliders)."""
    vals = {}
    for key, *_ in SLIDERS:
        w = st.session_state.get(f"_w_scn_{key}")
        vals[key] = float(w if w is not None else st.session_state.get(f"scn_{key}", 0.0))
    return sv.Scenario(**vals)


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
        cols = st.columns(len(SLIDERS))
        for col, (key, label, lo, hi, step, dec, unit, help_) in zip(cols, SLIDERS):
            n = int(round((hi - lo) / step))
            options = [round(lo + i * step, 2) for i in range(n + 1)]
            nearest = min(options, key=lambda o: abs(o - st.session_state[f"scn_{key}"]))
            if st.session_state.get(f"_w_scn_{key}") not in options:
                st.session_state[f"_w_scn_{key}"] = nearest
            with col:
                st.select_slider(
                    label, options, help=help_, key=f"_w_scn_{key}",
                    format_func=lambda v, d=dec, u=unit: f"{fmt_num(v, d, sign=u == '%')} {u}")
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
