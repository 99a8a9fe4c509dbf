"""Kunnskapsgrunnlag — entry point: navigation and the shared sidebar.

Run with ``streamlit run app.py``. Each view is a file in ``views/`` whose URL path is the
one Streamlit derives from the file name (``/befolkning``, ``/tjenester`` ...).
"""

from pathlib import Path

import streamlit as st

from ui import data, fetch, state

st.set_page_config(page_title="Kunnskapsgrunnlag – Leve hele livet", page_icon=":material/insights:",
                   layout="wide")

ROOT = Path(__file__).parent
# (file stem, title, icon); a view whose file does not exist yet is simply not listed.
VIEWS = [
    ("oversikt", "Oversikt og data", ":material/dataset:"),
    ("befolkning", "Befolkning", ":material/groups:"),
    ("tjenester", "Tjenester og kapasitet", ":material/home_health:"),
    ("bemanning", "Bemanning", ":material/badge:"),
    ("region", "Sammenlign kommuner", ":material/compare_arrows:"),
    ("presentasjon", "Presentasjon", ":material/slideshow:"),
]
# Absolute paths: the views are found whichever script runs this file (bench/floor_app.py).
pages = [st.Page(ROOT / "views" / f"{stem}.py", title=title, icon=icon,
                 default=(stem == "oversikt"))
         for stem, title, icon in VIEWS if (ROOT / "views" / f"{stem}.py").exists()]
nav = st.navigation(pages)
with data.run_scope():  # one published store version for the whole run
    sel = state.sidebar()
    with st.sidebar:
        state.copy_link(nav.url_path)
    data.version_caption()
    state.messages()
    fetch.ensure_region(sel)
    nav.run()
