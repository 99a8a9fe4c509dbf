"""Fetch a region on first view: when the chosen kommune is not in the store, get it from
SSB with a visible progress bar (once per session and region); offline, say so and show how
to import files instead. Set env ``KG_AUTO_FETCH=0`` to turn this off (fetch from the start
page or the command line only)."""

from __future__ import annotations

import os

import streamlit as st

from data_sources import catalog
from ui import data
from ui.state import Selection

NAMES = {"projection": "befolkningsframskriving", "population": "befolkningshistorikk (07459)",
         **{t: f"KOSTRA {t}" for t in catalog.KOSTRA_TABLES}}


def needed(region: str) -> list[str]:
    """Tables to fetch for a first view: the region's own series, and KOSTRA tables that are
    not in the store at all."""
    return data.missing_tables(region)


def fetch(sel: Selection, need: list[str]) -> tuple[bool, str]:
    """Run the refresh with a progress bar. Returns (ok, message)."""
    from data_sources.client import SSBClient
    from data_sources.refresh import refresh
    bar = st.progress(0.0, text=f"Henter data for {sel.region_name} fra SSB …")

    def progress(what, done, total):
        bar.progress(min(done / max(total, 1), 1.0),
                     text=f"Henter {what} for {sel.region_name}: {done} av {total} forespørsler")

    try:
        report = refresh(data.store(), tables=need, regions=[sel.region_code],
                         client=SSBClient(retries=2, backoff=0.5), progress=progress)
    finally:
        bar.empty()
        data.bump_version()
    if report.ok:
        return True, "\n".join(report.lines())
    failed = [t.message for t in report.tables if t.action == "failed"]
    return False, failed[0] if failed else "ukjent feil"


def offline_help(sel: Selection, need: list[str], reason: str) -> None:
    st.warning(
        f"Fikk ikke hentet data for {sel.region_name} fra SSB ({reason}). Mangler: "
        + ", ".join(NAMES.get(n, n) for n in need) + ".\n\n"
        "Uten nettverk: last ned tabellene fra Statistikkbanken (ssb.no/statbank) som "
        "JSON-stat 2 eller CSV og importer dem på siden **Oversikt og data**, eller kjør "
        "`python -m data_sources import FIL ...`.", icon=":material/wifi_off:")


def ensure_region(sel: Selection) -> None:
    """Call once per run (app.py) after the sidebar."""
    if os.environ.get("KG_AUTO_FETCH", "1") == "0":
        return
    tried = st.session_state.setdefault("_fetch_tried", {})
    if sel.region_code in tried:
        ok, msg = tried[sel.region_code]
        if not ok:
            offline_help(sel, needed(sel.region_code), msg)
        return
    need = needed(sel.region_code)
    if not need:
        return
    ok, msg = fetch(sel, need)
    tried[sel.region_code] = (ok, msg)
    if ok:
        st.toast(f"Hentet data for {sel.region_name} fra SSB", icon=":material/download_done:")
        st.rerun()
    offline_help(sel, need, msg)
