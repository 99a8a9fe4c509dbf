"""Import files downloaded by hand from Statistikkbanken (JSON-stat 2 or SSB's CSV).

Public API:

- ``import_files(paths, store=None) -> list[ImportReport]``: validate *all* files first
  (parse, decode, ``ingest.to_store_frames``); if any fails, raise ``FileImportError`` and
  write nothing. Then write each table in one transaction (``Store.replace_table_data``).
- ``import_file(path, store=None) -> ImportReport``: the same for one file.
- ``prepare_file(path, store=None) -> PreparedImport``: parse + ingest without writing.
- ``FileImportError(ValueError)``: message in bokmål naming the file and the problem,
  e.g. ``"07459.csv: linje 5 har 3 felt, ventet 4"``.

A file updates the cells it contains (upsert on the full cell key: region, sex, age, year,
alternative / contents and breakdown): stored cells the file lacks are kept. So importing
07459 for 2023 and then for 2024 keeps both years, and a file with only ages 80+ does not
delete the younger ages.

Provenance: ``SourceInfo.origin = "file:<name>"``, ``query = {"file": name, "sha256": ...}``,
``ssb_updated`` from the JSON-stat ``updated`` field (CSV files carry none: None, shown as
"ukjent").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import ingest, jsonstat, ssbcsv
from .jsonstat import DatasetMeta, Dimension
from .store import Store, get_store, publishing

__all__ = ["FileImportError", "ImportReport", "PreparedImport", "import_file", "import_files",
           "prepare_file"]

# Columns that hold a cell's value (all other columns together identify the cell).
_VALUE_COLS = {"persons", "value", "status", "table_id"}


class FileImportError(ValueError):
    """A file cannot be imported; ``str(exc)`` is ``"<file>: <problem>"`` in bokmål."""

    def __init__(self, filename: str, problem: str):
        self.filename = filename
        self.problem = problem
        super().__init__(f"{filename}: {problem}")


@dataclass
class ImportReport:
    path: str
    table_id: str
    kind: str
    rows: int  # rows in the file's data written to the store
    regions: int  # distinct region codes in the file
    years: list[int] = field(default_factory=list)
    message: str = ""  # one line in bokmål for the user


@dataclass
class PreparedImport:
    path: Path
    result: ingest.IngestResult
    meta: DatasetMeta
    fmt: str  # "json-stat2" | "csv"


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _looks_like_json(path: Path, raw: bytes) -> bool:
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return path.suffix.lower() in (".json", ".jsonstat") or head in (b"{", b"[")


def _parse_json(name: str, raw: bytes) -> tuple[pd.DataFrame, DatasetMeta]:
    text = raw.decode("utf-8-sig", errors="strict") if raw else ""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or "Unterminated" in exc.msg:
            raise FileImportError(name, "avkortet JSON (filen slutter midt i innholdet; "
                                        "last ned på nytt)") from exc
        raise FileImportError(name, f"ugyldig JSON på linje {exc.lineno}: {exc.msg}") from exc
    try:
        ds = jsonstat.parse(obj)
        meta = jsonstat.read_meta(ds)
        df = jsonstat.decode(ds, meta)
    except jsonstat.JsonStatError as exc:
        raise FileImportError(name, str(exc)) from exc
    return df, meta


def _reference_meta(table_id: str | None, store: Store | None) -> DatasetMeta | None:
    """Codes and labels known for a table (stored KOSTRA contents), to map CSV labels."""
    if not table_id or store is None:
        return None
    try:
        kc = store.query("SELECT contents_code, label, unit, decimals FROM kostra_contents "
                         "WHERE table_id = ?", [table_id])
    except Exception:  # noqa: BLE001 - an old store without the table: no reference
        return None
    if kc.empty:
        return None
    units = {r.contents_code: {"base": r.unit, "decimals": None if pd.isna(r.decimals)
                               else int(r.decimals)} for r in kc.itertuples()}
    dim = Dimension("ContentsCode", "statistikkvariabel", tuple(kc["contents_code"]),
                    tuple(kc["label"].fillna(kc["contents_code"])), units)
    return DatasetMeta(label=table_id, updated=None, table_id=table_id, source=None,
                       dimensions=(dim,))


def prepare_file(path: str | Path, store: Store | None = None) -> PreparedImport:
    """Read, decode and turn one file into store rows; raises ``FileImportError``."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileImportError(name, f"kan ikke lese filen ({exc.strerror or exc})") from exc
    if not raw.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileImportError(name, "filen er tom")
    if _looks_like_json(path, raw):
        fmt = "json-stat2"
        df, meta = _parse_json(name, raw)
    else:
        fmt = "csv"
        text = ssbcsv.decode_text(raw)
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        m = ssbcsv.TITLE_RE.match(first.strip().strip('"'))
        table_hint = m.group(1) if m else None
        try:
            df, meta = ssbcsv.read_csv(raw, name=name,
                                       reference=_reference_meta(table_hint, store))
        except ssbcsv.CsvFormatError as exc:
            raise FileImportError(name, str(exc)) from exc
    table_id = meta.table_id
    if not table_id:
        raise FileImportError(name, "finner ikke tabellnummeret (ventet en tittellinje som "
                                    "\"07459: Befolkning, ...\")")
    try:
        result = ingest.to_store_frames(table_id, df, meta)
    except (ingest.IngestError, ValueError, KeyError) as exc:
        msg = str(exc).strip("'\"")
        if isinstance(exc, KeyError):
            msg = f"mangler variabelen {msg}"
        raise FileImportError(name, msg) from exc
    if result.frame.empty:
        raise FileImportError(name, "filen har ingen rader som kan lagres")
    src = result.source
    src.origin = f"file:{name}"
    src.query = {"file": name, "sha256": _sha256(raw), "format": fmt}
    src.requests = 0
    return PreparedImport(path=path, result=result, meta=meta, fmt=fmt)


def _merge_existing(store: Store, res: ingest.IngestResult) -> tuple[pd.DataFrame, dict]:
    """Rows to write: the file's rows plus stored rows of its regions it does not replace."""
    frame = res.frame
    kind, tid = res.kind, res.source.table_id
    regions = sorted(frame["region_code"].astype(str).unique().tolist())
    years = sorted(int(y) for y in frame["year"].unique())
    keys = [c for c in frame.columns if c not in _VALUE_COLS]
    old = store.query(f"SELECT * FROM {kind} WHERE table_id = ? AND region_code IN "
                      "(SELECT unnest(?::VARCHAR[])) AND year IN (SELECT unnest(?::INTEGER[]))",
                      [tid, regions, years])
    if not old.empty:
        # Anti-join on the full cell key: keep stored cells the file does not contain.
        new_keys = frame[keys].astype(str).drop_duplicates()
        probe = old[keys].astype(str).merge(new_keys, how="left", on=keys, indicator=True)
        keep = old[(probe["_merge"] == "left_only").to_numpy()]
        if not keep.empty:
            frame = pd.concat([frame, keep[frame.columns]], ignore_index=True)
    other_years = store.query(f"SELECT * FROM {kind} WHERE table_id = ? AND region_code IN "
                              "(SELECT unnest(?::VARCHAR[])) AND year NOT IN "
                              "(SELECT unnest(?::INTEGER[]))", [tid, regions, years])
    if not other_years.empty:
        frame = pd.concat([frame, other_years[frame.columns]], ignore_index=True)
    extra = {}
    for name, df in res.extra.items():
        stored = store.query(f"SELECT * FROM {name} WHERE table_id = ?", [tid])
        key = "contents_code" if "contents_code" in df.columns else df.columns[0]
        if stored.empty:
            extra[name] = df
            continue
        # Keep stored rows (API metadata has units) and add what the file brings new.
        new = df[~df[key].isin(stored[key])]
        merged = pd.concat([stored[df.columns], new], ignore_index=True)
        if "label" in df.columns:
            fill = dict(zip(df[key], df["label"]))
            merged["label"] = merged["label"].fillna(merged[key].map(fill))
        extra[name] = merged
    return frame, extra


def _write(store: Store, prep: PreparedImport) -> ImportReport:
    res = prep.result
    frame, extra = _merge_existing(store, res)
    if res.kind == "population":
        # fylker as the sum of their kommuner, where the file (with the store) has them all
        from .refresh import kommuner_by_fylke
        frame = ingest.add_fylke_sums(frame, kommuner_by_fylke(store))
    regions = sorted(set(res.frame["region_code"].astype(str)) | set(frame["region_code"]))
    store.replace_table_data(res.source, frame, regions=regions, extra=extra)
    years = sorted(int(y) for y in res.frame["year"].unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    updated = res.source.ssb_updated or "ukjent"
    rows = len(res.frame)
    nrows = f"{rows:,}".replace(",", "\u00a0")
    msg = (f"{prep.path.name}: tabell {res.source.table_id} ({res.kind}), {nrows} rader, "
           f"{len(regions)} regioner, år {span}; SSB oppdatert: {updated}")
    if prep.meta.notes and prep.fmt == "csv":
        msg += " Merk: " + " ".join(n for n in prep.meta.notes if "mangler" in n or "ukjente" in n)
    return ImportReport(path=str(prep.path), table_id=res.source.table_id, kind=res.kind,
                        rows=rows, regions=len(regions), years=years, message=msg.strip())


def import_files(paths, store: Store | None = None) -> list[ImportReport]:
    """Import several files: all are validated before any is written (see module doc)."""
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    if store is None:  # validate against the published version, then write a new one
        prepared = [prepare_file(p, get_store()) for p in paths]
        with publishing() as writer:
            return [_write(writer, p) for p in prepared]
    prepared = [prepare_file(p, store) for p in paths]
    return [_write(store, p) for p in prepared]


def import_file(path, store: Store | None = None) -> ImportReport:
    """Import one file (JSON-stat 2 or SSB CSV) into the store."""
    return import_files([path], store)[0]
