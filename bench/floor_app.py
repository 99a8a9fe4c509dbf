"""The browser floor for ``bench/pages.py --browser``: what Streamlit and Plotly cost with
nothing of ours around them. Run by the benchmark, never by users.

``KG_FLOOR=charts``: the app as ``app.py`` runs it (same navigation, sidebar selectbox,
store, cached reports and shared figures), but every element that is not a chart, a widget
or the page title is dropped (metrics, text, tables, downloads; expanders, popovers and
tabs become plain containers). A kommune switch then costs what the page's charts alone
cost to draw: the page's browser time over this is what the rest of the page adds.

``KG_FLOOR=cold``: one title and one small Plotly chart, no store: on a fresh server and
browser, the time to that chart is the framework's own cold start (its JavaScript bundle
and Plotly's 4.7 MB chunk loaded and compiled, one websocket round trip).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MODE = os.environ.get("KG_FLOOR", "charts")
DROPPED = ("markdown", "caption", "metric", "dataframe", "table", "download_button",
           "subheader", "header", "info", "warning", "success", "error", "page_link",
           "link_button", "code", "json", "divider", "toast")


def _none(self, *args, **kwargs):
    return None


def _container(self, label=None, expanded=False, *args, **kwargs):
    c = self.container()
    # an expander that tracks its state says whether it is open (the page skips the content
    # of a closed one); as on the page, it starts closed unless ``expanded``
    c.open = bool(expanded) if kwargs.get("on_change", "ignore") != "ignore" else None
    return c


def _tabs(self, labels, *args, **kwargs):
    return [self.container() for _ in labels]


st.set_page_config(page_title="Gulv", layout="wide")
if MODE == "cold":
    import plotly.graph_objects as go
    st.title("Gulv")
    st.plotly_chart(go.Figure(go.Scatter(x=[2026, 2030, 2040], y=[1, 2, 3])), theme=None)
else:
    for name in DROPPED:
        setattr(DeltaGenerator, name, _none)
    for name in ("expander", "popover"):
        setattr(DeltaGenerator, name, _container)
    DeltaGenerator.tabs = _tabs
    # ``st.markdown`` etc. are methods bound to the main container at import: rebind them
    for name in (*DROPPED, "expander", "popover", "tabs"):
        setattr(st, name, getattr(st._main, name))
    sys.argv = [str(ROOT / "app.py")]
    os.chdir(ROOT)
    exec(compile((ROOT / "app.py").read_text(), str(ROOT / "app.py"), "exec"),
         {"__name__": "__main__", "__file__": str(ROOT / "app.py")})
