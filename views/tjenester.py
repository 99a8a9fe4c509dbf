"""Tjenester og kapasitet: users of institution and home services toward 2050, places,
scenarios and the KOSTRA comparison. Thin page: draws
``analysis.services_report.services_report`` (cached per store version and scenario).
"""

from __future__ import annotations

import streamlit as st

from analysis.report import Report
from analysis.services_report import services_report
from ui import charts, data, export, render, state
from ui import scenario as scn


def show_comparison(report: Report, key_prefix: str = "cmp") -> None:
    """Latest year of every indicator in one table, then the trend of a chosen indicator."""
    sec = report.section("kostra")
    st.subheader(sec.title)
    latest, *trends = sec.items
    render.table(latest)
    st.caption(latest.note)
    by_key = {c.key: c for c in trends}
    pick = st.segmented_control("Utvikling over tid", list(by_key), default=trends[0].key,
                                key=f"{key_prefix}_pick",
                                format_func=lambda k: by_key[k].title) or trends[0].key
    c = by_key[pick]
    if c.spec.get("has_values"):
        st.plotly_chart(render.shared_figure(c), key=f"{key_prefix}_chart",
                        config=render.PLOTLY_CONFIG, theme=charts.PLOTLY_THEME)
    else:
        st.info("Ingen tall i databasen for denne indikatoren.")
    if c.note:
        st.caption(c.note)
    st.caption(c.caption)
    export.item_downloads(report, c, f"dl_{key_prefix}")


def main() -> None:
    sel = state.current()
    scenario = scn.current()
    # the comparison set saved on «Sammenlign kommuner» (or from the link) joins the KOSTRA table
    saved = tuple(st.session_state.get("compare_set") or ())
    report = data.shared(services_report, sel, scenario, state.language(), saved)
    if not render.header(report):
        return
    scn.controls()
    scn.own_controls()

    sec = report.section("nokkeltall")
    st.subheader(sec.title)
    st.caption(sec.text[0])
    for col, kf in zip(st.columns(len(sec.items)), sec.items):
        render.metric(col, kf)
    for t in sec.text[1:]:
        st.caption(t)

    st.subheader("Kort oppsummert")
    st.markdown(" ".join(report.summary))

    sec = report.section("brukere")
    st.subheader(sec.title)
    by_key = {c.key.removeprefix("brukere_"): c for c in sec.items}
    service = st.segmented_control("Tjeneste", list(by_key), default=next(iter(by_key)),
                                   format_func=lambda s: by_key[s].title.split(",")[0],
                                   key="svc_choice") or next(iter(by_key))
    render.chart_block(report, by_key[service], "users_chart")

    sec = report.section("kapasitet")
    st.subheader(sec.title)
    if not sec.items:
        st.info(sec.text[0])
    else:
        st.markdown(sec.text[0])
        chart, t = sec.items
        st.markdown(f"**{chart.title}**")
        render.chart_block(report, chart, "cap_chart")
        render.table(t, caption=f"{t.note} {t.caption}")
        export.item_downloads(report, t, "dl_cap")

    sec = report.section("dekningsgrad")
    st.subheader(sec.title)
    st.caption(sec.text[0])
    render.table(sec.items[0])
    export.item_downloads(report, sec.items[0], "dl_cov")

    show_comparison(report)

    with st.expander("Metode"):
        st.markdown("\n\n".join(report.method))
    export.report_downloads(report)


main()
