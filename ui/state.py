"""The shared selection (region, projection alternative, horizon), kept across pages.

State lives in ``st.session_state`` under ``region``, ``alternative``, ``horizon`` and is
mirrored to the URL (``?region=3103&alt=MMMM&aar=2040``) so a link opens the same view
for everyone in a workshop.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analysis.report import LANGUAGES, Selection
from data_sources import catalog
from ui import data


HORIZONS = (2030, 2040, 2050)
DEFAULTS = {"region": "0301", "alternative": "MMMM", "horizon": 2040}
LEVEL_LABEL = {"land": "land", "fylke": "fylke", "kommune": "kommune"}


def _options() -> pd.DataFrame:
    regs = data.region_options()
    return regs


def _init_from_url(codes: set[str]) -> None:
    qp = st.query_params
    if "region" not in st.session_state:
        r = qp.get("region", DEFAULTS["region"])
        st.session_state.region = r if r in codes else DEFAULTS["region"]
    if "alternative" not in st.session_state:
        a = qp.get("alt", DEFAULTS["alternative"])
        st.session_state.alternative = a if a in catalog.ALTERNATIVE_ORDER else "MMMM"
    if "horizon" not in st.session_state:
        try:
            h = int(qp.get("aar", DEFAULTS["horizon"]))
        except ValueError:
            h = DEFAULTS["horizon"]
        st.session_state.horizon = h if h in HORIZONS else DEFAULTS["horizon"]


def sidebar() -> Selection:
    """Draw the shared sidebar (call once per run, from app.py) and return the selection."""
    opts = _options()
    codes = list(opts["code"])
    labels = dict(zip(opts["code"], opts["label"]))
    _init_from_url(set(codes))
    # The widgets own keys _w_*; they are seeded from the persistent keys (set from the URL
    # on first load) and copied back, so the choice survives page switches. Options are the
    # visible labels (searchable by name and number); codes are looked up from them.
    code_of = {lab: c for c, lab in labels.items()}
    alt_labels = {a: f"{catalog.alternative_label(a)} ({a})" for a in catalog.ALTERNATIVE_ORDER}
    alt_of = {lab: a for a, lab in alt_labels.items()}
    if st.session_state.get("_w_region") not in code_of:
        st.session_state._w_region = labels.get(st.session_state.region, next(iter(code_of)))
    if st.session_state.get("_w_alt") not in alt_of:
        st.session_state._w_alt = alt_labels[st.session_state.alternative]
    if st.session_state.get("_w_horizon") not in HORIZONS:
        st.session_state._w_horizon = st.session_state.horizon
    with st.sidebar:
        st.selectbox("Kommune, fylke eller hele landet", list(code_of), key="_w_region",
                     help="Søk på navn eller kommunenummer (inndeling fra 2024).")
        st.session_state.region = code_of[st.session_state._w_region]
        st.selectbox("Framskrivingsalternativ", list(alt_of), key="_w_alt",
                     help="SSBs alternativer for befolkningsframskrivingen.")
        st.session_state.alternative = alt_of[st.session_state._w_alt]
        st.caption(catalog.alternative_explanation(st.session_state.alternative))
        h = st.segmented_control("Framskrivingsår", HORIZONS, key="_w_horizon",
                                 selection_mode="single")
        if h is not None:  # clicking the active segment clears it: keep the last year
            st.session_state.horizon = int(h)
    st.query_params.update({"region": st.session_state.region,
                            "alt": st.session_state.alternative,
                            "aar": str(st.session_state.horizon)})
    row = opts[opts["code"] == st.session_state.region]
    name = row["name"].iloc[0] if len(row) else st.session_state.region
    level = row["level"].iloc[0] if len(row) else "kommune"
    fylke = row["parent_code"].iloc[0] if len(row) and level == "kommune" else None
    sel = Selection(st.session_state.region, name, level, fylke,
                    st.session_state.alternative, st.session_state.horizon)
    st.session_state["_selection"] = sel
    st.session_state["_sidebar_run"] = _run_token()
    return sel


def _run_token():
    """An object that is new for every script run (the run context's cursor dict)."""
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.cursors


def current() -> Selection:
    """The selection made in the shared sidebar this run (pages call this).

    app.py draws the sidebar before running the page. When a page file runs on its own
    (an AppTest of one view), the sidebar is drawn here, so every page always has it.
    Views live in ``views/``, not ``pages/``: a ``pages/`` folder next to app.py puts the
    first sessions of a fresh server into Streamlit's legacy multipage mode (file names in
    the sidebar, the kommune from the link lost on the first rerun).
    """
    token = _run_token()
    if token is None or st.session_state.get("_sidebar_run") is not token:
        return sidebar()
    return st.session_state["_selection"]


def language() -> str:
    """The målform of generated text and exports (``nb`` | ``nn``); menus stay bokmål."""
    lang = st.session_state.get("language", "nb")
    return lang if lang in LANGUAGES else "nb"
