"""Similar kommuner (as Kolada's «liknande kommuner»): standardised, weighted indicators.

Method (the page shows ``METHOD`` in bokmål):

- each numeric feature is standardised over all kommuner given (z = (x − mean) / standard
  deviation), so no scale dominates; population size is taken as log10 first (Oslo would
  otherwise set the scale); centrality (SSB's sentralitetsindeks, KLASS 128, class 1 «mest
  sentrale» … 6 «minst sentrale», ``regions.centrality``) is ordinal and used as the number
  1–6, standardised the same way;
- a categorical feature (KOSTRA group) differs by 1 (one standard deviation) when the
  groups differ, 0 when they are the same;
- distance(a, b) = sqrt( Σ w_i · d_i² / Σ w_i ) over the features both kommuner have (a
  missing value leaves that feature out of that pair; the result names it);
- the N nearest, the kommune itself first at distance 0. «Nær» for a feature: |d| ≤ 0.25.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CLOSE = 0.25  # |difference| in standard deviations counted as «nær»


@dataclass(frozen=True)
class Feature:
    key: str  # column of the indicator frame
    label: str
    default_weight: float
    log: bool = False  # standardise log10(x)
    categorical: bool = False
    decimals: int = 1  # shown with this many decimals


FEATURES: tuple[Feature, ...] = (
    Feature("pop_base", "Folketall", 1.0, log=True, decimals=0),
    Feature("share_80_base", "Andel 80+ i dag", 1.0),
    Feature("growth_80_2040", "Vekst 80+ til 2040", 1.0),
    Feature("centrality", "Sentralitet", 1.0, decimals=0),
    Feature("kostra_group", "KOSTRA-gruppe", 1.0, categorical=True),
)
BY_KEY = {f.key: f for f in FEATURES}
DEFAULT_WEIGHTS = {f.key: f.default_weight for f in FEATURES}
METHOD = (
    "Hver indikator standardiseres over alle kommunene (avstand fra gjennomsnittet målt i "
    "standardavvik), slik at ingen skala dominerer; folketallet tas som logaritme først. "
    "Sentralitet er SSBs sentralitetsindeks, klassifikasjon 128, fra klasse 1 (mest "
    "sentrale kommuner) til 6 (minst sentrale); klassenummeret standardiseres som de andre "
    "tallene. Ulik KOSTRA-gruppe teller som ett standardavvik. Avstanden er kvadratroten av "
    "det vektede gjennomsnittet av de kvadrerte forskjellene, over indikatorene begge kommunene "
    "har tall for. Avstand 0 betyr like tall på alle valgte indikatorer; «nær» betyr mindre "
    f"enn {str(CLOSE).replace('.', ',')} standardavvik fra hverandre. En kommune uten tall "
    "for en indikator sammenlignes på de andre, og kolonnen «Mangler tall» sier hvilke.")


def standardise(frame: pd.DataFrame, features=FEATURES) -> pd.DataFrame:
    """z-scores (numeric features) and raw categories (categorical) with ``frame``'s index."""
    out = {}
    for f in features:
        if f.key not in frame:
            continue
        col = frame[f.key]
        if f.categorical:
            out[f.key] = col.astype(object).where(col.notna(), None)
            continue
        x = pd.to_numeric(col, errors="coerce").astype(float)
        if f.log:
            x = np.log10(x.where(x > 0))
        sd = x.std(ddof=0)
        out[f.key] = (x - x.mean()) / sd if sd and not np.isnan(sd) and sd > 0 else x * 0.0
    return pd.DataFrame(out, index=frame.index)


def similar(frame: pd.DataFrame, code: str, n: int = 10,
            weights: dict[str, float] | None = None, features=FEATURES) -> pd.DataFrame:
    """The ``n`` kommuner of ``frame`` nearest to ``code`` (itself first at distance 0).

    ``frame``: index kommune code, columns as in ``analysis.indicators.indicator_frame``
    plus ``centrality`` (1–6) and ``kostra_group`` from the register. ``weights``: feature key → weight ≥ 0 (missing keys: 0 when
    ``weights`` is given; default ``DEFAULT_WEIGHTS``).

    Returns index code, columns ``distance``, ``close`` (labels of features within
    ``CLOSE``), ``missing`` (labels of weighted features left out for lack of a value),
    ``n_features`` (features used), and the features' raw values. A kommune sharing no
    weighted feature with ``code`` gets distance NaN and is ranked last.
    """
    weights = DEFAULT_WEIGHTS if weights is None else weights
    used = [f for f in features if weights.get(f.key, 0) > 0 and f.key in frame]
    if code not in frame.index:
        raise KeyError(code)
    z = standardise(frame, used)
    num, den = np.zeros(len(frame)), np.zeros(len(frame))
    close = [[] for _ in range(len(frame))]
    missing = [[] for _ in range(len(frame))]
    me = z.loc[code]
    for f in used:
        w = float(weights[f.key])
        col = z[f.key]
        if f.categorical:
            have = col.notna().to_numpy() & (me[f.key] is not None)
            d = np.where(col.to_numpy(dtype=object) == me[f.key], 0.0, 1.0)
        else:
            have = col.notna().to_numpy() & (not pd.isna(me[f.key]))
            d = (col - me[f.key]).to_numpy(dtype=float)
        d = np.where(have, d, 0.0)
        num += np.where(have, w * d ** 2, 0.0)
        den += np.where(have, w, 0.0)
        for i in np.flatnonzero(have & (np.abs(d) <= CLOSE)):
            close[i].append(f.label)
        for i in np.flatnonzero(~have):
            missing[i].append(f.label)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.where(den > 0, np.sqrt(num / np.where(den > 0, den, 1.0)), np.nan)
    out = pd.DataFrame({"distance": dist, "close": [", ".join(c) for c in close],
                        "missing": [", ".join(m) for m in missing],
                        "n_features": [len(used) - len(m) for m in missing]},
                       index=frame.index)
    for f in used:
        out[f.key] = frame[f.key]
    out["_self"] = out.index == code
    out = out.sort_values(["_self", "distance"], ascending=[False, True], na_position="last",
                          kind="stable")
    return out.drop(columns="_self").head(n)
