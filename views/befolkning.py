"""Befolkning: population toward 2030/2040/2050 for the selected region, with SSB's range.

Thin page: draws ``analysis.population_report.population_report`` (cached per store
version); every number, sentence and source line comes from that report object.
"""

from __future__ import annotations

import streamlit as st

from analysis.population_report import population_report
from ui import data, export, render, state


def main() -> None:
    sel = state.current()
    report = data.cached(population_report, sel, state.language())
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
    bands = list(sec.items)
    for pair in (bands[:2], bands[2:]):
        for col, c in zip(st.columns(2), pair):
            with col:
                render.chart_block(report, c, c.key)

    for key in ("vekstindeks", "pyramide"):
        sec = report.section(key)
        st.subheader(sec.title)
        for p in sec.text:
            st.caption(p)
        c = sec.items[0]
        if key == "pyramide":
            st.caption("Trykk «Spill av» eller dra i glidebryteren for å se årene.")
        render.chart_block(report, c, c.key)

    with st.expander("Definisjoner"):
        for p in report.method:
            st.markdown(p)
    export.report_downloads(report)


main()
