"""CSV and Excel downloads of exactly the numbers a chart or table shows.

CSV: ``;``-separated, decimal comma, UTF-8 with BOM (opens correctly in Norwegian Excel).
Excel: one sheet written with openpyxl, numbers kept as numbers. Files are generated only
when the user clicks (Streamlit calls the data callable), so rendering stays fast.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as Norwegian CSV (``;`` separator, ``,`` decimals, UTF-8 with BOM)."""
    return df.to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")


def to_excel_bytes(df: pd.DataFrame, sheet: str = "Data") -> bytes:
    """``df`` as an .xlsx workbook (one sheet, header row, numbers as numbers)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        for i, col in enumerate(df.columns, start=1):
            width = max(len(str(col)), *(len(str(v)) for v in df.iloc[:50, i - 1])) \
                if len(df) else len(str(col))
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(width + 2, 40)
    return buf.getvalue()


def download_buttons(df: pd.DataFrame, basename: str, key: str) -> None:
    """Two small buttons: «Last ned CSV» and «Last ned Excel» for ``df``.

    ``basename`` without extension (e.g. ``"befolkning_3103_80-89"``); ``key`` unique on
    the page.
    """
    frame = df.copy()
    with st.container(horizontal=True, gap="small"):
        st.download_button("Last ned CSV", data=lambda: to_csv_bytes(frame),
                           file_name=f"{basename}.csv", mime="text/csv", key=f"{key}_csv",
                           on_click="ignore", icon=":material/download:")
        st.download_button(
            "Last ned Excel", data=lambda: to_excel_bytes(frame), file_name=f"{basename}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx", on_click="ignore", icon=":material/download:")
