"""analysis.demography: hand-checked numbers on an authored store, and SSB's real numbers.

The authored store (``make_store``) has three regions: Moss 3103, Østfold 31 and Hele landet
0; history 2024–2026 (07459; Moss 2023 stored as NULL) and a projection 2026–2030 (14746) in three alternatives.
Every (sex, age) cell in 2026 holds 1 person in Moss (0–19-year-olds: 5 in the land, 10 in
Østfold), so by hand: total 212 = 0–19 40 + 20–66 94 + 67–79 26 + 80–89 20 + 90+ 32.
MMMM in year 2026+t: ages 67–79 hold 1 + 0.25 t, ages 80+ hold 1 + 0.5 t; LLML = 0.9 ×
MMMM, HHMH = 1.1 × MMMM (from 2027).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis import demography as dem
from data_sources.store import SourceInfo, Store
from tests.paths import shared

AGES = range(106)
YOUNG = {"3103": 1.0, "31": 10.0, "0": 5.0}  # persons per (sex, age) for ages 0–19


def _cell(region: str, age: int, t: int, alt: str) -> float:
    base = YOUNG[region] if age < 20 else 1.0
    if 67 <= age <= 79:
        base += 0.25 * t
    elif age >= 80:
        base += 0.5 * t
    factor = {"MMMM": 1.0, "LLML": 0.9, "HHMH": 1.1}[alt] if t > 0 else 1.0
    return base * factor


def make_store(path) -> Store:
    """The authored store described in the module docstring."""
    store = Store(path)
    hist = [dict(region_code=r, sex=s, age=a, year=y,
                 persons=(YOUNG[r] if a < 20 else 1.0) * (1 if y == 2026 else 0.5),
                 table_id="07459")
            for r, s, a, y in itertools.product(YOUNG, "12", AGES, (2024, 2025, 2026))]
    # 2023 is missing for Moss (NULL, SSB's ".."): it must not become a year of zeros.
    hist += [dict(region_code="3103", sex=s, age=a, year=2023, persons=None, table_id="07459")
             for s, a in itertools.product("12", AGES)]
    store.replace_table_data(SourceInfo("07459", "Befolkning", "population",
                                        ssb_updated="2026-02-25T07:00:00Z"), pd.DataFrame(hist))
    proj = [dict(region_code=r, sex=s, age=a, year=2026 + t, alternative=alt,
                 persons=_cell(r, a, t, alt), table_id="14746")
            for r, s, a, t, alt in itertools.product(YOUNG, "12", AGES, range(5),
                                                     ("MMMM", "LLML", "HHMH"))]
    store.replace_table_data(SourceInfo("14746", "Framskrevet folkemengde", "projection",
                                        round="2026", ssb_updated="2026-06-16T06:00:00Z"),
                             pd.DataFrame(proj))
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = make_store(tmp_path_factory.mktemp("dem") / "t.duckdb")
    yield s
    s.close()


@pytest.fixture(scope="module")
def table(store):
    return dem.age_group_table(store, ["3103", "31", "0"])


def test_projection_table_id(store):
    assert dem.projection_table_id(store) == "14746"


def test_age_group_table_sums_by_hand(table):
    moss = table[(table["region_code"] == "3103") & (table["year"] == 2026)
                 & (table["series"] == dem.OBSERVED)].iloc[0]
    assert (moss["Totalt"], moss["0–19"], moss["20–66"], moss["67–79"], moss["80–89"],
            moss["90+"], moss["65+"], moss["67+"], moss["80+"]) == (212, 40, 94, 26, 20, 32,
                                                                    82, 78, 52)
    m30 = table[(table["region_code"] == "3103") & (table["year"] == 2030)
                & (table["series"] == "MMMM")].iloc[0]
    assert (m30["67–79"], m30["80–89"], m30["90+"], m30["Totalt"]) == (52, 60, 96, 342)
    assert set(table["series"]) == {dem.OBSERVED, "MMMM", "LLML", "HHMH"}
    assert len(table) == 3 * (3 + 3 * 5)


def test_missing_years_are_left_out(table, store):
    moss = table[table["region_code"] == "3103"]
    assert 2023 not in set(moss["year"])
    cube = dem.region_cube(store, "3103")
    assert 2023 not in set(cube.years[cube.present.any(axis=0)])


@pytest.mark.parametrize("region", ["3103", "31", "0"])
def test_cube_agrees_with_sql(store, table, region):
    cube = dem.region_cube(store, region)
    assert cube.series == ("HHMH", "LLML", "MMMM", dem.OBSERVED)
    got = dem.groups_from_cube(cube).sort_values(["series", "year"], ignore_index=True)
    want = table[table["region_code"] == region].reset_index(drop=True)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    for alt in ("MMMM", "HHMH"):
        got_p = dem.pyramid_from_cube(cube, alt).sort_values(["year", "sex", "age"],
                                                             ignore_index=True)
        pd.testing.assert_frame_equal(got_p, dem.pyramid(store, region, alt), check_dtype=False)
    assert dem.pyramid_from_cube(cube, "MM00").empty


def test_age_group_table_custom_groups(store):
    t = dem.age_group_table(store, ["0"], groups={"a": (0, 0), "b": (104, None)})
    row = t[(t["series"] == dem.OBSERVED) & (t["year"] == 2026)].iloc[0]
    assert (row["a"], row["b"]) == (10, 4)  # 5 per sex at age 0; ages 104, 105 × 2 sexes


def test_latest_observed_year_and_has_projection(table):
    assert dem.latest_observed_year(table, "3103") == 2026
    assert dem.latest_observed_year(table, "9999") is None
    assert dem.has_projection(table, "3103", "LLML")
    assert not dem.has_projection(table, "3103", "MM00")


def test_value_at_uses_history_then_projection(table):
    assert dem.value_at(table, "3103", "LLML", 2026, "80–89") == 20  # observed, not 0.9 ×
    assert dem.value_at(table, "3103", "LLML", 2030, "80–89") == pytest.approx(54)
    assert np.isnan(dem.value_at(table, "3103", "MMMM", 2099, "80–89"))


def test_combined_series(table):
    s = dem.combined_series(table, "3103", "MMMM", "90+")
    assert s["year"].tolist() == [2024, 2025, 2026, 2027, 2028, 2029, 2030]
    assert s["observed"].tolist() == [True] * 3 + [False] * 4
    assert s["persons"].tolist() == [16, 16, 32, 48, 64, 80, 96]


def test_key_figures_by_hand(table):
    kf = dem.key_figures(table, "3103", "MMMM", 2030)
    assert (kf.base_year, kf.horizon) == (2026, 2030)
    tot = kf.groups["Totalt"]
    assert (tot.base, tot.target, tot.change) == (212, 342, 130)
    assert tot.pct == pytest.approx(130 / 212 * 100)
    g = kf.groups["80–89"]
    assert (g.base, g.target, g.change, g.pct) == (20, 60, 40, 200)
    assert kf.share_67 == pytest.approx((78 / 212, 208 / 342))
    assert kf.share_80 == pytest.approx((52 / 212, 156 / 342))
    assert kf.support_67 == pytest.approx((94 / 78, 94 / 208))
    assert kf.support_80 == pytest.approx((94 / 52, 94 / 156))
    assert kf.crossover.already


def test_key_figures_unknown_region(table):
    with pytest.raises(ValueError):
        dem.key_figures(table, "9999", "MMMM", 2030)


def test_crossover_year(table):
    # Land: 0–19 = 200; 65+ = 82 + 32.5 t > 200 first at t = 4.
    land = dem.crossover_year(table, "0", "MMMM")
    assert (land.year, land.already, land.last_year) == (2030, False, 2030)
    never = dem.crossover_year(table, "31", "MMMM")  # 0–19 = 400
    assert never.year is None and never.last_year == 2030
    assert dem.crossover_year(table, "3103", "MMMM").already


def test_chart_series_band_and_join(table):
    df = dem.chart_series(table, "3103", "LLML", "80–89")
    assert df.columns.tolist() == ["År", "Observert", "Framskrevet", "Lav", "Høy"]
    r26 = df[df["År"] == 2026].iloc[0]
    assert (r26["Observert"], r26["Framskrevet"], r26["Lav"], r26["Høy"]) == (20, 20, 20, 20)
    r30 = df[df["År"] == 2030].iloc[0]
    assert np.isnan(r30["Observert"])
    assert (r30["Framskrevet"], r30["Lav"], r30["Høy"]) == pytest.approx((54, 54, 66))
    assert df["Framskrevet"].isna().tolist() == [True, True] + [False] * 5


def test_growth_index(table):
    idx = dem.growth_index(table, ["3103", "0", "9999"], "MMMM")
    assert set(idx["region_code"]) == {"3103", "0"}
    m = idx[(idx["region_code"] == "3103") & (idx["group"] == "80–89")]
    assert m["year"].tolist() == [2026, 2027, 2028, 2029, 2030]
    assert m["index"].tolist() == pytest.approx([100, 150, 200, 250, 300])
    g = idx[(idx["region_code"] == "3103") & (idx["group"] == "67–79")]
    assert g["index"].iloc[-1] == pytest.approx(200)


def test_pyramid(store):
    df = dem.pyramid(store, "3103", "HHMH")
    assert sorted(df["year"].unique()) == [2026, 2027, 2028, 2029, 2030]
    assert len(df) == 5 * 2 * 106
    b = df[(df["year"] == 2026)]
    assert b["persons"].sum() == 212  # observed base, not HHMH
    p = df[(df["year"] == 2030) & (df["age"] == 85) & (df["sex"] == "2")]
    assert p["persons"].iloc[0] == pytest.approx(1.1 * 3)


def test_group_change_zero_base():
    gc = dem.group_change(0, 3, "90+")
    assert gc.pct is None and gc.change == 3


def test_indicators_have_definitions():
    for key in ("share_67", "share_80", "support_67", "support_80", "crossover", "index"):
        ind = dem.INDICATORS[key]
        assert ind.definition and ind.unit and ind.polarity


# -- real SSB numbers ---------------------------------------------------------------------
CSV_2024 = "befolkning_historikk/csdata_niphr/07459_norway_population_by_age_sex_2024.csv"
PARQUET = ("befolkning_historikk/csdata_niphr/"
           "nor_population_by_age_sex_b2024_municip_county_2005_2026_nation_1986_2026.parquet")


def _raw_07459_2024() -> pd.DataFrame:
    """The raw StatBank export: region code, age (int), persons (both sexes)."""
    raw = pd.read_csv(shared(CSV_2024), sep=";", encoding="ISO-8859-1", skiprows=2)
    raw = raw[raw["region"].str.match(r"K-\d{4} ")]
    raw["region_code"] = raw["region"].str[2:6]
    raw["age"] = raw["age"].str.extract(r"^(\d+)")[0].astype(int)
    raw["persons"] = raw["Persons 2024 Males"] + raw["Persons 2024 Females"]
    return raw[["region_code", "age", "persons"]]


@pytest.fixture(scope="module")
def real_history_store(tmp_path_factory):
    """A store whose 07459 rows are csdata's copy of 07459 (2024, all kommuner)."""
    pq = pd.read_parquet(shared(PARQUET), filters=[("calyear", "==", 2024),
                                                    ("granularity_geo", "==", "municip"),
                                                    ("sex", "in", ["male", "female"])])
    frame = pd.DataFrame({
        "region_code": pq["location_code"].str.removeprefix("municip_nor"),
        "sex": pq["sex"].map({"male": "1", "female": "2"}), "age": pq["age"],
        "year": pq["calyear"], "persons": pq["pop_jan1_n"].astype(float), "table_id": "07459"})
    store = Store(tmp_path_factory.mktemp("real") / "r.duckdb")
    store.replace_table_data(SourceInfo("07459", "Befolkning", "population"), frame)
    yield store
    store.close()


def test_real_07459_2024_kommune_totals_and_groups(real_history_store):
    raw = _raw_07459_2024()
    assert raw["region_code"].nunique() == 357
    codes = sorted(raw["region_code"].unique())
    table = dem.age_group_table(real_history_store, codes)
    got = table[table["year"] == 2024].set_index("region_code")
    assert len(got) == 357
    want_total = raw.groupby("region_code")["persons"].sum()
    assert (got["Totalt"].reindex(want_total.index) == want_total).all()
    for g in ("0–19", "20–66", "67–79", "80–89", "90+", "80+"):
        lo, hi = dem.GROUPS[g]
        sel = raw[(raw["age"] >= lo) & (raw["age"] <= (hi if hi is not None else 200))]
        want = sel.groupby("region_code")["persons"].sum().reindex(want_total.index, fill_value=0)
        assert (got[g].reindex(want.index) == want).all(), g
    # Spot check by hand from the raw file: Moss (3103) 1.1.2024.
    assert got.loc["3103", "Totalt"] == want_total["3103"] > 50_000


def test_real_14746_published_margins(tmp_path):
    """14746 totals and age groups published for Nord-Norge and Telemark equal what the
    analysis returns from a store loaded the real way (decode → ingest → store)."""
    storefill = pytest.importorskip("tests.storefill")
    from tests import standin_data
    pub = standin_data.published_14746()
    pub = pub[pub["source"].isin(["nordnorge", "telemark"])]
    regions = sorted(set(pub["region"]))
    store = Store(tmp_path / "p.duckdb")
    storefill.fill_store(store, regions=regions, tables=["projection"])
    groups = {f"{lo}-{hi}": (int(lo), int(hi)) for lo, hi in
              pub[["lo", "hi"]].drop_duplicates().itertuples(index=False)}
    table = dem.age_group_table(store, regions, groups=groups)
    alts = {0: "MMMM", 1: "LLML", 2: "HHMH"}
    got = table.set_index(["region_code", "series", "year"])
    # one lookup per published cell, vectorised (a .loc per row took 30 s)
    long = got[list(groups)].stack().rename("value").reset_index()
    long.columns = ["region", "series", "year", "group", "value"]
    want = pub.assign(series=pub["alt"].map(alts), year=pub["year"].astype(int),
                      group=pub["lo"].astype(str) + "-" + pub["hi"].astype(str))
    both = want.merge(long, on=["region", "series", "year", "group"], how="left")
    bad = both[both["value"] != both["target"]]
    assert bad.empty, bad.head(10).to_string()
    assert len(both) == len(pub) > 10_000
    # Published examples (PROVENANCE.md): Bodø MMMM 2026 53 638 → 2050 54 358.
    assert got.loc[("1804", "MMMM", 2050), "0-105"] == 54_358
    store.close()
