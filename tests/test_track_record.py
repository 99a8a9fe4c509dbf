"""Track record: SSB's 2020, 2022 and 2024 rounds against what happened, for the 17 Telemark
kommuner, fetched with the real client and refresh from the stand-in (whose round totals
by age group are SSB's, from the Telemark files) and checked against the shared files."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import track_record as tr
from data_sources import regions as regmod
from data_sources.refresh import codes_in_round
from data_sources.regions_default import bundled_changes
from data_sources.store import Store
from tests.paths import shared

TELEMARK = "befolkningsframskriving/telemark_evensrii/Framskrevet_folkemengde_{}-2050.csv"
POP = ("befolkning_historikk/csdata_niphr/"
       "nor_population_by_age_sex_b2024_municip_county_2005_2026_nation_1986_2026.parquet")
KOMMUNER = ["4001", "4003", "4005", "4010", "4012", "4014", "4016", "4018", "4020", "4022",
            "4024", "4026", "4028", "4030", "4032", "4034", "4036"]

pytestmark = pytest.mark.skipif(not shared(TELEMARK.format(2020)).exists(),
                                reason="../shared mangler")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from tests import standin_data as sd
    from tests.standin import StandinServer
    from tests.storefill import fill_store
    s = Store(tmp_path_factory.mktemp("tr") / "t.duckdb")
    s.replace_rows("region_changes", regmod.changes_frame(bundled_changes()))
    tables = [sd.table_07459(), *(sd.table_round(t) for t in sd.TELEMARK_ROUNDS)]
    with StandinServer(tables, max_calls=10_000, window_s=1) as server:
        rep = fill_store(s, regions=KOMMUNER, tables=["population", "12882", "13600", "14288"],
                         server=server)
    assert [t.action for t in rep.tables] == ["fetched"] * 4
    yield s
    s.close()


def _published(year: int, name: str, target: int) -> tuple[float, float]:
    """(total, 80+) for ``name`` in ``target`` from SSB's round file, MMMM."""
    df = pd.read_csv(shared(TELEMARK.format(year)))
    d = df[(df["region"] == name) & (df["år"] == target)
           & df["statistikkvariabel"].str.contains("MMMM")]
    return float(d["value"].sum()), float(d[d["alder"].isin(["80-89 år", "90 år eller eldre"])]
                                          ["value"].sum())


def _observed(code: str, year: int) -> tuple[float, float]:
    p = pd.read_parquet(shared(POP), filters=[("location_code", "==", f"municip_nor{code}"),
                                               ("calyear", "==", year), ("sex", "==", "total")])
    return float(p["pop_jan1_n"].sum()), float(p.loc[p["age"] >= 80, "pop_jan1_n"].sum())


def test_codes_in_round_follow_the_2024_renumbering():
    ch = regmod.changes_frame(bundled_changes())
    ch = pd.DataFrame({"old_code": ch["old_code"], "new_code": ch["new_code"],
                       "y": pd.to_datetime(ch["change_date"]).dt.year})
    assert codes_in_round("4001", 2020, ch) == {"3806"}  # Porsgrunn
    assert codes_in_round("4001", 2024, ch) == {"4001"}
    assert codes_in_round("0301", 2020, ch) == {"0301"}


@pytest.mark.parametrize("code", KOMMUNER)
def test_track_record_equals_the_shared_files(store, code):
    rec = tr.track_record(store, code)
    assert set(rec.rows["round"]) == {2020, 2022, 2024} and not rec.notes
    names = {c["newCode"]: c["newName"] for c in bundled_changes()}
    for rnd, label in ((2020, f"{names[code]} (2020-2023)"), (2022, f"{names[code]} (2020-2023)"),
                       (2024, names[code])):
        row = rec.rows[(rec.rows["round"] == rnd) & (rec.rows["year"] == 2025)].iloc[0]
        proj, proj80 = _published(rnd, label, 2025)
        obs, obs80 = _observed(code, 2025)
        assert row["projected"] == pytest.approx(proj) and row["observed"] == obs
        assert row["error_pct"] == pytest.approx((proj / obs - 1) * 100)
        assert row["projected_80"] == pytest.approx(proj80) and row["observed_80"] == obs80
        assert row["error_pct_80"] == pytest.approx((proj80 / obs80 - 1) * 100)
    assert rec.rows["year"].max() == 2026


def test_sentence_names_the_oldest_round_and_latest_year(store):
    rec = tr.track_record(store, "4001")
    row = rec.rows[(rec.rows["round"] == 2020) & (rec.rows["year"] == 2026)].iloc[0]
    proj, _ = _published(2020, "Porsgrunn (2020-2023)", 2026)
    obs, _ = _observed("4001", 2026)
    err = round((proj / obs - 1) * 100, 1)
    from analysis.format import fmt_pct
    assert rec.sentence() == (f"2020-framskrivingen bommet med {fmt_pct(err, 1, sign=True)} "
                              "på folketallet for 2026.")


def test_missing_rounds_are_named(tmp_path):
    s = Store(tmp_path / "e.duckdb")
    rec = tr.track_record(s, "4001")
    assert not rec.ok and rec.sentence() is None
    assert "2020-framskrivingen (tabell 12882) er ikke hentet." in rec.notes
    s.close()


def test_sentence_for_80_plus_and_chart_frame(store):
    rec = tr.track_record(store, "4001")
    proj, proj80 = _published(2020, "Porsgrunn (2020-2023)", 2026)
    obs, obs80 = _observed("4001", 2026)
    from analysis.format import fmt_pct
    err80 = round((proj80 / obs80 - 1) * 100, 1)
    assert rec.sentence("80") == (f"2020-framskrivingen bommet med {fmt_pct(err80, 1, sign=True)}"
                                  " på antallet innbyggere 80 år og eldre for 2026.")
    assert rec.sentence("80", "nn").startswith("2020-framskrivingen bomma med ")
    f = rec.chart_frame("80")
    row = f[(f["label"] == "2020-framskrivingen") & (f["year"] == 2026)].iloc[0]
    assert row["projected"] == pytest.approx(proj80) and row["observed"] == obs80
    assert row["value"] == pytest.approx((proj80 / obs80 - 1) * 100)
    assert set(f["label"]) == {"2020-framskrivingen", "2022-framskrivingen",
                               "2024-framskrivingen"}
