"""Bemanning: årsverk needed in pleie og omsorg toward 2050 and the share of people aged
20–66 it would take, beside the national figure. Thin page: draws
``analysis.services_report.staffing_report`` (cached per store version and scenario).
"""

from __future__ import annotations

import streamlit as st

from analysis.services_report import staffing_report
from ui import data, export, render, state
from ui import scenario as scn


def main() -> None:
    sel = state.current()
    scenario = scn.current()
    report = data.shared(staffing_report, sel, scenario, state.language(),
                         tuple(st.session_state.get("compare_set") or ()))
    if not render.header(report):
        return
    scn.controls()

    sec = report.section("nokkeltall")
    st.subheader(sec.title)
    for col, kf in zip(st.columns(4), sec.items):
        render.metric(col, kf)

    st.subheader("Kort oppsummert")
    st.markdown(" ".join(report.summary))

    sec = report.section("aarsverk")
    st.subheader(sec.title)
    render.chart_block(report, sec.items[0], "aarsverk_chart")

    sec = report.section("hjemmevekt")
    st.subheader(sec.title)
    for t in sec.text:
        st.markdown(t)
    for t in sec.items:
        render.table(t)
        export.item_downloads(report, t, "dl_weight")

    sec = report.section("andel")
    st.subheader(sec.title)
    for t in sec.text:
        st.caption(t)
    c = sec.items[0]
    render.chart_block(report, c, "share_chart")
    render.table(c.table(), caption="")

    sec = report.section("kostra")
    st.subheader(sec.title)
    if not sec.items:
        st.info(sec.text[0])
    else:
        figs = [it for it in sec.items if not hasattr(it, "frame")]
        for col, kf in zip(st.columns(len(figs)), figs):
            render.metric(col, kf)
        t = sec.items[-1]
        st.caption(t.caption)
        export.item_downloads(report, t, "dl_cmp")

    with st.expander("Metode"):
        st.markdown("\n\n".join(report.method))
    export.report_downloads(report)


main()
