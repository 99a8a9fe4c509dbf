"""Oversikt og data: what the store holds, fetching the chosen region, importing files."""

import logging

import pandas as pd
import streamlit as st

from ui import data, fetch, state
from analysis.format import fmt_int

log = logging.getLogger(__name__)

sel = state.current()
store = data.store()

st.title("Kunnskapsgrunnlag for Leve hele livet")
st.markdown(
    "Befolkningsutvikling mot 2030, 2040 og 2050, tjenestebehov og bemanning i helse og "
    "omsorg for hver kommune – fra SSBs befolkningsframskrivinger og KOSTRA. "
    "Velg kommune, framskrivingsalternativ og år i sidemenyen; sidene **Befolkning**, "
    "**Tjenester og kapasitet** og **Bemanning** viser tallene med kilde.")

# -- the chosen region -------------------------------------------------------------------
st.subheader(f"Data for {sel.region_name}")
need = data.missing_tables(sel.region_code)
if not need:
    st.success(f"Databasen har alle tabeller for {sel.region_name}.")
else:
    st.warning(f"Mangler for {sel.region_name}: "
               + ", ".join(fetch.NAMES.get(n, n) for n in need) + ".")
    if fetch.allowed() and st.button(f"Hent data for {sel.region_name} fra SSB",
                                     type="primary", key="fetch"):
        ok, msg = fetch.fetch(sel, need)
        if ok:
            st.session_state.setdefault("_fetch_tried", {})[sel.region_code] = (True, msg)
            st.rerun()
        st.error(f"Fikk ikke hentet data fra SSB: {msg}\n\nUten nettverk kan du laste ned "
                 "tabellene fra Statistikkbanken (ssb.no/statbank) som JSON-stat 2 eller CSV "
                 "og importere dem nedenfor.")

# -- import ------------------------------------------------------------------------------
if fetch.allowed():  # public mode: only the operator's refresh job writes
    with st.expander("Importer filer lastet ned fra Statistikkbanken", expanded=bool(need)):
        st.markdown(
            "Last ned tabell 14746 (befolkningsframskriving), 07459 (befolkning, med "
            "«Kommuner summert» som regioninndeling) eller KOSTRA-tabellene 12209, 12292, 12003 og "
            "11875 fra Statistikkbanken, som **JSON-stat 2** eller **CSV (semikolonseparert)**, "
            "og slipp filene her. Det samme kan gjøres med "
            "`python -m data_sources import FIL ...`.")
        files = st.file_uploader("Filer", type=["json", "csv"], accept_multiple_files=True,
                                 key="upload")
        if files and st.button("Importer", key="do_import"):
            from data_sources.importer import FileImportError, import_uploads
            from data_sources.store import StoreBusy
            try:
                with st.spinner("Importerer …"):
                    reports = import_uploads([(f.name, f.getvalue()) for f in files],
                                             wait=fetch.WRITER_WAIT_S)
            except FileImportError as exc:
                st.error(f"{exc}\n\nIngenting ble endret i databasen.")
            except StoreBusy:
                st.error("En annen oppdatering av databasen pågår. Prøv igjen om litt; "
                         "ingenting ble endret.")
            except Exception:  # noqa: BLE001 - a planner never meets a traceback
                log.exception("upload import failed")
                st.error("Importen stoppet på en uventet feil (detaljer i serverloggen). "
                         "Ingenting ble endret i databasen.")
            else:
                data.bump_version()
                for r in reports:
                    st.success(r.message)

# -- what the store holds ----------------------------------------------------------------
st.subheader("Hva databasen inneholder")
status = data.status()  # keyed on the version: read anew after an import in this run
if status.empty:
    st.info("Databasen er tom. Hent data for en kommune med knappen over, kjør "
            "`python -m data_sources refresh --all` kvelden før et møte, eller importer filer.")
else:
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    view = pd.DataFrame({
        "Tabell": status["table_id"],
        "Innhold": status["title"],
        "Runde": status["round"].fillna("–"),
        "Oppdatert hos SSB": pd.to_datetime(status["ssb_updated"], errors="coerce", utc=True)
        .dt.strftime("%d.%m.%Y").fillna("ukjent"),
        "Hentet": pd.to_datetime(status["fetched_at"]).dt.strftime("%d.%m.%Y %H:%M"),
        "Alder": [f"{(now - pd.Timestamp(t)).days} dager" for t in status["fetched_at"]],
        "Rader": [fmt_int(r) for r in status["rows"]],
        "Regioner": status["regions"],
    })
    st.dataframe(view, hide_index=True, width="stretch")
    st.caption("Kilde: Statistisk sentralbyrå (SSB), lisens CC BY 4.0. Tallene brukes slik SSB "
               "publiserer dem; «Oppdatert hos SSB» er SSBs egen oppdateringstid.")
