"""Service need toward 2050: today's coverage by age band × projected population.

Model (the "Metode" text in ``analysis.method`` states the same in bokmål):

- coverage(s, a) = users(s, a) / population(a), with users from KOSTRA 12003 (brukere per
  31.12 of the latest KOSTRA year Y, by age band and service group) and population from
  07459 on 1 January Y+1 (= 31 December Y). Age bands are those of 12003: 0–66, 67–79, 80+
  (12003 has no 90+ band; 11645 is not in the store).
- projected users(s, t) = Σ_a coverage(s, a) × pop(a, t) for every SSB alternative;
  computed as users(s, a) × pop(a, t) / pop(a, base) so the base year reproduces today
  exactly.
- scenario factors (see ``Scenario``) change coverage per year, shift age-specific rates
  to older ages (healthier ageing), and move institution users to home services.

Services: ``institusjon`` (all users of institution services, 12003 group B),
``langtid`` (long-term residents in institution by age, 11645 TenesteType 21; cells SSB
suppresses are estimated from the total, see ``fill_suppressed``), ``hjemme`` (home
services, 12003 group A).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from data_sources.store import Store

from . import kostra
from .format import fmt_int
from .report import memo

TARGET_YEAR = 2050
MAX_AGE = 105  # 105 = 105 år og eldre

# Years of a region's population history that hold every age (0..105) for both sexes: a
# partial import (e.g. a file with ages 80–104 only) is stored but is not an observed year.
COMPLETE_YEARS = ("SELECT year FROM population WHERE region_code = ? AND year <= ? "
                  "AND persons IS NOT NULL GROUP BY year "
                  f"HAVING count(DISTINCT (sex, age)) = {2 * (MAX_AGE + 1)}")


@dataclass(frozen=True)
class AgeBand:
    code: str  # KOSTRA KOKalder0000 code
    low: int
    high: int  # inclusive; MAX_AGE for the open top band
    label: str


# The model's age bands. 90+ is its own band because it grows fastest.
BANDS: tuple[AgeBand, ...] = (
    AgeBand("F000-066", 0, 66, "0–66 år"),
    AgeBand("F067-079", 67, 79, "67–79 år"),
    AgeBand("F080-089", 80, 89, "80–89 år"),
    AgeBand("F090-120", 90, MAX_AGE, "90 år og over"),
)
# KOSTRA 12003's bands (KOKalder0000): its 80+ is split into the model's 80–89 and 90+ in
# proportion to the population, i.e. with the same coverage in both (12003 has no 90+).
BANDS_12003: tuple[AgeBand, ...] = (
    AgeBand("F000-066", 0, 66, "0–66 år"),
    AgeBand("F067-079", 67, 79, "67–79 år"),
    AgeBand("F080-120", 80, MAX_AGE, "80 år og over"),
)

SERVICE_LABELS = {
    "institusjon": "Brukere av institusjonstjenester",
    "langtid": "Beboere med langtidsopphold",
    "korttid": "Beboere med korttidsopphold",
    "bolig": "Beboere i bolig med heldøgns bemanning",
    "heldogn": "Heldøgns omsorg (langtidsopphold og bolig med heldøgns bemanning)",
    "hjemme": "Mottakere av hjemmetjenester",
}
SERVICE_SHORT = {"institusjon": "Institusjon", "langtid": "Langtidsopphold",
                 "korttid": "Korttidsopphold", "bolig": "Bolig med heldøgns bemanning",
                 "heldogn": "Heldøgns omsorg", "hjemme": "Hjemmetjenester"}
# «Heldøgns omsorg» as Norwegian planning counts it: long-term institution + housing with
# 24-hour staffing (a derived service: the sum of the two projections).
HELDOGN = ("langtid", "bolig")
# 12292 counts without an age split, and the service whose age profile they are given
# (stated in Metode as our assumption).
AGE_PROFILE_OF = {"korttid": ("KOSkorttid0000", "langtid"),
                  "bolig": ("KOSbialthelsum0000", "hjemme")}
# Occupancy assumed when long-term and short-term residents are turned into places needed
# (our assumption, stated; KOSTRA 12293 «belegg» is not fetched).
OCCUPANCY = 0.95
# Regions with fewer inhabitants get coverage from the average of the last SMOOTH_YEARS
# KOSTRA years by default: a few users more or less in one year would swing the projection.
SMALL_POPULATION = 5000
SMOOTH_YEARS = 3
SERVICE_GROUP = {"hjemme": "A", "institusjon": "B"}  # 12003 KOKTenesteGrp0000

T_USERS = "12003"
C_USERS = "KOSomsorgantbruk0000"
T_STAFF = "12292"
C_AARSVERK = "KOSaarsverkbruke0000"
T_PLACES = "11875"
C_PLACES = "KOSinstdispplass0000"
T_LONGTERM = "11645"  # users by finer age and service type; TenesteType 21 = langtidsopphold
C_LONGTERM = "Brukere1"
LONGTERM_TYPE = "21"
# 11645's age cells: (low, high) ages and the model band they belong to
LONGTERM_AGES = {"00-49": (0, 49, "F000-066"), "50-66": (50, 66, "F000-066"),
                 "67-79": (67, 79, "F067-079"), "80-89": (80, 89, "F080-089"),
                 "90+": (90, MAX_AGE, "F090-120")}


def fill_suppressed(cells: dict[str, float | None], total: float,
                    cell_pop: dict[str, float]) -> tuple[dict[str, float], list[str]]:
    """Age cells with SSB's suppressed ones (None) estimated from the total.

    Known cells keep SSB's value; the remainder ``total − Σ known`` (never below 0) is shared
    among the suppressed cells in proportion to their population (equally when it is 0).
    Returns the cells and the codes that were estimated.
    """
    known = {k: v for k, v in cells.items() if v is not None}
    hidden = [k for k, v in cells.items() if v is None]
    out = {k: float(v) for k, v in known.items()}
    if hidden:
        rest = max(total - sum(known.values()), 0.0)
        w = np.array([max(cell_pop.get(k, 0.0), 0.0) for k in hidden])
        w = w / w.sum() if w.sum() > 0 else np.full(len(hidden), 1.0 / len(hidden))
        out |= {k: float(rest * x) for k, x in zip(hidden, w)}
    return out, hidden


def longterm_users(reader: kostra.Reader, code: str, year: int,
                   pop_by_age: np.ndarray) -> tuple[dict[str, float] | None, str | None]:
    """Long-term institution residents per model band in ``year`` from 11645 (TenesteType 21).

    ``pop_by_age``: persons by single-year age 0..105 (for sharing suppressed cells). Returns
    ({band code: persons}, note) or (None, note) when 11645 has no total for the year.
    """
    def cell(age: str):
        rows = reader.rows(code, T_LONGTERM, C_LONGTERM,
                           {"TenesteType": LONGTERM_TYPE, "Alder": age}, True, [year])
        return rows[0][1] if rows else None

    total = cell("Ialt")
    if total is None:
        return None, f"Langtidsopphold etter alder (tabell 11645) mangler for {year}."
    cells = {a: cell(a) for a in LONGTERM_AGES}
    cell_pop = {a: float(pop_by_age[lo:hi + 1].sum()) for a, (lo, hi, _) in LONGTERM_AGES.items()}
    filled, hidden = fill_suppressed(cells, float(total), cell_pop)
    bands = {b.code: 0.0 for b in BANDS}
    for a, (_, _, band) in LONGTERM_AGES.items():
        bands[band] += filled[a]
    note = None
    if hidden:
        note = (f"Tabell 11645 skjuler små tall for {', '.join(hidden)} år i {year}; de er "
                f"anslått som differansen mot totalen ({fmt_int(total)}), fordelt etter "
                "folketallet i gruppene.")
    elif sum(filled.values()) != total:
        note = (f"Aldersgruppene i tabell 11645 summerer til {fmt_int(sum(filled.values()))} "
                f"langtidsbeboere i {year}, totalen er {fmt_int(total)} (SSB runder av små "
                "tall); modellen bruker aldersgruppene.")
    return bands, note


OWN_LABEL = "kommunens egne tall"
# Services whose users a planner can type in (the «Kommunens egne tall» form and the link).
OWN_SERVICES = ("langtid", "korttid", "bolig", "hjemme")


@dataclass(frozen=True)
class OwnNumbers:
    """Today's figures from the kommune's own systems, typed by the planner; each replaces
    the KOSTRA figure in the model (None = keep KOSTRA). ``users``: ((service, persons), ...)
    for services in ``SERVICE_LABELS``; ``places``: institution places; ``aarsverk``:
    årsverk i brukerrettede tjenester; ``plan``: ((year, places added, negative = closed),
    ...) from the økonomiplan. Tuples, not dicts, so they can key a cache."""
    users: tuple[tuple[str, float], ...] = ()
    places: float | None = None
    aarsverk: float | None = None
    plan: tuple[tuple[int, float], ...] = ()

    @property
    def empty(self) -> bool:
        """No figure replaces KOSTRA (a plan alone does not)."""
        return not self.users and self.places is None and self.aarsverk is None


@dataclass(frozen=True)
class Scenario:
    """Scenario settings; all zero = "uendret" (today's coverage and productivity).

    institution_change, home_change: % change in coverage per year (compound).
    healthy_years: years by which age-specific rates have moved to older ages by 2050
    (phased in linearly from the base year). productivity: % change per year in users
    served per årsverk. shift_to_home: % of institution users served at home instead by
    2050 (phased in linearly). family_care: % of the users aged 67 and over whose care the
    family takes over by 2050 (negative: hands back to the kommune; phased in linearly).
    """
    institution_change: float = 0.0
    home_change: float = 0.0
    healthy_years: float = 0.0
    productivity: float = 0.0
    shift_to_home: float = 0.0
    standard: float = 0.0  # % change per year in årsverk per user (SSB HELSEMOD: +0.5)
    family_care: float = 0.0
    # The kommune's own numbers and økonomiplan (they replace KOSTRA; not a lever).
    own: OwnNumbers = OwnNumbers()

    def levers(self) -> dict[str, float]:
        """The lever settings only (what «scenario uendret» and the scenario text describe)."""
        return {k: getattr(self, k) for k in LEVERS}

    @property
    def unchanged(self) -> bool:
        """All levers at 0 (the kommune's own numbers are a base, not a lever)."""
        return all(v == 0 for v in self.levers().values())


LEVERS = ("institution_change", "home_change", "healthy_years", "productivity",
          "shift_to_home", "standard", "family_care")
UNCHANGED = Scenario()


@dataclass
class ServiceBase:
    """Today's users by service and age band, for one region.

    ``bands``: rows (service, band, label, users, population, coverage) — users in persons,
    population in persons (1 January after the KOSTRA year), coverage as a fraction.
    ``aarsverk``: årsverk i brukerrettede tjenester (12292) in ``aarsverk_year``.
    ``places``: institution places (11875) in ``places_year``. ``notes``: bokmål notes.
    """
    region_code: str
    kostra_code: str
    kostra_year: int | None = None
    pop_year: int | None = None
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    aarsverk: float | None = None
    aarsverk_year: int | None = None
    places: float | None = None
    places_year: int | None = None
    langtid: float | None = None
    notes: list[str] = field(default_factory=list)
    smoothed_years: list[int] = field(default_factory=list)  # KOSTRA years averaged
    own: list[str] = field(default_factory=list)  # what the kommune's own numbers replaced

    @property
    def ok(self) -> bool:
        return self.kostra_year is not None and self.pop_year is not None and len(self.bands) > 0

    def users(self, service: str) -> float:
        """Today's users of a service (sum over bands, persons)."""
        users = self.bands["users"].to_numpy(dtype=float)
        return float(np.nansum(users[self.bands["service"].to_numpy(dtype=object) == service]))

    @property
    def services(self) -> list[str]:
        return list(dict.fromkeys(self.bands["service"])) if len(self.bands) else []


def split_12003(users: list[float], band_pop: np.ndarray) -> np.ndarray:
    """Users per model band from 12003's three bands (0–66, 67–79, 80+): 80+ is shared
    between 80–89 and 90+ by population (equally when both are 0)."""
    p80, p90 = float(band_pop[2]), float(band_pop[3])
    u80 = users[2] * p80 / (p80 + p90) if p80 + p90 > 0 else users[2] / 2
    return np.array([users[0], users[1], u80, users[2] - u80])


def band_population(pop: pd.Series) -> np.ndarray:
    """Persons per band from a Series indexed by single-year age (0..105)."""
    return band_weights(0.0) @ _age_vector(pop)


def _age_vector(pop: pd.Series) -> np.ndarray:
    return pop.reindex(range(MAX_AGE + 1), fill_value=0.0).to_numpy(dtype=float)


def band_weights(shift: float, bands: tuple[AgeBand, ...] = BANDS) -> np.ndarray:
    """Weights W (n_bands × 106): rate(age) = Σ_b W[b, age] · coverage(b).

    With ``shift`` s ≥ 0 (healthier ageing) a person aged x gets the rate of age x − s
    today (linear interpolation between whole years); ages below 0 take the rate of age 0.
    Each column sums to 1; shift 0 gives plain band membership.
    """
    ages = np.arange(MAX_AGE + 1)
    k = int(np.floor(shift))
    f = shift - k
    w = np.zeros((len(bands), MAX_AGE + 1))
    for weight, lag in ((1.0 - f, k), (f, k + 1)):
        if weight == 0.0:
            continue
        src = np.clip(ages - lag, 0, MAX_AGE)
        for i, b in enumerate(bands):
            w[i] += weight * ((src >= b.low) & (src <= b.high))
    return w


def _value(reader: kostra.Reader, code: str, table: str, contents: str, year: int | None = None,
           breakdown: dict | None = None) -> tuple[float | None, int | None, str | None]:
    rows = [r for r in reader.rows(code, table, contents, breakdown, True)
            if year is None or r[0] <= year]
    ok = [r for r in rows if r[1] is not None]
    if not ok:
        notes = [r[3] for r in rows if r[3]]
        return None, None, (notes[-1] if notes else None)
    y, v, _, note, _ = ok[-1]
    return float(v), int(y), note


def _complete(store: Store, region_code: str) -> dict[int, float | None]:
    """The region's complete population years (``kostra.complete_years``)."""
    return kostra.complete_years(store, [region_code])[region_code]


def _ages_by_year(store: Store, region_code: str) -> dict[int, np.ndarray]:
    """Persons by single-year age 0..105 (both sexes) in every complete year of the region,
    in one query; use through ``memo`` (today's base and the population frame share it)."""
    years = sorted(_complete(store, region_code))
    if not years:
        return {}
    got = store.cursor().execute(  # every year (cheaper than a year filter), kept below
        "SELECT year, age, sum(persons) AS p FROM population WHERE region_code = ? "
        "GROUP BY ALL", [region_code]).fetchnumpy()
    mat = np.zeros((len(years), MAX_AGE + 1))
    ages, year = np.asarray(got["age"], int), np.asarray(got["year"], int)
    keep = (ages >= 0) & (ages <= MAX_AGE) & np.isin(year, years)
    mat[np.searchsorted(years, year[keep]), ages[keep]] = np.asarray(got["p"], float)[keep]
    return dict(zip(years, mat))


def _population_by_age(store: Store, region_code: str, year: int) -> np.ndarray | None:
    """Persons by single-year age 0..105 on 1 January ``year`` (None if not a complete year)."""
    return memo(store, _ages_by_year, region_code).get(year)


def _bands_for_year(reader: kostra.Reader, code: str, region_code: str, year: int,
                    users: dict, by_age: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """Users per service and model band in KOSTRA ``year`` with the population ``by_age``
    (1 January the year after): rows (service, band, label, users, population), notes."""
    band_pop = band_weights(0.0) @ by_age
    notes: list[str] = []
    rows = []
    for service in SERVICE_GROUP:
        u = split_12003([float(users[(service, b.code)][year][1]) for b in BANDS_12003],
                        band_pop)
        rows += [(service, b.code, b.label, u[i], band_pop[i]) for i, b in enumerate(BANDS)]
    lt, note = longterm_users(reader, code, year, by_age)
    if lt is None and region_code != code:  # 11645 may use plain region codes (18, 0)
        lt, note = longterm_users(reader, region_code, year, by_age)
    if lt is not None:
        rows += [("langtid", b.code, b.label, lt[b.code], band_pop[i])
                 for i, b in enumerate(BANDS)]
        if note:
            notes.append(note)
    else:
        notes.append(f"{note} Tjenesten langtidsopphold er utelatt.")
    for service, (contents, like) in AGE_PROFILE_OF.items():
        v, vy, vnote = _value(reader, code, T_STAFF, contents, year)
        profile = [r for r in rows if r[0] == like]
        total = np.array([r[3] for r in profile], dtype=float).sum()
        if v is None or vy != year or total <= 0:
            notes.append(f"{SERVICE_LABELS[service]} (tabell 12292) mangler for {year}; "
                         "tjenesten er utelatt." + (f" {vnote}" if vnote else ""))
            continue
        rows += [(service, b, label, v * (u / float(total)), p)
                 for _, b, label, u, p in profile]
    return pd.DataFrame(rows, columns=["service", "band", "label", "users", "population"]), notes


def load_base(store: Store, region_code: str, level: str,
              smooth: bool | None = None) -> ServiceBase:
    """Today's base for ``region_code`` (store code; mapped to KOSTRA codes as needed).

    ``smooth``: coverage from the average of the last ``SMOOTH_YEARS`` KOSTRA years
    (Σ users / Σ population per service and band, times today's population); None = only
    for regions with fewer than ``SMALL_POPULATION`` inhabitants, False = one year.
    """
    code = kostra.kostra_code(region_code, level)
    base = ServiceBase(region_code, code)
    reader = memo(store, kostra.region_reader, tuple(sorted({code, region_code})))
    users: dict[tuple[str, str], dict[int, tuple]] = {}
    for service, grp in SERVICE_GROUP.items():
        for band in BANDS_12003:
            users[(service, band.code)] = {r[0]: r for r in reader.rows(
                code, T_USERS, C_USERS, {"KOKalder0000": band.code, "KOKTenesteGrp0000": grp})}
    years = None
    for s in users.values():
        ok = {y for y, r in s.items() if r[1] is not None}
        years = ok if years is None else years & ok
    if not years:
        notes = {r[3] for s in users.values() for r in s.values() if r[3]}
        base.notes.append("Mangler brukertall etter alder (KOSTRA 12003) for regionen."
                          + (" " + " ".join(sorted(notes)[:2]) if notes else ""))
        return base
    year = max(years)
    base.kostra_year = year
    pop_year = max((y for y in _complete(store, region_code) if y <= year + 1), default=None)
    if pop_year is None:
        base.notes.append("Mangler befolkningstall (07459) for regionen.")
        return base
    base.pop_year = int(pop_year)
    if base.pop_year != year + 1:
        base.notes.append(f"Befolkningen 1.1.{year + 1} mangler; dekningsgrad er regnet mot "
                          f"befolkningen 1.1.{base.pop_year}.")
    by_age = _population_by_age(store, region_code, base.pop_year)
    bands, notes = _bands_for_year(reader, code, region_code, year, users, by_age)
    base.notes += notes
    if smooth is None:
        smooth = by_age.sum() < SMALL_POPULATION
    if smooth:
        bands = _smoothed(base, bands, reader, code, region_code, users, years, store)

    base.aarsverk, base.aarsverk_year, note = _value(reader, code, T_STAFF, C_AARSVERK, year)
    if base.aarsverk is None:
        base.notes.append("Mangler årsverk i brukerrettede tjenester (KOSTRA 12292)."
                          + (f" {note}" if note else ""))
    elif base.aarsverk_year != year:
        base.notes.append(f"Årsverk er fra {base.aarsverk_year}, brukertall fra {year}.")
    bands["coverage"] = np.where(bands["population"] > 0,
                                 bands["users"] / bands["population"].where(bands["population"] > 0, 1),
                                 np.nan)
    base.bands = bands
    lt = bands.loc[bands["service"] == "langtid", "users"]
    base.langtid = float(lt.sum()) if len(lt) else None
    base.places, base.places_year, note = _value(reader, code, T_PLACES, C_PLACES)
    if base.places is None:
        base.notes.append("Mangler institusjonsplasser (KOSTRA 11875)."
                          + (f" {note}" if note else ""))
    return base


def _smoothed(base: ServiceBase, bands: pd.DataFrame, reader, code, region_code, users,
              years: set[int], store: Store) -> pd.DataFrame:
    """``bands`` with users = (Σ users / Σ population over the last SMOOTH_YEARS KOSTRA
    years) × today's population, per service and band; the years used go to
    ``base.smoothed_years`` and a note. Services missing in an earlier year keep today's."""
    frames = [bands.assign(y=base.kostra_year)]
    for y in range(base.kostra_year - SMOOTH_YEARS + 1, base.kostra_year):
        by_age = _population_by_age(store, region_code, y + 1)
        if y not in years or by_age is None:
            continue
        b, _ = _bands_for_year(reader, code, region_code, y, users, by_age)
        frames.append(b.assign(y=y))
    if len(frames) == 1:
        return bands
    allb = pd.concat(frames, ignore_index=True)
    sums = allb.groupby(["service", "band"])[["users", "population"]].sum()
    cov = (sums["users"] / sums["population"].where(sums["population"] > 0)).fillna(0.0)
    out = bands.copy()
    cov = cov.to_dict()
    out["users"] = [float(cov[(s, b)]) * p for s, b, p in
                    zip(out["service"], out["band"], out["population"])]
    used = sorted(set(allb["y"]))
    base.smoothed_years = used
    base.notes.append(
        f"Dekningsgraden er gjennomsnittet for {used[0]}–{used[-1]} (summen av brukere delt "
        f"på summen av innbyggere), fordi regionen har under {fmt_int(SMALL_POPULATION)} "
        "innbyggere og ett år med få brukere gir store tilfeldige utslag. Dagens antall "
        "brukere i modellen er derfor dekningsgraden × innbyggerne i dag, ikke KOSTRA-tallet "
        f"for {base.kostra_year}.")
    return out


def population_frame(store: Store, region_code: str, base_year: int,
                     projection_table: str | None = None,
                     end_year: int = TARGET_YEAR) -> pd.DataFrame:
    """Population by (alternative, year) × age 0..105 (persons, both sexes).

    The base year — and any year between it and the projection's first year — comes from
    the history (07459, complete years only, the same for every alternative); later years
    from the projection (all alternatives of ``projection_table``, default the newest
    round in the store). So the series has no gap when the KOSTRA base year is behind the
    projection's start. Aggregated in DuckDB.
    """
    if projection_table is None:
        projection_table = store.scalar(
            "SELECT table_id FROM sources WHERE kind = 'projection' "
            "ORDER BY round DESC NULLS LAST, table_id DESC LIMIT 1") \
            or store.scalar("SELECT max(table_id) FROM projection")
    cur = store.cursor()
    proj = cur.execute("SELECT alternative, year, age, sum(persons) AS p FROM projection "
                       "WHERE region_code = ? AND table_id = ? AND year > ? AND year <= ? "
                       "GROUP BY ALL", [region_code, projection_table, base_year,
                                        end_year]).fetchnumpy()
    alts = sorted(set(proj["alternative"].tolist())) if len(proj["alternative"]) else []
    first_proj = int(np.min(proj["year"])) if alts else base_year + 1
    by_age = memo(store, _ages_by_year, region_code)
    hist_years = [y for y in range(base_year, first_proj) if y in by_age]
    if base_year not in hist_years or not alts:
        return pd.DataFrame(columns=range(MAX_AGE + 1),
                            index=pd.MultiIndex.from_tuples([], names=["alternative", "year"]))
    hist_mat = np.vstack([by_age[y] for y in hist_years])
    years = sorted(set(np.asarray(proj["year"], int).tolist()))
    # rows alternative-major, each alternative's history years then its projection years
    per_alt = len(hist_years) + len(years)
    mat = np.zeros((len(alts) * per_alt, MAX_AGE + 1))
    for i in range(len(alts)):
        mat[i * per_alt:i * per_alt + len(hist_years)] = hist_mat
    codes, uniques = pd.factorize(np.asarray(proj["alternative"], dtype=object))
    a_idx = np.array([alts.index(u) for u in uniques], dtype=int)[codes]
    y_idx = np.searchsorted(np.asarray(years), np.asarray(proj["year"], int))
    rows = a_idx * per_alt + len(hist_years) + y_idx
    ages, persons = np.asarray(proj["age"], int), np.asarray(proj["p"], float)
    if len(ages) and (ages.min() < 0 or ages.max() > MAX_AGE):
        np.add.at(mat, (rows, np.clip(ages, 0, MAX_AGE)), persons)  # open ages: summed
    else:
        mat[rows, ages] = persons  # one row per (alternative, year, age) from GROUP BY
    idx = pd.MultiIndex.from_arrays(
        [np.repeat(np.array(alts, dtype=object), per_alt),
         np.tile(np.array(hist_years + years, dtype=np.int64), len(alts))],
        names=["alternative", "year"])
    return pd.DataFrame(mat, index=idx, columns=range(MAX_AGE + 1))


def _phase(years: np.ndarray, base_year: int, target: int = TARGET_YEAR) -> np.ndarray:
    """0 in the base year rising linearly to 1 in ``target`` (capped at 1)."""
    span = max(target - base_year, 1)
    return np.clip((years - base_year) / span, 0.0, 1.0)


def project_users(base_bands: pd.DataFrame, pop: pd.DataFrame, base_year: int,
                  scenario: Scenario = UNCHANGED) -> pd.DataFrame:
    """Projected users per (alternative, year) and service.

    ``base_bands``: rows (service, band, users) for the base year; ``pop``: output of
    ``population_frame`` (index (alternative, year), columns ages 0..105, the base year
    included). Returns a long frame: alternative, year, service, users (persons), and
    ``moved`` (institution users served at home instead; persons, only for 'hjemme').
    """
    if pop.empty or base_bands.empty:
        return pd.DataFrame(columns=["alternative", "year", "service", "users", "moved"])
    band_codes = [b.code for b in BANDS]
    mat = pop.to_numpy(dtype=float)
    alts = pop.index.get_level_values("alternative").to_numpy()
    years = pop.index.get_level_values("year").to_numpy().astype(int)
    base_rows = years == base_year
    if not base_rows.any():
        raise ValueError(f"befolkningen for basisåret {base_year} mangler")
    phase = _phase(years, base_year)
    eff = np.empty((len(years), len(BANDS)))
    for y in np.unique(years):
        sel = years == y
        shift = scenario.healthy_years * float(phase[sel][0])
        eff[sel] = mat[sel] @ band_weights(shift).T
    base_pop = eff[base_rows][0]  # same computation as every row: ratio exactly 1 in base
    dt = (years - base_year).astype(float)
    growth = np.divide(eff, base_pop, out=np.zeros_like(eff), where=base_pop > 0)
    if scenario.family_care:  # the family takes over a share of the 67+ users' care
        old = np.array([b.low >= 67 for b in BANDS])
        growth = growth * np.where(old, 1.0 - scenario.family_care / 100.0 * phase[:, None],
                                   1.0)
    out = {}
    b_service = base_bands["service"].to_numpy(dtype=object)
    b_band = base_bands["band"].to_numpy(dtype=object)
    b_users = base_bands["users"].to_numpy(dtype=float)
    for service in dict.fromkeys(b_service):
        u = np.zeros(len(band_codes))  # users per model band (0 for a band not given)
        for band, v in zip(b_band[b_service == service], b_users[b_service == service]):
            if band in band_codes:
                u[band_codes.index(band)] = v
        change = scenario.home_change if service == "hjemme" else scenario.institution_change
        factor = (1.0 + change / 100.0) ** dt
        out[service] = (growth * u).sum(axis=1) * factor
    moved = np.zeros(len(years))
    if "institusjon" in out and scenario.shift_to_home:
        share = scenario.shift_to_home / 100.0 * phase
        moved = out["institusjon"] * share
        if "langtid" in out:
            out["langtid"] = out["langtid"] * (1.0 - share)
        out["institusjon"] = out["institusjon"] - moved
        if "hjemme" in out:
            out["hjemme"] = out["hjemme"] + moved
    if all(s in out for s in HELDOGN):
        out["heldogn"] = sum(out[s] for s in HELDOGN)
    n = len(years)
    return pd.DataFrame({
        "alternative": np.tile(alts, len(out)), "year": np.tile(years, len(out)),
        "service": np.repeat(np.array(list(out), dtype=object), n),
        "users": np.concatenate(list(out.values())),
        "moved": np.concatenate([moved if s == "hjemme" else np.zeros(n) for s in out])})


def place_need(proj: pd.DataFrame, alternative: str,
               occupancy: float = OCCUPANCY) -> pd.Series:
    """Institution places needed per year: (long-term + short-term residents) / occupancy.

    Residents are counted on 31.12 (KOSTRA); ``occupancy`` is the share of places in use
    (0–1). Long-term residents alone when short-term stays are not in the projection.
    Empty when there are no long-term residents.
    """
    service = proj["service"].to_numpy(dtype=object)
    keep = (proj["alternative"].to_numpy(dtype=object) == alternative) & \
        ((service == "langtid") | (service == "korttid"))
    if not (keep & (service == "langtid")).any():
        return pd.Series(dtype=float)
    years = proj["year"].to_numpy()[keep]
    users = proj["users"].to_numpy(dtype=float)[keep]
    sums: dict = {}
    for y, u in zip(years.tolist(), users.tolist()):  # as groupby().sum(): NaN skipped
        sums[y] = sums.get(y, 0.0) + u if u == u else sums.get(y, 0.0)
    idx = sorted(sums)
    return pd.Series([sums[y] for y in idx], index=pd.Index(idx, dtype=years.dtype, name="year"),
                     name="users", dtype=float) / occupancy


def with_range(proj: pd.DataFrame, alternative: str, value: str = "users",
               keys: tuple[str, ...] = ("service",)) -> pd.DataFrame:
    """The chosen alternative's values with ``low``/``high`` = min/max over all alternatives
    (NaN skipped), sorted by year and ``keys``."""
    k = ["year", *keys]
    cols = [proj[c].to_numpy(dtype=object if c != "year" else None) for c in k]
    vals = proj[value].to_numpy(dtype=float)
    # one integer per (year, keys) group; min/max per group with NaN left out
    group = np.zeros(len(proj), dtype=np.int64)
    for c in cols:
        codes, uniques = pd.factorize(c)
        group = group * max(len(uniques), 1) + codes
    ids, group = np.unique(group, return_inverse=True)
    lo = np.full(len(ids), np.inf)
    hi = np.full(len(ids), -np.inf)
    nan = np.isnan(vals)
    np.minimum.at(lo, group[~nan], vals[~nan])
    np.maximum.at(hi, group[~nan], vals[~nan])
    seen = np.zeros(len(ids), dtype=bool)
    seen[group[~nan]] = True
    lo[~seen] = hi[~seen] = np.nan
    rows = np.flatnonzero(proj["alternative"].to_numpy(dtype=object) == alternative)
    rows = rows[np.lexsort([c[rows] for c in reversed(cols)])] if len(rows) else rows
    out = proj.iloc[rows][k + [value]].reset_index(drop=True)
    out["low"] = lo[group[rows]]
    out["high"] = hi[group[rows]]
    return out


@dataclass(frozen=True)
class Capacity:
    """Places today vs projected need, in whole places as shown.

    Need and places are rounded once to whole numbers; ``gaps`` = rounded need − rounded
    places (so a gap shown is the difference of the figures shown) and
    ``first_year_over`` is the first year the rounded need exceeds the rounded places
    (None if never up to the last year; the base year when already today).
    """
    places: float | None
    first_year_over: int | None
    gaps: dict[int, int]
    need: dict[int, int] = field(default_factory=dict)


def capacity(places: float | None, need: pd.Series,
             years: tuple[int, ...] = (2030, 2040, 2050)) -> Capacity:
    """``need``: projected places needed indexed by year (unrounded)."""
    if places is None or need.empty:
        return Capacity(places, None, {})
    shown = need.sort_index().round().astype(int)
    cap = int(round(places))
    over = shown[shown > cap]
    first = int(over.index[0]) if len(over) else None
    need_at = {int(y): int(shown.loc[y]) for y in years if y in shown.index}
    return Capacity(places, first, {y: n - cap for y, n in need_at.items()}, need_at)


# -- the kommune's own numbers and planned capacity ------------------------------------------
def with_own_numbers(base: ServiceBase, own: OwnNumbers) -> ServiceBase:
    """A copy of ``base`` with the kommune's own numbers in place of KOSTRA's.

    A service's own total keeps KOSTRA's age profile (users per band scaled to the total);
    a service KOSTRA lacks cannot be given an age profile and is left out with a note.
    ``base.own`` lists what was replaced (bokmål), so every view and export can mark it.
    """
    if own.empty:
        return base
    out = replace(base, bands=base.bands.copy(), notes=list(base.notes), own=list(base.own))
    for service, total in own.users:
        sel = out.bands["service"] == service
        have = float(out.bands.loc[sel, "users"].sum())
        label = SERVICE_LABELS.get(service, service)
        if not sel.any() or have <= 0:
            out.notes.append(f"{label}: egne tall ({fmt_int(total)}) kan ikke brukes fordi "
                             "KOSTRA ikke gir en aldersfordeling for tjenesten.")
            continue
        out.bands.loc[sel, "users"] = out.bands.loc[sel, "users"] * (float(total) / have)
        out.own.append(f"{label}: {fmt_int(total)} ({OWN_LABEL}; KOSTRA: {fmt_int(have)})")
    pop = out.bands["population"]
    out.bands["coverage"] = np.where(pop > 0, out.bands["users"] / pop.where(pop > 0, 1), np.nan)
    if own.places is not None:
        out.own.append(f"Institusjonsplasser: {fmt_int(own.places)} ({OWN_LABEL}; KOSTRA: "
                       f"{fmt_int(base.places)})")
        out.places = float(own.places)
    if own.aarsverk is not None:
        out.own.append(f"Årsverk: {fmt_int(own.aarsverk)} ({OWN_LABEL}; KOSTRA: "
                       f"{fmt_int(base.aarsverk)})")
        out.aarsverk = float(own.aarsverk)
    return out


def planned_places(places_today: float, plan: dict[int, float], base_year: int,
                   end_year: int = TARGET_YEAR) -> pd.Series:
    """Places by year from today's places and the økonomiplan's changes ({year: places added,
    negative = closed}, in effect from that year): index base_year..end_year."""
    years = range(base_year, end_year + 1)
    return pd.Series([places_today + sum(v for y, v in plan.items() if y <= t) for t in years],
                     index=list(years), dtype=float)


def capacity_against_plan(need: pd.Series, places: pd.Series,
                          years: tuple[int, ...] = (2030, 2040, 2050)) -> Capacity:
    """Like ``capacity`` but against planned places per year (rounded once, as shown):
    ``first_year_over`` is the first year the rounded need exceeds that year's rounded
    places; ``gaps`` = rounded need − rounded planned places."""
    if need.empty or places.empty:
        return Capacity(None, None, {})
    shown = need.sort_index().round().astype(int)
    cap = places.reindex(shown.index).ffill().bfill().round().astype(int)
    over = shown[shown > cap]
    first = int(over.index[0]) if len(over) else None
    need_at = {int(y): int(shown.loc[y]) for y in years if y in shown.index}
    return Capacity(float(places.iloc[0]), first,
                    {y: n - int(cap.loc[y]) for y, n in need_at.items()}, need_at)
