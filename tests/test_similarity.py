"""analysis.similarity: itself at distance 0, weights change the ranking, missing values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import similarity as sim

# A: the reference. B is close in population size, far in share 80+; C the other way round.
FRAME = pd.DataFrame({
    "pop_base": [10_000, 11_000, 100_000, 1_000, 10_000],
    "share_80_base": [5.0, 9.0, 5.1, 7.0, np.nan],
    "growth_80_2040": [50.0, 50.0, 50.0, 20.0, 50.0],
    "kostra_group": ["EKG05", "EKG05", "EKG05", "EKG02", None],
}, index=["A", "B", "C", "D", "E"])


def test_itself_first_at_distance_zero():
    for code in FRAME.index:
        res = sim.similar(FRAME, code, n=5)
        assert res.index[0] == code and res["distance"].iloc[0] == 0.0
        assert (res["distance"].dropna().iloc[1:] >= 0).all()


def test_distance_by_hand():
    # Only share 80+: standardised over A–D (E has none): mean 6.525, population sd.
    x = np.array([5.0, 9.0, 5.1, 7.0])
    sd = x.std()
    res = sim.similar(FRAME, "A", n=5, weights={"share_80_base": 1.0})
    assert res.loc["B", "distance"] == pytest.approx(4.0 / sd)
    assert res.loc["C", "distance"] == pytest.approx(0.1 / sd)
    assert "Andel 80+ i dag" in res.loc["C", "close"]


def test_weights_change_the_ranking():
    by_size = sim.similar(FRAME, "A", n=5, weights={"pop_base": 1.0, "share_80_base": 0.01})
    by_share = sim.similar(FRAME, "A", n=5, weights={"pop_base": 0.01, "share_80_base": 1.0})
    assert by_size.index.get_loc("B") < by_size.index.get_loc("C")
    assert by_share.index.get_loc("C") < by_share.index.get_loc("B")
    # a zero weight takes the feature out entirely
    none80 = sim.similar(FRAME, "A", n=5, weights={"pop_base": 1.0, "share_80_base": 0.0})
    assert "Andel 80+ i dag" not in "".join(none80["close"])


def test_kostra_group_counts_as_one_standard_deviation():
    res = sim.similar(FRAME, "A", n=5, weights={"kostra_group": 1.0})
    assert res.loc["B", "distance"] == 0.0 and res.loc["D", "distance"] == 1.0
    assert math.isnan(res.loc["E", "distance"]) and res.index[-1] == "E"


def test_missing_values_are_left_out_and_named():
    res = sim.similar(FRAME, "A", n=5)
    e = res.loc["E"]
    assert e["missing"] == "Andel 80+ i dag, KOSTRA-gruppe"
    assert e["n_features"] == 2
    # E equals A on the features it has, so its distance over those is 0
    assert e["distance"] == pytest.approx(0.0)
    assert res.loc["B", "missing"] == ""
    with pytest.raises(KeyError):
        sim.similar(FRAME, "X")


# Centrality (SSB's sentralitetsindeks, class 1–6): an ordinal number, standardised.
CENTRAL = pd.DataFrame({
    "pop_base": [10_000, 1_000, 10_000, 10_000],
    "centrality": [1.0, 2.0, 6.0, np.nan],
}, index=["A", "B", "C", "D"])


def test_centrality_is_a_default_feature_named_in_the_method():
    assert sim.DEFAULT_WEIGHTS["centrality"] == 1.0
    assert sim.BY_KEY["centrality"].label == "Sentralitet"
    assert "sentralitetsindeks, klassifikasjon 128" in sim.METHOD
    assert "ikke med" not in sim.METHOD


def test_centrality_distance_by_hand():
    sd = math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 3)  # mean 3 over A–C
    res = sim.similar(CENTRAL, "A", n=4, weights={"centrality": 1.0})
    assert res.index[0] == "A" and res.loc["A", "distance"] == 0.0
    assert res.loc["B", "distance"] == pytest.approx(1 / sd)
    assert res.loc["C", "distance"] == pytest.approx(5 / sd)
    assert math.isnan(res.loc["D", "distance"]) and res.loc["D", "missing"] == "Sentralitet"
    assert list(res.index) == ["A", "B", "C", "D"]


def test_centrality_weight_moves_the_ranking():
    # log10 population over A–D: 4, 3, 4, 4 (mean 3.75); centrality over A–C as above.
    sd_pop = math.sqrt((3 * 0.25 ** 2 + 0.75 ** 2) / 4)
    sd_c = math.sqrt(14 / 3)
    d_b = (1 / sd_pop, 1 / sd_c)  # B: other size, next class
    d_c = (0.0, 5 / sd_c)  # C: same size, five classes away

    def dist(d, w_c):
        return math.sqrt((d[0] ** 2 + w_c * d[1] ** 2) / (1 + w_c))

    for w_c in (1.0, 3.0):
        res = sim.similar(CENTRAL, "A", n=4, weights={"pop_base": 1.0, "centrality": w_c})
        assert res.index[0] == "A" and res.loc["A", "distance"] == 0.0
        assert res.loc["B", "distance"] == pytest.approx(dist(d_b, w_c))
        assert res.loc["C", "distance"] == pytest.approx(dist(d_c, w_c))
    # Equal weights: C (same size) is nearest (1.637 < 1.665); centrality ×3: B (1.222 < 2.004).
    assert dist(d_c, 1.0) < dist(d_b, 1.0) and dist(d_b, 3.0) < dist(d_c, 3.0)
    equal = sim.similar(CENTRAL, "A", n=4, weights={"pop_base": 1.0, "centrality": 1.0})
    heavy = sim.similar(CENTRAL, "A", n=4, weights={"pop_base": 1.0, "centrality": 3.0})
    # D has no class: compared on population only (equal to A, so 0), and the column says so
    assert list(equal.index) == ["A", "D", "C", "B"]
    assert list(heavy.index) == ["A", "D", "B", "C"]
    assert equal.loc["D", "distance"] == 0.0 and equal.loc["D", "missing"] == "Sentralitet"
