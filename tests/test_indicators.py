"""analysis.indicators: hand-checked numbers on an authored store, SSB's 07459 totals, the
same numbers as the per-kommune service pipeline, and peer categories with polarity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import services as sv
from analysis import staffing as sf
from data_sources.store import SourceInfo, Store
from tests.paths import shared

W = sf.HOME_WEIGHT
REGIONS = [("0", "Hele landet", "land", None, None), ("18", "Nordland", "fylke", "0", None),
           ("1804", "Bodø", "kommune", "18", "EKG13"), ("1856", "Røst", "kommune", "18", "EKG06"),
           ("1857", "Værøy", "kommune", "18", "EKG06")]
# ages -> persons (men; women 0): 1.1.2025 (Røst only), 1.1.2026, and the projection for
# 2040 (MMMM)
POP_2025 = {"1856": {30: 310, 70: 55, 85: 20, 92: 5}}
POP_2026 = {"1804": {30: 1000, 70: 200, 85: 80, 92: 20},
            "1856": {30: 300, 70: 60, 85: 25, 92: 5},
            "1857": {30: 400, 70: 50, 85: 20, 92: 0}}
POP_2040 = {"1804": {30: 900, 70: 250, 85: 150, 92: 50},
            "1856": {30: 250, 70: 70, 85: 40, 92: 10}}  # 1857: no projection
# 12003 users by 12003 band (0–66, 67–79, 80+): institution (B), home services (A)
USERS = {("1804", 2025): {"B": (2, 10, 30), "A": (20, 30, 50)},
         ("1856", 2024): {"B": (0, 2, 6), "A": (3, 6, 12)},
         ("1856", 2025): {"B": (0, 3, 9), "A": (4, 8, 15)}}  # 1857: no KOSTRA
# 11645 long-term residents of Bodø 2025; None: suppressed by SSB
LONGTERM = {"Ialt": 25.0, "00-49": 0.0, "50-66": 1.0, "67-79": 6.0, "80-89": None, "90+": None}
COLS = ["region_code", "table_id", "contents_code", "year", "value", "status", "breakdown"]


def _pop_rows(pop: dict, year: int, table: str, alt: str | None = None) -> list[dict]:
    """Every age for both sexes (a complete year); the persons are all men."""
    rows = []
    for code, ages in pop.items():
        for sex in ("1", "2"):
            for age in range(106):
                r = {"region_code": code, "sex": sex, "age": age, "year": year,
                     "persons": float(ages.get(age, 0)) if sex == "1" else 0.0,
                     "table_id": table}
                if alt:
                    r["alternative"] = alt
                rows.append(r)
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("ind") / "i.duckdb")
    s.replace_rows("regions", pd.DataFrame(
        REGIONS, columns=["code", "name", "level", "parent_code", "kostra_group"]))
    partial = [{"region_code": "1804", "sex": "1", "age": a, "year": 2027, "persons": 5.0,
                "table_id": "07459"} for a in range(80, 105)]  # ages 80-104 only
    s.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pd.DataFrame(
        _pop_rows(POP_2025, 2025, "07459") + _pop_rows(POP_2026, 2026, "07459") + partial))
    s.replace_table_data(SourceInfo("14746", "Framskriving", "projection", round="2026"),
                         pd.DataFrame(_pop_rows(POP_2040, 2040, "14746", "MMMM")))
    u = []
    for (code, year), groups in USERS.items():
        for g, values in groups.items():
            for b, v in zip(sv.BANDS_12003, values, strict=True):
                u.append((code, "12003", sv.C_USERS, year, float(v), None,
                          f"KOKalder0000={b.code};KOKTenesteGrp0000={g}"))
    s.replace_table_data(SourceInfo("12003", "Brukere", "kostra"), pd.DataFrame(u, columns=COLS))
    s.replace_table_data(SourceInfo("11645", "Langtidsopphold", "kostra"), pd.DataFrame(
        [("1804", "11645", sv.C_LONGTERM, 2025, v, None if v is not None else ":",
          f"TenesteType=21;Alder={a}") for a, v in LONGTERM.items()], columns=COLS))
    s.replace_table_data(SourceInfo("12292", "Årsverk", "kostra"), pd.DataFrame(
        [("1804", "12292", sv.C_AARSVERK, 2025, 60.0, None, ""),
         ("1804", "12292", "KOSkorttid0000", 2025, 5.0, None, ""),
         ("1804", "12292", "KOSbialthelsum0000", 2025, 10.0, None, ""),
         ("1856", "12292", sv.C_AARSVERK, 2025, 12.0, None, "")], columns=COLS))
    s.replace_table_data(SourceInfo("11875", "Plasser", "kostra"), pd.DataFrame(
        [("1804", "11875", sv.C_PLACES, 2024, 35.0, None, ""),
         ("1804", "11875", sv.C_PLACES, 2025, 40.0, None, "")], columns=COLS))
    yield s
    s.close()


def test_hand_checked_kommune(store):
    f = ind.indicator_frame(store, ["1804", "1856", "1857"], "MMMM", 2040)
    r = f.loc["1804"]
    # the partial 2027 import (ages 80-104) is not an observed year
    assert r["base_year"] == 2026 and r["kostra_year"] == 2025
    assert r["pop_base"] == 1300 and r["pop_h"] == 1350
    assert r["growth_80"] == pytest.approx(100.0)  # 80+: 100 -> 200
    assert r["growth_90"] == pytest.approx(150.0)  # 90+: 20 -> 50
    assert r["share_67_h"] == pytest.approx(450 / 1350 * 100)
    assert r["share_80_base"] == pytest.approx(100 / 1300 * 100)
    assert r["share_80_h"] == pytest.approx(200 / 1350 * 100)
    assert r["support_80_h"] == pytest.approx(4.5)  # 900 aged 20-66 per 200 aged 80+
    # 12003's 80+ shared by population (80 aged 80-89, 20 aged 90+): institution 30 -> 24 + 6,
    # home services 50 -> 40 + 10
    assert r["cov_inst_80"] == pytest.approx(30.0) and r["cov_home_80"] == pytest.approx(50.0)
    # 11645: 25 in all, 7 in the known cells; the suppressed 80-89 and 90+ share 18 by
    # population: 18 × 80/100 = 14.4 and 3.6. Housing (12292: 10) gets the home-service
    # profile 20:30:40:10 -> 80-89: 4, 90+: 1. Heldøgn 80+ = 14.4 + 3.6 + 4 + 1 = 23 of 100.
    assert r["users_heldogn_80"] == pytest.approx(23.0)
    assert r["cov_heldogn_80"] == pytest.approx(23.0)
    assert r["places"] == 40 and r["places_per_1000_80"] == pytest.approx(400.0)
    assert r["aarsverk_per_1000_80"] == pytest.approx(600.0)
    # band growth 0-66: 900/1000, 67-79: 250/200, 80-89: 150/80, 90+: 50/20
    g = (0.9, 1.25, 150 / 80, 50 / 20)
    inst_h = 2 * g[0] + 10 * g[1] + 24 * g[2] + 6 * g[3]  # 74.3
    home_h = 20 * g[0] + 30 * g[1] + 40 * g[2] + 10 * g[3]  # 155.5
    assert r["inst_h"] == pytest.approx(74.3) and inst_h == pytest.approx(74.3)
    # places needed: long-term (1, 6, 14.4, 3.6) and short-term residents (12292: 5, with the
    # long-term profile, i.e. long-term × 5/25) over 95 % occupancy
    langtid_h = 1 * g[0] + 6 * g[1] + 14.4 * g[2] + 3.6 * g[3]  # 44.4
    need_h = (langtid_h + langtid_h * 5 / 25) / 0.95  # 53.28 / 0.95 = 56.08
    assert r["need_h"] == pytest.approx(need_h) and round(need_h) == 56
    assert r["places_gap_h"] == 56 - 40  # the figures shown: 56 places needed, 40 today
    aarsverk_h = 60 * (inst_h + W * home_h) / (42 + W * 100)
    assert r["aarsverk_h"] == pytest.approx(aarsverk_h)
    assert r["share_care_h"] == pytest.approx(aarsverk_h / 900 * 100)
    if W == 0.2:  # the published assumption: 60 × 105.4 / 62 = 102 årsverk, 11.3 % of 900
        assert r["aarsverk_h"] == pytest.approx(102.0)


def test_small_kommune_gets_the_coverage_of_three_years(store):
    """Røst (390 inhabitants < 5 000): coverage = Σ users / Σ population over the KOSTRA
    years 2024 (population 1.1.2025) and 2025 (1.1.2026), times today's population."""
    r = ind.indicator_frame(store, ["1856"], "MMMM", 2040).loc["1856"]
    assert r["kostra_year"] == 2025
    # persons per band 0-66, 67-79, 80-89, 90+: 1.1.2025 (310, 55, 20, 5), 1.1.2026
    # (300, 60, 25, 5); 12003's 80+ shared by population: 2024 institution 6 -> 4.8 + 1.2,
    # 2025: 9 -> 7.5 + 1.5; home 2024: 12 -> 9.6 + 2.4, 2025: 15 -> 12.5 + 2.5
    inst = (0.0, 60 * 5 / 115, 25 * 12.3 / 45, 5 * 2.7 / 10)
    home = (300 * 7 / 610, 60 * 14 / 115, 25 * 22.1 / 45, 5 * 4.9 / 10)
    assert r["users_inst_80"] == pytest.approx(inst[2] + inst[3])  # 8.18, not 2025's 9
    assert r["cov_inst_80"] == pytest.approx((inst[2] + inst[3]) / 30 * 100)  # 27.3 %
    assert r["cov_home_80"] == pytest.approx((home[2] + home[3]) / 30 * 100)  # 49.1 %
    assert math.isnan(r["cov_heldogn_80"]) and math.isnan(r["places_gap_h"])  # no 11645
    g = (250 / 300, 70 / 60, 40 / 25, 10 / 5)
    inst_h = sum(u * x for u, x in zip(inst, g))
    home_h = sum(u * x for u, x in zip(home, g))
    assert r["inst_h"] == pytest.approx(inst_h)
    aarsverk_h = 12 * (inst_h + W * home_h) / (sum(inst) + W * sum(home))
    assert r["aarsverk_h"] == pytest.approx(aarsverk_h)
    assert r["share_care_h"] == pytest.approx(aarsverk_h / 250 * 100)
    if W == 0.2:  # 12 × 23.86 / 15.89 = 18.03 årsverk, 7.2 % of 250
        assert r["aarsverk_h"] == pytest.approx(18.025, abs=0.001)


def test_missing_values_stay_missing(store):
    f = ind.indicator_frame(store, ["1804", "1856", "1857", "9999"], "MMMM", 2040)
    assert list(f.index) == ["1804", "1856", "1857", "9999"]  # every kommune keeps its row
    røst = f.loc["1856"]
    assert røst["pop_base"] == 390 and røst["growth_80"] == pytest.approx(100 * (50 / 30 - 1))
    assert math.isnan(røst["places"]) and math.isnan(røst["places_per_1000_80"])  # no 11875
    værøy = f.loc["1857"]
    assert værøy["pop_base"] == 470 and math.isnan(værøy["pop_h"])  # no projection
    assert math.isnan(værøy["cov_inst_80"]) and math.isnan(værøy["kostra_year"])  # no KOSTRA
    assert math.isnan(værøy["share_care_h"])
    assert math.isnan(værøy["growth_90"])  # 0 persons 90+ today: no growth rate, not 0
    assert f.loc["9999"].drop("base_year").isna().all()


def test_sources_name_the_alternative_contents_code():
    srcs = ind.sources_of(ind.BY_KEY["growth_80"], "14746", "LLML")
    assert srcs == [("07459", "Personer1"), ("14746", "Personer1")]
    assert ind.sources_of(ind.BY_KEY["pop_h"], "14746", "MMMM") == [("14746", "Personer")]
    for i in ind.INDICATORS:
        assert i.polarity in (ind.HIGHER_BETTER, ind.LOWER_BETTER, ind.NEITHER)
        assert i.tables and i.unit and i.definition


def test_population_equals_ssb_07459_csv(tmp_path):
    """pop_base and 80+ for all 357 kommuner on 1.1.2024 equal sums of SSB's raw 07459
    export (a different file from the csdata parquet the store is filled from)."""
    raw = pd.read_csv(shared("befolkning_historikk/csdata_niphr/"
                             "07459_norway_population_by_age_sex_2024.csv"),
                      sep=";", encoding="latin-1", skiprows=1)
    raw = raw[raw["region"].str.match(r"^K-\d{4} ")]
    raw["code"] = raw["region"].str[2:6]
    raw["age"] = raw["age"].str.extract(r"^(\d+)").astype(int)
    raw["persons"] = raw.iloc[:, 2].astype(float) + raw.iloc[:, 3].astype(float)
    want_tot = raw.groupby("code")["persons"].sum()
    want_80 = raw[raw["age"] >= 80].groupby("code")["persons"].sum()
    assert len(want_tot) == 357
    pq = pd.read_parquet(shared(
        "befolkning_historikk/csdata_niphr/"
        "nor_population_by_age_sex_b2024_municip_county_2005_2026_nation_1986_2026.parquet"),
        filters=[("calyear", "==", 2024), ("granularity_geo", "==", "municip")])
    pq = pq[pq["sex"] != "total"]
    s = Store(tmp_path / "p.duckdb")
    s.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pd.DataFrame({
        "region_code": pq["location_code"].str.removeprefix("municip_nor"),
        "sex": pq["sex"].map({"male": "1", "female": "2"}), "age": pq["age"].astype(int),
        "year": 2024, "persons": pq["pop_jan1_n"].astype(float), "table_id": "07459"}))
    f = ind.indicator_frame(s, list(want_tot.index), "MMMM", 2040)
    s.close()
    assert (f["base_year"] == 2024).all()
    np.testing.assert_array_equal(f["pop_base"].to_numpy(), want_tot.to_numpy())
    np.testing.assert_array_equal(f["n80_base"].to_numpy(), want_80.reindex(f.index).to_numpy())
    assert f.loc["0301", "pop_base"] == want_tot["0301"] > 700_000


def _pipeline_store(path) -> Store:
    """The page tests' store, plus what the model must handle in real data: housing with
    24-hour staffing (12292) for every kommune, a 90+ cell of 11645 suppressed by SSB (Bodø
    2025), and Røst's 2024 KOSTRA values published under a code it had before a renumbering
    in 2025 (1899, authored)."""
    from tests.test_kostra_analysis import changes
    from tests.test_page_tjenester import make_store
    s = make_store(path)
    changes(s, [("1507", "1508", "Ålesund (2020-2023)", "Ålesund", "2024-01-01", "split"),
                ("1507", "1580", "Ålesund (2020-2023)", "Haram", "2024-01-01", "split"),
                ("1899", "1856", "Røst (før)", "Røst", "2025-01-01", "renumbering")])
    for table, name in (("12003", "Brukere"), ("11645", "Langtidsopphold"),
                        ("12292", "Årsverk")):
        k = s.query("SELECT * FROM kostra WHERE table_id = ?", [table])[COLS]
        k["region_code"] = k["region_code"].astype(object)
        k.loc[(k["region_code"] == "1856") & (k["year"] == 2024), "region_code"] = "1899"
        if table == "11645":
            cell = (k["region_code"] == "1804") & (k["year"] == 2025) & \
                (k["breakdown"] == "TenesteType=21;Alder=90+")
            assert cell.sum() == 1
            k.loc[cell, ["value", "status"]] = [None, ":"]
        if table == "12292":
            home = k[k["contents_code"] == "KOSkjerne80aarov0000"]
            k = pd.concat([k, home.assign(contents_code="KOSbialthelsum0000",
                                          value=(home["value"] * 0.4).round())])
        s.replace_table_data(SourceInfo(table, name, "kostra"), k.reset_index(drop=True))
    return s


def test_same_numbers_as_the_service_pipeline(tmp_path):
    """The vectorised model equals services.load_base → project_users → place_need /
    staffing.outlook run per kommune (the pipeline of «Tjenester» and «Bemanning»)."""
    s = _pipeline_store(tmp_path / "t.duckdb")
    codes = ["1804", "1856", "1508", "1580"]
    old = ("F080-089", "F090-120")
    for alt, horizon in (("MMMM", 2040), ("LLML", 2050)):
        f = ind.indicator_frame(s, codes, alt, horizon)
        for code in codes:
            base = sv.load_base(s, code, "kommune")
            assert base.ok and "bolig" in base.services, base.notes
            pop = sv.population_frame(s, code, base.pop_year)
            users = sv.project_users(base.bands, pop, base.pop_year)
            at = users[(users["alternative"] == alt) & (users["year"] == horizon)] \
                .set_index("service")["users"]
            out = sf.outlook(base, pop)
            o = out[(out["alternative"] == alt) & (out["year"] == horizon)].iloc[0]
            b = base.bands.set_index(["service", "band"])
            pop80 = sum(b.loc[("hjemme", x), "population"] for x in old)
            r = f.loc[code]
            assert r["kostra_year"] == base.kostra_year
            assert r["inst_h"] == pytest.approx(at["institusjon"])
            for key, service in (("users_inst_80", "institusjon"), ("users_home_80", "hjemme")):
                assert r[key] == pytest.approx(sum(b.loc[(service, x), "users"] for x in old))
            assert r["cov_inst_80"] == pytest.approx(100 * r["users_inst_80"] / pop80)
            heldogn = sum(b.loc[(sv_, x), "users"] for sv_ in sv.HELDOGN for x in old)
            assert r["cov_heldogn_80"] == pytest.approx(100 * heldogn / pop80)
            need = sv.place_need(users, alt)
            assert r["need_h"] == pytest.approx(need.loc[horizon])
            if base.places is None:
                assert math.isnan(r["places"]) and math.isnan(r["places_gap_h"])
            else:
                cap = sv.capacity(base.places, need, (horizon,))
                assert r["places_gap_h"] == cap.gaps[horizon]
            assert r["aarsverk_h"] == pytest.approx(o["aarsverk"])
            assert r["share_care_h"] == pytest.approx(100 * o["share"])
    # the cases the store was built for did occur
    røst = sv.load_base(s, "1856", "kommune")
    assert røst.smoothed_years == [2024, 2025]
    assert any("skjuler små tall for 90+" in n for n in sv.load_base(s, "1804", "kommune").notes)
    s.close()


# -- peer comparison ------------------------------------------------------------------------
PEERS = ind.spread([1, 2, 3, 4, 5, 6, 7, 8, 9])  # quartiles 3 and 7 (linear), median 5


def test_spread_quartiles_by_hand():
    assert (PEERS.q1, PEERS.median, PEERS.q3, PEERS.n) == (3.0, 5.0, 7.0, 9)
    assert ind.spread([np.nan, 2.0, np.nan]).n == 1


@pytest.mark.parametrize("polarity,high,low", [
    (ind.HIGHER_BETTER, ind.GOOD, ind.BAD),
    (ind.LOWER_BETTER, ind.BAD, ind.GOOD),
    (ind.NEITHER, ind.HIGH, ind.LOW),
])
def test_colours_follow_polarity(polarity, high, low):
    cats = ind.categorise([8, 7, 5, 3, 2, np.nan], PEERS, polarity)
    assert list(cats) == [high, ind.MIDDLE, ind.MIDDLE, ind.MIDDLE, low, ind.NONE]


def test_neither_is_never_good_or_bad():
    rng = np.random.default_rng(1)
    values = rng.normal(0, 10, 500)
    cats = ind.categorise(values, ind.spread(values), ind.NEITHER)
    assert not set(cats) & {ind.GOOD, ind.BAD}
    assert {ind.HIGH, ind.LOW} <= set(cats)
    frame = pd.DataFrame({k: rng.normal(100, 10, 50) for k in
                          [i.key for i in ind.INDICATORS] + list(ind.COUNT_LABELS)})
    cats = ind.compare_with_peers(frame)
    for i in ind.INDICATORS:
        judged = set(cats[i.key]) & {ind.GOOD, ind.BAD}
        assert (not judged) if i.polarity == ind.NEITHER else judged


def test_small_counts_and_few_peers_are_not_judged():
    cats = ind.categorise([9, 9], PEERS, ind.HIGHER_BETTER, counts=[19, 20])
    assert list(cats) == [ind.NONE, ind.GOOD]
    assert set(ind.categorise([9, 1], ind.spread([1, 2, 3]), ind.HIGHER_BETTER)) == {ind.NONE}


def test_benchmark_against_a_peer_group_by_hand():
    frame = pd.DataFrame({i.key: [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 9.5] for i in ind.INDICATORS},
                         index=[f"k{n}" for n in range(10)])
    for c in ind.COUNT_LABELS:
        frame[c] = 100.0
    # k9 against k0..k8 (itself left out): quartiles 3 and 7, 9.5 is above
    b = ind.benchmark(frame, "k9", list(frame.index)).set_index("key")
    assert b.loc["growth_80", ["q1", "median", "q3", "n"]].tolist() == [3.0, 5.0, 7.0, 9]
    assert b.loc["support_80_h", "category"] == ind.GOOD  # higher is better
    assert b.loc["share_care_h", "category"] == ind.BAD  # lower is better
    assert b.loc["growth_80", "category"] == ind.HIGH  # neither: never good or bad
    assert b.loc["growth_80", "text"] == "klart over sammenligningsgruppen"
    # a middle kommune, and a peer group too small to judge
    assert ind.benchmark(frame, "k4", list(frame.index)).set_index("key").loc[
        "support_80_h", "category"] == ind.MIDDLE
    small = ind.benchmark(frame, "k9", ["k0", "k1", "k9"]).set_index("key")
    assert (small["category"] == ind.NONE).all() and (small["n"] == 2).all()
