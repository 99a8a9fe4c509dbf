"""Presentasjon: the fact base on a projector (1920×1080), one chart and one headline per
screen in a fixed order — Befolkningen → De eldste eldre → Tjenestebehov → Bemanning →
Sammenlignet med andre — stepped with the arrow keys or the buttons. No sidebar or
Streamlit chrome, large type, colours that hold for colour-blind viewers and in
black-and-white print (Okabe–Ito colours, each line also with its own dash). Reads only
the store, so it works without network. ``?steg=N`` in the link opens screen N.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from analysis.report_deck import steps
from ui import charts, export, render, state
from ui import scenario as scn

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#000000"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], footer {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {max-width: 100% !important;
  padding: 1.2rem 3rem 0.5rem 3rem !important;}
div.kg-step {font-size: 28px !important; color: #444; margin: 0;}
div.kg-headline {font-size: 44px !important; line-height: 1.2; font-weight: 600; color: #111;
  margin: 0.2rem 0 0.4rem 0;}
div.kg-source {font-size: 18px !important; color: #444; margin: 0;}
</style>
"""


def projector_figure(chart):
    """The chart at projector size: large type, colour-blind and greyscale safe lines."""
    fig = render.figure(chart, height=660, title=False)
    fig.update_layout(font=dict(size=24), legend=dict(font=dict(size=24)),
                      margin=dict(l=20, r=20, t=50, b=20))
    # large type: margins measured again (one chart per slide; the screen's fixed margins
    # fit FONT's size only)
    fig.update_xaxes(tickfont=dict(size=22), automargin=True)
    fig.update_yaxes(tickfont=dict(size=22), title_font=dict(size=24), automargin=True)
    fig.update_annotations(font_size=24)
    order: dict[str, int] = {}  # one colour and dash per series name (panels share them)
    for tr in fig.data:
        if tr.type == "scatter" and (tr.line.width is None or tr.line.width > 0):
            n = order.setdefault(tr.name, len(order))
            tr.line.color = OKABE_ITO[n % len(OKABE_ITO)]
            tr.line.dash = DASHES[n % len(DASHES)]
            tr.line.width = 5
        elif tr.type == "bar":
            n = order.setdefault(tr.name, len(order))
            tr.marker.color = OKABE_ITO[n % len(OKABE_ITO)]
            tr.marker.pattern = dict(shape=["", "/", ".", "x"][n % 4])
    return fig


def _go(i: int) -> None:
    st.session_state.present_step = i


def main() -> None:
    st.markdown(CSS, unsafe_allow_html=True)
    sel = state.current()
    reports = export.view_reports(sel, scn.current(), state.language(),
                                  tuple(st.session_state.get("compare_set") or ()))
    seq = steps(reports, presentation=True)
    if not seq:
        st.title(f"Presentasjon – {sel.region_name}")
        st.info("Databasen har ikke tallene presentasjonen trenger for "
                f"{sel.region_name}. Hent eller importer dem på siden «Oversikt og data».")
        st.page_link("views/oversikt.py", label="Gå til Oversikt og data", icon="🗂️")
        return
    if "present_step" not in st.session_state:
        raw = st.query_params.get("steg", "1")
        st.session_state.present_step = int(raw) - 1 if raw.isdigit() else 0
    i = min(max(st.session_state.present_step, 0), len(seq) - 1)
    st.session_state.present_step = i
    st.query_params["steg"] = str(i + 1)
    step, rep, chart = seq[i]
    st.markdown(f'<div class="kg-step">{i + 1}/{len(seq)} · {escape(step.title(rep.language))} · '
                f"{escape(rep.region_name)}</div>", unsafe_allow_html=True)
    st.markdown(f'<div class="kg-headline">{escape(chart.headline)}</div>',
                unsafe_allow_html=True)
    st.plotly_chart(projector_figure(chart), key=f"present_{step.key}",
                    config={"displayModeBar": False, "staticPlot": True},
                    theme=charts.PLOTLY_THEME)
    st.markdown(f'<div class="kg-source">{escape(chart.caption)}</div>',
                unsafe_allow_html=True)
    with st.container(horizontal=True, gap="medium"):
        st.button("◀ Forrige", key="present_prev", on_click=_go, args=(i - 1,),
                  disabled=i == 0, shortcut="Left")
        st.button("Neste ▶", key="present_next", on_click=_go, args=(i + 1,),
                  disabled=i == len(seq) - 1, shortcut="Right", type="primary")
        state.copy_link("presentasjon", key="present_copy")
        if st.button("Avslutt presentasjonen", key="present_end", shortcut="Esc"):
            st.switch_page("views/befolkning.py")


main()
