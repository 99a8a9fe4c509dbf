"""Importing hand-downloaded SSB files (CSV and JSON-stat 2) into the store."""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from data_sources import importer, ssbcsv
from data_sources.importer import FileImportError
from data_sources.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT / ".." / "shared" / "ssb"))
HIST = SHARED / "befolkning_historikk"
CSV_2024 = HIST / "csdata_niphr" / "07459_norway_population_by_age_sex_2024.csv"
CSV_2023 = HIST / "csdata_niphr" / "07459_norway_population_by_age_sex_2023.csv"
JSON_07459 = HIST / "omsorgsradar_fixtures" / "ssb_07459_kommune_hist_fixture.json"
CSV_13599 = SHARED / "befolkningsframskriving" / "nasjonal_13599_erlandhandegard" / \
    "13599_20230307-134301.csv"

needs_shared = pytest.mark.skipif(not CSV_2024.exists(), reason="../shared/ssb mangler")


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def raw_totals(path: Path) -> dict[str, int]:
    """Kommune totals computed independently with the csv module (region code -> persons)."""
    totals: dict[str, int] = defaultdict(int)
    with open(path, encoding="latin-1", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header_i = next(i for i, r in enumerate(rows) if r and r[0] == "region")
    for r in rows[header_i + 1:]:
        if not r:
            continue
        code = r[0].split(" ")[0].removeprefix("K-")
        totals[code] += int(r[2]) + int(r[3])
    return dict(totals)


# -- CSV parsing -----------------------------------------------------------------------------
@needs_shared
def test_07459_csv_2024_parses_to_api_shape():
    df, meta = ssbcsv.read_csv(CSV_2024)
    assert meta.table_id == "07459"
    assert [d.id for d in meta.dimensions] == ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"]
    assert meta.dim("Region").codelist == "agg_KommSummer"
    assert meta.dim("Kjonn").codes == ("1", "2")
    ages = meta.dim("Alder").codes
    assert ages[0] == "000" and ages[-1] == "105+" and len(ages) == 106
    assert meta.dim("ContentsCode").codes == ("Personer1",)
    assert meta.dim("Tid").codes == ("2024",)
    assert df["value"].dtype == np.float64
    assert df.loc[0, ["Region", "Kjonn", "Alder"]].tolist() == ["K-3101", "1", "000"]
    assert df.loc[0, "value"] == 159
    kommuner = [c for c in meta.dim("Region").codes if len(c) == 6 and c[2:].isdigit()]
    assert len(kommuner) == 357


@needs_shared
def test_07459_import_totals_equal_raw_file(store):
    rep = importer.import_file(CSV_2024, store)
    assert rep.table_id == "07459" and rep.kind == "population" and rep.years == [2024]
    stored = store.query("SELECT region_code, sum(persons) AS p FROM population "
                         "WHERE year = 2024 GROUP BY 1")
    got = dict(zip(stored["region_code"], stored["p"]))
    want = raw_totals(CSV_2024)
    kommuner = {c for c in want if len(c) == 4 and c.isdigit()}
    assert len(kommuner) == 357
    for c in kommuner:
        assert got[c] == want[c], c
    assert sum(got[c] for c in kommuner) == sum(want[c] for c in kommuner)
    src = store.source("07459")
    q = json.loads(src["query"])
    assert q["file"] == CSV_2024.name and len(q["sha256"]) == 64
    assert src["ssb_updated"] is None
    assert "SSB oppdatert: ukjent" in rep.message
    log = store.query("SELECT origin FROM fetch_log")
    assert log["origin"].tolist() == [f"file:{CSV_2024.name}"]


@needs_shared
def test_07459_2023_has_2020_structure_and_both_years_kept(store):
    df, meta = ssbcsv.read_csv(CSV_2023)
    codes = set(meta.dim("Region").codes)
    assert "K-3001" in codes and "K-3101" not in codes and "K-1507" in codes
    importer.import_files([CSV_2023, CSV_2024], store)
    years = store.query("SELECT year, count(DISTINCT region_code) AS n FROM population "
                        "GROUP BY 1 ORDER BY 1")
    assert years["year"].tolist() == [2023, 2024]
    assert store.scalar("SELECT sum(persons) FROM population WHERE year = 2023 AND "
                        "region_code = '3001'") == raw_totals(CSV_2023)["3001"]


def _fixture_year(year: str) -> bytes:
    """The 07459 fixture (Oslo, Stavanger, Bodø; ages 80-104) cut to one year."""
    ds = json.loads(JSON_07459.read_text("utf-8"))
    years = list(ds["dimension"]["Tid"]["category"]["index"])
    vals = np.array(ds["value"], dtype=float).reshape(ds["size"])
    ds["value"] = vals[..., years.index(year)].ravel().tolist()
    ds["size"][-1] = 1
    ds["dimension"]["Tid"]["category"]["index"] = {year: 0}
    ds["dimension"]["Tid"]["category"]["label"] = {year: year}
    return json.dumps(ds).encode("utf-8")


@needs_shared
def test_partial_age_file_never_becomes_an_observed_year(store):
    importer.import_file(CSV_2024, store)
    snapshot = store.query("SELECT * FROM population ORDER BY ALL")
    # The fixture holds ages 80-104 for 2017 and 2024; the store has no 2017: refused whole.
    with pytest.raises(FileImportError, match=r"^ssb_07459_kommune_hist_fixture\.json: filen "
                       r"har bare 50 av 212 celler .* region 0301 i 2017"):
        importer.import_file(JSON_07459, store)
    assert store.query("SELECT * FROM population ORDER BY ALL").equals(snapshot)


@needs_shared
def test_partial_json_upserts_only_its_cells(store, tmp_path):
    importer.import_file(CSV_2024, store)
    before = store.scalar("SELECT count(*) FROM population WHERE region_code='0301'")
    p = _write(tmp_path, "07459_2024.json", _fixture_year("2024"))
    rep = importer.import_file(p, store)
    assert "2026-02-25" in rep.message and rep.years == [2024]
    assert store.source("07459")["ssb_updated"] == "2026-02-25T07:00:00Z"
    # The file holds ages 80-104 only: younger ages of Oslo 2024 must survive.
    after = store.scalar("SELECT count(*) FROM population WHERE region_code='0301' "
                         "AND year = 2024")
    assert after == before == 212
    ds = json.loads(JSON_07459.read_text("utf-8"))
    oslo_80_women = ds["value"][(0 * 2 + 0) * 25 * 2 + 0 * 2 + 1]  # 0301, Kjonn 2, 080, 2024
    assert store.scalar("SELECT persons FROM population WHERE region_code = '0301' AND "
                        "year = 2024 AND sex = '2' AND age = 80") == oslo_80_women


@needs_shared
def test_whole_country_csv_gets_fylke_sums(store):
    importer.import_file(CSV_2024, store)
    df = store.query("SELECT region_code, sum(persons) AS n FROM population WHERE year = 2024 "
                     "GROUP BY 1")
    n = dict(zip(df["region_code"], df["n"]))
    assert len([c for c in n if len(c) == 2]) == 15
    assert n["31"] == sum(v for c, v in n.items() if len(c) == 4 and c.startswith("31"))
    assert "Rest" not in n and "21-22" not in n


def test_fylke_sum_is_null_when_a_kommune_is_null_and_partial_fylker_get_none():
    """By hand: Østfold 31 = Halden 3101 + Moss 3103 (all its kommuner); Oslo 03's kommune
    0301 is there, but 03 is listed with a second kommune that is not, so no 03 row."""
    import pandas as pd

    from data_sources.ingest import add_fylke_sums
    frame = pd.DataFrame({"region_code": ["3101", "3103", "3101", "3103", "0301"],
                          "sex": ["1", "1", "2", "2", "1"], "age": [80, 80, 80, 80, 80],
                          "year": [2024] * 5, "persons": [10.0, 5.0, np.nan, 7.0, 3.0],
                          "table_id": ["07459"] * 5})
    out = add_fylke_sums(frame, {"31": ["3101", "3103"], "03": ["0301", "0399"]})
    fylke = out[out["region_code"].str.len() == 2].set_index("sex")["persons"]
    assert set(out["region_code"]) == {"3101", "3103", "0301", "31"}
    assert fylke["1"] == 15.0 and np.isnan(fylke["2"])  # NULL part → NULL sum, never 7
    assert len(out) == 7


@needs_shared
def test_13599_csv_parses_and_reports_missing_sex():
    df, meta = ssbcsv.read_csv(CSV_13599)
    assert meta.table_id == "13599"
    assert len(df) == 106 * 79
    assert meta.dim("Framskriv").codes == ("MMM",)
    assert meta.dim("InnvandrLandbakgr").codes == ("00",)
    assert meta.dim("Tid").codes[0] == "2022" and meta.dim("Tid").codes[-1] == "2100"
    assert ssbcsv.missing_dimensions(meta) == ["Kjonn"]
    assert any("kjønn" in n for n in meta.notes)
    first = df[(df["Alder"] == "000") & (df["Tid"] == "2022")]["value"].tolist()
    assert first == [56458.0]


# -- small authored CSV variants --------------------------------------------------------------
WIDE_NB = ('"07459: Befolkning, etter region, alder, statistikkvariabel, år og kjønn"\r\n\r\n'
           '"region";"alder";"Personer 2024 Menn";"Personer 2024 Kvinner"\r\n'
           '"K-3101 Halden";"0 år";159;127\r\n'
           '"K-3101 Halden";"105 år eller eldre";..;1\r\n'
           '"0301 Oslo - Oslove";"1 år";3,0;:\r\n')


def test_wide_norwegian_utf8_bom_with_symbols():
    df, meta = ssbcsv.read_csv(("\ufeff" + WIDE_NB).encode("utf-8"), name="x.csv")
    assert meta.dim("Kjonn").codes == ("1", "2")
    assert meta.dim("Alder").codes == ("000", "105+", "001")
    row = df[(df["Alder"] == "105+") & (df["Kjonn"] == "1")].iloc[0]
    assert np.isnan(row["value"]) and row["status"] == ".."
    row = df[(df["Region"] == "0301") & (df["Kjonn"] == "2")].iloc[0]
    assert np.isnan(row["value"]) and row["status"] == ":"
    assert df[(df["Region"] == "0301") & (df["Kjonn"] == "1")]["value"].iloc[0] == 3.0
    assert meta.dim("Region").labels[1] == "Oslo - Oslove"


def test_comma_and_tab_separated_latin1_long_layout():
    text = ('"07459: Befolkning"\n\nregion,kjønn,alder,år,Personer\n'
            '"K-3101 Halden",Menn,"0 år",2024,159\n"K-3101 Halden",Kvinner,"0 år",2024,127\n')
    df, meta = ssbcsv.read_csv(text.encode("latin-1"))
    assert [d.id for d in meta.dimensions] == ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"]
    assert df["value"].tolist() == [159.0, 127.0]
    df2, meta2 = ssbcsv.read_csv(text.replace(",", "\t").encode("latin-1"))
    assert df2["value"].tolist() == [159.0, 127.0]


def test_kostra_regions_and_decimal_comma():
    text = ('"12209: Utvalgte nøkkeltall for helse og omsorg"\n\n'
            '"region";"statistikkvariabel";"år";"verdi"\n'
            '"EKG01 KOSTRA-gruppe 1";"Andel 80 år og over med hjemmetjenester";"2024";12,5\n'
            '"EAK Landet";"Andel 80 år og over med hjemmetjenester";"2024";.\n')
    df, meta = ssbcsv.read_csv(text.encode("utf-8"))
    assert [d.id for d in meta.dimensions][0] == "KOKkommuneregion0000"
    assert meta.dim("KOKkommuneregion0000").codes == ("EKG01", "EAK")
    assert df["value"].iloc[0] == 12.5
    assert df["status"].iloc[1] == "." and np.isnan(df["value"].iloc[1])


# -- failures: Norwegian message naming the file, store unchanged -----------------------------
def _write(tmp_path, name, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("latin-1") if isinstance(data, str) else data)
    return p


GOOD = ('"07459: Befolkning"\r\n\r\n"region";"alder";"Personer 2024 Menn";'
        '"Personer 2024 Kvinner"\r\n"K-3101 Halden";"0 år";159;127\r\n')
# Every age of Halden 2024: a region-year the store lacks must come complete.
FULL = GOOD + "".join(f'"K-3101 Halden";"{a} år{" eller eldre" if a == 105 else ""}";'
                      f'{100 + a};{200 + a}\r\n' for a in range(1, 106))


@pytest.mark.parametrize("name,data,expected", [
    ("tom.csv", b"", "tom.csv: filen er tom"),
    ("tom2.json", b"  \n", "tom2.json: filen er tom"),
    ("07459.csv", GOOD + '"K-3101 Halden";"1 år";134;111\r\n"K-3101 Halden";"2 år";141\r\n',
     "07459.csv: linje 6 har 3 felt, ventet 4"),
    ("ukjent.csv", GOOD.replace("07459", "99999"), "ukjent.csv: ukjent tabell 99999: kan ikke lagres"),
    ("tekst.csv", GOOD.replace("159", "mange"), "tekst.csv: linje 4: verdien 'mange'"),
    ("avkortet.json", b'{"class": "dataset", "id": ["Region"], "value": [1, 2', "avkortet.json: avkortet JSON"),
    ("ikkejsonstat.json", b'{"hello": 1}', "ikkejsonstat.json: mangler \"class\""),
    ("utentittel.csv", GOOD.split("\r\n\r\n", 1)[1], "utentittel.csv: finner ikke tabellnummeret"),
])
def test_malformed_files_rejected_without_change(tmp_path, store, name, data, expected):
    good = _write(tmp_path, "god.csv", FULL)
    importer.import_file(good, store)
    snapshot = store.query("SELECT * FROM population ORDER BY ALL")
    sources = store.query("SELECT * FROM sources")
    # A second good file first in the batch: must not be written either.
    other = _write(tmp_path, "annen.csv", GOOD.replace("159;127", "1;2"))
    bad = _write(tmp_path, name, data)
    with pytest.raises(FileImportError) as exc:
        importer.import_files([other, bad], store)
    assert str(exc.value).startswith(expected), str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert store.query("SELECT * FROM population ORDER BY ALL").equals(snapshot)
    assert store.query("SELECT * FROM sources").equals(sources)


def test_truncated_real_json_rejected(tmp_path, store):
    if not JSON_07459.exists():
        pytest.skip("../shared/ssb mangler")
    raw = JSON_07459.read_bytes()
    p = _write(tmp_path, "07459.json", raw[: len(raw) // 2])
    with pytest.raises(FileImportError, match=r"^07459\.json: avkortet JSON"):
        importer.import_file(p, store)
    assert store.scalar("SELECT count(*) FROM population") == 0


def test_row_keys_from_codes_identify_combinations():
    """``_codes``: equal rows get equal keys and different rows different keys, for
    categoricals (with a missing value), integers and strings (hand-made rows)."""
    import pandas as pd

    from data_sources.importer import _codes
    f = pd.DataFrame({"region_code": pd.Categorical(["3103", "3103", "0301", None, "3103"]),
                      "year": [2024, 2025, 2024, 2024, 2024],
                      "sex": ["1", "1", "2", "1", "1"]})
    key, uniques = _codes(f, ["region_code", "year", "sex"])
    assert key[0] == key[4]  # same region, year and sex
    assert len(set(key[:4].tolist())) == 4
    assert [len(u) for u in uniques] == [3, 2, 2]  # 0301, 3103, missing; 2024–2025; 1, 2


def test_row_keys_are_mixed_radix_of_codes_and_offsets():
    """``_codes`` by hand: year 2024–2026 (offset 2024, 3 values) then sex (codes 0, 1):
    key = (year - 2024) * 2 + sex code."""
    import pandas as pd

    from data_sources.importer import _codes
    f = pd.DataFrame({"year": np.array([2024, 2026, 2025], dtype=np.int32),
                      "sex": pd.Categorical(["2", "1", "2"])})
    key, uniques = _codes(f, ["year", "sex"])
    assert key.tolist() == [1, 4, 3] and key.dtype == np.int32  # 6 keys, int32 columns
    assert list(uniques[0]) == [2024, 2025, 2026] and list(uniques[1]) == ["1", "2"]
    # int64 values (offset 10**12): the same keys, built as int64
    f["year"] = np.array([10**12, 10**12 + 2, 10**12 + 1], dtype=np.int64)
    key, uniques = _codes(f, ["year", "sex"])
    assert key.tolist() == [1, 4, 3] and key.dtype == np.int64
    assert uniques[0][0] == 10**12 and len(uniques[0]) == 3


@pytest.mark.parametrize("space", [6, 10**12], ids=["marked", "hashed"])
def test_first_duplicate_is_the_first_repeat_in_row_order(space):
    """Keys 4 0 3 3 4 (+ 5): row 3 repeats row 2 before row 4 repeats row 0; the same
    answer whether the key space is small enough to mark seen keys (6) or hashed (10**12)."""
    from data_sources.importer import _first_duplicate
    assert _first_duplicate(np.array([4, 0, 3, 3, 4, 5], dtype=np.int64), space) == 3
    assert _first_duplicate(np.array([4, 0, 3, 1, 2, 5], dtype=np.int64), space) is None
    assert _first_duplicate(np.array([], dtype=np.int64), space) is None


def test_first_duplicate_with_keys_beyond_a_countable_space():
    from data_sources.importer import _first_duplicate
    big = 10**11
    assert _first_duplicate(np.array([big, 7, big + 1, 7, big], dtype=np.int64), 10**12) == 3


@pytest.mark.parametrize("rows", [4, 3000], ids=["marked", "hashed"])
def test_duplicate_cell_message_names_the_first_repeated_row(rows):
    """Rows 0301/2024, 3103/2025, 3103/2025, 0301/2024: the first repeat is row 2
    (3103, 2025), not row 0's key. Four rows: 2 regions × 2 years = 4 keys, marked. With
    3000 rows and ages up to 99,999 the key space (2 × 100,000 × 2 = 400,000) exceeds
    8 keys a row (+ 1024): hashed."""
    import pandas as pd

    from data_sources import ingest, validate
    from data_sources.importer import _check_duplicates
    from data_sources.store import SourceInfo
    region = ["0301", "3103", "3103", "0301"] + ["0301"] * (rows - 4)
    year = [2024, 2025, 2025, 2024] + [2024] * (rows - 4)
    age = [80, 80, 80, 80] + list(range(rows - 4))  # 0.. rows-5: never 80 twice more
    if rows > 4:
        age[4 + 80] = 99_999  # distinct from the four rows above; a wide key space
    frame = pd.DataFrame({
        "region_code": pd.Categorical(region), "sex": pd.Categorical(["1"] * rows),
        "age": np.array(age, dtype=np.int32), "year": np.array(year, dtype=np.int32),
        "alternative": pd.Categorical(["MMMM"] * rows), "persons": np.ones(rows),
        "table_id": pd.Categorical(["14746"] * rows)})
    res = ingest.IngestResult("projection", frame, SourceInfo(table_id="14746", title="t",
                                                              kind="projection"))
    with pytest.raises(validate.ValidationError,
                       match=r"^samme celle står flere ganger \(region 3103, år 2025\)"):
        _check_duplicates(res)


def test_distinct_values_of_codes_integers_and_text():
    """``_distinct``: categories that rows use (an unused one left out, NaN once), integers
    marked over a small range or hashed over a wide one, and text."""
    import pandas as pd

    from data_sources.importer import _distinct
    cat = pd.Series(pd.Categorical(["3103", None, "0301", "3103"],
                                   categories=["0301", "1804", "3103"]))
    got = _distinct(cat)
    assert sorted(got[:-1]) == ["0301", "3103"] and pd.isna(got[-1]) and len(got) == 3
    assert sorted(_distinct(pd.Series(["0301", "0301"], dtype="category"))) == ["0301"]
    assert sorted(_distinct(pd.Series(np.array([2030, 2024, 2030], dtype=np.int32)))) == [
        2024, 2030]
    assert sorted(_distinct(pd.Series([10**15, 1, 10**15]))) == [1, 10**15]
    assert sorted(_distinct(pd.Series(["b", "a", "b"]))) == ["a", "b"]


def test_int32_column_maps_each_category_once():
    """Codes 1, 0, 2, 1 of the age categories "105+", "0", "7" → 0, 105, 7, 0 (int32); a
    category no row uses may be out of int32's range (it was never converted before either)."""
    import pandas as pd

    from data_sources.ingest import _int32_column, parse_age
    s = pd.Series(pd.Categorical.from_codes([1, 0, 2, 1], categories=["105+", "0", "7"]))
    got = _int32_column(s, parse_age)
    assert got.dtype == np.int32 and got.tolist() == [0, 105, 7, 0]
    wide = pd.Series(pd.Categorical.from_codes([0, 0], categories=["2024", "99999999999"]))
    assert _int32_column(wide, int).tolist() == [2024, 2024]
    with pytest.raises(OverflowError):  # a row that uses it: refused as before
        _int32_column(pd.Series(pd.Categorical(["99999999999"])), int)
    assert _int32_column(pd.Series(["2025", "2024", "2025"]), int).tolist() == [2025, 2024, 2025]


def test_categorical_maps_categories_and_keeps_row_codes():
    """``ingest._categorical``: sorted codes mapped to themselves keep the rows' codes; a
    mapping that merges and reorders ("K-3103" and "3103" both → "3103", before "0301"
    sorted) re-codes the rows; a missing row stays missing."""
    import pandas as pd

    from data_sources.ingest import _categorical, region_code
    same = _categorical(pd.Series(pd.Categorical.from_codes([1, 0, 1], ["1", "2"])))
    assert list(same.categories) == ["1", "2"] and same.codes.tolist() == [1, 0, 1]
    s = pd.Series(pd.Categorical.from_codes([0, 1, 2, -1, 0], ["K-3103", "3103", "0301"]))
    got = _categorical(s, region_code)
    assert list(got.categories) == ["0301", "3103"]
    assert got.codes.tolist() == [1, 1, 0, -1, 1]


def test_float_column_shares_values_copy_on_write():
    """``ingest._float_column``: a float64 column on 0..n-1 goes into the new frame without
    a copy, and changing the new frame leaves the decoded one as it was; another index or
    type gives a float64 copy."""
    import pandas as pd

    from data_sources.ingest import _float_column
    decoded = pd.DataFrame({"value": [1.0, 2.0, 3.0]})
    frame = pd.DataFrame({"persons": _float_column(decoded["value"]),
                          "age": np.array([0, 1, 2], dtype=np.int32)}, copy=False)
    assert np.shares_memory(frame["persons"].to_numpy(), decoded["value"].to_numpy())
    assert isinstance(frame.index, pd.RangeIndex) and len(frame.index) == 3
    frame.loc[frame["age"] == 1, "persons"] = 20.0
    assert frame["persons"].tolist() == [1.0, 20.0, 3.0]
    assert decoded["value"].tolist() == [1.0, 2.0, 3.0]
    filtered = decoded[decoded["value"] > 1]  # index 1, 2
    got = _float_column(filtered["value"])
    assert isinstance(got, np.ndarray) and got.tolist() == [2.0, 3.0]
    ints = _float_column(pd.Series([4, 5]))
    assert ints.dtype == np.float64 and ints.tolist() == [4.0, 5.0]
