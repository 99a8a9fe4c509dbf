"""Links: parameters that define a view are read back exactly; bad or old ones get a
bokmål note and a sensible default (never a silent switch)."""

from __future__ import annotations

import pytest

from analysis import report_link as rl
from data_sources import catalog
from data_sources.regions_default import bundled_changes
from data_sources.regions import changes_frame
from data_sources.regions_default import default_regions

OPTS = {"institution_change": [round(-5 + 0.5 * i, 2) for i in range(21)],
        "home_change": [round(-5 + 0.5 * i, 2) for i in range(21)],
        "healthy_years": [round(0.5 * i, 2) for i in range(11)],
        "productivity": [round(-2 + 0.25 * i, 2) for i in range(21)],
        "shift_to_home": [float(5 * i) for i in range(11)],
        "family_care": [float(-20 + 5 * i) for i in range(9)]}


@pytest.fixture(scope="module")
def names():
    d = default_regions()
    return dict(zip(d["code"], d["name"]))


@pytest.fixture(scope="module")
def changes():
    return changes_frame(bundled_changes())


def parse(params, names, changes):
    return rl.parse(params, names, changes, catalog.ALTERNATIVE_ORDER, OPTS)


def test_round_trip(names, changes):
    state = rl.LinkState("3103", "LHML", 2050, {"institution_change": -1.0,
                                                "shift_to_home": 20.0}, "nn", "2026", 2025)
    params = rl.to_params(state)
    assert params == {"region": "3103", "alt": "LHML", "aar": "2050", "inst": "-1",
                      "trapp": "20", "maal": "nn", "proj": "2026", "kostra": "2025"}
    back = parse(params, names, changes)
    assert back == state


def test_unknown_and_hostile_regions(names, changes):
    s = parse({"region": "9999"}, names, changes)
    assert s.region == "0301" and "nummer «9999»" in s.notes[0] and "Oslo" in s.notes[0]
    s = parse({"region": " 3103"}, names, changes)  # %203103
    assert s.region == "3103" and "lest som 3103 (Moss)" in s.notes[0]
    s = parse({"region": "3103' OR '1'='1"}, names, changes)
    assert s.region == "0301" and "ugyldig kommunenummer" in s.notes[0]
    long = parse({"region": "1" * 10_000}, names, changes)
    assert long.region == "0301" and len(long.notes[0]) < 200


def test_old_codes_map_to_today(names, changes):
    s = parse({"region": "3001"}, names, changes)  # Halden 2020–2023 → 3101 from 2024
    assert s.region == "3101"
    assert "3001 Halden" in s.notes[0] and "3101 (Halden)" in s.notes[0]
    s = parse({"region": "0101"}, names, changes)  # Halden before 2020 → 3001 → 3101
    assert s.region == "3101"
    s = parse({"region": "1507"}, names, changes)  # Ålesund 2020–2023 split in 2024
    assert s.region == "1508"
    assert "delt mellom 1508 Ålesund og 1580 Haram" in s.notes[0]


def test_unknown_alternative_year_scenario_language(names, changes):
    s = parse({"region": "3103", "alt": "XXXX", "aar": "2045", "inst": "abc", "trapp": "99",
               "maal": "se"}, names, changes)
    assert (s.region, s.alternative, s.horizon, s.language) == ("3103", "MMMM", 2040, "nb")
    text = " ".join(s.notes)
    assert "«XXXX»" in text and "hovedalternativet (MMMM)" in text
    assert "«2045»" in text and "2030, 2040 eller 2050" in text
    assert "inst=«abc»" in text and "trapp=«99»" in text and "bruker 50" in text
    assert s.scenario == {"shift_to_home": 50.0}
    assert "Ukjent målform «se»" in text
    assert parse({"alt": "lhml"}, names, changes).alternative == "LHML"


def test_version_note():
    assert rl.version_note("2024", 2024, "2026", 2025) == (
        "Lenken ble laget med befolkningsframskrivingen 2024 (databasen har nå 2026) og "
        "KOSTRA 2024 (databasen har nå 2025).")
    assert rl.version_note("2026", 2025, "2026", 2025) == ""


# -- the kommune's own numbers and the økonomiplan ------------------------------------------
def test_own_numbers_and_plan_round_trip(names, changes):
    state = rl.LinkState("1804", "MMMM", 2040, own={"langtid": 210.0, "places": 300.0,
                                                    "aarsverk": 812.5},
                         plan=((2027, 12.0), (2029, -8.0)))
    params = rl.to_params(state)
    assert params["egen_lang"] == "210" and params["egen_plass"] == "300"
    assert params["egen_aarsv"] == "812.5" and params["plan"] == "2027:12,2029:-8"
    back = parse(params, names, changes)
    assert back.own == state.own and back.plan == state.plan and not back.notes


def test_bad_own_numbers_get_a_note_and_kostra():
    own, notes = rl.parse_own({"egen_lang": "12.5", "egen_plass": "-3", "egen_hjem": "abc",
                               "egen_aarsv": "12,5", "egen_bolig": "2000000"})
    assert own == {"aarsverk": 12.5}
    assert len(notes) == 4 and all(n.endswith("KOSTRA-tallet brukes.") for n in notes)
    assert "egen_lang=«12.5» i lenken er ikke et helt tall fra 0 til 1\u00a0000\u00a0000" \
        in notes[0]


def test_plan_parsing_sums_years_and_explains_bad_entries():
    plan, notes = rl.parse_plan("2027: +12; 2029:-8, 2029:2, 2031:\u22124, 1990:4, x, 2030:0")
    assert plan == ((2027, 12.0), (2029, -6.0), (2031, -4.0))
    assert notes == [
        "Økonomiplanen: «1990:4» kan ikke brukes (skriv år:plasser, f.eks. 2027:12 eller "
        "2029:-8; år 2000–2050, høyst 10\u00a0000 plasser per år).",
        "Økonomiplanen: «x» kan ikke brukes (skriv år:plasser, f.eks. 2027:12 eller 2029:-8; "
        "år 2000–2050, høyst 10\u00a0000 plasser per år)."]
    assert rl.parse_plan("") == ((), [])
    assert rl.parse_plan("2027:20000")[0] == ()


def test_comparison_set_round_trips_and_bad_codes_are_named(names, changes):
    state = rl.LinkState("1804", "MMMM", 2040, compare=("1806", "1833", "1860"))
    params = rl.to_params(state)
    assert params["sml"] == "1806,1833,1860"
    assert parse(params, names, changes) == state
    s = parse({"region": "1804", "sml": "1806,9999,1806,1833' OR 1=1,,1860"}, names, changes)
    assert s.compare == ("1806", "1860")
    assert len(s.notes) == 1 and "«9999»" in s.notes[0] and "utelatt" in s.notes[0]
    s = parse({"sml": "abc"}, names, changes)
    assert s.compare == () and "Utvalget er tomt" in s.notes[0]
    s = parse({"sml": ",".join(["1806"] * 401)}, names, changes)
    assert s.compare == () and "401 oppføringer" in s.notes[0]
    assert parse({"sml": ""}, names, changes).compare == ()


def test_family_care_lever_in_the_link(names, changes):
    state = rl.LinkState("1804", "MMMM", 2040, {"family_care": -10.0})
    assert rl.to_params(state)["fam"] == "-10"
    assert parse({"region": "1804", "fam": "-10"}, names, changes).scenario == \
        {"family_care": -10.0}
    s = parse({"region": "1804", "fam": "30"}, names, changes)
    assert s.scenario == {"family_care": 20.0} and "fam=«30»" in s.notes[0]
