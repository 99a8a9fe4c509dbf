"""Population history (07459) and projection (14746) by age group for one region.

Pure functions over a ``data_sources.store.Store`` (SQL aggregation in DuckDB) and over the
small DataFrames they return; no Streamlit import. Units: persons (counts, float64 as SSB
stores them; the projection holds whole numbers), years as int, shares as fractions (0–1),
percent changes in percent units, index with base year = 100.

Main shapes:

- ``age_group_table(store, regions)`` → one row per (region_code, year, series) where
  ``series`` is ``"observert"`` (07459) or a projection alternative (``"MMMM"`` …), and one
  float column per age group in ``GROUPS`` (``"Totalt"``, ``"0–19"``, ``"67–79"`` …).
- ``key_figures(table, region, alternative, horizon)`` → ``KeyFigures`` (latest observed
  year vs the horizon year).
- ``chart_series``, ``growth_index``, ``pyramid`` → tidy frames holding exactly what the
  charts draw (the page exports these).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


OBSERVED = "observert"
# A complete 07459 year holds every (sex, age 0–105) cell of a region; history years with
# fewer cells (a partial-age import) are stored but are never observed years.
CELLS_PER_YEAR = 2 * 106
COMPLETE_YEARS = ("SELECT region_code, year FROM population WHERE region_code IN "
                  "(SELECT unnest(?::VARCHAR[])) AND persons IS NOT NULL GROUP BY ALL "
                  f"HAVING count(DISTINCT (sex, age)) = {CELLS_PER_YEAR}")

# Age group -> (lowest age, highest age or None for "and older"); ages are single years,
# 105 meaning 105 or older. "–" is an en dash (shown to users).
GROUPS: dict[str, tuple[int, int | None]] = {
    "Totalt": (0, None),
    "0–19": (0, 19),
    "20–66": (20, 66),
    "65+": (65, None),
    "67+": (67, None),
    "67–79": (67, 79),
    "80+": (80, None),
    "80–89": (80, 89),
    "90+": (90, None),
}
ELDERLY_GROUPS = ("67–79", "80–89", "90+")
GROUP_WORDS = {  # group -> bokmål phrase for running text ("innbyggere <phrase>")
    "Totalt": "i alt", "0–19": "0–19 år", "20–66": "20–66 år", "65+": "65 år og eldre",
    "67+": "67 år og eldre", "67–79": "67–79 år", "80+": "80 år og eldre",
    "80–89": "80–89 år", "90+": "90 år og eldre",
}


@dataclass(frozen=True)
class Indicator:
    """An indicator defined once (Fingertips/Kolada style); the UI shows ``definition``."""
    key: str
    label: str
    definition: str
    unit: str
    polarity: str  # "høyere er bedre" | "lavere er bedre" | "nøytral"
    source: str = "SSB, tabell 07459 og 14746"


INDICATORS: dict[str, Indicator] = {i.key: i for i in [
    Indicator("persons", "Antall innbyggere",
              "Folkemengde 1. januar i aldersgruppen (begge kjønn). Observert år: tabell 07459; "
              "framskrevne år: tabell 14746 i valgt alternativ.", "personer", "nøytral"),
    Indicator("change", "Endring",
              "Antall i framskrivingsåret minus antall i siste observerte år; i prosent av "
              "antallet i siste observerte år.", "personer / prosent", "nøytral"),
    Indicator("share_67", "Andel 67 år og eldre",
              "Innbyggere 67 år og eldre delt på alle innbyggere, 1. januar.", "prosent",
              "nøytral"),
    Indicator("share_80", "Andel 80 år og eldre",
              "Innbyggere 80 år og eldre delt på alle innbyggere, 1. januar.", "prosent",
              "nøytral"),
    Indicator("support_67", "Personer 20–66 år per person 67+",
              "Innbyggere 20–66 år delt på innbyggere 67 år og eldre (omsorgsbærerate). "
              "Færre betyr færre i yrkesaktiv alder til å bære tjenestene.", "personer",
              "høyere er bedre"),
    Indicator("support_80", "Personer 20–66 år per person 80+",
              "Innbyggere 20–66 år delt på innbyggere 80 år og eldre.", "personer",
              "høyere er bedre"),
    Indicator("crossover", "Flere 65+ enn 0–19",
              "Første år der innbyggere 65 år og eldre er flere enn innbyggere 0–19 år "
              "(valgt alternativ). «Allerede» når det gjelder i siste observerte år.", "år",
              "nøytral"),
    Indicator("index", "Vekstindeks",
              "Antall i aldersgruppen delt på antallet i siste observerte år, ganger 100 "
              "(siste observerte år = 100). Valgt alternativ.", "indeks", "nøytral"),
    Indicator("band", "Usikkerhet",
              "Skyggen viser laveste og høyeste verdi blant alternativene for "
              "befolkningsframskrivingen som er i databasen, det enkelte år.", "personer", "nøytral"),
]}


# -- SQL --------------------------------------------------------------------------------
def _group_columns(groups: dict[str, tuple[int, int | None]]) -> str:
    parts = []
    for key, (lo, hi) in groups.items():
        cond = f"age >= {int(lo)}" + ("" if hi is None else f" AND age <= {int(hi)}")
        name = key.replace('"', '""')
        parts.append(f'coalesce(sum(persons) FILTER (WHERE {cond}), 0)::DOUBLE AS "{name}"')
    return ", ".join(parts)


def projection_table_id(store) -> str | None:
    """Table id of the newest projection round in the store (e.g. ``"14746"``), or None."""
    tid = store.scalar("SELECT table_id FROM sources WHERE kind = 'projection' "
                       "ORDER BY round DESC NULLS LAST, table_id DESC LIMIT 1")
    if tid is None:
        tid = store.scalar("SELECT max(table_id) FROM projection")
    return tid


def age_group_table(store, regions: list[str] | tuple[str, ...],
                    groups: dict[str, tuple[int, int | None]] | None = None,
                    projection_table: str | None = None) -> pd.DataFrame:
    """Persons by age group, both sexes, for ``regions``: history and all alternatives.

    Returns columns ``region_code, year (int), series`` (``"observert"`` or the alternative
    code) and one float column per group (persons), sorted by region, series, year. Summed
    in DuckDB; only the given regions are read. Missing cells (NULL, SSB's ".." — e.g.
    kommuner before 2005 in 07459) are left out, so such years have no row at all.
    """
    groups = GROUPS if groups is None else groups
    regions = list(dict.fromkeys(regions))
    cols = _group_columns(groups)
    ptab = projection_table or projection_table_id(store)
    out = store.query(
        f"SELECT region_code, year::INTEGER AS year, '{OBSERVED}' AS series, {cols} "
        "FROM population WHERE region_code IN (SELECT unnest(?::VARCHAR[])) "
        "AND persons IS NOT NULL AND region_code || ':' || year IN "
        f"(SELECT region_code || ':' || year FROM ({COMPLETE_YEARS})) GROUP BY ALL "
        "UNION ALL "
        f"SELECT region_code, year::INTEGER AS year, alternative AS series, {cols} "
        "FROM projection WHERE region_code IN (SELECT unnest(?::VARCHAR[])) "
        "AND table_id = ? AND persons IS NOT NULL GROUP BY ALL "
        "ORDER BY region_code, series, year",
        [regions, regions, regions, ptab or ""])
    out["year"] = out["year"].astype(int)
    return out


def pyramid(store, region: str, alternative: str, base_year: int | None = None,
            projection_table: str | None = None) -> pd.DataFrame:
    """Persons by single-year age and sex for the base year and every projected year.

    ``base_year`` (latest observed year) comes from 07459; later years from the projection
    (``alternative``). Columns ``year, age (0–105), sex ('1' menn, '2' kvinner), persons``.
    If the region has no history, the first projection year is the base.
    """
    ptab = projection_table or projection_table_id(store)
    if base_year is None:
        base_year = store.scalar(f"SELECT max(year) FROM ({COMPLETE_YEARS})", [[region]])
    if base_year is None:
        base_year = store.scalar("SELECT min(year) FROM projection WHERE region_code = ? "
                                 "AND table_id = ?", [region, ptab or ""])
    if base_year is None:
        return pd.DataFrame(columns=["year", "age", "sex", "persons"])
    df = store.query(
        "SELECT year::INTEGER AS year, age::INTEGER AS age, sex, sum(persons) AS persons "
        "FROM population WHERE region_code = ? AND year = ? AND persons IS NOT NULL "
        "GROUP BY ALL UNION ALL "
        "SELECT year::INTEGER, age::INTEGER, sex, sum(persons) FROM projection "
        "WHERE region_code = ? AND alternative = ? AND table_id = ? AND year > ? "
        "AND persons IS NOT NULL GROUP BY ALL",
        [region, base_year, region, alternative, ptab or "", base_year])
    if df.empty or (df["year"] == base_year).sum() == 0:
        # No history for the base year: use the projection's own first year.
        df = store.query(
            "SELECT year::INTEGER AS year, age::INTEGER AS age, sex, sum(persons) AS persons "
            "FROM projection WHERE region_code = ? AND alternative = ? AND table_id = ? "
            "AND year >= ? AND persons IS NOT NULL GROUP BY ALL",
            [region, alternative, ptab or "", base_year])
    return df.sort_values(["year", "sex", "age"], ignore_index=True)


# -- one region in memory ----------------------------------------------------------------
@dataclass(frozen=True)
class RegionCube:
    """All single-year numbers of one region: history and every projection alternative.

    ``persons[series, sex, age, year]`` (float, persons; sex 0 = menn '1', 1 = kvinner '2';
    age 0–105) with ``series`` sorted (``"observert"`` and alternative codes), ``years``
    ascending; ``present[series, year]`` says which (series, year) cells hold data.
    About 10 × 2 × 106 × 65 floats (≈1 MB) — small enough to cache per region.
    """
    region: str
    series: tuple[str, ...]
    years: np.ndarray
    persons: np.ndarray
    present: np.ndarray


def _series_codes(store, ptab: str | None) -> list[str]:
    """``"observert"`` and every alternative code the store knows for ``ptab``, sorted."""
    from data_sources.catalog import ALTERNATIVE_ORDER
    known = set(ALTERNATIVE_ORDER)
    known |= set(store.cursor().execute("SELECT DISTINCT code FROM alternatives "
                                        "WHERE table_id = ?", [ptab or ""]).fetchnumpy()["code"])
    return sorted(known | {OBSERVED})


def region_cube(store, region: str, projection_table: str | None = None) -> RegionCube:
    """Read one region's rows (07459 and the projection) in one query into a ``RegionCube``.

    One pruned scan (~50 000 rows, codes sent as small integers) instead of one aggregate
    query per use: the age-group table, key figures and the pyramid of any alternative all
    come from the cube. Alternatives outside SSB's nine codes and the store's
    ``alternatives`` table are not read; missing cells (NULL) are left out, so a
    (series, year) with no value at all is not ``present``.
    """
    ptab = projection_table or projection_table_id(store)
    codes = _series_codes(store, ptab)
    cols = store.cursor().execute(
        "SELECT list_position($codes, $obs)::INTEGER - 1 AS s, (sex = '2')::INTEGER AS sx, "
        "least(greatest(age, 0), 105)::INTEGER AS age, year::INTEGER AS year, "
        "persons FROM population WHERE region_code = $region AND persons IS NOT NULL "
        "UNION ALL "
        "SELECT list_position($codes, alternative)::INTEGER - 1, (sex = '2')::INTEGER, "
        "least(greatest(age, 0), 105)::INTEGER, year::INTEGER, persons "
        "FROM projection WHERE region_code = $region AND table_id = $ptab "
        "AND persons IS NOT NULL AND list_contains($codes, alternative)",
        {"codes": codes, "obs": OBSERVED, "region": region, "ptab": ptab or ""}).fetchnumpy()
    s_idx = np.asarray(cols["s"], dtype=np.int64)
    years, y_idx = np.unique(np.asarray(cols["year"], dtype=np.int64), return_inverse=True)
    shape = (len(codes), 2, 106, len(years))
    flat = np.ravel_multi_index((s_idx, np.asarray(cols["sx"], dtype=np.int64),
                                 np.asarray(cols["age"], dtype=np.int64), y_idx), shape)
    persons = np.bincount(flat, weights=np.asarray(cols["persons"], dtype=float),
                          minlength=int(np.prod(shape))).reshape(shape)
    present = np.zeros((len(codes), len(years)), dtype=bool)
    present[s_idx, y_idx] = True
    # A history year lacking some (sex, age) cells (a partial-age import, e.g. ages 80–104
    # only) is not an observed year: it would pass for a tiny population.
    o = codes.index(OBSERVED)
    obs = s_idx == o
    cells = np.unique(np.ravel_multi_index(
        (np.asarray(cols["sx"], dtype=np.int64)[obs], np.asarray(cols["age"], dtype=np.int64)[obs],
         y_idx[obs]), (2, 106, len(years))))
    partial = present[o] & (np.bincount(cells % len(years), minlength=len(years))
                            < CELLS_PER_YEAR)
    present[o, partial] = False
    persons[o][..., partial] = 0.0
    keep = present.any(axis=1)
    return RegionCube(region, tuple(c for c, k in zip(codes, keep) if k), years,
                      persons[keep], present[keep])


def groups_from_cube(cube: RegionCube,
                     groups: dict[str, tuple[int, int | None]] | None = None) -> pd.DataFrame:
    """The ``age_group_table`` rows of one region, computed from its cube (same columns)."""
    groups = GROUPS if groups is None else groups
    s_idx, y_idx = np.nonzero(cube.present)
    both = cube.persons.sum(axis=1)  # [series, age, year]
    out = {"region_code": np.full(len(s_idx), cube.region, dtype=object),
           "year": cube.years[y_idx].astype(int),
           "series": np.asarray(cube.series, dtype=object)[s_idx]}
    for key, (lo, hi) in groups.items():
        band = both[:, lo:(106 if hi is None else hi + 1), :].sum(axis=1)
        out[key] = band[s_idx, y_idx]
    return pd.DataFrame(out)


def pyramid_from_cube(cube: RegionCube, alternative: str,
                      base_year: int | None = None) -> pd.DataFrame:
    """Like ``pyramid``: base year from history, later years from ``alternative``.

    Columns ``year, age, sex ('1'/'2'), persons``; empty when the alternative is missing.
    """
    ser = list(cube.series)
    if alternative not in ser:
        return pd.DataFrame(columns=["year", "age", "sex", "persons"])
    a = ser.index(alternative)
    o = ser.index(OBSERVED) if OBSERVED in ser else None
    if base_year is None:
        base_year = int(cube.years[cube.present[o]].max()) if o is not None else \
            int(cube.years[cube.present[a]].min())
    yi = {int(y): i for i, y in enumerate(cube.years)}
    have_base = o is not None and base_year in yi and cube.present[o, yi[base_year]]
    later = [int(y) for y in cube.years[cube.present[a]] if y > base_year or
             (y == base_year and not have_base)]
    blocks = ([cube.persons[o, :, :, yi[base_year]]] if have_base else []) + \
        [cube.persons[a, :, :, yi[y]] for y in later]
    yrs = ([base_year] if have_base else []) + later
    if not blocks:
        return pd.DataFrame(columns=["year", "age", "sex", "persons"])
    stack = np.stack(blocks)  # [year, sex, age]
    n = len(yrs)
    return pd.DataFrame({"year": np.repeat(yrs, 2 * 106),
                         "age": np.tile(np.arange(106), 2 * n),
                         "sex": np.tile(np.repeat(np.array(["1", "2"], dtype=object), 106), n),
                         "persons": stack.reshape(-1)})


# -- helpers over the age-group table ---------------------------------------------------
def latest_observed_year(table: pd.DataFrame, region: str) -> int | None:
    """Latest year with history (07459) for ``region``; else the first projection year."""
    t = table[table["region_code"] == region]
    obs = t[t["series"] == OBSERVED]
    if len(obs):
        return int(obs["year"].max())
    return int(t["year"].min()) if len(t) else None


def has_projection(table: pd.DataFrame, region: str, alternative: str | None = None) -> bool:
    t = table[(table["region_code"] == region) & (table["series"] != OBSERVED)]
    if alternative is not None:
        t = t[t["series"] == alternative]
    return len(t) > 0


def _lookup(table: pd.DataFrame, region: str) -> dict[tuple[str, int], dict]:
    """{(series, year): {group: persons}} for one region (fast repeated look-ups)."""
    mine = table["region_code"].to_numpy(dtype=object) == region
    groups = [c for c in table.columns if c not in ("region_code", "year", "series")]
    values = table[groups].to_numpy(dtype=float)[mine]
    keys = zip(table["series"].to_numpy(dtype=object)[mine],
               table["year"].to_numpy(dtype=int)[mine].tolist())
    return {k: dict(zip(groups, row)) for k, row in zip(keys, values.tolist())}


def value_at(table: pd.DataFrame | dict, region: str, alternative: str, year: int,
             group: str) -> float:
    """Persons in ``group`` in ``year``: observed if the year has history, else projected.

    ``table`` may also be the ``_lookup`` dict of the region. NaN when neither exists.
    """
    look = table if isinstance(table, dict) else _lookup(table, region)
    row = look.get((OBSERVED, year)) or look.get((alternative, year))
    return float(row[group]) if row else float("nan")


def combined_series(table: pd.DataFrame, region: str, alternative: str,
                    group: str) -> pd.DataFrame:
    """One continuous series: history up to the latest observed year, projection after.

    Columns ``year, persons, observed (bool)``.
    """
    base = latest_observed_year(table, region)
    t = table[table["region_code"] == region]
    obs = t[t["series"] == OBSERVED][["year", group]].assign(observed=True)
    proj = t[(t["series"] == alternative) & (t["year"] > (base or 0))][["year", group]]
    proj = proj.assign(observed=False)
    if obs.empty:
        proj = t[t["series"] == alternative][["year", group]].assign(observed=False)
    out = pd.concat([obs, proj], ignore_index=True).rename(columns={group: "persons"})
    return out.sort_values("year", ignore_index=True)


# -- key figures ------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupChange:
    group: str
    base: float  # persons in the base (latest observed) year
    target: float  # persons in the horizon year
    change: float  # target - base (persons)
    pct: float | None  # percent change; None when base is 0


@dataclass(frozen=True)
class Crossover:
    """When persons 65+ first outnumber persons 0–19."""
    year: int | None  # first year (None: not within the projection)
    already: bool  # true in the base year already
    last_year: int  # last projection year


@dataclass(frozen=True)
class KeyFigures:
    region_code: str
    alternative: str
    base_year: int
    horizon: int
    groups: dict[str, GroupChange]  # "Totalt", "67–79", "80–89", "90+", "67+", "80+", ...
    share_67: tuple[float, float]  # fraction (base, horizon)
    share_80: tuple[float, float]
    support_67: tuple[float, float]  # persons 20–66 per person 67+ (base, horizon)
    support_80: tuple[float, float]
    crossover: Crossover
    extra: dict = field(default_factory=dict)


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def group_change(base: float, target: float, group: str = "") -> GroupChange:
    """Change from ``base`` to ``target`` persons; ``pct`` in percent (None if base is 0)."""
    return GroupChange(group, base, target, target - base,
                       (target - base) / base * 100 if base else None)


def crossover_year(table: pd.DataFrame | dict, region: str, alternative: str) -> Crossover:
    """First year persons 65+ outnumber 0–19 (history's last year, then the projection).

    ``table`` may be the region's ``_lookup`` dict.
    """
    look = table if isinstance(table, dict) else _lookup(table, region)
    obs_years = [y for s, y in look if s == OBSERVED]
    proj_years = [y for s, y in look if s == alternative]
    base = max(obs_years) if obs_years else min(proj_years)
    years = [base] + sorted(y for y in proj_years if y > base)
    last = years[-1]
    for y in years:
        row = look.get((OBSERVED, y)) or look.get((alternative, y))
        if row["65+"] > row["0–19"]:
            return Crossover(y, y == base, last)
    return Crossover(None, False, last)


def key_figures(table: pd.DataFrame, region: str, alternative: str,
                horizon: int) -> KeyFigures:
    """Key figures for ``horizon`` against the latest observed year (see ``INDICATORS``)."""
    base = latest_observed_year(table, region)
    if base is None:
        raise ValueError(f"ingen befolkningstall for region {region}")
    look = _lookup(table, region)

    def at(year: int, group: str) -> float:
        return value_at(look, region, alternative, year, group)

    groups = {g: group_change(at(base, g), at(horizon, g), g)
              for g in ("Totalt", *ELDERLY_GROUPS, "67+", "80+", "20–66", "0–19", "65+")}
    share_67 = tuple(_ratio(at(y, "67+"), at(y, "Totalt")) for y in (base, horizon))
    share_80 = tuple(_ratio(at(y, "80+"), at(y, "Totalt")) for y in (base, horizon))
    support_67 = tuple(_ratio(at(y, "20–66"), at(y, "67+")) for y in (base, horizon))
    support_80 = tuple(_ratio(at(y, "20–66"), at(y, "80+")) for y in (base, horizon))
    return KeyFigures(region, alternative, base, horizon, groups, share_67, share_80,
                      support_67, support_80, crossover_year(look, region, alternative))


# -- chart data -------------------------------------------------------------------------
def chart_series(table: pd.DataFrame, region: str, alternative: str,
                 group: str) -> pd.DataFrame:
    """What the history + projection chart of one age group draws.

    Columns ``År, Observert, Framskrevet, Lav, Høy`` (persons; NaN where not drawn). The
    projection line and the band (min and max over all alternatives in the store) start at
    the latest observed year with the observed value, so the line is continuous.
    """
    t = table[table["region_code"] == region]
    series = t["series"].to_numpy(dtype=object)
    years = t["year"].to_numpy(dtype=int)
    values = t[group].to_numpy(dtype=float)
    is_obs = series == OBSERVED
    obs = dict(zip(years[is_obs], values[is_obs]))
    base = max(obs) if obs else (int(years.min()) if len(years) else None)
    proj = ~is_obs & (years > base) if obs else ~is_obs
    all_years = np.array(sorted(set(obs) | set(years[proj])), dtype=int)
    pos = {y: i for i, y in enumerate(all_years)}
    n = len(all_years)
    observed = np.full(n, np.nan)
    selected, low, high = np.full(n, np.nan), np.full(n, np.inf), np.full(n, -np.inf)
    for y, v in obs.items():
        observed[pos[y]] = v
    for y, v, sr in zip(years[proj], values[proj], series[proj]):
        i = pos[y]
        low[i], high[i] = min(low[i], v), max(high[i], v)
        if sr == alternative:
            selected[i] = v
    low[np.isinf(low)], high[np.isinf(high)] = np.nan, np.nan
    if obs:
        i = pos[base]
        selected[i] = low[i] = high[i] = obs[base]
    return pd.DataFrame({"År": all_years, "Observert": observed, "Framskrevet": selected,
                         "Lav": low, "Høy": high})


def growth_index(table: pd.DataFrame, regions: list[str], alternative: str,
                 groups: tuple[str, ...] = ELDERLY_GROUPS) -> pd.DataFrame:
    """Growth index (latest observed year = 100) per region and group, chosen alternative.

    Returns long columns ``region_code, group, year, persons, index`` from each region's
    base year to the last projection year. Regions without data are left out; a group with
    0 persons in the base year gets NaN.
    """
    codes = table["region_code"].to_numpy(dtype=object)
    series = table["series"].to_numpy(dtype=object)
    years = table["year"].to_numpy(dtype=int)
    values = table[list(groups)].to_numpy(dtype=float)
    parts = []
    for region in regions:
        mine = codes == region
        obs = mine & (series == OBSERVED)
        alt = mine & (series == alternative)
        if not alt.any():
            continue
        base = int(years[obs].max()) if obs.any() else int(years[alt].min())
        keep = (obs & (years == base)) | (alt & (years > base if obs.any() else years >= base))
        order = np.argsort(years[keep], kind="stable")
        yrs, persons = years[keep][order], values[keep][order]
        with np.errstate(divide="ignore", invalid="ignore"):
            index = np.where(persons[0] > 0, persons / persons[0] * 100, np.nan)
        n = len(yrs)
        parts.append((np.full(n * len(groups), region, dtype=object),
                      np.repeat(np.asarray(groups, dtype=object), n), np.tile(yrs, len(groups)),
                      persons.T.reshape(-1), index.T.reshape(-1)))
    cols = ["region_code", "group", "year", "persons", "index"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame({c: np.concatenate([p[i] for p in parts]) for i, c in enumerate(cols)})
