"""Unit tests of analysis.services with hand-checked numbers, plus the base-year property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from analysis import services as sv
from analysis import staffing as sf

BASE = 2025


def pop_frame(rows: dict[tuple[str, int], dict[int, float]]) -> pd.DataFrame:
    """(alternative, year) -> {age: persons} as a population_frame-shaped frame."""
    idx = pd.MultiIndex.from_tuples(sorted(rows), names=["alternative", "year"])
    mat = np.zeros((len(idx), sv.MAX_AGE + 1))
    for i, key in enumerate(idx):
        for age, p in rows[key].items():
            mat[i, age] = p
    return pd.DataFrame(mat, index=idx, columns=range(sv.MAX_AGE + 1))


def bands(inst=(10, 20, 30, 0), home=(50, 50, 100, 0)) -> pd.DataFrame:
    codes = [b.code for b in sv.BANDS]
    return pd.DataFrame(
        [("institusjon", c, u) for c, u in zip(codes, inst)]
        + [("hjemme", c, u) for c, u in zip(codes, home)], columns=["service", "band", "users"])


# 1000 persons aged 30, 200 aged 67, 100 aged 80 in the base year; in 2035 300 / 150 at 67 / 80.
POP = pop_frame({("MMMM", BASE): {30: 1000, 67: 200, 80: 100},
                 ("MMMM", 2035): {30: 1000, 67: 300, 80: 150},
                 ("LLML", BASE): {30: 1000, 67: 200, 80: 100},
                 ("LLML", 2035): {30: 1000, 67: 250, 80: 100}})


def users_at(proj, service, year, alt="MMMM"):
    r = proj[(proj["service"] == service) & (proj["year"] == year) & (proj["alternative"] == alt)]
    return float(r["users"].iloc[0])


def test_band_weights_membership_and_shift():
    w0 = sv.band_weights(0.0)
    assert w0.shape == (4, 106)
    assert w0[:, 66].tolist() == [1, 0, 0, 0] and w0[:, 67].tolist() == [0, 1, 0, 0]
    assert w0[:, 80].tolist() == [0, 0, 1, 0] and w0[:, 89].tolist() == [0, 0, 1, 0]
    assert w0[:, 90].tolist() == [0, 0, 0, 1] and w0[:, 105].tolist() == [0, 0, 0, 1]
    w1 = sv.band_weights(1.0)  # a 67-year-old gets today's rate of a 66-year-old
    assert w1[:, 67].tolist() == [1, 0, 0, 0] and w1[:, 80].tolist() == [0, 1, 0, 0]
    assert w1[:, 81].tolist() == [0, 0, 1, 0] and w1[:, 0].tolist() == [1, 0, 0, 0]
    assert w1[:, 90].tolist() == [0, 0, 1, 0] and w1[:, 91].tolist() == [0, 0, 0, 1]
    wh = sv.band_weights(0.5)
    assert wh[:, 67].tolist() == [0.5, 0.5, 0, 0]
    np.testing.assert_allclose(sv.band_weights(3.7).sum(axis=0), 1.0)


def test_project_unchanged_hand_checked():
    proj = sv.project_users(bands(), POP, BASE)
    # institution 2035: 10*1000/1000 + 20*300/200 + 30*150/100 = 10 + 30 + 45
    assert users_at(proj, "institusjon", 2035) == pytest.approx(85.0)
    # home 2035: 50 + 50*1.5 + 100*1.5
    assert users_at(proj, "hjemme", 2035) == pytest.approx(275.0)
    # LLML: 10 + 20*1.25 + 30*1.0 = 65
    assert users_at(proj, "institusjon", 2035, "LLML") == pytest.approx(65.0)
    assert users_at(proj, "institusjon", BASE) == 60.0


def test_split_12003_shares_80_plus_by_population():
    # 90 users aged 80+; 200 persons 80-89 and 100 aged 90+ -> 60 and 30 (same coverage 0.3)
    u = sv.split_12003([5.0, 7.0, 90.0], np.array([1000.0, 300.0, 200.0, 100.0]))
    assert u.tolist() == [5.0, 7.0, 60.0, 30.0]
    assert sv.split_12003([0, 0, 8.0], np.zeros(4)).tolist() == [0, 0, 4.0, 4.0]


def test_90_plus_growth_counts_when_its_coverage_is_higher():
    # long-term residents: 10 of 100 aged 85 (10 %), 30 of 60 aged 95 (50 %); in 2040 the
    # 80-89 group is unchanged and 90+ doubles: 10 + 30*2 = 70 (one 80+ band would give
    # 40 * 220/160 = 55)
    frame = pop_frame({("MMMM", BASE): {85: 100, 95: 60}, ("MMMM", 2040): {85: 100, 95: 120}})
    b = pd.DataFrame([("langtid", "F080-089", 10.0), ("langtid", "F090-120", 30.0)],
                     columns=["service", "band", "users"])
    assert users_at(sv.project_users(b, frame, BASE), "langtid", 2040) == pytest.approx(70.0)


def test_project_healthier_ageing_moves_band_edges():
    # 5 years by 2050, phased: 2035 is 10/25 of the way -> shift 2 years.
    # 67-year-olds get the 0-66 rate (10/1000), 80-year-olds the 67-79 rate (20/200):
    # 10*(1000+300)/1000 + 20*150/200 + 30*0/100 = 13 + 15 = 28
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(healthy_years=5))
    assert users_at(proj, "institusjon", 2035) == pytest.approx(28.0)


def test_project_coverage_change_and_shift_to_home():
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(institution_change=10))
    assert users_at(proj, "institusjon", 2035) == pytest.approx(85 * 1.1 ** 10)
    assert users_at(proj, "hjemme", 2035) == pytest.approx(275.0)
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(home_change=-2))
    assert users_at(proj, "hjemme", 2035) == pytest.approx(275 * 0.98 ** 10)
    # 50 % moved by 2050 -> 20 % in 2035 (10 of 25 years): 17 of 85 move home
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(shift_to_home=50))
    assert users_at(proj, "institusjon", 2035) == pytest.approx(68.0)
    assert users_at(proj, "hjemme", 2035) == pytest.approx(292.0)
    moved = proj[(proj["service"] == "hjemme") & (proj["year"] == 2035)
                 & (proj["alternative"] == "MMMM")]["moved"].iloc[0]
    assert moved == pytest.approx(17.0)


def test_with_range_min_max_over_alternatives():
    proj = sv.project_users(bands(), POP, BASE)
    r = sv.with_range(proj, "MMMM")
    row = r[(r["service"] == "institusjon") & (r["year"] == 2035)].iloc[0]
    assert (row["users"], row["low"], row["high"]) == pytest.approx((85, 65, 85))


def test_capacity_first_year_and_gaps():
    need = pd.Series({2025: 60.0, 2030: 65.0, 2031: 71.0, 2040: 80.0, 2050: 90.0})
    cap = sv.capacity(70.0, need)
    assert cap.first_year_over == 2031
    assert cap.gaps == {2030: -5, 2040: 10, 2050: 20}
    assert cap.need == {2030: 65, 2040: 80, 2050: 90}
    assert sv.capacity(100.0, need).first_year_over is None
    assert sv.capacity(50.0, need).first_year_over == 2025  # already short today
    assert sv.capacity(None, need).gaps == {}


def test_capacity_is_judged_on_the_rounded_figures_shown():
    # 921.8 places show as 922; a need of 922.3 shows as 922: no lack, and no «Mangler 0»
    # beside a text saying need exceeds places.
    need = pd.Series({2030: 922.3, 2036: 922.6, 2040: 930.2})
    cap = sv.capacity(921.8, need)
    assert cap.gaps[2030] == 0 and cap.first_year_over == 2036
    assert cap.need[2040] - 922 == cap.gaps[2040] == 8


def _pop_rows(region, year, ages, persons=10.0, sexes=("1", "2")):
    return [(region, sx, a, year, persons, "07459") for sx in sexes for a in ages]


def test_population_frame_fills_the_gap_and_skips_partial_years(tmp_path):
    from data_sources.store import SourceInfo, Store
    s = Store(tmp_path / "p.duckdb")
    rows = (_pop_rows("9999", 2024, range(106)) + _pop_rows("9999", 2025, range(106), 20.0)
            + _pop_rows("9999", 2017, range(80, 105)))  # 2017: a partial-age import
    s.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pd.DataFrame(
        rows, columns=["region_code", "sex", "age", "year", "persons", "table_id"]))
    proj = [("9999", sx, a, 2026, alt, 30.0, "14746") for alt in ("MMMM", "LLML")
            for sx in ("1", "2") for a in range(106)]
    s.replace_table_data(SourceInfo("14746", "Framskriving", "projection", round="2026"),
                         pd.DataFrame(proj, columns=["region_code", "sex", "age", "year",
                                                     "alternative", "persons", "table_id"]))
    pop = sv.population_frame(s, "9999", 2024)
    # 2024 (base) and 2025 from the history, 2026 from the projection: no missing year
    assert pop.index.tolist() == [("LLML", 2024), ("LLML", 2025), ("LLML", 2026),
                                  ("MMMM", 2024), ("MMMM", 2025), ("MMMM", 2026)]
    assert pop.loc[("MMMM", 2025)].sum() == 20.0 * 2 * 106
    assert pop.loc[("LLML", 2026)].sum() == 30.0 * 2 * 106
    assert sv.population_frame(s, "9999", 2017).empty  # ages 80-104 only: not a year
    assert s.scalar(f"SELECT max(year) FROM ({sv.COMPLETE_YEARS})", ["9999", 2020]) is None
    s.close()


ages = st.integers(min_value=0, max_value=105)


@settings(max_examples=60, deadline=None)
@given(inst=st.lists(st.floats(1, 5000, allow_nan=False), min_size=4, max_size=4),
       home=st.lists(st.floats(1, 20000, allow_nan=False), min_size=4, max_size=4),
       pop=st.dictionaries(ages, st.floats(1, 1e5, allow_nan=False), min_size=1, max_size=40),
       later=st.floats(0.5, 2.0), aarsverk=st.floats(1, 1e5, allow_nan=False),
       scen=st.builds(sv.Scenario, st.floats(-5, 5), st.floats(-5, 5), st.floats(0, 10),
                      st.floats(-3, 3), st.floats(0, 60)))
def test_unchanged_and_any_scenario_reproduce_base_year_exactly(inst, home, pop, later,
                                                               aarsverk, scen):
    # every band needs people, as in real data
    pop = {**pop, 10: pop.get(10, 100.0), 70: pop.get(70, 50.0), 85: pop.get(85, 30.0),
           95: pop.get(95, 20.0)}
    frame = pop_frame({("MMMM", BASE): pop,
                       ("MMMM", 2040): {a: p * later for a, p in pop.items()}})
    b = bands(inst, home)
    for scenario in (sv.UNCHANGED, scen):
        proj = sv.project_users(b, frame, BASE, scenario)
        for service, values in (("institusjon", inst), ("hjemme", home)):
            assert users_at(proj, service, BASE) == float(np.sum(values))
        w = sf.weighted_users(proj)
        aw = sf.project_aarsverk(aarsverk, w, BASE, scenario)
        assert float(aw.loc[aw["year"] == BASE, "aarsverk"].iloc[0]) == aarsverk
    # and the unchanged scenario scales with the population when all bands grow alike
    proj = sv.project_users(b, frame, BASE)
    assert users_at(proj, "institusjon", 2040) == pytest.approx(later * sum(inst), rel=1e-9,
                                                               abs=1e-9)


def test_heldogn_and_place_need_hand_checked():
    b = pd.DataFrame([("langtid", "F080-089", 40.0), ("korttid", "F080-089", 8.0),
                      ("bolig", "F080-089", 12.0), ("hjemme", "F080-089", 100.0)],
                     columns=["service", "band", "users"])
    proj = sv.project_users(b, POP, BASE)  # 80-year-olds: 100 -> 150 in 2035
    # heldøgns omsorg = long-term institution + housing with 24-hour staffing
    assert users_at(proj, "heldogn", 2035) == pytest.approx((40 + 12) * 1.5)
    need = sv.place_need(proj, "MMMM", occupancy=0.95)
    assert need[BASE] == pytest.approx((40 + 8) / 0.95)  # 50.53 places
    assert need[2035] == pytest.approx((60 + 12) / 0.95)  # 75.79 places
    cap = sv.capacity(60.0, need)
    assert cap.first_year_over == 2035 and sv.capacity(60.0, need).need == {}
    assert sv.place_need(proj[proj["service"] != "langtid"], "MMMM").empty


def test_service_standard_lever_hand_checked():
    proj = sv.project_users(bands(), POP, BASE)
    w = sf.weighted_users(proj)
    # SSB HELSEMOD's +0.5 % a year in årsverk per user: 70 × 1.005^10 in 2035
    aw = sf.project_aarsverk(50.0, w, BASE, sv.Scenario(standard=sf.STANDARD_PRESET))
    assert float(aw.loc[(aw["year"] == 2035) & (aw["alternative"] == "MMMM"),
                        "aarsverk"].iloc[0]) == pytest.approx(70.0 * 1.005 ** 10)
    assert not sv.Scenario(standard=0.5).unchanged


# -- small kommuner: 3-year average coverage ----------------------------------------------------
def _small_store(tmp_path, total_persons_per_age=10.0):
    """Kommune 9999: 10 persons at every age 0..105 on 1.1.2024-2026 (1 060 in all); 12003
    users 2023-2025: institution 0/1/(2, 5, 2) by band, home 3/6/30."""
    from data_sources.store import Store
    return _fill_small(Store(tmp_path / "small.duckdb"), total_persons_per_age)


def _fill_small(s, total_persons_per_age=10.0, years=(2024, 2025, 2026)):
    from data_sources.store import SourceInfo
    pop = [("9999", sx, a, y, total_persons_per_age / 2, "07459")
           for y in years for sx in ("1", "2") for a in range(106)]
    s.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pd.DataFrame(
        pop, columns=["region_code", "sex", "age", "year", "persons", "table_id"]))
    inst80 = {2023: 2.0, 2024: 5.0, 2025: 2.0}
    rows = []
    for y in (2023, 2024, 2025):
        for grp, vals in (("B", (0.0, 1.0, inst80[y])), ("A", (3.0, 6.0, 30.0))):
            for b, v in zip(sv.BANDS_12003, vals):
                rows.append(("9999", "12003", "KOSomsorgantbruk0000", y, v, None,
                             f"KOKalder0000={b.code};KOKTenesteGrp0000={grp}"))
    s.replace_table_data(SourceInfo("12003", "Brukere (testdata)", "kostra"), pd.DataFrame(
        rows, columns=["region_code", "table_id", "contents_code", "year", "value", "status",
                       "breakdown"]))
    return s


def test_published_versions_never_share_cached_reads(tmp_path, monkeypatch):
    """A published store version remembers its reads (complete years, the KOSTRA reader,
    today's base) for every session; a new version after an import gives the new numbers,
    while a run still pinned to the old version keeps the old ones."""
    from data_sources import store as sm
    monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "v.duckdb"))
    sm.reset_store()
    try:
        with sm.publishing() as w:
            _fill_small(w)
        old = sm.acquire()
        assert old.version
        a = sv.load_base(old, "9999", "kommune", smooth=False)
        inst = lambda base: base.bands[base.bands["service"] == "institusjon"]  # noqa: E731
        assert a.pop_year == 2026 and inst(a)["population"].sum() == 1060.0
        with sm.publishing() as w:  # a new 07459: 1.1.2025 doubled, 2026 not yet there
            w.execute("DELETE FROM population WHERE year >= 2025")
            _fill_small(w, 20.0, years=(2025,))
        new = sm.acquire()
        assert new.version != old.version
        b = sv.load_base(new, "9999", "kommune", smooth=False)
        assert b.pop_year == 2025 and inst(b)["population"].sum() == 2120.0
        assert any("1.1.2026 mangler" in n for n in b.notes)
        assert b.users("institusjon") == 3.0  # 0 + 1 + 2 KOSTRA users in 2025, as before
        again = sv.load_base(old, "9999", "kommune", smooth=False)
        assert inst(again)["population"].sum() == 1060.0  # the old version: old numbers
        sm.release(old)
        sm.release(new)
    finally:
        sm.reset_store()


def test_small_kommune_coverage_is_a_three_year_average(tmp_path):
    s = _small_store(tmp_path)
    one = sv.load_base(s, "9999", "kommune", smooth=False)
    assert one.users("institusjon") == 3.0  # 0 + 1 + 2 in 2025
    avg = sv.load_base(s, "9999", "kommune")  # 1 060 inhabitants < 5 000: averaged
    assert avg.smoothed_years == [2023, 2024, 2025]
    # same population each year: 80+ users average (2 + 5 + 2) / 3 = 3, shared 100:160
    # between 80-89 and 90+ -> 1.1538 and 1.8462; in all 0 + 1 + 3 = 4
    assert avg.users("institusjon") == pytest.approx(4.0)
    b = avg.bands.set_index(["service", "band"])
    assert b.loc[("institusjon", "F080-089"), "users"] == pytest.approx(3 * 100 / 260)
    assert b.loc[("institusjon", "F090-120"), "users"] == pytest.approx(3 * 160 / 260)
    assert avg.users("hjemme") == pytest.approx(39.0)  # unchanged across years
    assert any("gjennomsnittet for 2023–2025" in n for n in avg.notes)
    s.close()


# -- the kommune's own numbers and planned capacity ----------------------------------------------
def test_own_numbers_replace_kostra_and_are_marked(tmp_path):
    s = _small_store(tmp_path)
    base = sv.load_base(s, "9999", "kommune", smooth=False)
    own = sv.with_own_numbers(base, sv.OwnNumbers(users=(("institusjon", 6.0),), places=8.0,
                                                 aarsverk=12.5))
    # 3 KOSTRA users (0/1/2 by band, 80+ shared 100:160) scaled to 6: doubled per band
    assert own.users("institusjon") == pytest.approx(6.0)
    assert own.bands.loc[(own.bands["service"] == "institusjon")
                         & (own.bands["band"] == "F067-079"), "users"].iloc[0] == 2.0
    assert own.places == 8.0 and own.aarsverk == 12.5
    assert len(own.own) == 3 and all("kommunens egne tall" in t for t in own.own)
    assert base.users("institusjon") == 3.0 and base.own == []  # the KOSTRA base is untouched
    missing = sv.with_own_numbers(base, sv.OwnNumbers(users=(("langtid", 4.0),)))
    assert missing.own == [] and any("kan ikke brukes" in n for n in missing.notes)
    assert sv.with_own_numbers(base, sv.OwnNumbers()) is base
    s.close()


def test_planned_places_and_capacity_against_plan_hand_checked():
    plan = sv.planned_places(50.0, {2028: 10.0, 2035: -4.0}, 2026, 2040)
    assert plan[2027] == 50 and plan[2028] == 60 and plan[2034] == 60 and plan[2035] == 56
    need = pd.Series({2026: 48.0, 2030: 58.4, 2035: 57.6, 2040: 70.2})
    cap = sv.capacity_against_plan(need, plan)
    # 2030: 58 ≤ 60; 2035: 58 > 56 -> first year over 2035; 2040: 70 − 56 = 14
    assert cap.first_year_over == 2035
    assert cap.gaps == {2030: -2, 2040: 14} and cap.need == {2030: 58, 2040: 70}


def test_family_care_takes_over_a_share_of_the_67_plus_users():
    # 25 % by 2050, phased: 2035 is 10/25 of the way -> 10 % of the 67+ users.
    # institution 2035: 10 (0-66) + (30 + 45) * 0.9 = 77.5; home: 50 + (75 + 150) * 0.9
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(family_care=25))
    assert users_at(proj, "institusjon", 2035) == pytest.approx(77.5)
    assert users_at(proj, "hjemme", 2035) == pytest.approx(252.5)
    assert users_at(proj, "institusjon", BASE) == 60.0  # the base year is today's
    # less family care (negative) adds users: 10 + 75 * 1.04 = 88
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(family_care=-10))
    assert users_at(proj, "institusjon", 2035) == pytest.approx(88.0)
