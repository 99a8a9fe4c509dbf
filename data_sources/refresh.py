"""Fetch tables from SSB into the store: on demand for one kommune, or all ahead of time.

``refresh(...)`` asks SSB's metadata first (one call per table) and downloads data only when
the table changed since it was stored (``updated`` differs) or regions are missing. Every
write replaces the table's rows (or the fetched regions' rows) in one transaction.

What is fetched for a region (``ensure_region``):
- projection (newest round, found by title search; 14746 as fallback): the region, its
  fylke and Hele landet, all sexes, ages, alternatives and years;
- history 07459: every kommune of the region's fylke via codelist ``agg_KommSummer`` (old
  kommuner summed into the 2024 structure) plus Hele landet ("0"); fylke rows are stored as
  the sum of their kommuner (so one series per fylke in the 2024 structure);
- KOSTRA tables: whole tables (all regions; each is one request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable


from . import catalog, ingest, jsonstat, planner, validate
from .client import Selection, SSBBadResponse, SSBClient, SSBError, SSBOffline
from .regions_default import bundled_changes
from .store import Store

Progress = Callable[[str, int, int], None]  # (what, done, total)

TABLE_KEYS = ["projection", "population", *catalog.KOSTRA_TABLES]
# Fetched only when asked for (``--tables 12882 13600 14288``): the track record's rounds.
ROUND_KEYS = list(catalog.PROJECTION_ROUNDS)


@dataclass
class TableReport:
    key: str
    table_id: str
    action: str  # fetched | unchanged | failed
    rows: int = 0
    requests: int = 0
    cells: int = 0
    min_requests: int = 0
    message: str = ""


@dataclass
class RefreshReport:
    tables: list[TableReport] = field(default_factory=list)
    requests: int = 0  # all network calls, metadata and search included

    @property
    def ok(self) -> bool:
        return all(t.action != "failed" for t in self.tables)

    def lines(self) -> list[str]:
        out = []
        for t in self.tables:
            if t.action == "fetched":
                out.append(f"{t.table_id:>6} {t.key:<12} hentet {t.rows:>10,} rader i "
                           f"{t.requests} dataforespørsler (minst mulig: {t.min_requests}, "
                           f"{t.cells:,} celler)".replace(",", " "))
            elif t.action == "unchanged":
                out.append(f"{t.table_id:>6} {t.key:<12} uendret hos SSB – ikke lastet ned")
            elif t.action == "empty":
                out.append(f"{t.table_id:>6} {t.key:<12} ingen av regionene finnes i tabellen")
            else:
                out.append(f"{t.table_id:>6} {t.key:<12} FEILET: {t.message}")
        out.append(f"Totalt {self.requests} kall til SSB (inkl. metadata).")
        return out


def find_projection_table(client: SSBClient) -> str:
    """Newest regional projection table (kommune level, by sex and single-year age).

    Searches SSB's table list by title and keeps tables with a region variable; picks the
    one with the latest first period (newest round). Falls back to 14746.
    """
    try:
        hits = client.search_tables(catalog.PROJECTION_SEARCH)
    except SSBOffline:
        raise
    except SSBError:
        return catalog.PROJECTION_FALLBACK
    cands = []
    for t in hits:
        label = str(t.get("label", "")).lower()
        names = [str(v).lower() for v in t.get("variableNames") or []]
        if not label.startswith("framskrevet folkemengde") and \
                "framskrevet folkemengde" not in label:
            continue
        if names and not ({"region", "alder"} <= set(names)):
            continue
        if "region" not in label and not names:
            continue
        try:
            first = int(str(t.get("firstPeriod", "0"))[:4])
        except ValueError:
            first = 0
        cands.append((first, str(t.get("id"))))
    for _, tid in sorted(cands, reverse=True):
        try:
            meta = client.metadata(tid)
            codes = meta["dimension"]["Region"]["category"]["index"]
            if any(len(c) == 4 and c.isdigit() for c in codes):
                return tid
        except (SSBError, KeyError, TypeError):
            continue
    return catalog.PROJECTION_FALLBACK


def _selections(spec: catalog.TableSpec, regions: list[str] | None,
                region_codelist: str | None = None) -> list[Selection]:
    sels = []
    for s in spec.selection(regions):
        cl = s.get("codelist")
        if s["variableCode"] == spec.region_var and region_codelist is not None:
            cl = region_codelist or None
        sels.append(Selection(s["variableCode"], list(s["valueCodes"]), cl))
    return sels


def _decode_all(table_id: str, datasets: list[dict]) -> ingest.IngestResult:
    """Decode and validate SSB's answers (the same checks as for files, before any write)."""
    results = []
    try:
        for ds in datasets:
            meta = jsonstat.read_meta(ds)
            kind = catalog.kind_for(table_id, [d.id for d in meta.dimensions]) or "projection"
            validate.check_meta(table_id, kind, meta, None)
            res = ingest.to_store_frames(table_id, jsonstat.decode(ds, meta), meta)
            validate.check_values(res.kind, res.frame, allow_missing=True)
            results.append(res)
    except (jsonstat.JsonStatError, validate.ValidationError, ingest.IngestError) as exc:
        raise SSBBadResponse(f"tabell {table_id}: SSBs svar ble avvist ({exc}); "
                             "ingenting ble endret") from None
    return ingest.concat_results(results)


class Refresher:
    def __init__(self, store: Store, client: SSBClient | None = None,
                 progress: Progress | None = None, force: bool = False):
        self.store = store
        self.client = client or SSBClient()
        self.progress = progress
        self.force = force
        self._start_requests = self.client.requests_made
        self._projection_id: str | None = None

    # -- helpers -------------------------------------------------------------------------
    def projection_id(self) -> str:
        if self._projection_id is None:
            self._projection_id = find_projection_table(self.client)
        return self._projection_id

    def _plan_stats(self, table_id: str, sels: list[Selection]) -> tuple[int, int]:
        expanded, _ = self.client.resolve(table_id, sels)
        cells = planner.cells(expanded)
        return cells, planner.minimum_requests(cells, self.client.config().max_cells)

    def _fetch(self, key: str, table_id: str, sels: list[Selection], rep: TableReport):
        cells, minimum = self._plan_stats(table_id, sels)
        rep.cells += cells
        rep.min_requests += minimum
        before = self.client.requests_made

        def cb(done, total):
            if self.progress:
                self.progress(f"{key} ({table_id})", done, total)

        datasets = self.client.get_data(table_id, sels, progress=cb)
        rep.requests += self.client.requests_made - before
        return datasets

    def _unchanged(self, table_id: str, updated: str | None, regions: list[str] | None) -> bool:
        if self.force:
            return False
        src = self.store.source(table_id)
        if not src or not updated or src.get("ssb_updated") != updated:
            return False
        if regions is None:
            q = src.get("query") or ""
            return '"all": true' in q or '"all":true' in q
        kind = src.get("kind")
        have = self.store.regions_in(kind, table_id)
        return set(regions) <= have

    def _scope(self, table_id: str, updated: str | None, regions: list[str] | None):
        """Regions to fetch: if SSB updated the table, refetch every stored region too."""
        if regions is None:
            return None
        src = self.store.source(table_id)
        if src and src.get("ssb_updated") != updated:
            have = self.store.regions_in(src["kind"], table_id)
            return sorted(set(regions) | have)
        return list(regions)

    def _store(self, res: ingest.IngestResult, query: dict, requests: int,
               regions: list[str] | None) -> int:
        res.source.query = query
        res.source.requests = requests
        return self.store.replace_table_data(res.source, res.frame, regions=regions,
                                             extra=res.extra)

    # -- tables --------------------------------------------------------------------------
    def projection(self, regions: list[str] | None) -> TableReport:
        tid = self.projection_id()
        rep = TableReport("projection", tid, "fetched")
        meta = self.client.metadata(tid, refresh=True)
        updated = meta.get("updated")
        if self._unchanged(tid, updated, regions):
            rep.action = "unchanged"
            return rep
        scope = self._scope(tid, updated, regions)
        sels = _selections(catalog.PROJECTION, scope)
        datasets = self._fetch("projection", tid, sels, rep)
        res = _decode_all(tid, datasets)
        query = {"table": tid, "selection": [s.__dict__ for s in sels], "all": scope is None}
        rep.rows = self._store(res, query, rep.requests, scope)
        return rep

    def population(self, regions: list[str] | None) -> TableReport:
        spec = catalog.HISTORY
        tid = spec.table_id
        rep = TableReport("population", tid, "fetched")
        meta = self.client.metadata(tid, refresh=True)
        updated = meta.get("updated")
        kommuner = None
        if regions is not None:
            # every kommune of the fylker concerned, so fylke sums are complete
            fylker = {r[:2] for r in regions if len(r) in (2, 4)}
            known = self._kommuner_by_fylke()
            kommuner = sorted(k for f in fylker for k in known.get(f, []))
            wanted = sorted(set(kommuner) | fylker | {"0"})
            if self._unchanged(tid, updated, wanted):
                rep.action = "unchanged"
                return rep
            scope = self._scope(tid, updated, wanted)
            kommuner = sorted({r for r in scope if len(r) == 4} |
                              {k for r in scope if len(r) == 2 for k in known.get(r, [])})
        elif self._unchanged(tid, updated, None):
            rep.action = "unchanged"
            return rep
        k_sels = _selections(spec, None if kommuner is None else [f"K-{k}" for k in kommuner])
        if kommuner is None:
            # all current kommuner: the codelist's codes that look like K-dddd
            codes = [str(v["code"]) for v in self.client.codelist(spec.region_codelist)["values"]]
            k_codes = [c for c in codes if c.startswith("K-") and c[2:].isdigit()]
            k_sels[0] = Selection(spec.region_var, k_codes, spec.region_codelist)
        land_sels = _selections(catalog.HISTORY_LAND, ["0"], region_codelist="")
        datasets = self._fetch("population", tid, k_sels, rep)
        datasets += self._fetch("population", tid, land_sels, rep)
        res = _decode_all(tid, datasets)
        frame = res.frame[res.frame["region_code"].str.fullmatch(r"\d{4}|0")]
        res.frame = ingest.add_fylke_sums(frame, self._kommuner_by_fylke())
        scope = None if kommuner is None else sorted(set(res.frame["region_code"]))
        query = {"table": tid, "selection": [s.__dict__ for s in k_sels],
                 "land": [s.__dict__ for s in land_sels],
                 "note": "fylker er summen av kommunene (2024-inndeling)", "all": scope is None}
        rep.rows = self._store(res, query, rep.requests, scope)
        return rep

    def kostra(self, table_id: str) -> TableReport:
        spec = catalog.KOSTRA_TABLES[table_id]
        rep = TableReport(spec.key, table_id, "fetched")
        meta = self.client.metadata(table_id, refresh=True)
        updated = meta.get("updated")
        if self._unchanged(table_id, updated, None):
            rep.action = "unchanged"
            return rep
        contents = meta["dimension"]["ContentsCode"]["category"]["index"]
        wanted = [c for c in spec.contents if c in contents] if spec.contents else ["*"]
        if spec.contents and not wanted:
            raise SSBError(f"tabell {table_id} har ingen av innholdskodene {spec.contents}")
        sels = [s if s.variable_code != "ContentsCode" else Selection("ContentsCode", wanted)
                for s in _selections(spec, None)]
        named = {s.variable_code for s in sels}
        # variables the catalog does not name (e.g. Kjonn in a table split by sex): all codes
        sels[-2:-2] = [Selection(d, ["*"]) for d in meta.get("id", []) if d not in named]
        datasets = self._fetch(spec.key, table_id, sels, rep)
        res = _decode_all(table_id, datasets)
        query = {"table": table_id, "selection": [s.__dict__ for s in sels], "all": True}
        rep.rows = self._store(res, query, rep.requests, None)
        return rep

    def round(self, table_id: str, regions: list[str] | None) -> TableReport:
        """An earlier projection round (main alternative), for the regions' codes valid in
        that round (e.g. Porsgrunn 4001 is 3806 in the 2020 and 2022 rounds)."""
        rep = TableReport(f"runde_{catalog.PROJECTION_ROUNDS[table_id]}", table_id, "fetched")
        meta = self.client.metadata(table_id, refresh=True)
        updated = meta.get("updated")
        scope = None
        if regions is not None:
            in_table = set(meta["dimension"]["Region"]["category"]["index"])
            changes = self.store.query("SELECT old_code, new_code, year(change_date) AS y "
                                       "FROM region_changes")
            year = catalog.PROJECTION_ROUNDS[table_id]
            scope = sorted({c for r in regions
                            for c in codes_in_round(r, year, changes)} & in_table)
            if not scope:
                rep.action = "empty"
                return rep
        if self._unchanged(table_id, updated, scope):
            rep.action = "unchanged"
            return rep
        scope = self._scope(table_id, updated, scope)
        sels = _selections(catalog.ROUND, scope)
        datasets = self._fetch(rep.key, table_id, sels, rep)
        res = _decode_all(table_id, datasets)
        query = {"table": table_id, "selection": [s.__dict__ for s in sels], "all": scope is None}
        rep.rows = self._store(res, query, rep.requests, scope)
        return rep

    def _kommuner_by_fylke(self) -> dict[str, list[str]]:
        return kommuner_by_fylke(self.store)

    def regions_register(self) -> str:
        """Store the region register (from the projection table's Region dimension, KOSTRA
        groups from KLASS 112, centrality from KLASS 131 → 128) and the kommune changes
        (KLASS 131). When KLASS fails, the groups and classes already stored are kept.
        Returns a note on what could not be fetched ('' when all went well)."""
        from . import regions as regmod
        notes = []
        meta = jsonstat.read_meta(self.client.metadata(self.projection_id()))
        reg = regmod.register_from_metadata(meta)
        today = date.today()
        try:
            groups = regmod.fetch_kostra_groups(today)
        except regmod.KlassError as exc:
            groups = dict(self.store.query(
                "SELECT code, kostra_group FROM regions WHERE kostra_group IS NOT NULL")
                .itertuples(index=False))
            notes.append(f"KOSTRA-grupper ikke hentet ({exc})")
        reg["kostra_group"] = reg["code"].map(groups).astype(object)
        reg["kostra_group"] = reg["kostra_group"].where(reg["kostra_group"].notna(), None)
        try:
            changes = regmod.fetch_changes(131, "2018-01-01", today)
        except regmod.KlassError as exc:
            changes = bundled_changes()
            notes.append(f"kommuneendringer fra innebygd liste ({exc})")
        changes = regmod.changes_frame(changes)
        try:
            centrality = regmod.fetch_centrality(today, changes)
        except regmod.KlassError as exc:
            centrality = dict(self.store.query(
                "SELECT code, centrality FROM regions WHERE centrality IS NOT NULL")
                .itertuples(index=False))
            notes.append(f"sentralitet ikke hentet ({exc})")
        reg["centrality"] = reg["code"].map(centrality).astype("Int64")
        self.store.replace_rows("regions", reg)
        self.store.replace_rows("region_changes", changes)
        return "; ".join(notes)

    # -- entry ---------------------------------------------------------------------------
    def run(self, tables: list[str] | None = None, regions: list[str] | None = None
            ) -> RefreshReport:
        report = RefreshReport()
        keys = tables or TABLE_KEYS
        unknown = [k for k in keys if k not in TABLE_KEYS + ROUND_KEYS]
        if unknown:
            raise ValueError(f"ukjente tabeller: {', '.join(unknown)} (gyldige: "
                             f"{', '.join(TABLE_KEYS + ROUND_KEYS)})")
        if regions is not None:  # an empty or unknown list must never mean «everything»
            try:
                regions = validate.check_region_args(regions, validate.region_codes(self.store))
            except validate.ValidationError as exc:
                raise ValueError(str(exc)) from None
            regions = expand_regions(regions)
        for key in keys:
            try:
                if key == "projection":
                    rep = self.projection(regions)
                    if rep.action == "fetched" or not self.store.scalar(
                            "SELECT count(*) FROM regions"):
                        rep.message = self.regions_register()
                elif key == "population":
                    rep = self.population(regions)
                elif key in ROUND_KEYS:
                    rep = self.round(key, regions)
                else:
                    rep = self.kostra(key)
            except SSBError as exc:
                tid = self._projection_id if key == "projection" else \
                    (catalog.HISTORY.table_id if key == "population" else key)
                key = f"runde_{catalog.PROJECTION_ROUNDS[key]}" if key in ROUND_KEYS else key
                rep = TableReport(key, tid or "?", "failed", message=str(exc))
                if isinstance(exc, SSBOffline):
                    report.tables.append(rep)
                    break
            report.tables.append(rep)
        report.requests = self.client.requests_made - self._start_requests
        return report


def codes_in_round(code: str, year: int, changes) -> set[str]:
    """The code(s) a region had on 1 January of ``year``: follows kommune changes that took
    effect after that date backwards (renumbering or merge); ``changes`` has columns
    old_code, new_code, y (year of the change). Unchanged codes map to themselves."""
    out, todo = set(), [code]
    while todo:
        c = todo.pop()
        prev = [o for o, n, y in changes.itertuples(index=False) if n == c and y > year]
        if prev:
            todo += prev
        else:
            out.add(c)
    return out


def kommuner_by_fylke(store: Store) -> dict[str, list[str]]:
    """Current kommuner per fylke: from the store's register, else the built-in list."""
    codes = list(store.query("SELECT code FROM regions WHERE level = 'kommune'")["code"])
    if not codes:
        from .regions_default import default_regions
        d = default_regions()
        codes = list(d.loc[d["level"] == "kommune", "code"])
    out: dict[str, list[str]] = {}
    for c in codes:
        out.setdefault(c[:2], []).append(c)
    return out


def expand_regions(regions: list[str]) -> list[str]:
    """A kommune brings its fylke and Hele landet (for comparison); a fylke brings land."""
    out = set()
    for r in regions:
        r = r.strip()
        out.add(r)
        if len(r) == 4:
            out.add(r[:2])
        if r != "0":
            out.add("0")
    return sorted(out)


def refresh(store: Store, *, tables: list[str] | None = None, regions: list[str] | None = None,
            client: SSBClient | None = None, progress: Progress | None = None,
            force: bool = False) -> RefreshReport:
    """Refresh the given tables (default all) for ``regions`` (default: all regions)."""
    return Refresher(store, client, progress, force).run(tables, regions)


def missing_tables(store: Store, region: str) -> list[str]:
    """Which table keys lack data for ``region`` (what ``ensure_region`` would fetch)."""
    need = []
    have_proj = store.scalar("SELECT count(*) FROM projection WHERE region_code = ?", [region])
    if not have_proj:
        need.append("projection")
    have_pop = store.scalar("SELECT count(*) FROM population WHERE region_code = ?", [region])
    if not have_pop:
        need.append("population")
    stored = set(store.sources()["table_id"])
    need += [t for t in catalog.KOSTRA_TABLES if t not in stored]
    return need


def ensure_region(store: Store, region: str, client: SSBClient | None = None,
                  progress: Progress | None = None) -> RefreshReport | None:
    """Fetch what the views need for ``region`` if the store lacks it; None if nothing to do."""
    need = missing_tables(store, region)
    if not need:
        return None
    return refresh(store, tables=need, regions=[region], client=client, progress=progress)


__all__ = ["refresh", "ensure_region", "missing_tables", "find_projection_table",
           "RefreshReport", "TableReport", "TABLE_KEYS", "ROUND_KEYS", "expand_regions",
           "codes_in_round"]
