"""analysis.kostra on real SSB numbers: the 12209 JSON-stat response and 11875 rows.

The 12209 file goes through the real path (jsonstat.decode → ingest.to_store_frames →
Store); values read back must equal SSB's, and 2024-code kommuner must show a note
instead of a number unless region_changes maps them to an earlier code.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import kostra
from data_sources import ingest, jsonstat
from data_sources.store import SourceInfo, Store
from tests.paths import shared

F12209 = "kostra_pleie_omsorg/omsorgsradar_fixtures/ssb_12209_g2_fixture.json"
F11875 = ("kostra_pleie_omsorg/hmelberg_kapasitet_11875/"
          "11875_institusjonsplasser_201kommuner_2015-2025.csv")
HJ = "KOShjtj80aarover0001"


def raw_12209() -> dict:
    return json.loads(shared(F12209).read_text(encoding="utf-8"))


def raw_value(ds: dict, code: str, year: str):
    """Value and status of (region, year) straight from the JSON-stat arrays."""
    ri = ds["dimension"]["KOKkommuneregion0000"]["category"]["index"][code]
    ti = ds["dimension"]["Tid"]["category"]["index"][year]
    i = ri * ds["size"][1] * ds["size"][2] + ti
    return ds["value"][i], ds["status"].get(str(i))


def ingest_12209(store: Store) -> None:
    ds = raw_12209()
    res = ingest.to_store_frames("12209", jsonstat.decode(ds), jsonstat.read_meta(ds))
    store.replace_table_data(res.source, res.frame, extra=res.extra)


def ingest_11875(store: Store) -> None:
    csv = pd.read_csv(shared(F11875), dtype={"municipality_code": str})
    csv = csv[csv["metric"] == "inst_plasser"]
    frame = pd.DataFrame({"region_code": csv["municipality_code"], "table_id": "11875",
                          "contents_code": "KOSinstdispplass0000",
                          "year": csv["period"].astype(int), "value": csv["value"].astype(float),
                          "status": None, "breakdown": ""})
    store.replace_table_data(SourceInfo("11875", "Institusjonsplasser", "kostra"), frame)


def changes(store: Store, rows: list[tuple]) -> None:
    df = pd.DataFrame(rows, columns=["old_code", "new_code", "old_name", "new_name",
                                     "change_date", "kind"])
    df["change_date"] = pd.to_datetime(df["change_date"]).dt.date
    store.replace_rows("region_changes", df)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "k.duckdb")
    ingest_12209(s)
    yield s
    s.close()


@pytest.mark.parametrize("code", ["0301", "1804", "1103", "4601", "EAK", "EKG01", "EKG13",
                                  "EKA18", "EKA03"])
def test_12209_reads_back_ssb_values(store, code):
    ds = raw_12209()
    s = kostra.series(store, code, "12209", HJ, is_count=False)
    for year in ("2019", "2023"):
        want, status = raw_value(ds, code, year)
        got = s[s["year"] == int(year)].iloc[0]
        if want is None:
            assert pd.isna(got["value"]) and got["status"] == status
        else:
            assert got["value"] == pytest.approx(want) and pd.isna(got["note"])
    assert s["year"].tolist() == [2019, 2023]


def test_2024_codes_show_note_not_number(store):
    ds = raw_12209()
    for code in ("3103", "3201", "4001", "5501", "5601", "1508"):
        assert raw_value(ds, code, "2023") == (None, ".")
        s = kostra.series(store, code, "12209", HJ, is_count=False)
        assert s["value"].isna().all()
        assert s["status"].tolist() == [".", "."]
        assert all("Ingen tall" in n for n in s["note"])
    assert kostra.latest(kostra.series(store, "3103", "12209", HJ, is_count=False)) is None


def test_renumbered_code_maps_one_to_one_and_merged_rate_is_left_out(store):
    ds = raw_12209()
    changes(store, [("3002", "3103", "Moss (2020-2023)", "Moss", "2024-01-01", "renumber"),
                    ("0104", "3002", "Moss (-2019)", "Moss (2020-2023)", "2020-01-01", "merge"),
                    ("0136", "3002", "Rygge", "Moss (2020-2023)", "2020-01-01", "merge")])
    s = kostra.series(store, "3103", "12209", HJ, is_count=False)
    y23 = s[s["year"] == 2023].iloc[0]
    assert y23["value"] == pytest.approx(raw_value(ds, "3002", "2023")[0])  # 28.2
    assert y23["source_code"] == "3002"
    y19 = s[s["year"] == 2019].iloc[0]
    assert pd.isna(y19["value"]) and "andeler kan ikke legges sammen" in y19["note"]


def test_split_gives_no_value_before_split(store):
    changes(store, [("1507", "1508", "Ålesund (2020-2023)", "Ålesund", "2024-01-01", "split"),
                    ("1507", "1580", "Ålesund (2020-2023)", "Haram", "2024-01-01", "split")])
    assert raw_value(raw_12209(), "1507", "2023")[0] == pytest.approx(21.8)
    for code in ("1508", "1580"):
        s = kostra.series(store, code, "12209", HJ, is_count=False)
        y23 = s[s["year"] == 2023].iloc[0]
        assert pd.isna(y23["value"])
        assert "delt" in y23["note"] and "Haram" in y23["note"] and "Ålesund" in y23["note"]


def test_11875_places_and_merge_sums_counts_only_when_complete(tmp_path):
    s = Store(tmp_path / "p.duckdb")
    ingest_11875(s)
    bodo = kostra.series(s, "1804", "11875", "KOSinstdispplass0000")
    assert kostra.latest(bodo)["value"] == 335 and kostra.latest(bodo)["year"] == 2025
    assert bodo.set_index("year").loc[2015, "value"] == 347
    tromso = kostra.series(s, "5501", "11875", "KOSinstdispplass0000")
    assert tromso.set_index("year").loc[2024, "value"] == 501
    assert tromso["year"].min() == 2024  # 2024 code: no earlier rows without a mapping
    # authored merge: A + B -> C in 2024; counts summed when both parts are there
    extra = pd.DataFrame({"region_code": ["9001", "9002", "9001"], "table_id": "11875",
                          "contents_code": "KOSinstdispplass0000", "year": [2023, 2023, 2022],
                          "value": [10.0, 5.5, 7.0], "status": None, "breakdown": ""})
    s.replace_table_data(SourceInfo("11875", "Institusjonsplasser", "kostra"), extra,
                         regions=["9001", "9002"])
    changes(s, [("9001", "9003", "A", "C", "2024-01-01", "merge"),
                ("9002", "9003", "B", "C", "2024-01-01", "merge")])
    c = kostra.series(s, "9003", "11875", "KOSinstdispplass0000").set_index("year")
    assert c.loc[2023, "value"] == 15.5
    assert pd.isna(c.loc[2022, "value"]) and "ikke alle delene" in c.loc[2022, "note"]
    s.close()


def test_comparison_kommune_vs_group_fylke_land(store):
    ds = raw_12209()
    store.replace_rows("regions", pd.DataFrame(
        [("0", "Hele landet", "land", None, None), ("18", "Nordland", "fylke", "0", None),
         ("1804", "Bodø", "kommune", "18", "EKG13"), ("1806", "Narvik", "kommune", "18", "EKG13")],
        columns=["code", "name", "level", "parent_code", "kostra_group"]))
    pop = complete_year({"1804": 2000.0, "1806": 1000.0, "18": 15000.0, "0": 250000.0}, 2026)
    store.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pop)
    ingest_11875(store)
    comps = kostra.comparators(store, "1804", "kommune")
    assert [(c.role, c.code) for c in comps] == [("kommune", "1804"), ("kostragruppe", "EKG13"),
                                                 ("fylke", "EKA18"), ("land", "EAK")]
    df = kostra.comparison(store, "1804", "kommune")
    hj = df[(df["indicator"] == "hjemme80") & (df["year"] == 2023)].set_index("code")
    for code in ("1804", "EKG13", "EKA18", "EAK"):
        assert hj.loc[code, "value"] == pytest.approx(raw_value(ds, code, "2023")[0])
    pl = df[(df["indicator"] == "plasser1000") & (df["year"] == 2025)].set_index("code")
    assert pl.loc["1804", "value"] == pytest.approx(335 / 2000 * 1000)
    assert pl.loc["1804", "count"] == 335
    assert "EKG13" not in pl.index  # no group rows in the 11875 file: nothing invented
    inst = df[df["indicator"] == "inst80"]
    assert inst["value"].isna().all()  # KOSsykhjand80aar0000 is not in this file


def complete_year(persons_85: dict[str, float], year: int, ages=range(106)) -> pd.DataFrame:
    """07459 rows of one year for each region: every (sex, age) cell (a complete year), all
    0 except men aged 85, who hold ``persons_85[region]`` (so 80+ = that number)."""
    return pd.DataFrame([dict(region_code=r, sex=sx, age=a, year=year, table_id="07459",
                              persons=v if (sx, a) == ("1", 85) else 0.0)
                         for r, v in persons_85.items() for sx in "12" for a in ages])


def test_partial_age_year_is_not_an_observed_year(tmp_path):
    """A 07459 year holding only ages 80–104 (a partial-age import, as an older version of
    the importer stored it) gives no 80+ population and no rate, and no observed year on
    Befolkning; the complete year beside it does."""
    from analysis import demography as dem
    s = _group_store(tmp_path, with_narvik_pop=True)
    partial = complete_year({"1804": 2000.0}, 2024, ages=range(80, 105))
    s.replace_table_data(SourceInfo("07459", "Befolkning", "population"),
                         pd.concat([complete_year({"1804": 2000.0, "1806": 1000.0}, 2026),
                                    partial], ignore_index=True))
    places = pd.DataFrame({"region_code": "1804", "table_id": "11875",
                           "contents_code": "KOSinstdispplass0000", "year": [2023, 2025],
                           "value": [300.0, 335.0], "status": None, "breakdown": ""})
    s.replace_table_data(SourceInfo("11875", "Institusjonsplasser", "kostra"), places)
    pops = kostra._pop80(s, kostra.comparators(s, "1804", "kommune"))
    assert pops["1804"].persons == {2026: 2000.0}  # 2024 (ages 80–104 only) left out
    pl = kostra.comparison(s, "1804", "kommune")
    own = pl[(pl["indicator"] == "plasser1000") & (pl["code"] == "1804")].set_index("year")
    assert own.loc[2025, "value"] == pytest.approx(335 / 2000 * 1000)
    assert pd.isna(own.loc[2023, "value"]) and own.loc[2023, "count"] == 300
    cube = dem.region_cube(s, "1804")
    obs = list(cube.series).index(dem.OBSERVED)
    assert [int(y) for y in cube.years[cube.present[obs]]] == [2026]
    assert 2024 not in set(dem.age_group_table(s, ["1804"])["year"])
    assert 2024 not in set(dem.groups_from_cube(cube)["year"])
    s.close()


def _group_store(tmp_path, with_narvik_pop: bool) -> Store:
    """Bodø and Narvik in KOSTRA group 13; the group has 600 places in 2025 (authored)."""
    return _fill_group(Store(tmp_path / f"g{int(with_narvik_pop)}.duckdb"), with_narvik_pop)


def _fill_group(s: Store, with_narvik_pop: bool) -> Store:
    s.replace_rows("regions", pd.DataFrame(
        [("0", "Hele landet", "land", None, None), ("18", "Nordland", "fylke", "0", None),
         ("1804", "Bodø", "kommune", "18", "EKG13"), ("1806", "Narvik", "kommune", "18", "EKG13")],
        columns=["code", "name", "level", "parent_code", "kostra_group"]))
    codes = ["1804", "1806"] if with_narvik_pop else ["1804"]
    pop = complete_year(dict(zip(codes, [2000.0, 1000.0])), 2026)
    s.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pop)
    places = pd.DataFrame({"region_code": ["1804", "EKG13"], "table_id": "11875",
                           "contents_code": "KOSinstdispplass0000", "year": 2025,
                           "value": [335.0, 600.0], "status": None, "breakdown": ""})
    s.replace_table_data(SourceInfo("11875", "Institusjonsplasser", "kostra"), places)
    return s


def test_group_rate_uses_the_whole_group_or_none(tmp_path):
    s = _group_store(tmp_path, with_narvik_pop=True)
    pl = kostra.comparison(s, "1804", "kommune")
    g = pl[(pl["indicator"] == "plasser1000") & (pl["code"] == "EKG13")].iloc[0]
    assert g["value"] == pytest.approx(600 / (2000 + 1000) * 1000)  # 200.0 per 1 000
    assert g["count"] == 600
    s.close()
    # Narvik's population not fetched: dividing by Bodø's 80+ alone would give 300 — refused
    s = _group_store(tmp_path, with_narvik_pop=False)
    pl = kostra.comparison(s, "1804", "kommune")
    g = pl[(pl["indicator"] == "plasser1000") & (pl["code"] == "EKG13")].iloc[0]
    assert pd.isna(g["value"]) and g["count"] == 600
    assert "1 av 2 kommuner" in g["note"]
    own = pl[(pl["indicator"] == "plasser1000") & (pl["code"] == "1804")].iloc[0]
    assert own["value"] == pytest.approx(335 / 2000 * 1000)
    s.close()


def test_share_indicators_carry_no_count_from_another_table(store):
    df = kostra.comparison(store, "0301", "kommune")
    shares = df[df["indicator"].isin(["hjemme80", "inst80"])]
    assert len(shares) and shares["count"].isna().all()


def test_saved_set_is_the_median_of_its_kommuner(store):
    """The saved comparison set as a comparator: per year the median of its kommuner's own
    values from SSB's 12209 file, the kommune compared left out of its own set."""
    ds = raw_12209()
    regs = pd.DataFrame([(c, n, "kommune", c[:2], None) for c, n in (
        ("1804", "Bodø"), ("0301", "Oslo"), ("1856", "Røst"), ("4601", "Bergen"),
        ("1103", "Stavanger"), ("1508", "Ålesund"))], columns=["code", "name", "level", "parent_code", "kostra_group"])
    store.replace_rows("regions", regs)
    out = kostra.set_comparison(store, ("1804", "0301", "1856", "4601", "1103"), "1804")
    d = out[(out["indicator"] == "hjemme80") & (out["year"] == 2023)].iloc[0]
    values = sorted(raw_value(ds, c, "2023")[0] for c in ("0301", "1856", "4601", "1103"))
    assert d["value"] == pytest.approx((values[1] + values[2]) / 2)  # median of four
    assert d["role"] == kostra.SET_ROLE and d["label"] == "Lagret utvalg (median av 4)"
    assert pd.isna(d["count"]) and pd.isna(d["note"])  # all four have a value
    # a kommune without a value (Ålesund 1508, new in 2024): the median of the others, said so
    out = kostra.set_comparison(store, ("1856", "1508", "9999"))  # 9999: not a kommune
    d = out[(out["indicator"] == "hjemme80") & (out["year"] == 2023)].iloc[0]
    assert raw_value(ds, "1508", "2023") == (None, ".")
    assert d["value"] == pytest.approx(raw_value(ds, "1856", "2023")[0])
    assert d["note"] == "Median av de 1 av 2 kommunene som har tall."
    assert "Bodø" not in kostra.set_note(store, ("1804", "0301"), "1804")
    assert kostra.set_note(store, ("1804", "0301"), "1804").endswith(
        "Oslo (kommunen selv er holdt utenfor).")
    # the full comparison ends with the set
    cmp = kostra.comparison(store, "1804", "kommune", ("0301", "1856"))
    assert cmp["role"].iloc[-1] == kostra.SET_ROLE
    assert kostra.SET_ROLE not in set(kostra.comparison(store, "1804", "kommune")["role"])


def test_published_versions_never_share_cached_comparisons(tmp_path, monkeypatch):
    """The group, fylke and country rows and the complete years are remembered per
    published store version and shared by every kommune; an import that publishes a new
    version gives new rates, the old version keeps its own."""
    from data_sources import store as sm
    monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "v.duckdb"))
    sm.reset_store()

    def rates(s):
        pl = kostra.comparison(s, "1804", "kommune")
        pl = pl[(pl["indicator"] == "plasser1000") & (pl["year"] == 2025)].set_index("code")
        return pl.loc["1804", "value"], pl.loc["EKG13", "value"]

    try:
        with sm.publishing() as w:
            _fill_group(w, with_narvik_pop=True)
        old = sm.acquire()
        assert rates(old) == pytest.approx((335 / 2000 * 1000, 600 / 3000 * 1000))
        with sm.publishing() as w:  # a new 07459: Narvik's 80+ now 3 000
            w.execute("DELETE FROM population WHERE region_code = '1806'")
            w.replace_rows("population", complete_year({"1806": 3000.0}, 2026),
                           where="region_code = '1806'")
        new = sm.acquire()
        assert rates(new) == pytest.approx((335 / 2000 * 1000, 600 / 5000 * 1000))
        assert kostra.complete_years(new, ["1806"]) == {"1806": {2026: 3000.0}}
        assert rates(old) == pytest.approx((335 / 2000 * 1000, 600 / 3000 * 1000))
        sm.release(old)
        sm.release(new)
    finally:
        sm.reset_store()
