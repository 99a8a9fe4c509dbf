"""Staffing need toward 2050 and the share of people aged 20–66 it would take.

- weighted users = institution users + HOME_WEIGHT × home-service users
  (+ MOVED_WEIGHT × institution users moved home in the scenario);
- årsverk per weighted user is today's (12292 årsverk i brukerrettede tjenester /
  today's weighted users), changed by the productivity setting per year;
- årsverk needed(t) = årsverk today × weighted users(t) / weighted users(base)
  × (1 + standard)^(t − base) / (1 + productivity)^(t − base), where *standard* is the
  change in årsverk per user per year (SSB's HELSEMOD assumes +0.5 % a year in its
  baseline: ``STANDARD_PRESET``);
- share of 20–66 = årsverk needed / persons aged 20–66 (årsverk per innbygger 20–66 år).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .services import MAX_AGE, Scenario, UNCHANGED

# Assumptions (stated in Metode): one home-service user needs on average a fifth of the
# staff time of one institution resident; a user moved from institution to home needs half.
HOME_WEIGHT = 0.2
MOVED_WEIGHT = 0.5
# The home-service weight's effect is shown at these alternative values.
HOME_WEIGHT_RANGE = (0.1, 0.4)
# SSB HELSEMOD's baseline «standardendring»: årsverk per user grow 0.5 % a year.
STANDARD_PRESET = 0.5
WORK_AGES = (20, 66)


class _Parts(NamedTuple):
    """Users per (alternative, year) as arrays: the parts ``weighted_users`` weighs."""
    alternative: np.ndarray
    year: np.ndarray
    inst: np.ndarray | float  # institution users (0.0 without the service)
    home: np.ndarray | float  # home-service users
    moved: np.ndarray | float  # users moved from institution to home in the scenario


def _by_service(users: pd.DataFrame) -> _Parts:
    """The parts ``weighted_users`` weighs, per (alternative, year) of ``users``."""
    # groupby + unstack: the frame pivot_table(aggfunc="sum") gives, in a quarter of the time
    wide = users.groupby(["alternative", "year", "service"], sort=True)["users"].sum() \
        .unstack("service")
    idx = wide.index
    moved = users[users["service"] == "hjemme"].set_index(["alternative", "year"])["moved"] \
        .reindex(idx, fill_value=0.0).to_numpy(dtype=float) if "hjemme" in wide else 0.0
    return _Parts(idx.get_level_values("alternative").to_numpy(dtype=object),
                  idx.get_level_values("year").to_numpy(),
                  wide["institusjon"].to_numpy(dtype=float) if "institusjon" in wide else 0.0,
                  wide["hjemme"].to_numpy(dtype=float) if "hjemme" in wide else 0.0, moved)


def weighted_users(users: pd.DataFrame, home_weight: float = HOME_WEIGHT,
                   moved_weight: float = MOVED_WEIGHT, parts: _Parts | None = None
                   ) -> pd.DataFrame:
    """Weighted users per (alternative, year) from ``services.project_users`` output.

    Returns alternative, year, weighted (institution-resident equivalents). ``parts``:
    ``_by_service(users)`` when the caller weighs the same users more than once.
    """
    p = parts if parts is not None else _by_service(users)
    w = p.inst + home_weight * (p.home - p.moved) + moved_weight * p.moved
    return pd.DataFrame({"alternative": p.alternative, "year": p.year,
                         "weighted": np.broadcast_to(w, p.year.shape).astype(float)})


def project_aarsverk(aarsverk_base: float, weighted: pd.DataFrame, base_year: int,
                     scenario: Scenario = UNCHANGED) -> pd.DataFrame:
    """Årsverk needed per (alternative, year).

    ``weighted``: output of ``weighted_users``; the base year's weighted users is the
    denominator (per alternative), so the base year reproduces ``aarsverk_base`` exactly.
    Returns alternative, year, aarsverk.
    """
    alts = weighted["alternative"].to_numpy(dtype=object)
    years = weighted["year"].to_numpy()
    w = weighted["weighted"].to_numpy(dtype=float)
    base = dict(zip(alts[years == base_year].tolist(), w[years == base_year].tolist()))
    denom = np.array([base.get(a, np.nan) for a in alts.tolist()], dtype=float)
    ratio = np.divide(w, denom, out=np.full(len(w), np.nan), where=denom > 0)
    dt = years - base_year
    prod = (1.0 + scenario.productivity / 100.0) ** dt
    std = (1.0 + scenario.standard / 100.0) ** dt
    return pd.DataFrame({"alternative": alts, "year": years,
                         "aarsverk": aarsverk_base * ratio * std / prod})


def working_age(pop: pd.DataFrame, ages: tuple[int, int] = WORK_AGES) -> pd.DataFrame:
    """Persons aged 20–66 per (alternative, year) from ``services.population_frame``."""
    cols = [a for a in range(ages[0], ages[1] + 1) if a <= MAX_AGE]
    idx = pop.index
    return pd.DataFrame({"alternative": idx.get_level_values("alternative").to_numpy(dtype=object),
                         "year": idx.get_level_values("year").to_numpy(),
                         "pop_20_66": np.nansum(pop[cols].to_numpy(dtype=float), axis=1)})


def share_of_working_age(aarsverk: pd.DataFrame, pop: pd.DataFrame,
                         work: pd.DataFrame | None = None) -> pd.DataFrame:
    """alternative, year, aarsverk, pop_20_66, share (fraction: årsverk / persons 20–66).
    ``work``: ``working_age(pop)`` when the caller already has it."""
    work = working_age(pop) if work is None else work
    keys = ["alternative", "year"]
    if len(work) == len(aarsverk) and all(
            np.array_equal(aarsverk[k].to_numpy(), work[k].to_numpy()) for k in keys):
        # the same rows in the same order: the merge is a column copy
        df = pd.DataFrame({"alternative": aarsverk["alternative"].to_numpy(dtype=object),
                           "year": aarsverk["year"].to_numpy(),
                           "aarsverk": aarsverk["aarsverk"].to_numpy(dtype=float),
                           "pop_20_66": work["pop_20_66"].to_numpy(dtype=float)})
    else:
        df = aarsverk[[*keys, "aarsverk"]].merge(work, on=keys, how="left")
    a, p = df["aarsverk"].to_numpy(dtype=float), df["pop_20_66"].to_numpy(dtype=float)
    df["share"] = np.divide(a, p, out=np.full(len(df), np.nan), where=p > 0)
    return df


OUTLOOK_COLUMNS = ["alternative", "year", "aarsverk", "pop_20_66", "share"]


def outlooks(base, pop: pd.DataFrame, scenario: Scenario = UNCHANGED,
             home_weights: tuple[float, ...] = (HOME_WEIGHT,), users=None
             ) -> dict[float, pd.DataFrame]:
    """``outlook`` for several home-service weights ({weight: frame}); the users are
    projected once (``users``: ``services.project_users`` output, if the caller has it)."""
    from .services import project_users
    if base.aarsverk is None or not base.ok or pop.empty:
        return {w: pd.DataFrame(columns=OUTLOOK_COLUMNS) for w in home_weights}
    if users is None:
        users = project_users(base.bands, pop, base.pop_year, scenario)
    parts, work = _by_service(users), working_age(pop)
    return {w: share_of_working_age(  # columns: OUTLOOK_COLUMNS
        project_aarsverk(base.aarsverk, weighted_users(users, w, parts=parts),
                         base.pop_year, scenario), pop, work)
        for w in dict.fromkeys(home_weights)}


def outlook(base, pop: pd.DataFrame, scenario: Scenario = UNCHANGED,
            home_weight: float = HOME_WEIGHT) -> pd.DataFrame:
    """Årsverk needed and share of 20–66 per (alternative, year) for a ``ServiceBase``.

    Returns alternative, year, aarsverk, pop_20_66, share (empty when the base has no
    årsverk or no users).
    """
    return outlooks(base, pop, scenario, (home_weight,))[home_weight]


def home_weight_effect(base, pop: pd.DataFrame, alternative: str, year: int,
                       scenario: Scenario = UNCHANGED,
                       weights: tuple[float, ...] = (HOME_WEIGHT, *HOME_WEIGHT_RANGE),
                       computed: dict[float, pd.DataFrame] | None = None
                       ) -> dict[float, float]:
    """Årsverk needed in ``year`` ({home weight: årsverk}) for the assumed home-service
    weight and the alternatives in ``HOME_WEIGHT_RANGE``: how much the assumption matters.
    Empty when the base has no årsverk. ``computed``: ``outlooks`` for these weights, if
    the caller has them."""
    outs = computed if computed is not None else outlooks(base, pop, scenario, weights)
    out = {}
    for w in weights:
        v = at_years(outs[w], alternative, (year,), "aarsverk")
        if year in v:
            out[w] = v[year]
    return out


def at_years(df: pd.DataFrame, alternative: str, years, value: str) -> dict[int, float]:
    """{year: value} of one alternative for the given years (years missing are skipped)."""
    if df.empty:
        return {}
    y = df["year"].to_numpy()
    keep = (df["alternative"].to_numpy(dtype=object) == alternative) & np.isin(y, list(years))
    return {int(a): float(v) for a, v in zip(y[keep], df[value].to_numpy()[keep])}
