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
