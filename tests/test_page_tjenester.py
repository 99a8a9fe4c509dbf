"""AppTest of «Tjenester og kapasitet», and the small store the page tests share.

``make_store(path)`` fills a store with: real 07459 population (csdata parquet) for a few
regions, real KOSTRA 12209 (JSON-stat fixture, through decode → ingest) and real 11875
places (hmelberg CSV), plus AUTHORED 12003/12292 users and årsverk (proportional to the
real population) and an AUTHORED 14746-like projection for all nine alternatives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import services as sv
from data_sources import catalog
from data_sources.store import SourceInfo, Store, get_store, reset_store
from tests.paths import ROOT, shared
from tests.report_page import tables
from tests.test_kostra_analysis import changes, ingest_11875, ingest_12209

POP_FILE = ("befolkning_historikk/csdata_niphr/"
            "nor_population_by_age_sex_b2024_municip_county_2005_2026_nation_1986_2026.parquet")
REGIONS = [("0", "Hele landet", "land", None, None), ("18", "Nordland", "fylke", "0", None),
           ("15", "Møre og Romsdal", "fylke", "0", None),
           ("1804", "Bodø", "kommune", "18", "EKG13"), ("1856", "Røst", "kommune", "18", "EKG06"),
           ("1508", "Ålesund", "kommune", "15", "EKG13"), ("1580", "Haram", "kommune", "15", "EKG11")]
KOSTRA_CODE = {"0": "EAK", "18": "EKA18", "15": "EKA15"}
# authored coverage by band (0-66, 67-79, 80+): home services (A), institution (B)
RATES = {"A": (0.012, 0.06, 0.30), "B": (0.0004, 0.007, 0.12)}
ALT_MULT = dict(zip(catalog.ALTERNATIVE_ORDER, (1.0, 0.7, 1.3, 0.9, 1.1, 1.2, 0.8, 0.95, 0.85)))


def _population() -> pd.DataFrame:
    codes = {"0": "nation_nor", **{c: (f"county_nor{c}" if lvl == "fylke" else f"municip_nor{c}")
                                   for c, _, lvl, *_ in REGIONS if c != "0"}}
    inv = {v: k for k, v in codes.items()}
    df = pd.read_parquet(shared(POP_FILE), filters=[("location_code", "in", list(inv)),
                                                    ("calyear", ">=", 2023)])
    df = df[df["sex"] != "total"]
    return pd.DataFrame({"region_code": df["location_code"].map(inv),
                         "sex": df["sex"].map({"male": "1", "female": "2"}),
                         "age": df["age"].astype(int), "year": df["calyear"].astype(int),
                         "persons": df["pop_jan1_n"].astype(float), "table_id": "07459"})


def _projection(pop: pd.DataFrame) -> pd.DataFrame:
    p0 = pop[pop["year"] == 2026]
    g = np.where(p0["age"] >= 80, 0.035, np.where(p0["age"] >= 67, 0.01,
                                                  np.where(p0["age"] >= 20, -0.003, 0.0)))
    frames = []
    for alt, m in ALT_MULT.items():
        for t in range(2026, 2051):
            frames.append(p0.assign(year=t, alternative=alt, table_id="14746",
                                    persons=p0["persons"] * (1 + g * (t - 2026) * m)))
    return pd.concat(frames, ignore_index=True)


def _bands(pop: pd.DataFrame, region_codes: list[str], year: int) -> np.ndarray:
    p = pop[(pop["region_code"].isin(region_codes)) & (pop["year"] == year)]
    return np.array([p.loc[(p["age"] >= b.low) & (p["age"] <= b.high), "persons"].sum()
                     for b in sv.BANDS_12003])


def _kostra_users(pop: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Authored 12003 (users by band and group) and 11645 (long-term residents by age) in the
    first frame, 12292 (årsverk, short/long-term, home 80+) in the second."""
    targets = {"1804": ["1804"], "1856": ["1856"], "1508": ["1508"], "1580": ["1580"],
               "EKA18": ["18"], "EKA15": ["15"], "EAK": ["0"], "EKG13": ["1804", "1508"]}
    u_rows, s_rows = [], []
    for code, members in targets.items():
        for year in (2024, 2025):
            bp = _bands(pop, members, year + 1)
            users = {g: np.round(bp * np.array(r) * (1 + 0.02 * (year - 2024))) for g, r in
                     RATES.items()}
            for g, u in users.items():
                for b, v in zip(sv.BANDS_12003, u):
                    u_rows.append((code, "12003", "KOSomsorgantbruk0000", year, float(v), None,
                                   f"KOKalder0000={b.code};KOKTenesteGrp0000={g}"))
            inst, home = users["B"].sum(), users["A"].sum()
            b = users["B"]  # long-term residents (11645): 80 % of institution users by band
            cells = {"00-49": 0.0, "50-66": float(round(0.8 * b[0])),
                     "67-79": float(round(0.8 * b[1])), "80-89": float(round(0.48 * b[2])),
                     "90+": float(round(0.8 * b[2]) - round(0.48 * b[2]))}
            cells["Ialt"] = sum(cells.values())
            for age, v in cells.items():
                u_rows.append((code, "11645", "Brukere1", year, v, None,
                               f"TenesteType=21;Alder={age}"))
            for cc, v in (("KOSaarsverkbruke0000", round(1.8 * inst + 0.35 * home, 1)),
                          ("KOSkorttid0000", float(round(0.15 * inst))),
                          ("KOSlangtid0000", float(round(0.8 * inst))),
                          ("KOSkjerne80aarov0000", float(users["A"][2]))):
                s_rows.append((code, "12292", cc, year, v, None, ""))
    cols = ["region_code", "table_id", "contents_code", "year", "value", "status", "breakdown"]
    return pd.DataFrame(u_rows, columns=cols), pd.DataFrame(s_rows, columns=cols)


def make_store(path) -> Store:
    store = Store(path)
    store.replace_rows("regions", pd.DataFrame(
        REGIONS, columns=["code", "name", "level", "parent_code", "kostra_group"]))
    changes(store, [("1507", "1508", "Ålesund (2020-2023)", "Ålesund", "2024-01-01", "split"),
                    ("1507", "1580", "Ålesund (2020-2023)", "Haram", "2024-01-01", "split")])
    pop = _population()
    store.replace_table_data(SourceInfo("07459", "Befolkning", "population",
                                        ssb_updated="2026-02-25T07:00:00Z"), pop)
    store.replace_table_data(SourceInfo("14746", "Framskrevet folkemengde (testdata)",
                                        "projection", round="2026"), _projection(pop))
    u, s = _kostra_users(pop)
    store.replace_table_data(SourceInfo("12003", "Omsorgstjenester - brukere (testdata)",
                                        "kostra"), u[u["table_id"] == "12003"])
    store.replace_table_data(SourceInfo("11645", "Langtidsopphold etter alder (testdata)",
                                        "kostra"), u[u["table_id"] == "11645"])
    store.replace_table_data(SourceInfo("12292", "Årsverk og brukere (testdata)", "kostra"), s)
    ingest_12209(store)
    ingest_11875(store)
    return store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("tj") / "t.duckdb"
    make_store(path).close()
    return path


def run_page(monkeypatch, store_path, page: str, region: str = "1804", **qp):
    from streamlit.testing.v1 import AppTest
    import streamlit as st
    monkeypatch.setenv("KG_DB_PATH", str(store_path))
    st.cache_data.clear()
    reset_store()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["region"] = region
    for k, v in qp.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, start: str):
    hits = [m for m in at.metric if m.label.startswith(start)]
    assert hits, [m.label for m in at.metric]
    return hits[0]


def expected_users(store_path, region, service, year, scenario=sv.UNCHANGED, level="kommune"):
    s = get_store(store_path)  # the app's own connection (one per process)
    base = sv.load_base(s, region, level)
    pop = sv.population_frame(s, region, base.pop_year)
    proj = sv.project_users(base.bands, pop, base.pop_year, scenario)
    r = proj[(proj["service"] == service) & (proj["year"] == year) & (proj["alternative"] == "MMMM")]
    return base, float(r["users"].iloc[0])


def test_page_shows_model_numbers(monkeypatch, store_path):
    at = run_page(monkeypatch, store_path, "views/tjenester.py", aar="2040")
    assert at.title[0].value == "Tjenester og kapasitet – Bodø"
    base, inst2040 = expected_users(store_path, "1804", "institusjon", 2040)
    assert base.kostra_year == 2025 and base.places == 335
    from analysis.format import fmt_int
    assert metric(at, "Institusjon 2040").value == fmt_int(inst2040)
    _, home = expected_users(store_path, "1804", "hjemme", 2040)
    assert metric(at, "Hjemmetjenester 2040").value == fmt_int(home)
    # capacity: first year (long- + short-term residents) / occupancy > places
    s = get_store(store_path)
    b = sv.load_base(s, "1804", "kommune")
    proj = sv.project_users(b.bands, sv.population_frame(s, "1804", b.pop_year), b.pop_year)
    cap = sv.capacity(335, sv.place_need(proj, "MMMM"))
    first = metric(at, "For få plasser fra").value
    assert first == ("i dag" if cap.first_year_over == 2026 else str(cap.first_year_over))
    # KOSTRA comparison: 12209 hjemmetjenester 80+ 2023 for Bodø = 22,2 % (real SSB value)
    latest = next(t for t in tables(at) if "Indikator" in t.columns).set_index("Indikator")
    row = latest.loc["Andel 80+ med hjemmetjenester (prosent)"]
    assert row["År"] == "2023" and row["Bodø"] == "22,2"
    assert any("Metode" in e.label for e in at.expander)
    assert any("Kilde: SSB" in c.value for c in at.caption)


def test_each_slider_moves_the_scenario(monkeypatch, store_path):
    from analysis.format import fmt_int
    at = run_page(monkeypatch, store_path, "views/tjenester.py", aar="2050")
    settings = [("_w_scn_institution_change", -2.0, sv.Scenario(institution_change=-2.0),
                 "institusjon"),
                ("_w_scn_home_change", 1.5, sv.Scenario(home_change=1.5), "hjemme"),
                ("_w_scn_healthy_years", 3.0, sv.Scenario(healthy_years=3.0), "institusjon"),
                ("_w_scn_productivity", 1.0, sv.Scenario(productivity=1.0), "institusjon"),
                ("_w_scn_shift_to_home", 20.0, sv.Scenario(shift_to_home=20.0), "hjemme"),
                ("_w_scn_family_care", 10.0, sv.Scenario(family_care=10.0), "hjemme")]
    for key, value, scenario, service in settings:
        at.select_slider(key=key).set_value(value).run()
        assert not at.exception
        _, unchanged = expected_users(store_path, "1804", service, 2050)
        _, scen = expected_users(store_path, "1804", service, 2050, scenario)
        m = metric(at, f"{sv.SERVICE_SHORT[service]} 2050")
        assert m.value == fmt_int(unchanged)  # left number stays "uendret"
        # the delta shown is the difference of the figures shown
        assert m.delta == f"{fmt_int(round(scen) - round(unchanged), sign=True)} i scenarioet"
        if not scenario.productivity:  # productivity changes årsverk, not users
            assert abs(scen - unchanged) > 1
        at.select_slider(key=key).set_value(0.0).run()


def test_split_kommune_and_missing_places_are_explained(monkeypatch, store_path):
    at = run_page(monkeypatch, store_path, "views/tjenester.py", region="1508")
    text = " ".join(c.value for c in at.caption)
    assert "delt" in text and "Haram" in text  # 12209 before 2024: split note, no number
    assert any("11875" in i.value for i in at.info)  # Møre og Romsdal not in the 11875 file


def test_region_without_data_says_so(monkeypatch, tmp_path):
    Store(tmp_path / "empty.duckdb").close()
    at = run_page(monkeypatch, tmp_path / "empty.duckdb", "views/tjenester.py", region="0301")
    assert at.info and "Oversikt og data" in at.info[0].value


def test_population_frame_equals_the_stored_rows(store_path):
    """sv.population_frame (vectorised) against a plain pandas group-by of the same rows."""
    s = Store(store_path, read_only=True)
    try:
        frame = sv.population_frame(s, "1804", 2026)
        proj = s.query("SELECT alternative, year, age, persons FROM projection "
                       "WHERE region_code = '1804' AND year > 2026")
        hist = s.query("SELECT age, persons FROM population "
                       "WHERE region_code = '1804' AND year = 2026")
    finally:
        s.close()
    want = proj.groupby(["alternative", "year", "age"])["persons"].sum()
    assert set(frame.index.get_level_values("alternative")) == set(catalog.ALTERNATIVE_ORDER)
    for (alt, year, age), v in want.sample(300, random_state=1).items():
        assert frame.loc[(alt, year), age] == pytest.approx(v)
    base = hist.groupby("age")["persons"].sum()
    for alt in ("MMMM", "LHML"):
        assert frame.loc[(alt, 2026)].sum() == pytest.approx(base.sum())


# -- the kommune's own numbers and the økonomiplan ------------------------------------------
def test_own_numbers_in_the_link_replace_kostra(monkeypatch, store_path):
    from analysis.format import fmt_int
    at = run_page(monkeypatch, store_path, "views/tjenester.py", aar="2040",
                  egen_lang="200", egen_plass="300", plan="2027:12,2029:-8")
    s = get_store(store_path)
    base = sv.load_base(s, "1804", "kommune")
    kostra_lt = base.users("langtid")
    _, lt2040 = expected_users(store_path, "1804", "langtid", 2040)
    # Hand: scaling today's users in every age band by 200 / KOSTRA's total scales the
    # projection by the same factor (users(t) = Σ users_band × growth_band(t)).
    assert metric(at, "Langtidsopphold 2040").value == fmt_int(lt2040 * 200 / kostra_lt)
    assert any("Kommunens egne tall er i bruk" in c.value for c in at.caption)
    caps = " ".join(c.value for c in at.caption)
    assert (f"Kommunens egne tall erstatter KOSTRA i modellen: Beboere med langtidsopphold: "
            f"200 (kommunens egne tall; KOSTRA: {fmt_int(kostra_lt)}); Institusjonsplasser: "
            "300 (kommunens egne tall; KOSTRA: 335).") in caps
    # planned places: 300 today, +12 from 2027, −8 from 2029 → 304 in 2030 and later
    own = sv.with_own_numbers(base, sv.OwnNumbers(users=(("langtid", 200.0),), places=300.0))
    need = sv.place_need(sv.project_users(own.bands, sv.population_frame(s, "1804", 2026),
                                          2026), "MMMM")
    cap = next(t for t in tables(at) if "Planlagte plasser" in t.columns)
    row = cap.set_index("År").loc["2030"]
    assert row["Planlagte plasser"] == "304"
    assert row["Behov, uendret"] == fmt_int(need.loc[2030])
    assert row["Mangler, uendret"] == fmt_int(round(need.loc[2030]) - 304)
    cov = next(t for t in tables(at) if "Brukertall" in t.columns)
    marks = dict(zip(cov["Tjeneste"], cov["Brukertall"]))
    assert marks["Beboere med langtidsopphold"] == "kommunens egne tall"
    assert marks["Mottakere av hjemmetjenester"] == "KOSTRA"
    assert "Plasser: kommunens egne tall." in caps
    # exports read the same report: its data version and sources name the own numbers
    from analysis.report import Selection
    from analysis.services_report import services_report
    rep = services_report(s, Selection("1804", "Bodø", "kommune", "18", "MMMM", 2040),
                          sv.Scenario(own=sv.OwnNumbers(users=(("langtid", 200.0),),
                                                        places=300.0)))
    assert rep.data_version == "framskriving 2026, KOSTRA 2025, kommunens egne tall"
    assert "egne" in rep.item("kf_brukere_langtid").sources
    assert rep.item("kf_brukere_langtid").delta_note.endswith("kommunens egne tall")
    assert rep.sources["egne"].cite() == "Kommunen, Kommunens egne tall; kommunens egne tall"
    assert at.query_params["plan"] == "2027:12,2029:-8"


def test_own_numbers_typed_in_the_form_travel_to_bemanning(monkeypatch, store_path):
    from analysis.format import fmt_int
    at = run_page(monkeypatch, store_path, "views/tjenester.py", aar="2040",
                  egen_plass="-5")
    assert any("egen_plass=«-5» i lenken er ikke et helt tall" in w.value for w in at.warning)
    assert not any("Kommunens egne tall er i bruk" in c.value for c in at.caption)
    assert not at.number_input  # the form is drawn only when opened
    at.session_state["own_open"] = True  # the user opens «Kommunens egne tall …»
    at.run()
    at.number_input(key="_w_own_aarsverk").set_value(900.0).run()
    at.number_input(key="_w_own_places").set_value(320).run()
    at.text_input(key="_w_own_plan").input("2028: +10, 2031: x").run()
    assert not at.exception
    assert any("«2031: x» kan ikke brukes" in w.value for w in at.warning)
    cap = next(t for t in tables(at) if "Planlagte plasser" in t.columns)
    assert cap.set_index("År").loc["2030", "Planlagte plasser"] == "330"
    assert at.query_params["egen_aarsv"] == "900" and at.query_params["plan"] == "2028:10"
    at.switch_page("views/bemanning.py").run()
    assert not at.exception
    m = metric(at, "Årsverk i dag")
    assert m.value == fmt_int(900) and m.label == "Årsverk i dag"
