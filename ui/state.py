"""The shared selection, kept across pages and in the URL, so a link reproduces the view.

State lives in ``st.session_state`` (``region``, ``alternative``, ``horizon``,
``language``, the scenario settings ``scn_*`` and the projection table of a link's data
version) and is mirrored to the URL on every run::

    /tjenester?region=3103&alt=MMMM&aar=2040&inst=-1&trapp=20&maal=nn&proj=2026&kostra=2025

A link is read once per session (``analysis.report_link.parse``); every parameter that
cannot be used as given gets a visible bokmål note and a sensible default. When the store
holds newer data than the link names, one line says so and offers both versions.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analysis import report_link as rl
from analysis.report import LANGUAGES, Selection
from data_sources import catalog
from ui import data
from ui import scenario as scn

HORIZONS = rl.HORIZONS
DEFAULTS = rl.DEFAULTS
LANGUAGE_LABEL = {"nb": "Bokmål", "nn": "Nynorsk"}


def _changes(s) -> pd.DataFrame:
    df = s.query("SELECT old_code, new_code, old_name, new_name, change_date FROM "
                 "region_changes")
    if df.empty:
        from data_sources.regions_default import bundled_changes
        from data_sources.regions import changes_frame
        df = changes_frame(bundled_changes())
    return df


def _versions(s) -> dict:
    """Projection rounds in the store ({round: table id}, newest first) and the newest
    KOSTRA year of the user table (12003)."""
    rounds = s.query("SELECT round, table_id FROM sources WHERE kind = 'projection' AND "
                     "round IS NOT NULL ORDER BY round DESC, table_id DESC")
    kostra = s.scalar("SELECT max(year) FROM kostra WHERE table_id = '12003'")
    return {"rounds": dict(zip(rounds["round"].astype(str), rounds["table_id"])),
            "kostra": None if kostra is None else int(kostra)}


def _slider_options() -> tuple[dict, dict]:
    return ({key: list(texts) for key, texts in scn.OPTIONS.items()},
            {key: label for key, label, *_ in scn.SLIDERS})


def _init_from_url(names: dict[str, str]) -> None:
    """Read the link once per session: selection, scenario, målform, data version."""
    if st.session_state.get("_link_read"):
        return
    opts, labels = _slider_options()
    link = rl.parse(dict(st.query_params), names, data.cached(_changes),
                    catalog.ALTERNATIVE_ORDER, opts, labels)
    ss = st.session_state
    ss.region, ss.alternative, ss.horizon = link.region, link.alternative, link.horizon
    ss.language = link.language
    if link.compare:
        ss.compare_set = list(link.compare)
    for key, *_ in scn.SLIDERS:
        ss[f"scn_{key}"] = float(link.scenario.get(key, 0.0))
        ss[f"_w_scn_{key}"] = ss[f"scn_{key}"]
    for key, *_ in scn.OWN_FIELDS:
        ss[f"own_{key}"] = link.own.get(key)
    ss["own_plan"] = rl.plan_text(link.plan)
    notes = list(link.notes)
    v = data.cached(_versions)
    newest = next(iter(v["rounds"]), None)
    ss.proj_table = None
    ss._version_note = ""
    line = rl.version_note(link.proj_round, link.kostra_year, newest, v["kostra"])
    if line:
        if link.proj_round in v["rounds"] and link.proj_round != newest:
            ss.proj_table = v["rounds"][link.proj_round]
            ss._version_note = line + " Viser tallene fra lenken."
        else:
            notes.append(line + " Den eldre versjonen finnes ikke i databasen; viser de "
                                "nyeste tallene.")
    ss._link_notes = notes
    ss._link_read = True


def _use_newest() -> None:
    st.session_state.proj_table = None
    st.session_state._version_note = ""


def messages() -> None:
    """The notes about the link (bad or old parameters, data version), at the top of every
    view until the user closes them."""
    ss = st.session_state
    for i, note in enumerate(ss.get("_link_notes", [])):
        st.warning(note, icon=":material/link_off:")
    if ss.get("_link_notes"):
        if st.button("Lukk meldingene om lenken", key="_close_link_notes"):
            ss._link_notes = []
            st.rerun()
    if ss.get("_version_note"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.info(ss._version_note, icon=":material/history:")
            st.button("Vis nyeste tall", key="_use_newest", on_click=_use_newest)


def _data_version_params() -> dict[str, str]:
    v = data.cached(_versions)
    table = st.session_state.get("proj_table")
    rnd = next((r for r, t in v["rounds"].items() if t == table), None) if table \
        else next(iter(v["rounds"]), None)
    out = {}
    if rnd:
        out["proj"] = rnd
    if v["kostra"]:
        out["kostra"] = str(v["kostra"])
    return out


def link_params() -> dict[str, str]:
    """The URL parameters of the current view (selection, scenario, målform, version)."""
    ss = st.session_state
    current = scn.current()
    scenario = {k: v for k, v in current.levers().items() if v}
    own = current.own
    mine = {**dict(own.users), "places": own.places, "aarsverk": own.aarsverk}
    state = rl.LinkState(ss.region, ss.alternative, int(ss.horizon), scenario,
                         language(), None, None,
                         compare=tuple(ss.get("compare_set") or ()),
                         own={k: v for k, v in mine.items() if v is not None}, plan=own.plan)
    return {**rl.to_params(state), **_data_version_params()}


def _sync_url() -> None:
    params = link_params()
    for key in ("maal", "proj", "kostra", "sml", "plan", *rl.SCENARIO_PARAMS.values(),
                *rl.OWN_PARAMS.values()):
        if key not in params and key in st.query_params:
            del st.query_params[key]
    st.query_params.update(params)


def share_url(page_path: str = "") -> str:
    """The full link of the current view (``page_path``: the page's URL path)."""
    parts = urlsplit(st.context.url or "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    path = "/".join(p for p in (prefix, page_path.strip("/")) if p)
    return f"{base}/{path}?{urlencode(link_params())}"


def copy_link(page_path: str, key: str = "copy_link") -> None:
    """«Kopier lenke»: the link of this view, with a copy button (the code block's icon)."""
    with st.popover("Kopier lenke", icon=":material/link:", key=key):
        st.caption("Lenken åpner samme side, kommune, alternativ, år, scenario, "
                   "sammenligningsutvalg og dataversjon. Trykk på kopier-ikonet til høyre.")
        st.code(share_url(page_path), language=None, wrap_lines=True)


def sidebar() -> Selection:
    """Draw the shared sidebar (call once per run, from app.py) and return the selection."""
    lookup = data.region_lookup()
    labels, code_of = lookup.labels, lookup.code_of
    _init_from_url(lookup.names)
    # The widgets own keys _w_*; they are seeded from the persistent keys (set from the URL
    # on first load) and copied back, so the choice survives page switches. Options are the
    # visible labels (searchable by name and number); codes are looked up from them.
    alt_labels = {a: f"{catalog.alternative_label(a)} ({a})" for a in catalog.ALTERNATIVE_ORDER}
    alt_of = {lab: a for a, lab in alt_labels.items()}
    ss = st.session_state
    if ss.get("_w_region") not in code_of:
        ss._w_region = labels.get(ss.region, next(iter(code_of)))
    if ss.get("_w_alt") not in alt_of:
        ss._w_alt = alt_labels[ss.alternative]
    if ss.get("_w_horizon") not in HORIZONS:
        ss._w_horizon = ss.horizon
    if ss.get("_w_lang") not in LANGUAGES:
        ss._w_lang = language()
    with st.sidebar:
        st.selectbox("Kommune, fylke eller hele landet", list(code_of), key="_w_region",
                     help="Søk på navn eller kommunenummer (inndeling fra 2024).")
        ss.region = code_of[ss._w_region]
        st.selectbox("Framskrivingsalternativ", list(alt_of), key="_w_alt",
                     help="SSBs alternativer for befolkningsframskrivingen.")
        ss.alternative = alt_of[ss._w_alt]
        st.caption(catalog.alternative_explanation(ss.alternative))
        h = st.segmented_control("Framskrivingsår", HORIZONS, key="_w_horizon",
                                 selection_mode="single")
        if h is not None:  # clicking the active segment clears it: keep the last year
            ss.horizon = int(h)
        st.radio("Målform for tekst og nedlastinger", LANGUAGES, key="_w_lang",
                 format_func=LANGUAGE_LABEL.get, horizontal=True,
                 help="Gjelder oppsummeringer, figurtekster og filer du laster ned. Menyene "
                      "er på bokmål.")
        ss.language = ss._w_lang
    _sync_url()
    sel = selection_of(lookup, ss.region, ss.alternative, ss.horizon, ss.get("proj_table"))
    ss["_selection"] = sel
    ss["_sidebar_run"] = _run_token()
    return sel


def selection_of(lookup: data.RegionLookup, code: str, alternative: str, horizon: int,
                 proj_table: str | None = None) -> Selection:
    """The ``Selection`` the sidebar makes for ``code`` (also the prefetch's and the
    prebuild's, so their reports are the ones a page asks for)."""
    name, level, parent = lookup.rows.get(code, (code, "kommune", None))
    fylke = parent if level == "kommune" and code in lookup.rows else None
    return Selection(code, name, level, fylke, alternative, int(horizon), proj_table)


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
