"""The care model against SSB's real KOSTRA panel (PROVENANCE section 6).

The stand-in's 11645 (long-term institution residents by age) is built from the panel; it is
fetched with the real client and refresh into a store, and the model's base year
(``services.longterm_users``) must give back the panel's numbers for every kommune.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import kostra
from analysis import services as sv
from data_sources.store import SourceInfo, Store
from tests.paths import shared

PANEL = "kostra_pleie_omsorg/christianbht_paneldata/paneldata_2007_2025_2024struktur.csv"
POP = ("befolkning_historikk/csdata_niphr/"
       "nor_population_by_age_sex_b2024_municip_county_2005_2026_nation_1986_2026.parquet")

pytestmark = pytest.mark.skipif(not shared(PANEL).exists(), reason="../shared mangler")


def panel() -> pd.DataFrame:
    return pd.read_csv(shared(PANEL), dtype={"kommunenr_2024": str})


def test_fill_suppressed_hand_checked():
    # total 20; known 67-79 = 4 and 80-89 = 6; 00-49 and 90+ hidden with 300 and 100 persons:
    # remainder 10 shared 3:1 -> 7.5 and 2.5
    cells, hidden = sv.fill_suppressed({"00-49": None, "67-79": 4.0, "80-89": 6.0, "90+": None},
                                       20.0, {"00-49": 300.0, "90+": 100.0})
    assert hidden == ["00-49", "90+"]
    assert cells == {"67-79": 4.0, "80-89": 6.0, "00-49": 7.5, "90+": 2.5}
    # known cells already above the total (inconsistent input): nothing negative invented
    cells, _ = sv.fill_suppressed({"a": 9.0, "b": None}, 5.0, {"b": 10.0})
    assert cells["b"] == 0.0


@pytest.fixture(scope="module")
def store_11645(tmp_path_factory):
    from tests import standin_data as sd
    from tests.standin import StandinServer
    from tests.storefill import fill_store
    store = Store(tmp_path_factory.mktemp("care") / "c.duckdb")
    with StandinServer([sd.table_11645()], max_calls=10_000, window_s=1) as server:
        fill_store(store, tables=["11645"], server=server)
    pop = pd.read_parquet(shared(POP), filters=[("granularity_geo", "==", "municip"),
                                                 ("calyear", "==", 2026),
                                                 ("sex", "in", ["male", "female"])])
    store.replace_table_data(SourceInfo("07459", "Befolkning", "population"), pd.DataFrame({
        "region_code": pop["location_code"].str.removeprefix("municip_nor"),
        "sex": pop["sex"].map({"male": "1", "female": "2"}), "age": pop["age"].astype(int),
        "year": 2026, "persons": pop["pop_jan1_n"].astype(float), "table_id": "07459"}))
    yield store
    store.close()


def test_base_year_reproduces_the_panel_for_every_kommune(store_11645):
    p = panel()
    p = p[p["år"] == 2025].set_index("kommunenr_2024")
    assert len(p) == 357
    reader = kostra.Reader(store_11645, list(p.index), ["11645"])
    checked = estimated = 0
    for k, row in p.iterrows():
        pop = store_11645.query("SELECT age, sum(persons) AS n FROM population WHERE "
                                "region_code = ? GROUP BY age", [k])
        by_age = np.zeros(106)
        by_age[pop["age"].to_numpy()] = pop["n"].to_numpy()
        bands, note = sv.longterm_users(reader, k, 2025, by_age)
        if pd.isna(row["Y_3_a_ialt"]):
            assert bands is None and "11645" in note
            continue
        cols = (("Y_3_a_0_66", "F000-066"), ("Y_3_a_67_79", "F067-079"),
                ("Y_3_a_80p", "F080-089+F090-120"))
        for col, band in cols:
            if not pd.isna(row[col]):
                assert sum(bands[b] for b in band.split("+")) == row[col], (k, col)
        if any(pd.isna(row[c]) for c, _ in cols):  # suppressed cells: the total is kept
            assert sum(bands.values()) == pytest.approx(row["Y_3_a_ialt"])
            assert "skjuler små tall" in note
            estimated += 1
        elif sum(row[c] for c, _ in cols) != row["Y_3_a_ialt"]:
            assert "summerer til" in note  # SSB's cells do not add up: said, not hidden
        checked += 1
    assert checked >= 350 and estimated > 0  # small kommuner have suppressed cells


def test_standin_11645_is_the_panel_where_the_panel_has_values():
    from tests import standin_data as sd
    t = sd.table_11645()
    p = panel()
    years = sd.PANEL_YEARS_11645
    pos = {k: i for i, k in enumerate(t.dimensions[0].codes)}
    v = t.values[:, 0, :, 0, :]  # [kommune, age cell, year]
    oslo = p[(p["kommunenr_2024"] == "0301") & (p["år"] == 2025)].iloc[0]
    assert v[pos["0301"], 0, years.index(2025)] == oslo["Y_3_a_ialt"] == 3759
    for _, r in p[p["år"].isin(years)].iterrows():
        c = v[pos[r["kommunenr_2024"]], :, years.index(r["år"])]
        for got, col in ((c[0], "Y_3_a_ialt"), (c[1] + c[2], "Y_3_a_0_66"),
                         (c[3], "Y_3_a_67_79"), (c[4] + c[5], "Y_3_a_80p")):
            want = r[col]
            assert (np.isnan(got) and pd.isna(want)) or got == want
