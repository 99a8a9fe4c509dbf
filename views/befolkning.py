"""Befolkning: population toward 2030/2040/2050 for the selected region, with SSB's range.

Thin page: draws ``analysis.population_report.population_report`` (one object per store
version and selection, shared by every run and session: ``data.shared``); every number,
sentence and source line comes from that report object.
"""

from __future__ import annotations

import streamlit as st

from analysis.population_report import population_report
from ui import data, export, render, state


def main() -> None:
    sel = state.current()
    report = data.shared(population_report, sel, state.language(),
                         tuple(st.session_state.get("compare_set") or ()))
    if not render.header(report):
        return

    sec = report.section("nokkeltall")
    st.subheader(sec.title)
    figs = {kf.key: kf for kf in report.key_figures()}
    rows = (("personer_Totalt", "personer_67–79", "personer_80–89", "personer_90+"),
            ("share_67", "share_80", "support_67", "support_80"))
    for keys in rows:
        for col, k in zip(st.columns(4), keys):
            render.metric(col, figs[k])
    cols = st.columns(4)
    render.metric(cols[0], figs["crossover"])
    with cols[1]:
        st.caption(figs["crossover"].note)
    with st.expander("Nøkkeltallene som tabell"):
        tab = report.item("nokkeltall_tabell")
        render.table(tab)
        export.item_downloads(report, tab, "kf")

    sec = report.section("oppsummering")
    st.subheader(sec.title)
    for p in sec.text:
        st.markdown(p)

    sec = report.section("utvikling")
    st.subheader(sec.title)
    for p in sec.text:
        st.caption(p)
    render.grid_block(report, sec, "band_grid")

    for key in ("vekstindeks", "pyramide"):
        sec = report.section(key)
        st.subheader(sec.title)
        for p in sec.text:
            st.caption(p)
        c = sec.items[0]
        if key == "pyramide":
            pyramid(report, c)
        else:
            render.chart_block(report, c, c.key)

    track_record(report)

    with st.expander("Definisjoner og metode"):
        for p in report.method:
            st.markdown(p)
    export.report_downloads(report)


def track_record(report) -> None:
    """SSB's earlier rounds against what happened: a sentence and a small chart each for the
    total and 80+, or one line when the store holds no earlier round."""
    sec = report.section("treffsikkerhet")
    st.subheader(sec.title)
    if not sec.items:
        st.caption(sec.text[0])
        return
    n = len([c for c in sec.items if c.headline])
    st.markdown(" ".join(sec.text[:n]))
    for p in sec.text[n:]:
        st.caption(p)
    if render.drawn_as_grid(sec):
        render.grid_block(report, sec, "treff_grid")
    else:
        for c in sec.items:
            st.markdown(f"**{c.title}**")
            render.chart_block(report, c, c.key)


@st.fragment
def pyramid(report, c) -> None:
    """The pyramid of one year, chosen with a slider: moving it reruns this fragment only
    (one chart), not the page; the figure holds one year, not 25 animation frames."""
    years, start = render.pyramid_years(c)
    # Start at the horizon year; a new horizon in the sidebar moves the slider there again.
    if st.session_state.get("pyr_year") not in years or \
            st.session_state.get("_pyr_start") != start:
        st.session_state["pyr_year"] = start
    st.session_state["_pyr_start"] = start
    year = st.select_slider("År i pyramiden", options=years, key="pyr_year",
                            help="Dra for å se befolkningen et annet år.")
    render.chart_block(report, c, c.key, year=year)


main()
