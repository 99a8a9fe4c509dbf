"""The files behind the download buttons, taken from the page as the user gets them: the
callable each «Last ned CSV»/«Last ned Excel» button registers (deferred download) is called
and the file read back — header block (set or region, alternative, year, sources) and
numbers (checked against SSB's 07459 file)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from tests.paths import shared
from tests.test_page_tjenester import POP_FILE, run_page, store_path  # noqa: F401  (fixture)


@pytest.fixture
def downloads(monkeypatch):
    """{file name: the callable that builds the file} of every deferred download button."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    made = {}
    orig = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return orig(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return made


def read_csv(data: bytes) -> tuple[dict[str, str], pd.DataFrame]:
    """Header block (key → value) and table of one of the app's CSV files."""
    text = data.decode("utf-8-sig")
    head_text, table = text.split("\n\n", 1)
    head = dict(csv.reader(io.StringIO(head_text), delimiter=";"))
    return head, pd.read_csv(io.StringIO(table), sep=";", decimal=",", dtype={0: str})


def read_xlsx(data: bytes) -> tuple[dict[str, str], pd.DataFrame]:
    """Header block and table of one of the app's Excel files (first sheet)."""
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    blank = next(i for i, r in enumerate(rows) if all(v is None for v in r))
    head = {r[0]: r[1] for r in rows[:blank]}
    return head, pd.DataFrame(rows[blank + 2:], columns=rows[blank + 1])


def ssb_population(code: str, year: int, min_age: int = 0) -> float:
    """Persons aged ``min_age`` or more on 1 January ``year`` in kommune ``code``, straight
    from SSB's 07459 parquet."""
    pq = pd.read_parquet(shared(POP_FILE), filters=[("location_code", "==", f"municip_nor{code}"),
                                                    ("calyear", "==", year)])
    return float(pq.loc[(pq["sex"] != "total") & (pq["age"].astype(int) >= min_age),
                        "pop_jan1_n"].sum())


def test_region_csv_and_excel_carry_the_header_block(monkeypatch, store_path, downloads):  # noqa: F811
    at = run_page(monkeypatch, store_path, "views/region.py", region="1804")  # Nordland
    assert {b.label for b in at.get("download_button")} >= {"Last ned CSV", "Last ned Excel"}
    name = "sammenlign_nordland_MMMM_2040"
    for head, table in (read_csv(downloads[f"{name}.csv"]()),
                        read_xlsx(downloads[f"{name}.xlsx"]())):
        assert head["Kunnskapsgrunnlag"] == "Sammenlign kommuner"
        assert head["Utvalg"] == "Nordland (2 kommuner)"
        assert head["Framskrivingsalternativ"] == "Hovedalternativet (MMMM)"
        assert head["Framskrivingsår"] == "2040"
        assert head["Basisår (befolkning)"] == "2026" and head["KOSTRA-år"] == "2025"
        assert head["Dataversjon"] == "framskriving 2026, KOSTRA 2025"
        for table_id in ("07459", "14746", "12003", "11645", "12292", "11875"):
            assert f"tabell {table_id}" in head["Kilder"]
        assert head["Lisens"] == "SSB, CC BY 4.0"
        assert list(table["Kommune"]) == ["Bodø", "Røst"]
        assert [str(c) for c in table["Kommunenummer"]] == ["1804", "1856"]
        # numbers are numbers, equal to SSB's file
        pop = table.set_index("Kommune")["Folketall 2026"]
        assert pop["Bodø"] == ssb_population("1804", 2026) > 50_000
        assert pop["Røst"] == ssb_population("1856", 2026)
        assert "Heldøgns omsorg 80+ 2025 (%)" in table.columns


def test_tjenester_table_csv_and_excel_carry_the_header_block(monkeypatch, store_path,  # noqa: F811
                                                              downloads):
    run_page(monkeypatch, store_path, "views/tjenester.py", region="1804")
    name = "tjenester_dekningsgrad_1804_bodo_MMMM_2040"
    for head, table in (read_csv(downloads[f"{name}.csv"]()),
                        read_xlsx(downloads[f"{name}.xlsx"]())):
        assert head["Kunnskapsgrunnlag"] == "Tjenester og kapasitet – Bodø"
        assert head["Region"] == "Bodø (1804)"
        assert head["Framskrivingsalternativ"] == "Hovedalternativet (MMMM)"
        assert head["Framskrivingsår"] == "2040"
        assert "tabell 12003" in head["Kilde"] and "tabell 07459" in head["Kilde"]
        # persons per age band on 1.1.2026 as in SSB's 07459 file (80–89 + 90+ = 80+)
        old = table[table["Aldersgruppe"].isin(["80–89 år", "90 år og over"])]
        home = old[old["Tjeneste"] == "Mottakere av hjemmetjenester"]
        assert home["Innbyggere"].sum() == ssb_population("1804", 2026, 80) > 2000
