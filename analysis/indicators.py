"""Indicators for comparing kommuner: definitions with polarity, one row per kommune, and
the peer comparison («klart over/under») that colours them.

Definitions follow Fingertips/Kolada: every indicator has a name, unit, source table and
ContentsCode, and a polarity — ``higher_better``, ``lower_better`` or ``neither``. Most care
indicators are ``neither``: a high coverage is not simply good. A ``neither`` indicator is
never coloured good or bad, only high or low.

``indicator_frame(store, codes, alternative, horizon)`` computes every indicator for a set
of kommuner in a handful of SQL queries (all 357 kommuner at once), not one page pipeline
per kommune. The service figures follow the model of «Tjenester» and «Bemanning»
(``services.load_base`` → ``project_users`` → ``place_need`` / ``staffing.outlook``) with
today's coverage («uendret»), vectorised and evaluated at the horizon only:

- base (``service_bases``): the latest KOSTRA year Y where 12003's six series (institution/
  home × 0–66, 67–79, 80+) have a value; population 1.1. of the latest complete year ≤ Y + 1
  (07459); the model's bands 0–66, 67–79, 80–89, 90+ with 12003's 80+ shared between 80–89
  and 90+ by population; long-term residents from 11645 (TenesteType 21, suppressed cells
  filled from the total by population); 12292's short-term stays and housing with 24-hour
  staffing given the age profile of long-term residents and home services; kommuner under
  ``services.SMALL_POPULATION`` inhabitants get the coverage of the last
  ``services.SMOOTH_YEARS`` KOSTRA years; årsverk (12292) of the latest year ≤ Y; places
  (11875) of the latest year. Values published under a kommune's codes from before a
  change are read as ``kostra.Reader`` reads them;
- projected users(h) = Σ_band users(band) × pop(band, h) / pop(band, base);
- places needed(h) = (long-term + short-term residents)(h) / ``services.OCCUPANCY``;
- årsverk(h) = årsverk × weighted(h) / weighted(base), weighted = institution users +
  ``staffing.HOME_WEIGHT`` × home-service users;
- share of 20–66 in care(h) = årsverk(h) / persons 20–66 in h.

``tests/test_indicators.py`` checks the figures equal the per-kommune pipeline's. Units:
persons, percent (0–100), årsverk.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import kostra
from analysis import services as sv
from analysis import staffing as sf
from analysis.format import fmt_int
from data_sources import catalog

HIGHER_BETTER, LOWER_BETTER, NEITHER = "higher_better", "lower_better", "neither"
POLARITY_TEXT = {
    HIGHER_BETTER: "Høyere er bedre.",
    LOWER_BETTER: "Lavere er bedre.",
    NEITHER: "Verken høy eller lav verdi er i seg selv bedre.",
}
PROJECTION = "projeksjon"  # placeholder in ``tables``: the projection table of the store
SIMILARITY_YEAR = 2040  # growth of 80+ «to 2040» used by the similarity defaults


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator. ``tables``: (SSB table id, ContentsCode) pairs it is computed from;
    ``PROJECTION`` stands for the store's projection table and the chosen alternative's
    ContentsCode. ``count``: the column with the count behind a rate (shown beside it).
    ``year``: which year the label refers to — ``"base"``, ``"horizon"`` or ``"kostra"``.
    """

    key: str
    label: str
    definition: str
    unit: str
    decimals: int
    polarity: str
    tables: tuple[tuple[str, str], ...]
    count: str | None = None
    count_label: str = ""
    year: str = "base"

    @property
    def polarity_text(self) -> str:
        return POLARITY_TEXT[self.polarity]


_POP = ("07459", "Personer1")
_USERS = (sv.T_USERS, sv.C_USERS)
_AARSVERK = (sv.T_STAFF, sv.C_AARSVERK)
_PLACES = (sv.T_PLACES, sv.C_PLACES)
_LONGTERM = (sv.T_LONGTERM, sv.C_LONGTERM)
_SHORTTERM = (sv.T_STAFF, sv.AGE_PROFILE_OF["korttid"][0])
_HOUSING = (sv.T_STAFF, sv.AGE_PROFILE_OF["bolig"][0])
_SMOOTH_TEXT = (f"Kommuner under {fmt_int(sv.SMALL_POPULATION)} innbyggere: gjennomsnittet "
                f"av de {sv.SMOOTH_YEARS} siste KOSTRA-årene, som på siden "
                "«Tjenester».")
_PROJ = (PROJECTION, "")

INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("pop_base", "Folketall", "Innbyggere 1. januar i siste observerte år.",
                 "personer", 0, NEITHER, (_POP,)),
    IndicatorDef("pop_h", "Folketall", "Framskrevet folkemengde 1. januar i "
                 "framskrivingsåret, valgt alternativ.", "personer", 0, NEITHER, (_PROJ,),
                 year="horizon"),
    IndicatorDef("growth_80", "Vekst 80+", "Endring i antall innbyggere 80 år og eldre fra "
                 "siste observerte år til framskrivingsåret, i prosent.", "prosent", 1, NEITHER,
                 (_POP, _PROJ), count="n80_base", count_label="Innbyggere 80+", year="horizon"),
    IndicatorDef("growth_90", "Vekst 90+", "Endring i antall innbyggere 90 år og eldre fra "
                 "siste observerte år til framskrivingsåret, i prosent.", "prosent", 1, NEITHER,
                 (_POP, _PROJ), count="n90_base", count_label="Innbyggere 90+", year="horizon"),
    IndicatorDef("share_67_h", "Andel 67+", "Innbyggere 67 år og eldre i prosent av alle "
                 "innbyggere, framskrivingsåret.", "prosent", 1, NEITHER, (_PROJ,),
                 count="n67_h", count_label="Innbyggere 67+", year="horizon"),
    IndicatorDef("share_80_base", "Andel 80+", "Innbyggere 80 år og eldre i prosent av alle "
                 "innbyggere, siste observerte år.", "prosent", 1, NEITHER, (_POP,),
                 count="n80_base", count_label="Innbyggere 80+"),
    IndicatorDef("share_80_h", "Andel 80+", "Innbyggere 80 år og eldre i prosent av alle "
                 "innbyggere, framskrivingsåret.", "prosent", 1, NEITHER, (_PROJ,),
                 count="n80_h", count_label="Innbyggere 80+", year="horizon"),
    IndicatorDef("support_80_h", "20–66 år per 80+", "Innbyggere 20–66 år delt på innbyggere "
                 "80 år og eldre, framskrivingsåret. Færre betyr færre i yrkesaktiv alder per "
                 "eldre innbygger.", "personer", 1, HIGHER_BETTER, (_PROJ,), year="horizon"),
    IndicatorDef("cov_inst_80", "Institusjon 80+", "Brukere av institusjonstjenester 80 år og "
                 "eldre (12003) i prosent av innbyggere 80+ 1.1. året etter (07459), siste "
                 f"KOSTRA-år. {_SMOOTH_TEXT}", "prosent", 1, NEITHER, (_USERS, _POP),
                 count="users_inst_80", count_label="Brukere institusjon 80+", year="kostra"),
    IndicatorDef("cov_home_80", "Hjemmetjenester 80+", "Mottakere av hjemmetjenester 80 år og "
                 "eldre (12003) i prosent av innbyggere 80+ 1.1. året etter (07459), siste "
                 f"KOSTRA-år. {_SMOOTH_TEXT}", "prosent", 1, NEITHER, (_USERS, _POP),
                 count="users_home_80", count_label="Mottakere hjemmetjenester 80+",
                 year="kostra"),
    IndicatorDef("cov_heldogn_80", "Heldøgns omsorg 80+", "Beboere 80 år og eldre med "
                 "langtidsopphold i institusjon (11645) og i bolig med heldøgns bemanning "
                 "(12292, fordelt på alder som mottakerne av hjemmetjenester i 12003) i prosent "
                 f"av innbyggere 80+ 1.1. året etter (07459), siste KOSTRA-år. {_SMOOTH_TEXT}",
                 "prosent", 1, NEITHER, (_LONGTERM, _HOUSING, _USERS, _POP),
                 count="users_heldogn_80", count_label="Beboere heldøgns omsorg 80+",
                 year="kostra"),
    IndicatorDef("places_per_1000_80", "Plasser per 1 000 80+", "Disponible "
                 "institusjonsplasser (11875) per 1 000 innbyggere 80 år og eldre (07459).",
                 "per 1 000 innbyggere 80+", 1, NEITHER, (_PLACES, _POP), count="places",
                 count_label="Institusjonsplasser", year="kostra"),
    IndicatorDef("places_gap_h", "Plassbehov minus plasser",
                 "Plassbehovet i framskrivingsåret med dagens dekningsgrad – framskrevne beboere "
                 "med langtidsopphold (11645) og korttidsopphold (12292) delt på et antatt "
                 f"belegg på {sv.OCCUPANCY * 100:.0f} % – minus dagens disponible plasser "
                 "(11875), begge i hele tall, som på siden «Tjenester». Positivt: flere plasser "
                 "trengs enn kommunen har i dag.", "plasser", 0, NEITHER,
                 (_LONGTERM, _SHORTTERM, _PLACES, _POP, _PROJ), count="need_h",
                 count_label="Plassbehov", year="horizon"),
    IndicatorDef("aarsverk_per_1000_80", "Årsverk per 1 000 80+", "Årsverk i brukerrettede "
                 "tjenester (12292) per 1 000 innbyggere 80 år og eldre (07459), siste "
                 "KOSTRA-år.", "årsverk per 1 000 innbyggere 80+", 1, NEITHER,
                 (_AARSVERK, _POP), count="aarsverk", count_label="Årsverk i dag",
                 year="kostra"),
    IndicatorDef("aarsverk_h", "Årsverk", "Årsverk i pleie og omsorg som trengs i "
                 "framskrivingsåret med dagens dekningsgrad og bemanning per bruker "
                 f"(hjemmetjenestebruker veid {str(sf.HOME_WEIGHT).replace('.', ',')} av en "
                 "institusjonsbruker).", "årsverk", 0, NEITHER,
                 (_USERS, _AARSVERK, _POP, _PROJ), year="horizon"),
    IndicatorDef("share_care_h", "Andel 20–66 i omsorg", "Årsverk som trengs i "
                 "framskrivingsåret i prosent av innbyggere 20–66 år samme år. Høyere betyr at "
                 "en større del av arbeidsstyrken må jobbe i pleie og omsorg.", "prosent", 1,
                 LOWER_BETTER, (_USERS, _AARSVERK, _POP, _PROJ), count="aarsverk_h",
                 count_label="Årsverk", year="horizon"),
)
BY_KEY = {i.key: i for i in INDICATORS}
# Indicator groups for tables that show one theme at a time.
GROUPS: dict[str, tuple[str, ...]] = {
    "Befolkning": ("pop_base", "pop_h", "growth_80", "growth_90", "share_67_h",
                   "share_80_base", "share_80_h", "support_80_h"),
    "Tjenester": ("cov_inst_80", "cov_home_80", "cov_heldogn_80", "places_per_1000_80",
                  "places_gap_h"),
    "Bemanning": ("aarsverk_per_1000_80", "aarsverk_h", "share_care_h", "support_80_h"),
}

# Count columns of the frame (persons, places, årsverk) with their labels.
COUNT_LABELS = {
    "n80_base": "Innbyggere 80+", "n90_base": "Innbyggere 90+", "n67_h": "Innbyggere 67+",
    "n80_h": "Innbyggere 80+", "users_inst_80": "Brukere institusjon 80+",
    "users_home_80": "Mottakere hjemmetjenester 80+",
    "users_heldogn_80": "Beboere heldøgns omsorg 80+", "places": "Institusjonsplasser",
    "need_h": "Plassbehov", "aarsverk": "Årsverk i dag", "aarsverk_h": "Årsverk",
}


def label_with_year(ind: IndicatorDef, base_year: int | None, horizon: int,
                    kostra_year: int | None = None) -> str:
    """«Vekst 80+ 2026–2040», «Andel 80+ 2040», «Institusjon 80+ 2025»."""
    if ind.key.startswith("growth_") and base_year:
        return f"{ind.label} {base_year}–{horizon} (%)"
    year = {"base": base_year, "horizon": horizon, "kostra": kostra_year}[ind.year]
    unit = " (%)" if ind.unit == "prosent" else ""
    return f"{ind.label} {year}{unit}" if year else f"{ind.label}{unit}"


def alternative_contents(alternative: str) -> str:
    """SSB's ContentsCode of a projection alternative in 14746/14288 (``MMMM`` → ``Personer``)."""
    for cc, (code, *_rest) in catalog.ALTERNATIVES.items():
        if code == alternative:
            return cc
    return alternative


def sources_of(ind: IndicatorDef, projection_table: str | None, alternative: str
               ) -> list[tuple[str, str]]:
    """(table id, ContentsCode) pairs of ``ind`` with the projection placeholder filled in."""
    return [((projection_table or "14746"), alternative_contents(alternative))
            if t == PROJECTION else (t, c) for t, c in ind.tables]


# -- computation -----------------------------------------------------------------------------
_GROUP_AGES = {  # column -> ages (inclusive)
    "tot": (0, sv.MAX_AGE), "p0_66": (0, 66), "p67_79": (67, 79), "p80": (80, sv.MAX_AGE),
    "p80_89": (80, 89), "p90": (90, sv.MAX_AGE), "p20_66": (20, 66), "p67": (67, sv.MAX_AGE),
}


def _groups_sql() -> str:
    return ", ".join(f"coalesce(sum(persons) FILTER (WHERE age BETWEEN {lo} AND {hi}), 0)"
                     f"::DOUBLE AS {col}" for col, (lo, hi) in _GROUP_AGES.items())


@dataclass(frozen=True)
class _Ages:
    """Population 1.1. per kommune × year × single-year age 0..105 (persons, both sexes) and
    whether the year is complete: every age for both sexes, as ``services.COMPLETE_YEARS``."""
    years: np.ndarray
    persons: np.ndarray  # kommune × year × age
    complete: np.ndarray  # kommune × year

    def at(self, year, use=None) -> np.ndarray:
        """Persons by age (kommune × age) in each kommune's ``year``; 0 where ``use`` is
        False, the year is NaN or not fetched."""
        idx, ok = _year_index(self.years, year)
        rows = np.flatnonzero(ok if use is None else ok & use)
        out = np.zeros((len(ok), sv.MAX_AGE + 1))
        out[rows] = self.persons[rows, idx[rows]]
        return out

    def complete_at(self, year) -> np.ndarray:
        """Whether each kommune's ``year`` is complete (False when NaN or not fetched)."""
        idx, ok = _year_index(self.years, year)
        ok[ok] &= self.complete[np.flatnonzero(ok), idx[ok]]
        return ok

    def latest_complete(self, limit=None) -> np.ndarray:
        """Each kommune's latest complete year (≤ ``limit`` per kommune); NaN if none."""
        return _last_year(self.complete, self.years, limit)


def _population_ages(store, codes: list[str], since: int) -> _Ages:
    """``_Ages`` of ``codes`` for the years from ``since`` in one query."""
    d = store.cursor().execute(
        "SELECT region_code AS r, year::INTEGER AS y, age::INTEGER AS a, sum(persons) AS p, "
        "count(DISTINCT sex) FILTER (WHERE persons IS NOT NULL) AS n FROM population "
        "WHERE region_code IN (SELECT unnest(?::VARCHAR[])) AND year >= ? GROUP BY ALL",
        [codes, since]).fetchnumpy()
    row = {c: i for i, c in enumerate(codes)}
    rows = np.array([row[c] for c in np.asarray(d["r"], dtype=object)], dtype=int)
    years, y_idx = np.unique(np.asarray(d["y"], dtype=int), return_inverse=True)
    ages = np.asarray(d["a"], dtype=int)
    # Σ over ages of the sexes with a value = count(DISTINCT (sex, age)) of COMPLETE_YEARS
    pairs = np.zeros((len(codes), len(years)))
    np.add.at(pairs, (rows, y_idx), np.asarray(d["n"], dtype=float))
    persons = np.zeros((len(codes), len(years), sv.MAX_AGE + 1))
    ok = (ages >= 0) & (ages <= sv.MAX_AGE)
    np.add.at(persons, (rows[ok], y_idx[ok], ages[ok]),
              np.nan_to_num(np.asarray(d["p"], dtype=float)[ok]))
    return _Ages(years, persons, pairs == 2 * (sv.MAX_AGE + 1))


def _projection(store, codes: list[str], ptab: str | None, alternative: str,
                years: list[int]) -> pd.DataFrame:
    return store.query(
        f"SELECT region_code, year::INTEGER AS year, {_groups_sql()} FROM projection "
        "WHERE region_code IN (SELECT unnest(?::VARCHAR[])) AND table_id = ? "
        "AND alternative = ? AND year IN (SELECT unnest(?::INTEGER[])) "
        "AND persons IS NOT NULL GROUP BY ALL",
        [codes, ptab or "", alternative, years])


# -- the service model of ``analysis.services``, for many kommuner at once ------------------
# Service order in the arrays below; bands are ``sv.BANDS`` (0–66, 67–79, 80–89, 90+).
SVC = ("institusjon", "hjemme", "langtid", "korttid", "bolig")
_I, _H, _L, _K, _B = range(len(SVC))
_LT_CELLS = tuple(sv.LONGTERM_AGES)  # 11645's age cells: 00-49, 50-66, 67-79, 80-89, 90+
_BAND_AGES = [(b.low, b.high) for b in sv.BANDS]


def _series_keys() -> list[tuple[str, str, str, str]]:
    """(table, ContentsCode, breakdown, series name) for every KOSTRA series the model of
    ``services.load_base`` reads; the breakdown's «dim=value» parts sorted, «;»-joined."""
    def key(table, contents, breakdown, name):
        return (table, contents, ";".join(sorted(f"{k}={v}" for k, v in breakdown.items())),
                name)
    keys = [key(sv.T_USERS, sv.C_USERS, {"KOKalder0000": b.code, "KOKTenesteGrp0000": g},
                f"{svc}|{b.code}") for svc, g in sv.SERVICE_GROUP.items() for b in sv.BANDS_12003]
    keys += [key(sv.T_LONGTERM, sv.C_LONGTERM, {"TenesteType": sv.LONGTERM_TYPE, "Alder": a},
                 f"lt|{a}") for a in ("Ialt", *_LT_CELLS)]
    keys += [key(sv.T_STAFF, cc, {}, svc) for svc, (cc, _like) in sv.AGE_PROFILE_OF.items()]
    return keys + [key(*_AARSVERK, {}, "aarsverk"), key(*_PLACES, {}, "places")]


def _kostra_values(store, codes: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every series of ``_series_keys`` for ``codes`` as {name: array (kommune × year)} over
    the returned years, NaN where SSB has no value. Values SSB published under codes from
    before a kommune change are read as ``kostra.Reader`` does (``_resolve_codes``)."""
    changes = kostra.load_changes(store)
    by_new: dict[str, list] = defaultdict(list)
    for ch in changes:
        by_new[ch.new_code].append(ch)
    wanted, todo = set(codes), list(codes)
    while todo:
        for ch in by_new.get(todo.pop(), ()):
            if ch.old_code not in wanted:
                wanted.add(ch.old_code)
                todo.append(ch.old_code)
    keys = _series_keys()
    # the breakdown compared as a set of parts, as kostra.Reader does
    raw = store.cursor().execute(
        "WITH s AS (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::VARCHAR[]) AS c, "
        "unnest(?::VARCHAR[]) AS b, unnest(range(?)) AS i) "
        "SELECT k.region_code AS r, s.i AS i, k.year::INTEGER AS y, k.value AS v "
        "FROM kostra k JOIN s ON k.table_id = s.t AND k.contents_code = s.c AND "
        "array_to_string(list_sort(list_filter(string_split(coalesce(k.breakdown, ''), ';'), "
        "lambda x: x <> '')), ';') = s.b "
        "WHERE k.region_code IN (SELECT unnest(?::VARCHAR[])) AND k.value IS NOT NULL",
        [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys], len(keys),
         sorted(wanted)]).fetchnumpy()
    regions, r_idx = np.unique(np.asarray(raw["r"], dtype=object).astype(str),
                               return_inverse=True)
    years, y_idx = np.unique(np.asarray(raw["y"], dtype=int), return_inverse=True)
    own = np.full((len(regions), len(keys), len(years)), np.nan)
    own[r_idx, np.asarray(raw["i"], dtype=int), y_idx] = np.asarray(raw["v"], dtype=float)
    mat = _resolve_codes(own.reshape(len(regions), len(keys) * len(years)), list(regions),
                         np.tile(years, len(keys)), codes, by_new, changes)
    mat = mat.reshape(len(codes), len(keys), len(years))
    return {k[3]: mat[:, i] for i, k in enumerate(keys)}, years


def _resolve_codes(values: np.ndarray, regions: list[str], col_years: np.ndarray,
                   codes: list[str], by_new: dict, changes) -> np.ndarray:
    """Rows of ``values`` (one per region code of ``regions``; columns of the years
    ``col_years``) for ``codes``, with a missing value taken from the code(s) the kommune had
    before a change, as ``kostra._resolve`` does for counts: one predecessor → its value; a
    merger → the sum (missing if a part is missing); a split → missing."""
    row_of = {c: i for i, c in enumerate(regions)}
    n_from = Counter((ch.old_code, ch.year) for ch in changes)
    empty = np.full(len(col_years), np.nan)
    done: dict[str, np.ndarray] = {}

    def resolve(code: str, depth: int = 0) -> np.ndarray:
        if code in done:
            return done[code]
        out = values[row_of[code]].copy() if code in row_of else empty.copy()
        chs = by_new.get(code, ())
        if chs and depth <= 5:
            for y in np.unique(col_years[np.isnan(out)]):
                preds = [ch for ch in chs if y < ch.year]
                if not preds or any(ch.kind == "split" or n_from[(ch.old_code, ch.year)] > 1
                                    for ch in preds):
                    continue
                cols = (col_years == y) & np.isnan(out)
                out[cols] = sum(resolve(ch.old_code, depth + 1)[cols] for ch in preds)
        done[code] = out
        return out

    return np.vstack([resolve(c) for c in codes]) if codes else np.empty((0, len(col_years)))


def _year_index(years: np.ndarray, year) -> tuple[np.ndarray, np.ndarray]:
    """Per kommune: the column of its ``year`` (one per kommune, NaN = none) in ``years``,
    and whether ``years`` has it."""
    year = np.asarray(year, dtype=float)
    idx = np.searchsorted(years, np.nan_to_num(year, nan=-1).astype(int))
    ok = ~np.isnan(year) & (idx < len(years))
    ok[ok] &= years[idx[ok]] == year[ok]
    return idx, ok


def _at(series: np.ndarray, years: np.ndarray, year) -> np.ndarray:
    """Each kommune's value in ``year`` (one year per kommune; NaN = none)."""
    idx, ok = _year_index(years, year)
    rows = np.flatnonzero(ok)
    out = np.full(len(ok), np.nan)
    out[rows] = series[rows, idx[rows]]
    return out


def _last(ok: np.ndarray, years: np.ndarray, limit=None) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``ok`` (row × year): the index of the last True year ≤ ``limit`` (per row;
    0 when none) and whether there is one."""
    if limit is not None:
        ok = ok & (years[None, :] <= np.asarray(limit, dtype=float)[:, None])
    if not ok.shape[1]:
        return np.zeros(len(ok), dtype=int), np.zeros(len(ok), dtype=bool)
    return ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), ok.any(axis=1)


def _last_year(ok: np.ndarray, years: np.ndarray, limit=None) -> np.ndarray:
    """Per row: the last True year ≤ ``limit``; NaN when none."""
    idx, has = _last(ok, years, limit)
    return np.where(has, years[idx], np.nan) if len(years) else np.full(len(ok), np.nan)


def _latest(series: np.ndarray, years: np.ndarray, limit=None) -> np.ndarray:
    """Each kommune's latest value in a year ≤ ``limit`` (per kommune); NaN when none."""
    idx, has = _last(~np.isnan(series), years, limit)
    return np.where(has, series[np.arange(len(series)), idx], np.nan) if len(years) else \
        np.full(len(series), np.nan)


def _ages_to_bands(by_age: np.ndarray, ages=_BAND_AGES) -> np.ndarray:
    """Persons per age group (low, high inclusive) from persons by single-year age."""
    return np.column_stack([by_age[:, lo:hi + 1].sum(axis=1) for lo, hi in ages])


def _frame_bands(v: dict[str, np.ndarray], by_age: np.ndarray) -> tuple[np.ndarray,
                                                                       np.ndarray]:
    """Users (kommune × ``SVC`` × band; NaN for a service left out) and persons per band in
    one KOSTRA year, as ``services._bands_for_year``: 12003's 80+ split by population,
    long-term residents from 11645 with suppressed cells filled (``fill_suppressed``), and
    12292's short-term stays and housing given the age profile of ``AGE_PROFILE_OF``.
    ``v``: {series name: value per kommune in the year}; ``by_age``: population 1.1. after."""
    n = len(by_age)
    band_pop = _ages_to_bands(by_age)
    users = np.full((n, len(SVC), len(sv.BANDS)), np.nan)
    p80, p90 = band_pop[:, 2], band_pop[:, 3]
    old = p80 + p90
    for i, svc in ((_I, "institusjon"), (_H, "hjemme")):  # 12003's 80+ shared by population
        u = np.column_stack([v[f"{svc}|{b.code}"] for b in sv.BANDS_12003])
        u80 = np.where(old > 0, u[:, 2] * p80 / np.where(old > 0, old, 1), u[:, 2] / 2)
        users[:, i] = np.column_stack([u[:, 0], u[:, 1], u80, u[:, 2] - u80])
    # long-term residents: SSB's cells, the suppressed ones share total − Σ known by population
    cells = np.column_stack([v[f"lt|{a}"] for a in _LT_CELLS])
    total = v["lt|Ialt"]
    hidden = np.isnan(cells)
    rest = np.maximum(total - np.nansum(cells, axis=1), 0.0)
    cell_pop = np.maximum(_ages_to_bands(by_age, [(lo, hi) for lo, hi, _ in
                                                  sv.LONGTERM_AGES.values()]), 0.0)
    w = np.where(hidden, cell_pop, 0.0)
    wsum = w.sum(axis=1, keepdims=True)
    n_hidden = np.maximum(hidden.sum(axis=1, keepdims=True), 1)
    w = np.where(wsum > 0, w / np.where(wsum > 0, wsum, 1), hidden / n_hidden)
    filled = np.where(hidden, rest[:, None] * w, cells)
    band_of = [next(i for i, b in enumerate(sv.BANDS) if b.code == band)
               for _lo, _hi, band in sv.LONGTERM_AGES.values()]
    lt = np.zeros((n, len(sv.BANDS)))
    for j, b in enumerate(band_of):
        lt[:, b] += filled[:, j]
    users[:, _L] = np.where(np.isnan(total)[:, None], np.nan, lt)
    for i, svc in ((_K, "korttid"), (_B, "bolig")):
        like = SVC.index(sv.AGE_PROFILE_OF[svc][1])
        prof = users[:, like]
        psum = prof.sum(axis=1)  # NaN when the service is left out
        ok = ~np.isnan(v[svc]) & (psum > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            users[:, i] = np.where(ok[:, None], v[svc][:, None] * prof / psum[:, None], np.nan)
    return users, band_pop


def _kostra_year(v: dict[str, np.ndarray], years: np.ndarray) -> tuple[np.ndarray,
                                                                      np.ndarray]:
    """Per kommune: the latest year where 12003's six series have a value (NaN if none), and
    which years have all six (kommune × year)."""
    complete = np.ones(v["aarsverk"].shape, dtype=bool)
    for svc in sv.SERVICE_GROUP:
        for b in sv.BANDS_12003:
            complete &= ~np.isnan(v[f"{svc}|{b.code}"])
    return _last_year(complete, years), complete


def service_bases(store, codes: list[str], ages: _Ages | None = None) -> pd.DataFrame:
    """Today's base of ``services.load_base`` (default smoothing) for every kommune in
    ``codes`` at once: index code; ``kostra_year``, ``pop_year``, ``aarsverk``, ``places``,
    ``users`` (array ``SVC`` × band, persons, NaN for a service left out) and ``band_pop``
    (persons per band on 1.1. ``pop_year``). Kommuner without a base have NaN years.
    ``ages``: the kommuner's population if already read (from the first KOSTRA year
    averaged − 1 on); read here otherwise."""
    v, years = _kostra_values(store, codes)
    n = len(codes)
    ky, complete = _kostra_year(v, years)
    first = int(np.nanmin(ky)) - sv.SMOOTH_YEARS + 2 if (~np.isnan(ky)).any() else 0
    if ages is None or (len(ages.years) and ages.years[0] > first):
        ages = _population_ages(store, codes, first)
    pop_year = ages.latest_complete(ky + 1)
    if (np.isnan(pop_year) & ~np.isnan(ky)).any():  # no complete year lately: look further back
        ages = _population_ages(store, codes, 0)
        pop_year = ages.latest_complete(ky + 1)
    ok = ~np.isnan(pop_year)
    by_age = ages.at(pop_year, ok)
    users, band_pop = _frame_bands({k: _at(s, years, ky) for k, s in v.items()}, by_age)
    # small kommuner: coverage over Y and the years before (up to SMOOTH_YEARS) where 12003
    # is complete and the population 1.1. after is too (``services._smoothed``)
    small = ok & (by_age.sum(axis=1) < sv.SMALL_POPULATION)
    present = ~np.isnan(users[:, :, :1])
    sum_u = np.where(present, np.nan_to_num(users), 0.0)
    sum_p = np.where(present, band_pop[:, None, :], 0.0)
    n_frames = np.ones(n, dtype=int)
    for back in range(1, sv.SMOOTH_YEARS):
        y = ky - back
        has = small & (_at(complete.astype(float), years, y) == 1) & ages.complete_at(y + 1)
        u_y, p_y = _frame_bands({k: _at(s, years, y) for k, s in v.items()},
                                ages.at(y + 1, has))
        add = has[:, None, None] & ~np.isnan(u_y[:, :, :1])
        sum_u += np.where(add, np.nan_to_num(u_y), 0.0)
        sum_p += np.where(add, p_y[:, None, :], 0.0)
        n_frames += has
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.where(sum_p > 0, sum_u / np.where(sum_p > 0, sum_p, 1), 0.0)
    smoothed = (n_frames > 1)[:, None, None]
    users = np.where(smoothed & present, cov * band_pop[:, None, :], users)
    users[~ok] = np.nan
    out = pd.DataFrame(index=pd.Index(codes, name="code"))
    out["kostra_year"] = np.where(ok, ky, np.nan)
    out["pop_year"] = pop_year
    out["aarsverk"] = np.where(ok, _latest(v["aarsverk"], years, ky), np.nan)
    out["places"] = np.where(ok, _latest(v["places"], years), np.nan)
    out["users"] = list(users)
    out["band_pop"] = list(np.where(ok[:, None], band_pop, np.nan))
    return out


def _pct_change(new, old):
    new, old = np.asarray(new, float), np.asarray(old, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, (new / old - 1.0) * 100.0, np.nan)


def _ratio(a, b, scale: float = 1.0):
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b * scale, np.nan)


def indicator_frame(store, codes: list[str], alternative: str, horizon: int,
                    projection_table: str | None = None) -> pd.DataFrame:
    """One row per kommune in ``codes`` (index ``code``) with every indicator of
    ``INDICATORS`` (unrounded), the counts of ``COUNT_LABELS``, and ``base_year``,
    ``kostra_year``, ``growth_80_2040`` (for similarity). Missing values are NaN — a
    kommune without data keeps its row. Kommune codes in the 2024 structure.
    """
    from analysis import demography as dem
    codes = list(dict.fromkeys(str(c) for c in codes))
    ptab = projection_table or dem.projection_table_id(store)
    out = pd.DataFrame(index=pd.Index(codes, name="code"))
    if not codes:
        return out
    proj = _projection(store, codes, ptab, alternative, sorted({horizon, SIMILARITY_YEAR}))
    # demography: the latest complete year of the five latest in the table vs the horizon
    last = store.scalar("SELECT max(year) FROM population")
    since = int(last) - 4 if last is not None else 0
    ages = _population_ages(store, codes, since)
    obs_year = ages.latest_complete()
    by_age = ages.at(obs_year)
    seen = ~np.isnan(obs_year)
    obs = pd.DataFrame({col: np.where(seen, by_age[:, lo:hi + 1].sum(axis=1), np.nan)
                        for col, (lo, hi) in _GROUP_AGES.items()}, index=codes)
    out["base_year"] = obs_year
    h = proj[proj["year"] == horizon].set_index("region_code").reindex(codes)
    y40 = proj[proj["year"] == SIMILARITY_YEAR].set_index("region_code").reindex(codes)
    out["pop_base"] = obs["tot"]
    out["pop_h"] = h["tot"]
    out["n80_base"], out["n90_base"] = obs["p80"], obs["p90"]
    out["n67_h"], out["n80_h"] = h["p67"], h["p80"]
    out["growth_80"] = _pct_change(h["p80"], obs["p80"])
    out["growth_90"] = _pct_change(h["p90"], obs["p90"])
    out["growth_80_2040"] = _pct_change(y40["p80"], obs["p80"])
    out["share_67_h"] = _ratio(h["p67"], h["tot"], 100)
    out["share_80_base"] = _ratio(obs["p80"], obs["tot"], 100)
    out["share_80_h"] = _ratio(h["p80"], h["tot"], 100)
    out["support_80_h"] = _ratio(h["p20_66"], h["p80"])
    _services(out, service_bases(store, codes, ages), h)
    return out


def _services(out: pd.DataFrame, bases: pd.DataFrame, h: pd.DataFrame) -> None:
    """Fill the service indicators of ``out`` from today's ``bases`` (``service_bases``) and
    the horizon population ``h``, as ``services.project_users`` (uendret),
    ``services.place_need`` and ``staffing.outlook`` do for one kommune."""
    users = np.stack(bases["users"].to_numpy()) if len(bases) else np.empty((0, len(SVC), 4))
    band_pop0 = np.stack(bases["band_pop"].to_numpy()) if len(bases) else np.empty((0, 4))
    band_pop_h = h[["p0_66", "p67_79", "p80_89", "p90"]].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(band_pop0 > 0, band_pop_h / np.where(band_pop0 > 0, band_pop0, 1),
                          0.0)
    growth[np.isnan(band_pop_h).any(axis=1) | np.isnan(band_pop0).any(axis=1)] = np.nan
    at_h = (users * growth[:, None, :]).sum(axis=2)  # NaN: service left out or no projection
    at_0 = (users * (band_pop0 > 0)[:, None, :]).sum(axis=2)  # the model's base year
    old = users[:, :, 2:].sum(axis=2)  # 80–89 + 90+
    pop80 = band_pop0[:, 2:].sum(axis=1)
    heldogn = old[:, _L] + old[:, _B]
    out["kostra_year"] = bases["kostra_year"].to_numpy()
    out["users_inst_80"], out["users_home_80"] = old[:, _I], old[:, _H]
    out["users_heldogn_80"] = heldogn
    out["cov_inst_80"] = _ratio(old[:, _I], pop80, 100)
    out["cov_home_80"] = _ratio(old[:, _H], pop80, 100)
    out["cov_heldogn_80"] = _ratio(heldogn, pop80, 100)
    places = bases["places"].to_numpy(dtype=float)
    out["places"] = places
    out["places_per_1000_80"] = _ratio(places, pop80, 1000)
    aarsverk = bases["aarsverk"].to_numpy(dtype=float)
    out["aarsverk"] = aarsverk
    out["aarsverk_per_1000_80"] = _ratio(aarsverk, pop80, 1000)
    out["inst_h"] = at_h[:, _I]
    # places needed: (long-term + short-term residents) / occupancy; the gap is the
    # difference of the two figures as shown (whole places)
    need = (at_h[:, _L] + np.nan_to_num(at_h[:, _K])) / sv.OCCUPANCY  # NaN: no 11645
    out["need_h"] = need
    out["places_gap_h"] = np.round(need) - np.round(places)
    w0 = at_0[:, _I] + sf.HOME_WEIGHT * at_0[:, _H]
    out["aarsverk_h"] = aarsverk * _ratio(at_h[:, _I] + sf.HOME_WEIGHT * at_h[:, _H], w0)
    out["share_care_h"] = _ratio(out["aarsverk_h"], h["p20_66"], 100)


# -- peer comparison -----------------------------------------------------------------------
# Categories of a value against its peers. Colours in the UI follow these, and only
# ``good``/``bad`` are ever drawn as good or bad.
GOOD, BAD, HIGH, LOW, MIDDLE, NONE = "good", "bad", "high", "low", "middle", "none"
CATEGORY_TEXT = {
    GOOD: "klart bedre enn sammenligningsgruppen",
    BAD: "klart dårligere enn sammenligningsgruppen",
    HIGH: "klart over sammenligningsgruppen",
    LOW: "klart under sammenligningsgruppen",
    MIDDLE: "på nivå med sammenligningsgruppen",
    NONE: "ikke vurdert",
}
MIN_PEERS = 4  # fewer peers with a value: no judgement
MIN_COUNT = 20  # a rate behind fewer than this many (persons, places ...) is not judged


@dataclass(frozen=True)
class Spread:
    """Quartiles of the peers' values (NaN left out) and how many peers had a value."""

    q1: float
    median: float
    q3: float
    n: int


def spread(values) -> Spread:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return Spread(np.nan, np.nan, np.nan, 0)
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return Spread(float(q1), float(med), float(q3), int(len(v)))


def categorise(values, peers: Spread, polarity: str, counts=None) -> np.ndarray:
    """Category per value against the peers' quartiles: above Q3 is «klart over», below Q1
    «klart under», else «på nivå». With polarity ``higher_better`` over is ``good`` and under
    ``bad`` (reversed for ``lower_better``); a ``neither`` indicator gets ``high``/``low`` and
    is never ``good``/``bad``. ``none``: missing value, fewer than ``MIN_PEERS`` peers, or a
    count below ``MIN_COUNT`` behind the rate (small kommuner: a few persons swing a rate).
    """
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, MIDDLE, dtype=object)
    if peers.n < MIN_PEERS:
        out[:] = NONE
        return out
    above, below = v > peers.q3, v < peers.q1
    up, down = {HIGHER_BETTER: (GOOD, BAD), LOWER_BETTER: (BAD, GOOD)}.get(polarity, (HIGH, LOW))
    out[above], out[below] = up, down
    out[np.isnan(v)] = NONE
    if counts is not None:
        c = np.asarray(counts, dtype=float)
        out[~np.isnan(c) & (c < MIN_COUNT)] = NONE
    return out


def compare_with_peers(frame: pd.DataFrame, peers: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """Category of every indicator for every kommune of ``frame`` against ``peers`` (default:
    the set itself). Returns a frame of categories with ``frame``'s index, one column per
    indicator key."""
    peers = frame if peers is None else peers
    cats = {}
    for ind in INDICATORS:
        if ind.key not in frame:
            continue
        counts = frame[ind.count] if ind.count and ind.count in frame else None
        cats[ind.key] = categorise(frame[ind.key], spread(peers[ind.key]), ind.polarity, counts)
    return pd.DataFrame(cats, index=frame.index)


def colour_sentence(among: str = "kommunene i utvalget") -> str:
    """The line on screen that says what the colours mean."""
    return (f"Fargen viser hvor kommunen ligger blant {among}: over øvre kvartil "
            "er «klart over», under nedre kvartil «klart under». Grønt og rødt brukes bare der "
            "høyere (eller lavere) verdi er bedre; for de fleste tallene er ingen verdi bedre "
            "enn en annen, og da viser blått høyt og oransje lavt. Tall bak færre enn "
            f"{MIN_COUNT} personer eller plasser, og grupper med færre enn {MIN_PEERS} "
            "kommuner, vurderes ikke.")


def benchmark(frame: pd.DataFrame, code: str, peers: list[str]) -> pd.DataFrame:
    """One kommune against a peer group, indicator by indicator.

    ``frame``: ``indicator_frame`` output (index kommune code); ``peers``: the peer group's
    codes (the kommune itself is left out of its own peers). Returns one row per indicator:
    key, value, count (behind a rate, else NaN), q1, median, q3, n (peers with a value),
    category (``categorise``) and text (bokmål, e.g. «klart over sammenligningsgruppen»).
    """
    others = frame.loc[[c for c in dict.fromkeys(peers) if c != code and c in frame.index]]
    row = frame.loc[code]
    rows = []
    for i in INDICATORS:
        sp = spread(others[i.key]) if i.key in others else spread([])
        count = row[i.count] if i.count and i.count in frame else np.nan
        cat = categorise([row[i.key]], sp, i.polarity,
                         None if np.isnan(count) else [count])[0]
        rows.append((i.key, float(row[i.key]), float(count), sp.q1, sp.median, sp.q3, sp.n,
                     cat, CATEGORY_TEXT[cat]))
    return pd.DataFrame(rows, columns=["key", "value", "count", "q1", "median", "q3", "n",
                                       "category", "text"])
