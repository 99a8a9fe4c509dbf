"""How far to trust a projection: SSB's earlier rounds against what happened.

For each earlier round in the store (12882 = 2020, 13600 = 2022, 14288 = 2024; main
alternative MMMM) and each later year with an observed population (07459, complete years):
the projected and the observed number of people, in all and aged 80+, and the error

    error % = (projected − observed) / observed × 100

A positive error means the round projected too many people. The round's projection is read
on the region code valid in that round (Porsgrunn 4001 was 3806 in the 2020 and 2022
rounds; merged kommuner are summed); a kommune split after the round has no comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data_sources import catalog
from data_sources.refresh import codes_in_round
from data_sources.store import Store

from .format import fmt_pct
from .services import COMPLETE_YEARS

COLUMNS = ["round", "table_id", "year", "projected", "observed", "error_pct",
           "projected_80", "observed_80", "error_pct_80"]


@dataclass
class TrackRecord:
    """``rows``: one row per (round, year), columns ``COLUMNS`` (persons; error in %).
    ``notes``: bokmål notes (rounds missing, splits)."""
    region_code: str
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rows.empty

    def sentence(self, measure: str = "total", language: str = "nb") -> str | None:
        """«2020-framskrivingen bommet med +2,1 % på folketallet for 2025.» (``measure``
        ``total``) or «… på antallet 80 år og eldre for 2025.» (``80``) for the oldest round
        with a comparison, at its latest observed year (None without a comparison)."""
        col = "error_pct" if measure == "total" else "error_pct_80"
        d = self.rows.dropna(subset=[col])
        if d.empty:
            return None
        r = d.sort_values(["round", "year"]).groupby("round").tail(1).iloc[0]
        what = ("folketallet" if measure == "total" else
                ("talet på innbyggjarar 80 år og eldre" if language == "nn"
                 else "antallet innbyggere 80 år og eldre"))
        rnd, year = int(r["round"]), int(r["year"])
        if round(float(r[col]), 1) == 0:
            hit = "trefte" if language == "nn" else "traff"
            return f"{rnd}-framskrivingen {hit} {what} for {year} (avvik under 0,05 %)."
        miss = "bomma" if language == "nn" else "bommet"
        return (f"{rnd}-framskrivingen {miss} med {fmt_pct(r[col], 1, sign=True)} på {what} "
                f"for {year}.")

    def chart_frame(self, measure: str = "total") -> pd.DataFrame:
        """One line per round: label («2020-framskrivingen»), year, value (error %), with
        the projected and observed persons behind it (columns of the ``lines`` chart)."""
        suffix = "" if measure == "total" else "_80"
        d = self.rows.dropna(subset=[f"error_pct{suffix}"])
        return pd.DataFrame({
            "label": [f"{int(r)}-framskrivingen" for r in d["round"]],
            "year": d["year"].astype(int).to_numpy(),
            "value": d[f"error_pct{suffix}"].astype(float).to_numpy(),
            "projected": d[f"projected{suffix}"].astype(float).to_numpy(),
            "observed": d[f"observed{suffix}"].astype(float).to_numpy()})


def _observed(store: Store, region_code: str) -> pd.DataFrame:
    """year, observed, observed_80 for the region's complete history years."""
    return store.query(
        f"SELECT year, sum(persons) AS observed, "
        f"sum(persons) FILTER (WHERE age >= 80) AS observed_80 FROM population "
        f"WHERE region_code = ? AND year IN ({COMPLETE_YEARS}) GROUP BY year ORDER BY year",
        [region_code, region_code, 9999])


def track_record(store: Store, region_code: str) -> TrackRecord:
    """The track record of every earlier round in the store for ``region_code``."""
    changes = store.query("SELECT old_code, new_code, year(change_date) AS y "
                          "FROM region_changes")
    stored = set(store.query("SELECT DISTINCT table_id FROM projection "
                             "WHERE alternative = 'MMMM'")["table_id"])
    observed = _observed(store, region_code)
    frames, notes = [], []
    for tid, year in catalog.PROJECTION_ROUNDS.items():
        if tid not in stored:
            notes.append(f"{year}-framskrivingen (tabell {tid}) er ikke hentet.")
            continue
        codes = sorted(codes_in_round(region_code, year, changes))
        later = changes[changes["old_code"].isin(codes) & (changes["y"] > year)]
        if later.groupby("old_code")["new_code"].nunique().gt(1).any():
            notes.append(f"{year}-framskrivingen kan ikke sammenlignes: kommunen ble delt "
                         "etter framskrivingen.")
            continue
        proj = store.query(
            "SELECT year, sum(persons) AS projected, "
            "sum(persons) FILTER (WHERE age >= 80) AS projected_80 FROM projection "
            "WHERE table_id = ? AND alternative = 'MMMM' AND year > ? AND "
            "region_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY year",
            [tid, year, codes])
        d = proj.merge(observed, on="year")
        if d.empty:
            notes.append(f"{year}-framskrivingen har ingen tall for regionen.")
            continue
        d["error_pct"] = (d["projected"] / d["observed"] - 1.0) * 100.0
        d["error_pct_80"] = (d["projected_80"] / d["observed_80"] - 1.0) * 100.0
        frames.append(d.assign(round=year, table_id=tid))
    rows = pd.concat(frames, ignore_index=True)[COLUMNS].sort_values(["round", "year"]) \
        .reset_index(drop=True) if frames else pd.DataFrame(columns=COLUMNS)
    return TrackRecord(region_code, rows, notes)
