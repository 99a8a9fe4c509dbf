"""The Excel workbook of a report: a sheet per chart or table (numbers rounded once, kept as
numbers), each with the header block, a key-figure sheet and a sources sheet."""

from __future__ import annotations

import io
import re

import pandas as pd

from analysis.report import Report, say
from ui.export import header_rows, item_frame, write_sheet


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", title)[:28]
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


def key_figure_frame(report: Report) -> pd.DataFrame:
    """Label, value (rounded as shown), unit, base value, change of the shown figures."""
    lang = report.language
    rows = []
    for kf in report.key_figures():
        rows.append({say(lang, "Nøkkeltall", "Nøkkeltal"): kf.label,
                     "Verdi": kf.shown() if kf.value_text is None else kf.value_text,
                     "Enhet": kf.unit, "År": kf.label_target or None,
                     say(lang, "Utgangsverdi", "Utgangsverdi"): kf.shown_base(),
                     say(lang, "Utgangsår", "Utgangsår"): kf.base_label or None,
                     "Endring": kf.shown_delta()})
    return pd.DataFrame(rows)


def sources_frame(report: Report) -> pd.DataFrame:
    cited = []
    for it in report.items():
        cited += [i for i in it.sources if i not in cited]
    rows = [{"Tabell": s.table_id or s.id, "Utgiver": s.publisher, "Tittel": s.title,
             "Runde/år": s.round, "Oppdatert av SSB": s.ssb_updated,
             "Hentet": s.fetched_at, "Kildehenvisning": s.cite()}
            for s in report.cited(cited)]
    return pd.DataFrame(rows)


def workbook_bytes(report: Report) -> bytes:
    buf = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        kf = key_figure_frame(report)
        if len(kf):
            write_sheet(xw, kf, _sheet_name(say(report.language, "Nøkkeltall", "Nøkkeltal"),
                                            used), header_rows(report))
        for it in [*report.tables(), *report.charts()]:
            write_sheet(xw, item_frame(it, report.language), _sheet_name(it.title, used),
                        header_rows(report, it.caption))
        write_sheet(xw, sources_frame(report), _sheet_name("Kilder", used), header_rows(report))
    return buf.getvalue()
