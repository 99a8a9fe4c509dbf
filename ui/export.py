"""Downloads built from report objects: CSV and Excel of one chart or table, each with a
header block (kommune, alternative, scenario, data version, source) and a file name that
names kommune, alternative and year.

CSV: ``;``-separated, decimal comma, UTF-8 with BOM (opens correctly in Norwegian Excel).
Excel: openpyxl, numbers rounded once and kept as numbers. Files are generated only when
the user clicks (Streamlit calls the data callable), so rendering stays fast.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

import pandas as pd
import streamlit as st

from analysis import report_text as tx
from analysis.report import Chart, Report, Table, say

LOG = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header_rows(report: Report, source: str = "") -> list[tuple[str, str]]:
    """The header block of every exported file, in the report's målform."""
    lang = report.language
    rows = [(say(lang, "Kunnskapsgrunnlag", "Kunnskapsgrunnlag"), report.title),
            ("Region", f"{report.region_name} ({report.region_code})"),
            ("Framskrivingsalternativ",
             f"{tx.alt_label(report.alternative, lang)} ({report.alternative})"),
            (say(lang, "Framskrivingsår", "Framskrivingsår"), str(report.horizon)),
            ("Scenario", tx.describe_scenario(report.scenario, lang)),
            ("Dataversjon", report.data_version)]
    if source:
        rows.append((say(lang, "Kilde", "Kjelde"), source))
    rows.append(("Lisens", "SSB, CC BY 4.0"))
    return rows


def slug(text: str) -> str:
    """«Nøkkeltall Ålesund» → «nokkeltall_alesund» (ASCII file-name part)."""
    t = text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", t).strip("_").lower()


def file_name(report: Report, what: str, ext: str) -> str:
    """«befolkning_nokkeltall_3103_moss_MMMM_2040.csv»."""
    return (f"{report.view}_{slug(what)}_{report.region_code}_{slug(report.region_name)}_"
            f"{report.alternative}_{report.horizon}.{ext}")


def _table(item: Chart | Table) -> Table:
    return item.table() if isinstance(item, Chart) else item


def to_csv_bytes(df: pd.DataFrame, header: list[tuple[str, str]] | None = None) -> bytes:
    """``df`` as Norwegian CSV (``;`` separator, ``,`` decimals, UTF-8 with BOM), after the
    header block (``key;value`` lines and one empty line) when given."""
    head = ""
    if header:
        head = pd.DataFrame(header).to_csv(sep=";", index=False, header=False) + "\n"
    return (head + df.to_csv(sep=";", decimal=",", index=False)).encode("utf-8-sig")


def _autowidth(ws, df: pd.DataFrame, start_col: int = 1) -> None:
    for i, col in enumerate(df.columns, start=start_col):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:50, i - start_col]])
        ws.column_dimensions[ws.cell(1, i).column_letter].width = min(width + 2, 45)


def to_excel_bytes(df: pd.DataFrame, sheet: str = "Data",
                   header: list[tuple[str, str]] | None = None) -> bytes:
    """``df`` as an .xlsx workbook (one sheet; the header block above the table when given;
    numbers as numbers)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        write_sheet(xw, df, sheet, header)
    return buf.getvalue()


def write_sheet(xw: pd.ExcelWriter, df: pd.DataFrame, sheet: str,
                header: list[tuple[str, str]] | None = None) -> None:
    """One sheet: header block (bold keys), an empty row, then ``df`` with a bold header."""
    from openpyxl.styles import Font
    name = sheet[:31]
    start = len(header) + 1 if header else 0
    df.to_excel(xw, index=False, sheet_name=name, startrow=start)
    ws = xw.sheets[name]
    for r, (k, v) in enumerate(header or [], start=1):
        ws.cell(r, 1, k).font = Font(bold=True)
        ws.cell(r, 2, v)
    _autowidth(ws, df)


def item_frame(item: Chart | Table, language: str = "nb") -> pd.DataFrame:
    """The numbers of a chart or table as exported: rounded once, numbers as numbers,
    column headers in the målform."""
    df = _table(item).rounded()
    return df.rename(columns={c: tx.column_name(str(c), language) for c in df.columns})


def item_downloads(report: Report, item: Chart | Table, key: str) -> None:
    """«Last ned CSV» and «Last ned Excel» of one chart or table of ``report``."""
    t = _table(item)
    # the files (and their header block) are made only when a button is pressed
    with st.container(horizontal=True, gap="small"):
        st.download_button("Last ned CSV",
                           data=lambda: to_csv_bytes(item_frame(t, report.language),
                                                     header_rows(report, t.caption)),
                           file_name=file_name(report, t.key, "csv"), mime="text/csv",
                           key=f"{key}_csv", on_click="ignore", icon=":material/download:")
        st.download_button("Last ned Excel",
                           data=lambda: to_excel_bytes(item_frame(t, report.language),
                                                       t.title, header_rows(report, t.caption)),
                           file_name=file_name(report, t.key, "xlsx"), mime=XLSX,
                           key=f"{key}_xlsx", on_click="ignore", icon=":material/download:")


PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def view_reports(sel, scen, lang: str, compare: tuple[str, ...] = ()) -> dict[str, Report]:
    """The three views' reports for one selection, scenario, målform and saved comparison
    set (cached per store version; the same calls as the pages make), for the deck and the
    HTML report."""
    from analysis.population_report import population_report
    from analysis.services_report import services_report, staffing_report
    from ui import data
    return {"befolkning": data.shared(population_report, sel, lang, compare),
            "tjenester": data.shared(services_report, sel, scen, lang, compare),
            "bemanning": data.shared(staffing_report, sel, scen, lang, compare)}


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _deck_and_report(version: str, sel, scen, lang: str,
                     compare: tuple[str, ...]) -> tuple[bytes, bytes]:
    """PowerPoint and HTML report of the three views, shared by every session that asks for
    the same selection, scenario and målform of one store version (a webinar downloads the
    same deck many times)."""
    from ui import deck, html_report
    reports = view_reports(sel, scen, lang, compare)
    return deck.pptx_bytes(reports, lang), html_report.html_bytes(reports, lang)


def _build_files(version: str, sel, scen, lang: str,
                 compare: tuple[str, ...]) -> tuple[bytes, bytes] | None:
    """Build the deck and the report with each step shown; None (and a message) on failure."""
    with st.status("Lager PowerPoint og rapport …", expanded=True) as status:
        try:
            st.write("Samler tallene for Befolkning, Tjenester og Bemanning …")
            view_reports(sel, scen, lang, compare)
            st.write("Lager lysbildene og rapporten …")
            files = _deck_and_report(version, sel, scen, lang, compare)
        except Exception:
            LOG.exception("export failed")
            status.update(label="Kunne ikke lage filene", state="error", expanded=True)
            st.error("Noe gikk galt da filene skulle lages. Prøv igjen om litt; skjer det "
                     "igjen, last ned tabellene enkeltvis under hver figur.")
            return None
        status.update(label="PowerPoint og rapport er klare", state="complete",
                      expanded=False)
    return files


def report_downloads(report: Report) -> None:
    """The whole fact base as files: this view as an Excel workbook, all three views as a
    PowerPoint deck and as an HTML report. The deck and the report are built when the user
    asks (with each step shown), then offered as downloads while the view is unchanged."""
    from ui import data, scenario, state, workbook
    sel, scen, lang = state.current(), scenario.current(), report.language
    version = data.cache_version()
    ask = (version, sel, scen, lang, tuple(st.session_state.get("compare_set") or ()))
    st.subheader("Ta med tallene")
    st.caption("PowerPoint og rapporten samler Befolkning, Tjenester og Bemanning for valgt "
               "kommune, alternativ og scenario. Rapporten er én HTML-fil som virker uten "
               "nett og kan skrives ut som PDF.")
    name = f"kunnskapsgrunnlag_{report.region_code}_{slug(report.region_name)}_" \
           f"{report.alternative}_{report.horizon}"
    made = st.session_state.get("_export_files")
    if made is not None and made[0] != ask:
        made = None
        st.session_state.pop("_export_files", None)
    with st.container(horizontal=True, gap="small"):
        slot = st.empty()
        clicked = made is None and slot.button(
            "Lag PowerPoint og rapport", key="make_files", type="primary",
            icon=":material/slideshow:", help="Tar noen sekunder første gang.")
        st.download_button("Excel-arbeidsbok (denne siden)",
                           data=lambda: workbook.workbook_bytes(report),
                           file_name=file_name(report, "arbeidsbok", "xlsx"), mime=XLSX,
                           key="dl_workbook", on_click="ignore", icon=":material/table_view:")
    if clicked:
        files = _build_files(*ask)
        if files is not None:
            made = (ask, files)
            st.session_state["_export_files"] = made
            slot.empty()
    if made is not None:
        pptx, html = made[1]
        with st.container(horizontal=True, gap="small"):
            st.download_button("Last ned PowerPoint", data=pptx, file_name=f"{name}.pptx",
                               mime=PPTX, key="dl_pptx", on_click="ignore",
                               icon=":material/download:", type="primary")
            st.download_button("Last ned rapport (HTML)", data=html,
                               file_name=f"{name}.html", mime="text/html", key="dl_html",
                               on_click="ignore", icon=":material/download:")
