"""Generated text (analysis.report_text, population_report.summary): premise inside the
paragraph, «ventes»/«vil kunne», singular/plural, bokmål and nynorsk, alternative counts."""

from __future__ import annotations

from analysis import demography as dem
from analysis import report_text as tx
from analysis.population_report import summary

NB = "\u00a0"


def test_change_clause_growth_decline_unchanged():
    assert tx.expected("Antallet innbyggere 80 år og eldre",
                       tx.change_clause(2345, 4567, 94.75, 2026, 2040), lead="I Moss") == (
        f"I Moss ventes antallet innbyggere 80 år og eldre å øke fra 2{NB}345 i 2026 til "
        f"4{NB}567 i 2040 (+94,8{NB}%)")
    assert tx.expected("Folketallet", tx.change_clause(10, 8, -20.0, 2026, 2040)) == \
        f"Folketallet ventes å gå ned fra 10 i 2026 til 8 i 2040 (\u221220,0{NB}%)"
    assert tx.expected("Folketallet", tx.change_clause(10, 10.2, 2.0, 2026, 2040)) == \
        "Folketallet ventes å være uendret på 10 fra 2026 til 2040"
    assert tx.expected("Folketalet", tx.change_clause(10, 12, 20.0, 2026, 2040, "nn"), "nn",
                       lead="I Moss") == \
        f"I Moss er folketalet venta å auke frå 10 i 2026 til 12 i 2040 (+20,0{NB}%)"


def test_crossover_label_both_forms():
    assert tx.crossover_label(None, True, 2050) == "allerede"
    assert tx.crossover_label(None, True, 2050, "nn") == "allereie"
    assert tx.crossover_label(2031, False, 2050) == "2031"
    assert tx.crossover_label(None, False, 2050, "nn") == "ikkje innan 2050"


def test_alternative_phrases_and_counts():
    assert tx.alt_premise("MMMM") == "etter SSBs hovedalternativ"
    assert tx.alt_premise("MMMM", "nn") == "etter hovudalternativet til SSB"
    assert "«Låg nasjonal vekst» (LLML)" in tx.alt_premise("LLML", "nn")
    assert tx.range_phrase(9) == "spenn: alle ni alternativer"
    assert tx.range_phrase(3) == "spenn: de tre alternativene i databasen"
    assert "ni" not in tx.alternatives_words(3).split()
    assert tx.alternatives_words(9) == "SSBs ni alternativer"


def test_scenario_description():
    assert tx.describe_scenario({}) == "scenario uendret"
    assert tx.describe_scenario({"institution_change": -1.0, "shift_to_home": 20.0}) == \
        "scenario: institusjon \u22121,0 %/år, omsorgstrapp 20 %"
    assert tx.describe_scenario({"home_change": 0.5}, "nn") == "scenario: heimetenester +0,5 %/år"
    assert tx.describe_scenario({"family_care": 10.0}) == "scenario: familieomsorg +10 %"


NEVER = dem.Crossover(None, False, 2050)


def _kf(g80, support=(3.0, 2.0), crossover=NEVER, alternative="MMMM"):
    groups = {g: dem.group_change(100, 100, g) for g in dem.GROUPS}
    groups["80+"] = dem.group_change(*g80, "80+")
    return dem.KeyFigures("3103", alternative, 2026, 2040, groups, (0.2, 0.3), (0.05, 0.1),
                          support, (10.0, 5.0), crossover)


def test_summary_premise_plural_direction():
    t = summary("Moss", _kf((2345, 4567)), "nb")
    # (4567 - 2345) / 2345 = 94,76 %; 4567 - 2345 = 2222
    assert t.startswith(f"I Moss ventes antallet innbyggere 80 år og eldre å øke fra 2{NB}345 i "
                        f"2026 til 4{NB}567 i 2040 (+94,8{NB}%), en økning på 2{NB}222 personer, "
                        "etter SSBs hovedalternativ.")
    assert "Folketallet ventes å være uendret på 100" in t
    assert "3,0 personer i alderen 20–66 år per innbygger 67 år og eldre; i 2040 vil det " \
           "kunne være 2,0." in t
    assert t.endswith("ikke å bli flere enn 0–19-åringene innen 2050.")
    one = summary("Utsira", _kf((5, 4), support=(1.0, 0.8),
                                crossover=dem.Crossover(2026, True, 2050)), "nb")
    assert f"gå ned fra 5 i 2026 til 4 i 2040 (\u221220,0{NB}%), en nedgang på 1 person," in one
    assert "1,0 person i alderen" in one
    assert one.endswith("Det er allerede flere innbyggere 65 år og eldre enn 0–19 år.")
    mid = summary("X", _kf((1, 2), crossover=dem.Crossover(2035, False, 2050)), "nb")
    assert "Fra 2035 vil det kunne være flere innbyggere 65 år og eldre enn 0–19 år." in mid


def test_summary_nynorsk_names_the_alternative():
    t = summary("Øygarden", _kf((1000, 1500), alternative="LHML"), "nn")
    assert t.startswith(f"I Øygarden er talet på innbyggjarar 80 år og eldre venta å auke frå "
                        f"1{NB}000 i 2026 til 1{NB}500 i 2040 (+50,0{NB}%), ein auke på 500 "
                        "personar, etter alternativet «Sterk aldring» (LHML) i "
                        "befolkningsframskrivinga til SSB.")
    assert "vil det kunne vere 2,0." in t
    for word in (" ikke ", " innbyggere ", " fra "):
        assert word not in t


def test_memo_only_for_published_versions():
    from analysis.report import memo
    calls = []

    class S:
        version = None

    def read(store, x):
        calls.append(x)
        return x * 2

    s = S()
    assert memo(s, read, 2) == 4 and memo(s, read, 2) == 4 and calls == [2, 2]
    s.version = "v1"
    assert memo(s, read, 3) == 6 and memo(s, read, 3) == 6 and calls == [2, 2, 3]
    s.version = "v2"  # a new published version is read again
    assert memo(s, read, 3) == 6 and calls == [2, 2, 3, 3]
