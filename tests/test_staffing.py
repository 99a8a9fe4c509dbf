"""Unit tests of analysis.staffing with hand-checked numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import services as sv
from analysis import staffing as sf
from tests.test_services import BASE, POP, bands


def _row(df, year, col, alt="MMMM"):
    return float(df[(df["year"] == year) & (df["alternative"] == alt)][col].iloc[0])


def test_weighted_users_and_aarsverk_hand_checked():
    proj = sv.project_users(bands(), POP, BASE)
    w = sf.weighted_users(proj)
    # base: 60 + 0.2*200 = 100; 2035: 85 + 0.2*275 = 140
    assert _row(w, BASE, "weighted") == pytest.approx(100.0)
    assert _row(w, 2035, "weighted") == pytest.approx(140.0)
    aw = sf.project_aarsverk(50.0, w, BASE)
    assert _row(aw, 2035, "aarsverk") == pytest.approx(70.0)
    aw = sf.project_aarsverk(50.0, w, BASE, sv.Scenario(productivity=2))
    assert _row(aw, 2035, "aarsverk") == pytest.approx(70.0 / 1.02 ** 10)


def test_moved_users_weigh_half():
    proj = sv.project_users(bands(), POP, BASE, sv.Scenario(shift_to_home=50))
    w = sf.weighted_users(proj)
    # inst 68, home 292 of which 17 moved: 68 + 0.2*275 + 0.5*17 = 131.5
    assert _row(w, 2035, "weighted") == pytest.approx(131.5)


def test_share_of_working_age():
    aw = pd.DataFrame({"alternative": ["MMMM", "MMMM"], "year": [BASE, 2035],
                       "aarsverk": [50.0, 70.0]})
    out = sf.share_of_working_age(aw, POP)
    # persons 20-66: 1000 (aged 30) both years
    assert _row(out, BASE, "pop_20_66") == 1000
    assert _row(out, BASE, "share") == pytest.approx(0.05)
    assert _row(out, 2035, "share") == pytest.approx(0.07)


def test_home_weight_effect_hand_checked():
    b = bands().assign(label="", population=1.0)
    base = sv.ServiceBase("9999", "9999", kostra_year=BASE - 1, pop_year=BASE, bands=b,
                          aarsverk=50.0)
    eff = sf.home_weight_effect(base, POP, "MMMM", 2035)
    # 50 × (85 + w·275) / (60 + w·200): w = 0.2 -> 70; 0.1 -> 70.3125; 0.4 -> 69.642857
    assert eff[0.2] == pytest.approx(70.0)
    assert eff[0.1] == pytest.approx(50 * 112.5 / 80)
    assert eff[0.4] == pytest.approx(50 * 195 / 140)
