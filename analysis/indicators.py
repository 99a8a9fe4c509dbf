"""Indicators for comparing kommuner: definitions with polarity, one row per kommune, and
the peer comparison («klart over/under») that colours them.

Definitions follow Fingertips/Kolada: every indicator has a name, unit, source table and
ContentsCode, and a polarity — ``higher_better``, ``lower_better`` or ``neither``. Most care
indicators are ``neither``: a high coverage is not simply good. A ``neither`` indicator is
never coloured good or bad, only high or low.

``indicator_frame(store, codes, alternative, horizon)`` computes every indicator for a set
of kommuner in a handful of SQL queries (all 357 kommuner at once), not one page pipeline
per kommune. The service figures are the model of ``analysis.services`` and
``analysis.staffing`` with today's coverage («uendret»), evaluated at the horizon only:

- base: users by age band (12003) in the latest KOSTRA year Y where all six band series
  (institution/home × 0–66, 67–79, 80+) have a value; population of 1 January of the latest
  complete year ≤ Y + 1 (07459); årsverk (12292) of the latest year ≤ Y; places (11875) latest year;
- projected users(h) = Σ_band users(band) × pop(band, h) / pop(band, base);
- årsverk(h) = årsverk × weighted(h) / weighted(base), weighted = institution users +
  ``staffing.HOME_WEIGHT`` × home-service users;
- share of 20–66 in care(h) = årsverk(h) / persons 20–66 in h.

Values read straight from a kommune's own (2024) code. A kommune with no complete year on
its own code (values only under codes from before a merger) is computed by
``services.load_base``, which resolves older codes (``tests/test_indicators.py`` checks
both routes give the same numbers). Units: persons, percent (0–100), årsverk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import services as sv
from analysis import staffing as sf
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
                 "KOSTRA-år.", "prosent", 1, NEITHER, (_USERS, _POP), count="users_inst_80",
                 count_label="Brukere institusjon 80+", year="kostra"),
    IndicatorDef("cov_home_80", "Hjemmetjenester 80+", "Mottakere av hjemmetjenester 80 år og "
                 "eldre (12003) i prosent av innbyggere 80+ 1.1. året etter (07459), siste "
                 "KOSTRA-år.", "prosent", 1, NEITHER, (_USERS, _POP), count="users_home_80",
                 count_label="Mottakere hjemmetjenester 80+", year="kostra"),
    IndicatorDef("places_per_1000_80", "Plasser per 1 000 80+", "Disponible "
                 "institusjonsplasser (11875) per 1 000 innbyggere 80 år og eldre (07459).",
                 "per 1 000 innbyggere 80+", 1, NEITHER, (_PLACES, _POP), count="places",
                 count_label="Institusjonsplasser", year="kostra"),
    IndicatorDef("places_gap_h", "Institusjonsbrukere minus plasser",
                 "Framskrevne brukere av institusjonstjenester i framskrivingsåret med dagens "
                 "dekningsgrad, minus dagens disponible plasser (11875), begge i hele tall. "
                 "Positivt: flere "
                 "brukere enn plasser. Alle institusjonsbrukere telles, også korttidsopphold.",
                 "personer", 0, NEITHER, (_USERS, _PLACES, _POP, _PROJ), count="inst_h",
                 count_label="Institusjonsbrukere", year="horizon"),
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
    "Tjenester": ("cov_inst_80", "cov_home_80", "places_per_1000_80", "places_gap_h"),
    "Bemanning": ("aarsverk_per_1000_80", "aarsverk_h", "share_care_h", "support_80_h"),
}

# Count columns of the frame (persons, places, årsverk) with their labels.
COUNT_LABELS = {
    "n80_base": "Innbyggere 80+", "n90_base": "Innbyggere 90+", "n67_h": "Innbyggere 67+",
    "n80_h": "Innbyggere 80+", "users_inst_80": "Brukere institusjon 80+",
    "users_home_80": "Mottakere hjemmetjenester 80+", "places": "Institusjonsplasser",
    "inst_h": "Institusjonsbrukere", "aarsverk": "Årsverk i dag", "aarsverk_h": "Årsverk",
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
_GROUP_SQL = {  # column -> age condition
    "tot": "TRUE", "p0_66": "age <= 66", "p67_79": "age BETWEEN 67 AND 79",
    "p80": "age >= 80", "p90": "age >= 90", "p20_66": "age BETWEEN 20 AND 66",
    "p67": "age >= 67",
}


def _groups_sql() -> str:
    return ", ".join(f"coalesce(sum(persons) FILTER (WHERE {cond}), 0)::DOUBLE AS {col}"
                     for col, cond in _GROUP_SQL.items())


def _population(store, codes: list[str], since: int | None = None) -> pd.DataFrame:
    """Population by region and year (1 January) in the groups of ``_GROUP_SQL``, years ≥
    ``since`` (default: the five latest years in the table). ``has_data``: the year has at
    least one non-missing cell."""
    if since is None:
        last = store.scalar("SELECT max(year) FROM population")
        since = (int(last) - 4) if last is not None else 0
    return store.query(
        f"SELECT region_code, year::INTEGER AS year, {_groups_sql()}, "
        "count(DISTINCT (sex, age)) FILTER (WHERE persons IS NOT NULL) "
        f"= {2 * (sv.MAX_AGE + 1)} AS has_data FROM population "
        "WHERE year >= ? AND region_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
        [since, codes])


def _projection(store, codes: list[str], ptab: str | None, alternative: str,
                years: list[int]) -> pd.DataFrame:
    return store.query(
        f"SELECT region_code, year::INTEGER AS year, {_groups_sql()} FROM projection "
        "WHERE region_code IN (SELECT unnest(?::VARCHAR[])) AND table_id = ? "
        "AND alternative = ? AND year IN (SELECT unnest(?::INTEGER[])) "
        "AND persons IS NOT NULL GROUP BY ALL",
        [codes, ptab or "", alternative, years])


def _kostra(store, codes: list[str]) -> pd.DataFrame:
    """The KOSTRA values the service model needs, on the kommuner's own codes. For 12003
    ``col`` is «group|band» (e.g. «B|F080-120») when the breakdown is exactly age band ×
    service group, else NULL; other tables need an empty breakdown."""
    return store.query(
        "SELECT region_code, table_id, contents_code, year::INTEGER AS year, value, "
        "CASE WHEN table_id = ? AND len(string_split(breakdown, ';')) = 2 THEN "
        "nullif(regexp_extract(breakdown, 'KOKTenesteGrp0000=([^;]+)', 1), '') || '|' || "
        "nullif(regexp_extract(breakdown, 'KOKalder0000=([^;]+)', 1), '') END AS col "
        "FROM kostra WHERE region_code IN (SELECT unnest(?::VARCHAR[])) AND value IS NOT NULL "
        "AND ((table_id = ? AND contents_code = ?) OR (table_id = ? AND contents_code = ? "
        "AND coalesce(breakdown, '') = '') OR (table_id = ? AND contents_code = ? "
        "AND coalesce(breakdown, '') = ''))",
        [sv.T_USERS, codes, sv.T_USERS, sv.C_USERS, sv.T_STAFF, sv.C_AARSVERK, sv.T_PLACES,
         sv.C_PLACES])


def _users_wide(k: pd.DataFrame) -> pd.DataFrame:
    """12003 users as (region_code, year) × «group|band» columns (six of them)."""
    need = [f"{g}|{b.code}" for g in sv.SERVICE_GROUP.values() for b in sv.BANDS_12003]
    u = k[k["col"].isin(need)]
    if u.empty:
        return pd.DataFrame()
    return u.pivot_table(index=["region_code", "year"], columns="col", values="value",
                         aggfunc="first")


def _latest_le(series_by_code: pd.DataFrame, limit: pd.Series | None = None) -> pd.DataFrame:
    """Per region: the latest (year, value) with year ≤ limit[region] (no limit: any year).

    ``series_by_code``: columns region_code, year, value."""
    d = series_by_code
    if limit is not None:
        lim = pd.to_numeric(d["region_code"].map(limit), errors="coerce").to_numpy(dtype=float)
        d = d[d["year"].to_numpy(dtype=float) <= lim]
    d = d.sort_values(["region_code", "year"]).groupby("region_code").tail(1)
    return d.set_index("region_code")[["year", "value"]]


def _bases(store, codes: list[str]) -> pd.DataFrame:
    """Today's service base per kommune (index region_code), read from its own code.

    Columns: kostra_year, pop_year, inst_<band>, home_<band> (users), pop_<band> (persons at
    pop_year), aarsverk, aarsverk_year, langtid, places, places_year, and the 80+ counts.
    Kommuner without a complete year are left out (the caller falls back to load_base).
    """
    k = _kostra(store, codes)
    wide = _users_wide(k)
    need = [f"{g}|{b.code}" for g in ("B", "A") for b in sv.BANDS_12003]
    if wide.empty or any(c not in wide.columns for c in need):
        return pd.DataFrame()
    complete = wide[need].dropna()
    if complete.empty:
        return pd.DataFrame()
    last = complete.reset_index().sort_values("year").groupby("region_code").tail(1) \
        .set_index("region_code")
    out = pd.DataFrame(index=last.index)
    out["kostra_year"] = last["year"].astype(int)
    for b in sv.BANDS_12003:
        out[f"inst_{b.code}"] = last[f"B|{b.code}"].astype(float)
        out[f"home_{b.code}"] = last[f"A|{b.code}"].astype(float)

    def series(table, contents):
        s = k[(k["table_id"] == table) & (k["contents_code"] == contents)]
        return s[["region_code", "year", "value"]]

    aar = _latest_le(series(*_AARSVERK), out["kostra_year"])
    out["aarsverk"] = aar["value"].reindex(out.index)
    out["aarsverk_year"] = aar["year"].reindex(out.index)
    pl = _latest_le(series(*_PLACES))
    out["places"] = pl["value"].reindex(out.index)
    out["places_year"] = pl["year"].reindex(out.index)
    return out


def _base_from_model(store, code: str) -> dict | None:
    """The same base fields from ``services.load_base`` (resolves older kommune codes)."""
    base = sv.load_base(store, code, "kommune")
    if not base.ok:
        return None
    b = base.bands.set_index(["service", "band"])
    row = {"kostra_year": base.kostra_year, "pop_year": base.pop_year,
           "aarsverk": base.aarsverk, "aarsverk_year": base.aarsverk_year,
           "places": base.places, "places_year": base.places_year}
    for band in sv.BANDS_12003:  # the model's 80-89 and 90+ summed back to 12003's 80+
        parts = [x.code for x in sv.BANDS if band.low <= x.low and x.high <= band.high]
        row[f"inst_{band.code}"] = float(sum(b.loc[("institusjon", c), "users"] for c in parts))
        row[f"home_{band.code}"] = float(sum(b.loc[("hjemme", c), "users"] for c in parts))
    return {k: (np.nan if v is None else v) for k, v in row.items()}


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
    pop = _population(store, codes)
    proj = _projection(store, codes, ptab, alternative, sorted({horizon, SIMILARITY_YEAR}))

    # demography: latest observed year per kommune vs the horizon
    obs = pop[pop["has_data"]].sort_values("year").groupby("region_code").tail(1) \
        .set_index("region_code")
    obs = obs.reindex(codes)
    out["base_year"] = obs["year"]
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

    # services: today's base, then the unchanged-coverage model at the horizon
    bases = _bases(store, codes)
    if len(bases):
        # population of 1 January of the latest complete year ≤ KOSTRA year + 1 (as load_base)
        lim = bases["kostra_year"] + 1
        p = pop[pop["has_data"]]
        p = p.assign(lim=p["region_code"].map(lim))
        p = p[p["lim"].notna() & (p["year"] <= p["lim"])]
        p = p.sort_values("year").groupby("region_code").tail(1).set_index("region_code")
        bases["pop_year"] = p["year"].reindex(bases.index)
        for b, col in zip(sv.BANDS_12003, ("p0_66", "p67_79", "p80")):
            bases[f"pop_{b.code}"] = p[col].reindex(bases.index)
    missing = [c for c in codes if c not in bases.index or pd.isna(bases.loc[c, "pop_year"])
               ] if len(bases) else codes
    extra = {c: _base_from_model(store, c) for c in missing}
    extra = {c: r for c, r in extra.items() if r is not None}
    if extra:
        add = pd.DataFrame.from_dict(extra, orient="index")
        pop_by = pop.set_index(["region_code", "year"])
        for b, col in zip(sv.BANDS_12003, ("p0_66", "p67_79", "p80")):
            add[f"pop_{b.code}"] = [pop_by[col].get((c, int(y)), np.nan)
                                    for c, y in zip(add.index, add["pop_year"])]
        bases = add if bases.empty else pd.concat([bases.drop(index=list(add.index),
                                                              errors="ignore"), add])
    bases = bases.reindex(codes) if len(bases) else pd.DataFrame(index=codes)
    _services(out, bases, h)
    return out


def _services(out: pd.DataFrame, bases: pd.DataFrame, h: pd.DataFrame) -> None:
    """Fill the service indicators of ``out`` from ``bases`` and the horizon population."""
    cols = ["kostra_year", "users_inst_80", "users_home_80", "cov_inst_80", "cov_home_80",
            "places", "places_per_1000_80", "aarsverk", "aarsverk_per_1000_80", "inst_h",
            "places_gap_h", "aarsverk_h", "share_care_h"]
    if "kostra_year" not in bases:
        for c in cols:
            out[c] = np.nan
        return
    band_pop_h = np.column_stack([h["p0_66"], h["p67_79"], h["p80"]]).astype(float)
    band_pop_0 = bases[[f"pop_{b.code}" for b in sv.BANDS_12003]].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(band_pop_0 > 0, band_pop_h / band_pop_0, 0.0)
    growth[np.isnan(band_pop_h).any(axis=1)] = np.nan  # no projection: no projected figure
    inst = bases[[f"inst_{b.code}" for b in sv.BANDS_12003]].to_numpy(dtype=float)
    home = bases[[f"home_{b.code}" for b in sv.BANDS_12003]].to_numpy(dtype=float)
    inst_h, home_h = (inst * growth).sum(axis=1), (home * growth).sum(axis=1)
    inst_h[np.isnan(growth).any(axis=1) | np.isnan(inst).any(axis=1)] = np.nan
    home_h[np.isnan(growth).any(axis=1) | np.isnan(home).any(axis=1)] = np.nan
    w0 = inst.sum(axis=1) + sf.HOME_WEIGHT * home.sum(axis=1)
    wh = inst_h + sf.HOME_WEIGHT * home_h
    aarsverk = bases["aarsverk"].to_numpy(dtype=float)
    pop80 = bases[f"pop_{sv.BANDS_12003[-1].code}"].to_numpy(dtype=float)
    out["kostra_year"] = bases["kostra_year"]
    out["users_inst_80"], out["users_home_80"] = inst[:, -1], home[:, -1]
    out["cov_inst_80"] = _ratio(inst[:, -1], pop80, 100)
    out["cov_home_80"] = _ratio(home[:, -1], pop80, 100)
    out["places"] = bases["places"].to_numpy(dtype=float)
    out["places_per_1000_80"] = _ratio(out["places"], pop80, 1000)
    out["aarsverk"] = aarsverk
    out["aarsverk_per_1000_80"] = _ratio(aarsverk, pop80, 1000)
    out["inst_h"] = inst_h
    # the difference of the two figures as shown (whole persons and places)
    out["places_gap_h"] = np.round(inst_h) - np.round(out["places"].to_numpy(dtype=float))
    out["aarsverk_h"] = aarsverk * _ratio(wh, w0)
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
