"""Read KOSTRA figures from the store for a region and its comparison regions.

KOSTRA values sit on the region code valid in their year. This module maps them to the
2024 structure through the store table ``region_changes``:

- renumbered code (one old code → one new code): the old value is used as is;
- merge (several old codes → one new code): *counts* are summed, but only when every part
  has a value; shares/rates are left out (they cannot be summed);
- split (one old code → several new codes, e.g. Ålesund 1507 → 1508 Ålesund + 1580 Haram
  in 2024): no value before the split, with a note.

Suppressed or missing values stay ``None`` with SSB's status symbol and a Norwegian note —
never 0, never guessed.

Region codes: kommune = 4 digits; fylke ``NN`` → ``EKANN``; land ``0`` → ``EAK``;
KOSTRA group ``EKGnn`` (from ``regions.kostra_group``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from data_sources.store import Store

from .demography import CELLS_PER_YEAR
from .report import memo

STATUS_TEXT = {
    ".": "lar seg ikke føre opp (SSB-symbol «.»)",
    "..": "tall mangler (SSB-symbol «..»)",
    "...": "tall foreligger ennå ikke (SSB-symbol «...»)",
    ":": "skjult av personvernhensyn (SSB-symbol «:»)",
}

COLUMNS = ["year", "value", "status", "note", "source_code"]


@dataclass(frozen=True)
class Change:
    old_code: str
    new_code: str
    old_name: str | None
    new_name: str | None
    year: int  # first year of the new structure
    kind: str


@dataclass(frozen=True)
class Comparator:
    role: str  # kommune | kostragruppe | fylke | land
    code: str  # KOSTRA region code (4-digit kommune, EKGnn, EKAnn, EAK)
    label: str


def kostra_code(region_code: str, level: str) -> str:
    """KOSTRA region code of a store region: '0' → 'EAK', fylke '18' → 'EKA18'."""
    if level == "land" or region_code == "0":
        return "EAK"
    if level == "fylke":
        return f"EKA{region_code}"
    return region_code


def _register(store: Store) -> dict[str, list[tuple]]:
    """The ``regions`` table by code: [(name, level, parent_code, kostra_group), ...] per
    code, in the order ``valid_to NULLS FIRST`` (read once per store version)."""
    out: dict[str, list[tuple]] = {}
    for code, *rest in store.cursor().execute(
            "SELECT code, name, level, parent_code, kostra_group FROM regions "
            "ORDER BY valid_to NULLS FIRST").fetchall():
        out.setdefault(code, []).append(tuple(rest))
    return out


def _first(rows: list[tuple], i: int):
    """The first non-null field ``i`` of a code's register rows (None if none)."""
    return next((r[i] for r in rows if r[i] is not None and r[i] == r[i]), None)


def comparators(store: Store, region_code: str, level: str) -> list[Comparator]:
    """The region itself, then its KOSTRA group, fylke and the country (where they apply)."""
    reg = memo(store, _register)
    own = reg.get(region_code, [])
    name = own[0][0] if own else region_code
    out = [Comparator(level, kostra_code(region_code, level), name)]
    if level == "kommune":
        g = _first(own, 3)
        if g is not None:
            g = str(g)
            num = g[3:].lstrip("0") if g.upper().startswith("EKG") else g
            out.append(Comparator("kostragruppe", g if g.startswith("EKG") else f"EKG{int(g):02d}",
                                  f"KOSTRA-gruppe {num}"))
        parent = _first(own, 2)
        fylke = str(parent) if parent is not None else region_code[:2]
        # the fylke's own name only through the region's parent (as the register says)
        prow = reg.get(fylke, []) if parent is not None else []
        out.append(Comparator("fylke", f"EKA{fylke}",
                              prow[0][0] if prow else f"Fylke {fylke}"))
    if level != "land":
        out.append(Comparator("land", "EAK", "Landet"))
    return out


class Changes(list):
    """The register's region changes (a list of ``Change``) with lookups by new code and
    by (old code, year), so resolving a code does not scan every change."""

    def __init__(self, items=()):
        super().__init__(items)
        self.into: dict[str, list[Change]] = {}
        for ch in self:
            self.into.setdefault(ch.new_code, []).append(ch)
        self.fanout = Counter((ch.old_code, ch.year) for ch in self)


def _indexed(changes: list[Change]) -> Changes:
    return changes if isinstance(changes, Changes) else Changes(changes)


def load_changes(store: Store) -> Changes:
    rows = store.cursor().execute(
        "SELECT old_code, new_code, old_name, new_name, year(change_date), kind "
        "FROM region_changes").fetchall()
    return Changes(Change(o, n, on, nn, int(y), (k or "").lower())
                   for o, n, on, nn, y, k in rows)


def _ancestors(code: str, changes: list[Change]) -> set[str]:
    """All codes that (directly or through a chain) became ``code``."""
    into = _indexed(changes).into
    seen, todo = set(), [code]
    while todo:
        for ch in into.get(todo.pop(), ()):
            if ch.old_code not in seen:
                seen.add(ch.old_code)
                todo.append(ch.old_code)
    return seen


def _status_note(status: str | None) -> str:
    if status in STATUS_TEXT:
        return f"Ingen tall: {STATUS_TEXT[status]}."
    return "Ingen tall i statistikken for dette året."


def _resolve(code: str, year: int, raw: dict, changes: list[Change], is_count: bool,
             depth: int = 0) -> tuple[float | None, str | None, str | None, str]:
    """(value, status, note, codes used) for ``code`` in ``year``; see module docstring."""
    value, status = raw.get((code, year), (None, None))
    if value is not None:
        return value, None, None, code
    changes = _indexed(changes)
    preds = [c for c in changes.into.get(code, ()) if year < c.year]
    if not preds or depth > 5:
        return None, status, _status_note(status), code
    splits = [c for c in preds
              if c.kind == "split" or changes.fanout[(c.old_code, c.year)] > 1]
    if splits:
        c = splits[0]
        others = sorted({o.new_name or o.new_code for o in changes
                         if o.old_code == c.old_code and o.year == c.year})
        return None, status, (
            f"Ingen tall før {c.year}: {c.old_name or c.old_code} ({c.old_code}) ble delt i "
            f"{' og '.join(others)} fra {c.year}. Tall fra før delingen kan ikke fordeles "
            "på dagens kommuner."), c.old_code
    if len(preds) == 1:
        v, s, n, used = _resolve(preds[0].old_code, year, raw, changes, is_count, depth + 1)
        return v, s, n, used
    parts = sorted(preds, key=lambda c: c.old_code)
    names = ", ".join(f"{c.old_name or c.old_code} ({c.old_code})" for c in parts)
    if not is_count:
        return None, status, (
            f"Ingen tall før {parts[0].year}: kommunen ble slått sammen av {names}; "
            "andeler kan ikke legges sammen."), "+".join(c.old_code for c in parts)
    results = [_resolve(c.old_code, year, raw, changes, True, depth + 1) for c in parts]
    if any(r[0] is None for r in results):
        return None, None, (
            f"Ingen tall før {parts[0].year}: kommunen ble slått sammen av {names}, og ikke "
            "alle delene har tall for året."), "+".join(c.old_code for c in parts)
    return float(sum(r[0] for r in results)), None, \
        f"Sum av de tidligere kommunene {names}.", "+".join(r[3] for r in results)


def _parse_breakdown(s: str) -> frozenset:
    return frozenset(p for p in (s or "").split(";") if p)


class Reader:
    """All stored KOSTRA rows for some regions (and every code that became them), read
    with one SQL query; ``series`` then resolves codes in memory (fast for many series).
    """

    def __init__(self, store: Store, codes: list[str], table_ids: list[str] | None = None,
                 changes: list[Change] | None = None):
        self.changes = memo(store, load_changes) if changes is None else _indexed(changes)
        wanted = set(codes)
        for c in codes:
            wanted |= _ancestors(c, self.changes)
        # plain IN lists: DuckDB filters them about twice as fast as IN (SELECT unnest(?))
        params: list = sorted(wanted)
        sql = ("SELECT region_code, table_id, contents_code, year, value, status, breakdown "
               f"FROM kostra WHERE region_code IN ({', '.join('?' * len(params))})")
        if table_ids:
            sql += f" AND table_id IN ({', '.join('?' * len(table_ids))})"
            params += list(table_ids)
        rows = store.cursor().execute(sql, params).fetchall() if wanted else []
        self._data: dict[tuple, dict] = {}
        parsed: dict[str, frozenset] = {}
        for code, tab, cc, year, value, status, bd in rows:
            key_bd = parsed.get(bd)
            if key_bd is None:
                key_bd = parsed[bd] = _parse_breakdown(bd)
            self._data.setdefault((tab, cc, key_bd), {})[(code, int(year))] = (
                None if value is None or value != value else float(value),
                None if status is None else str(status))

    def raw(self, table_id: str, contents_code: str, breakdown: dict | None = None) -> dict:
        want = frozenset(f"{k}={v}" for k, v in (breakdown or {}).items())
        return self._data.get((table_id, contents_code, want), {})

    def rows(self, code: str, table_id: str, contents_code: str,
             breakdown: dict[str, str] | None = None, is_count: bool = True,
             years: list[int] | None = None) -> list[tuple]:
        """Rows (year, value, status, note, source_code) as plain tuples."""
        raw = self.raw(table_id, contents_code, breakdown)
        related = {code} | _ancestors(code, self.changes)
        all_years = sorted(set(years) if years is not None else
                           {y for (c, y) in raw if c in related})
        return [(y, *_resolve(code, y, raw, self.changes, is_count)) for y in all_years]

    def series(self, code: str, table_id: str, contents_code: str,
               breakdown: dict[str, str] | None = None, is_count: bool = True,
               years: list[int] | None = None) -> pd.DataFrame:
        """See the module-level ``series``."""
        return pd.DataFrame(self.rows(code, table_id, contents_code, breakdown, is_count, years),
                            columns=COLUMNS)


def read_raw(store: Store, codes: list[str], table_id: str, contents_code: str,
             breakdown: dict[str, str] | None = None) -> pd.DataFrame:
    """Stored rows (region_code, year, value, status) for the codes and one breakdown."""
    df = store.query("SELECT region_code, year, value, status, breakdown FROM kostra "
                     "WHERE table_id = ? AND contents_code = ? AND region_code IN "
                     "(SELECT unnest(?::VARCHAR[]))", [table_id, contents_code, list(codes)])
    want = frozenset(f"{k}={v}" for k, v in (breakdown or {}).items())
    if len(df):
        keep = [_parse_breakdown(b) == want for b in df["breakdown"]]
        df = df[keep]
    return df.drop(columns="breakdown").reset_index(drop=True)


def series(store: Store, code: str, table_id: str, contents_code: str,
           breakdown: dict[str, str] | None = None, is_count: bool = True,
           changes: list[Change] | None = None, years: list[int] | None = None) -> pd.DataFrame:
    """One KOSTRA series for ``code`` (2024 structure), all stored years.

    Returns columns ``year`` (int), ``value`` (float or None; unit as in SSB's table),
    ``status`` (SSB symbol or None), ``note`` (bokmål, None when the value is plain),
    ``source_code`` (the code(s) the value was read from).
    ``is_count``: counts may be summed over merged kommuner; shares/rates may not.
    """
    reader = Reader(store, [code], [table_id], changes)
    return reader.series(code, table_id, contents_code, breakdown, is_count, years)


def latest(frame: pd.DataFrame) -> pd.Series | None:
    """The row of the latest year with a value (or None when no year has one)."""
    ok = frame[frame["value"].notna()]
    return None if ok.empty else ok.sort_values("year").iloc[-1]


def contents_meta(store: Store, table_id: str, contents_code: str) -> dict:
    """label, unit, decimals of a ContentsCode as SSB gave them (empty dict if unknown)."""
    df = store.query("SELECT label, unit, decimals FROM kostra_contents WHERE table_id = ? "
                     "AND contents_code = ? LIMIT 1", [table_id, contents_code])
    return {} if df.empty else df.iloc[0].to_dict()


# -- KOSTRA comparison indicators ------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    """One comparison indicator (Fingertips/Kolada style)."""
    key: str
    title: str
    definition: str
    unit: str
    source: str
    polarity: str  # bokmål: how to read high/low
    table_id: str
    contents_code: str
    breakdown: tuple = ()  # ((dim, code), ...)
    per_1000_80: bool = False  # value = count / persons 80+ × 1000
    count_label: str = ""  # what ``count`` is (per-1 000 indicators: the KOSTRA count)


POLARITY_NONE = ("Verken høy eller lav verdi er i seg selv bedre; tallet må leses sammen "
                 "med de andre tjenestene (omsorgstrappen).")

INDICATORS: tuple[Indicator, ...] = (
    Indicator("hjemme80", "Andel 80+ med hjemmetjenester",
              "Andel innbyggere 80 år og over som bruker hjemmetjenester, per 31.12.",
              "prosent", "SSB, KOSTRA tabell 12209 (KOShjtj80aarover0001)", POLARITY_NONE,
              "12209", "KOShjtj80aarover0001"),
    Indicator("inst80", "Andel 80+ med institusjonsopphold",
              "Andel innbyggere 80 år og over som er beboere på institusjon, per 31.12.",
              "prosent", "SSB, KOSTRA tabell 12209 (KOSsykhjand80aar0000)", POLARITY_NONE,
              "12209", "KOSsykhjand80aar0000"),
    Indicator("aarsverk1000", "Årsverk per 1 000 innbyggere 80+",
              "Årsverk i brukerrettede tjenester i pleie og omsorg (12292) per 1 000 innbyggere "
              "80 år og over 1.1. året etter (07459). For KOSTRA-grupper er innbyggerne "
              "summert over alle dagens kommuner i gruppen; mangler noen av dem i databasen, "
              "vises ingen rate.",
              "årsverk per 1 000 innbyggere 80+",
              "SSB, KOSTRA tabell 12292 (KOSaarsverkbruke0000) og tabell 07459",
              "Høyere betyr mer personell per eldre innbygger; det kan være et uttrykk for både "
              "høyere kvalitet og høyere kostnad.",
              "12292", "KOSaarsverkbruke0000", per_1000_80=True,
              count_label="årsverk i brukerrettede tjenester"),
    Indicator("plasser1000", "Institusjonsplasser per 1 000 innbyggere 80+",
              "Alle disponible institusjonsplasser (11875) per 1 000 innbyggere 80 år og over "
              "1.1. året etter (07459). For KOSTRA-grupper er innbyggerne summert over alle "
              "dagens kommuner i gruppen; mangler noen av dem i databasen, vises ingen rate.",
              "plasser per 1 000 innbyggere 80+",
              "SSB, KOSTRA tabell 11875 (KOSinstdispplass0000) og tabell 07459", POLARITY_NONE,
              "11875", "KOSinstdispplass0000", per_1000_80=True,
              count_label="disponible institusjonsplasser"),
)


@dataclass(frozen=True)
class Pop80:
    """Persons 80+ on 1 January by year for one comparator, and why a year is missing.

    ``persons``: {year: persons}; only years where the whole region is in the store.
    ``missing``: {year: bokmål note} for years where only part of it is (a KOSTRA group
    whose member kommuner are not all fetched): no rate is computed for those years.
    """
    persons: dict[int, float]
    missing: dict[int, str]


# Years of 07459 where a region has every sex and age 0–105 (a partial-age import is stored
# but is not an observed year), with the persons aged 80 and over in them.
_COMPLETE = ("SELECT region_code, year, sum(persons) FILTER (WHERE age >= 80) FROM population "
             "WHERE persons IS NOT NULL {where}GROUP BY ALL "
             f"HAVING count(DISTINCT (sex, age)) = {CELLS_PER_YEAR}")
_IN_REGIONS = "AND region_code IN (SELECT unnest(?::VARCHAR[])) "


def _by_region(rows) -> dict[str, dict[int, float | None]]:
    out: dict[str, dict[int, float | None]] = {}
    for r, y, p in rows:
        out.setdefault(r, {})[int(y)] = None if p is None else float(p)
    return out


def _complete_all(store: Store) -> dict[str, dict[int, float | None]]:
    return _by_region(store.cursor().execute(_COMPLETE.format(where="")).fetchall())


def complete_years(store: Store, regions) -> dict[str, dict[int, float | None]]:
    """{region: {complete year: persons 80+}} for ``regions`` (store codes; a region
    without any complete year maps to {}).

    A published store version computes it once for every region (one scan of 07459,
    shared by all sessions until the next version); a writable store reads the regions
    asked for, with the same SQL."""
    regions = list(dict.fromkeys(regions))
    if getattr(store, "version", None):
        every = memo(store, _complete_all)
        return {r: every.get(r, {}) for r in regions}
    got = _by_region(store.cursor().execute(_COMPLETE.format(where=_IN_REGIONS),
                                            [regions]).fetchall()) if regions else {}
    return {r: got.get(r, {}) for r in regions}


def _group_members(store: Store, code: str) -> list[str]:
    """Kommuner of KOSTRA group ``code`` (EKGnn) in the register (``regions.kostra_group``
    holding EKGnn, nn or n)."""
    num = int(code[3:])
    groups = {code, str(num), f"{num:02d}"}
    return sorted(c for c, rows in memo(store, _register).items()
                  if any(r[1] == "kommune" and r[3] in groups for r in rows))


def _pop80(store: Store, comps: list[Comparator]) -> dict[str, Pop80]:
    """Persons 80+ by population year for each comparator code.

    EAK = land '0', EKAnn = fylke nn (stored only as the sum of all its kommuner),
    EKGnn = sum over the group's member kommuner (``regions.kostra_group``) — only in years
    where every member has a population figure; otherwise the year is in ``missing``.
    Anything else is the kommune itself. Only complete years count (``complete_years``).
    """
    parts: dict[str, list[str]] = {}
    members: dict[str, int] = {}
    for comp in comps:
        if comp.code == "EAK":
            parts[comp.code] = ["0"]
        elif comp.code.startswith("EKA"):
            parts[comp.code] = [comp.code[3:]]
        elif comp.code.startswith("EKG"):
            parts[comp.code] = _group_members(store, comp.code)
            members[comp.code] = len(parts[comp.code])
        else:
            parts[comp.code] = [comp.code]
    pops = complete_years(store, [r for rs in parts.values() for r in rs])
    out = {}
    for comp in comps:
        sums: dict[int, float] = {}
        n: dict[int, int] = {}
        for r in parts[comp.code]:
            for y, v in pops[r].items():
                if v is not None:
                    sums[y] = sums.get(y, 0.0) + v
                    n[y] = n.get(y, 0) + 1
        pop = out[comp.code] = Pop80({}, {})
        need = members.get(comp.code)
        for y in sorted(sums):
            if need is not None and n[y] < need:
                pop.missing[y] = (
                    f"Innbyggertall 80+ finnes bare for {n[y]} av {need} kommuner i gruppen; "
                    "hent alle kommunene («python -m data_sources refresh --all») for å se "
                    "raten.")
            else:
                pop.persons[y] = sums[y]
    return out


def _indicator_rows(ind: Indicator, comp: Comparator, reader: Reader,
                    pop: Pop80) -> list[tuple]:
    """(year, value, count, status, note) for one indicator and comparator.

    Per-1 000 indicators: value = count / persons 80+ on 1 January the year after (the
    KOSTRA figure is per 31.12.) × 1 000, count = the KOSTRA count itself. SSB's share
    indicators (12209) have no count: 12209 publishes none, and a count from another
    table is not the one behind the share.
    """
    rows = reader.rows(comp.code, ind.table_id, ind.contents_code, dict(ind.breakdown),
                       is_count=ind.per_1000_80)
    out = []
    if ind.per_1000_80:
        for y, v, st, note, _ in rows:
            p = pop.persons.get(y + 1)
            value = v / p * 1000.0 if v is not None and p else None
            if v is not None and value is None:
                note = pop.missing.get(y + 1) or \
                    f"Mangler innbyggertall 80+ per 1.1.{y + 1} (tabell 07459)."
            out.append((y, value, v, st, note))
        return out
    return [(y, v, None, st, note) for y, v, st, note, _ in rows]


def indicator_series(store: Store, ind: Indicator, comp: Comparator) -> pd.DataFrame:
    """year, value, count, status, note for one indicator and comparator (all years)."""
    reader = Reader(store, [comp.code])
    rows = _indicator_rows(ind, comp, reader, _pop80(store, [comp])[comp.code])
    df = pd.DataFrame(rows, columns=["year", "value", "count", "status", "note"])
    return df.astype({"value": float, "count": float})


COMPARISON_COLUMNS = ["indicator", "role", "code", "label", "year", "value", "count",
                      "status", "note"]
SET_ROLE = "utvalg"  # the saved comparison set (similar or chosen kommuner) as a comparator


def set_members(store: Store, codes: tuple[str, ...], exclude: str | None = None
                ) -> list[tuple[str, str]]:
    """(code, name) of the set's kommuner in the store's register, in the set's order,
    without ``exclude`` (the kommune compared: it is not its own peer)."""
    names = dict(store.cursor().execute(
        "SELECT code, name FROM regions WHERE level = 'kommune' AND code IN "
        "(SELECT unnest(?::VARCHAR[])) ORDER BY valid_to NULLS LAST", [list(codes)]).fetchall())
    return [(c, names[c]) for c in dict.fromkeys(codes) if c in names and c != exclude]


def set_note(store: Store, codes: tuple[str, ...], exclude: str | None = None) -> str:
    """The sentence naming the saved set's kommuner (bokmål; empty without any)."""
    names = [n for _, n in set_members(store, codes, exclude)]
    if not names:
        return ""
    return (f"«Lagret utvalg» er medianen av {len(names)} kommuner lagret på siden «Sammenlign "
            f"kommuner»: {', '.join(names)}" + (" (kommunen selv er holdt utenfor)."
                                                 if exclude in codes else "."))


def set_comparison(store: Store, codes: tuple[str, ...], exclude: str | None = None
                   ) -> pd.DataFrame:
    """The saved comparison set as one comparator: per indicator and year the median of its
    kommuner's own values (``set_members``), in the columns of ``comparison``. ``count`` is
    empty (no count lies behind a median); ``note`` says how many had a value when not all.
    """
    members = [c for c, _ in set_members(store, codes, exclude)]
    rows = []
    if members:
        comps = [Comparator("kommune", c, c) for c in members]
        reader = Reader(store, members, sorted({i.table_id for i in INDICATORS}))
        pops = _pop80(store, comps)
        label = f"Lagret utvalg (median av {len(members)})"
        for ind in INDICATORS:
            values: dict[int, list[float]] = {}
            for comp in comps:
                for y, v, *_ in _indicator_rows(ind, comp, reader, pops[comp.code]):
                    values.setdefault(y, [])
                    if v is not None:
                        values[y].append(v)
            for y, v in sorted(values.items()):
                note = None if len(v) == len(members) else (
                    f"Median av de {len(v)} av {len(members)} kommunene som har tall."
                    if v else "Ingen av kommunene i utvalget har tall.")
                rows.append((ind.key, SET_ROLE, SET_ROLE, label, y,
                             float(pd.Series(v).median()) if v else None, None, None, note))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS).astype({"value": float,
                                                                  "count": float})


# Every KOSTRA table the pages read for one region (today's base and the comparison):
# one query per region, shared by ``services.load_base`` and ``comparison``.
READ_TABLES = ("11645", "11875", "12003", "12209", "12292")


def region_reader(store: Store, codes: tuple[str, ...]) -> Reader:
    """A ``Reader`` of ``READ_TABLES`` for ``codes``; use through ``memo`` so one store
    version reads a region once."""
    return Reader(store, list(codes), list(READ_TABLES))


def _comparator_rows(store: Store, comp: Comparator) -> list[tuple]:
    """The rows of ``comparison`` for one comparator (every indicator and year). The
    group, fylke and country rows are the same for every kommune: remembered per store
    version (``memo``), so a kommune switch computes only the kommune's own."""
    reader = memo(store, region_reader, (comp.code,))
    pop = _pop80(store, [comp])[comp.code]
    return [(ind.key, comp.role, comp.code, comp.label, y, v, c, st, note)
            for ind in INDICATORS
            for y, v, c, st, note in _indicator_rows(ind, comp, reader, pop)]


def comparison(store: Store, region_code: str, level: str,
               compare: tuple[str, ...] = ()) -> pd.DataFrame:
    """All indicators × comparators × years, long; with ``compare`` (kommune codes: the
    saved comparison set) also the set's median (``set_comparison``) as the last comparator.

    Columns: indicator, role, code, label, year, value (unit of the indicator), count
    (count shown beside the rate; persons, årsverk or places), status, note.
    """
    rows = [r for comp in comparators(store, region_code, level)
            for r in memo(store, _comparator_rows, comp)]
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS).astype({"value": float,
                                                                  "count": float})
    if compare:
        peers = set_comparison(store, tuple(compare), region_code if level == "kommune" else None)
        out = pd.concat([out, peers], ignore_index=True) if len(peers) else out
    return out
