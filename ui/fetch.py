"""Fetch a region on first view: when the chosen kommune is not in the store, get it from
SSB with a visible progress bar (once per session and region); offline, say so and show how
to import files instead. Set env ``KG_AUTO_FETCH=0`` to turn this off (fetch from the start
page or the command line only); ``KG_PUBLIC=1`` turns off fetching and upload for visitors.

Whether SSB is reachable is checked with one short request and remembered for the whole
process for ``config.network_recheck_s()`` (a minute): with no network, every session shows
the app and the import hint at once instead of each waiting on its own timeouts.

A fetch writes a new store version (``store.publishing``); other sessions keep reading the
previous one until their next run.
"""

from __future__ import annotations

import os
import threading
import time

import requests
import streamlit as st

from data_sources import catalog, config
from data_sources.refresh import missing_tables
from data_sources.store import StoreBusy, publishing
from ui import data
from ui.state import Selection

PROBE_TIMEOUT_S = 2.0
WRITER_WAIT_S = 5.0  # a session waits this long for another writer, then says so

_network: dict[str, tuple[bool, float]] = {}  # SSB base URL -> (reachable, when checked)
_network_lock = threading.Lock()


def allowed() -> bool:
    """May visitors of this instance fetch from SSB and upload files? (not in public mode)"""
    return not config.public_mode()


def _probe(url: str) -> bool:
    """One short request to SSB's API: any HTTP answer means the network is up."""
    try:
        requests.get(url + "/config", timeout=PROBE_TIMEOUT_S)
        return True
    except requests.RequestException:
        return False


def network_ok(force: bool = False) -> bool:
    """Is SSB reachable? Asked at most once per ``network_recheck_s`` per process (other
    sessions wait for the one check in progress instead of starting their own)."""
    url = config.ssb_base_url()
    with _network_lock:
        ok, checked = _network.get(url, (False, -1e9))
        if force or time.monotonic() - checked > config.network_recheck_s():
            ok = _probe(url)
            _network[url] = (ok, time.monotonic())
        return ok


OFFLINE = ("Får ikke kontakt med SSB (ingen nettverkstilgang eller SSB svarer ikke); sjekker "
           "igjen om et minutt")

NAMES = {"projection": "befolkningsframskriving", "population": "befolkningshistorikk (07459)",
         **{t: f"KOSTRA {t}" for t in catalog.KOSTRA_TABLES}}


def needed(region: str) -> list[str]:
    """Tables to fetch for a first view: the region's own series, and KOSTRA tables that are
    not in the store at all."""
    return missing_tables(data.store(), region)


def fetch(sel: Selection, need: list[str]) -> tuple[bool, str]:
    """Run the refresh with a progress bar. Returns (ok, message)."""
    from data_sources.client import SSBClient
    from data_sources.refresh import refresh
    bar = st.progress(0.0, text=f"Henter data for {sel.region_name} fra SSB …")

    def progress(what, done, total):
        bar.progress(min(done / max(total, 1), 1.0),
                     text=f"Henter {what} for {sel.region_name}: {done} av {total} forespørsler")

    try:
        with publishing(config.db_path(), timeout=WRITER_WAIT_S) as writer:
            report = refresh(writer, tables=need, regions=[sel.region_code],
                             client=SSBClient(retries=2, backoff=0.5), progress=progress)
    except StoreBusy as exc:
        return False, str(exc)
    finally:
        bar.empty()
    data.bump_version()
    if report.ok:
        return True, "\n".join(report.lines())
    if not network_ok(force=True):
        return False, OFFLINE
    failed = [t.message for t in report.tables if t.action == "failed"]
    return False, failed[0] if failed else "ukjent feil"


def offline_help(sel: Selection, need: list[str], reason: str) -> None:
    if not allowed():
        st.info(f"Databasen har ikke alle tall for {sel.region_name} ennå ("
                + ", ".join(NAMES.get(n, n) for n in need) + "). Denne utgaven oppdateres av "
                "driftsansvarlig; velg en annen kommune eller prøv igjen senere.",
                icon=":material/schedule:")
        return
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
            need = needed(sel.region_code)
            if need:
                offline_help(sel, need, msg)
        return
    need = needed(sel.region_code)
    if not need:
        return
    if not allowed():
        offline_help(sel, need, "")
        return
    if not network_ok():  # known offline: say so at once, ask again after a minute
        offline_help(sel, need, OFFLINE)
        return
    ok, msg = fetch(sel, need)
    if msg != OFFLINE:
        tried[sel.region_code] = (ok, msg)
    if ok:
        st.toast(f"Hentet data for {sel.region_name} fra SSB", icon=":material/download_done:")
        st.rerun()
    offline_help(sel, need, msg)
