"""The shared selection (region, projection alternative, horizon), kept across pages.

State lives in ``st.session_state`` under ``region``, ``alternative``, ``horizon`` and is
mirrored to the URL (``?region=3103&alt=MMMM&aar=2040``) so a link opens the same view
for everyone in a workshop.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_sources import catalog
from ui import data

HORIZONS = (2030, 2040, 2050)
DEFAULTS = {"region": "0301", "alternative": "MMMM", "horizon": 2040}
LEVEL_LABEL = {"land": "land", "fylke": "fylke", "kommune": "kommune"}


@dataclass(frozen=True)
class Selection:
    region_code: str
    region_name: str
    level: str  # land | fylke | kommune
    fylke_code: str | None
    alternative: str
    horizon: int

    @property
    def alternative_label(self) -> str:
        return catalog.alternative_label(self.alternative)


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
    # Widgets keep their own keys; copy to the persistent keys so values survive page
    # switches (Streamlit drops widget state of widgets not drawn on a page).
    with st.sidebar:
        st.selectbox("Kommune, fylke eller hele landet", codes,
                     index=codes.index(st.session_state.region) if st.session_state.region in codes else 0,
                     format_func=lambda c: labels.get(c, c), key="_w_region",
                     help="Søk på navn eller kommunenummer (inndeling fra 2024).")
        st.session_state.region = st.session_state._w_region
        st.selectbox("Framskrivingsalternativ", catalog.ALTERNATIVE_ORDER,
                     index=catalog.ALTERNATIVE_ORDER.index(st.session_state.alternative),
                     format_func=lambda a: f"{catalog.alternative_label(a)} ({a})",
                     key="_w_alt", help="SSBs alternativer for befolkningsframskrivingen.")
        st.session_state.alternative = st.session_state._w_alt
        st.caption(catalog.alternative_explanation(st.session_state.alternative))
        st.segmented_control("Framskrivingsår", HORIZONS, default=st.session_state.horizon,
                             key="_w_horizon", selection_mode="single")
        if st.session_state._w_horizon is not None:
            st.session_state.horizon = int(st.session_state._w_horizon)
    st.query_params.update({"region": st.session_state.region,
                            "alt": st.session_state.alternative,
                            "aar": str(st.session_state.horizon)})
    row = opts[opts["code"] == st.session_state.region]
    name = row["name"].iloc[0] if len(row) else st.session_state.region
    level = row["level"].iloc[0] if len(row) else "kommune"
    fylke = row["parent_code"].iloc[0] if len(row) and level == "kommune" else None
    return Selection(st.session_state.region, name, level, fylke,
                     st.session_state.alternative, st.session_state.horizon)


def current() -> Selection:
    """The selection made in the sidebar this run (pages call this)."""
    sel = st.session_state.get("_selection")
    if sel is None:
        raise RuntimeError("sidebar() must run before pages (app.py)")
    return sel
