"""Import files downloaded by hand from Statistikkbanken (JSON-stat 2 or SSB's CSV).

Public API:

- ``import_files(paths, store=None) -> list[ImportReport]``: validate *all* files first
  (parse, decode, ``ingest.to_store_frames``); if any fails, raise ``FileImportError`` and
  write nothing. Then write each table in one transaction (``Store.replace_table_data``).
- ``import_file(path, store=None) -> ImportReport``: the same for one file.
- ``import_uploads([(name, bytes), ...], store=None)``: the same for the app's uploads (two
  files of the same name are both kept; size limit checked first).
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
import logging
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from . import catalog, ingest, jsonstat, ssbcsv, validate
from .jsonstat import DatasetMeta, Dimension
from .store import Store, get_store, publishing

__all__ = ["FileImportError", "ImportReport", "PreparedImport", "import_file", "import_files",
           "import_uploads", "prepare_file"]

log = logging.getLogger(__name__)

# Columns that hold a cell's value (all other columns together identify the cell).
_VALUE_COLS = {"persons", "value", "status", "table_id"}


class FileImportError(ValueError):
    """A file cannot be imported; ``str(exc)`` is ``"<file>: <problem>"`` in bokmål."""

    def __init__(self, filename: str, problem: str):
        self.filename = filename
        # One line of bounded length, whatever the file held.
        problem = re.sub(r"\s*[\r\n]+\s*", " ", str(problem)).strip()
        self.problem = problem if len(problem) <= 400 else problem[:399] + "…"
        super().__init__(f"{filename}: {self.problem}")


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
    return (path.suffix.lower() in (".json", ".jsonstat") or head in (b"{", b"[")
            or raw[:2] in (b"\xff\xfe", b"\xfe\xff"))


def _json_text(name: str, raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 1 and b"\x00" in raw[:4]):
        raise FileImportError(name, "filen er lagret som UTF-16; JSON-stat fra SSB er UTF-8 "
                                    "(last ned på nytt, eller lagre som UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileImportError(name, f"filen er ikke gyldig UTF-8 (byte nr. {exc.start + 1}); "
                                    "JSON-stat fra SSB er UTF-8 – er den lagret som "
                                    "ISO-8859-1 (latin-1)?") from None


class _NotANumber(ValueError):
    pass


def _reject_constant(word: str):
    raise _NotANumber(word)


def _parse_json(name: str, raw: bytes) -> tuple[pd.DataFrame, DatasetMeta]:
    # orjson parses the bytes (checking UTF-8 itself): strict RFC 8259 (no NaN/Infinity,
    # bounded depth and integers) and 3–4× the standard library on a 50–120 MB file.
    # Anything it refuses is decoded and parsed again by the standard library, only to
    # name the problem precisely.
    obj = text = None
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            obj = orjson.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
        except orjson.JSONDecodeError:
            obj = None
    if obj is None:
        text = _json_text(name, raw)
    try:
        if obj is None:
            obj = json.loads(text, parse_constant=_reject_constant)
    except _NotANumber as exc:
        raise FileImportError(name, f"JSON-innholdet har {exc.args[0]}, som ikke er et tall "
                                    "(NaN og Infinity er ikke gyldig JSON)") from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or "Unterminated" in exc.msg:
            raise FileImportError(name, "avkortet JSON (filen slutter midt i innholdet; "
                                        "last ned på nytt)") from None
        raise FileImportError(name, f"ugyldig JSON på linje {exc.lineno}, tegn {exc.colno}"
                              ) from None
    except RecursionError:
        raise FileImportError(name, "JSON-innholdet er nestet for dypt (ikke et "
                                    "JSON-stat-datasett)") from None
    except ValueError:  # e.g. an integer literal with thousands of digits
        raise FileImportError(name, "JSON-innholdet har et tall som ikke kan leses") from None
    if not isinstance(obj, dict):
        raise FileImportError(name, "JSON-innholdet er ikke et objekt (ikke et "
                                    "JSON-stat 2-datasett)")
    try:
        ds = jsonstat.parse(obj)
        meta = jsonstat.read_meta(ds)
        df = jsonstat.decode(ds, meta)
    except jsonstat.JsonStatError as exc:
        raise FileImportError(name, str(exc)) from None
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
    """Read, decode, validate and turn one file into store rows; raises ``FileImportError``
    (and nothing else: an unexpected failure becomes a message without English or paths)."""
    path = Path(path)
    name = path.name
    try:
        return _prepare(path, name, store)
    except FileImportError:
        raise
    except MemoryError:
        raise FileImportError(name, "filen er for stor til å leses inn") from None
    except Exception:  # noqa: BLE001 - one clear message, never a traceback
        log.exception("import of %s failed unexpectedly", name)
        raise FileImportError(name, "filen har en form programmet ikke kjenner igjen (ikke "
                                    "JSON-stat 2 eller CSV fra Statistikkbanken)") from None


def _prepare(path: Path, name: str, store: Store | None) -> PreparedImport:
    try:
        validate.check_file_size(path.stat().st_size)
        raw = path.read_bytes()
    except OSError as exc:
        raise FileImportError(name, f"kan ikke lese filen ({exc.strerror or 'ukjent feil'})"
                              ) from None
    except validate.ValidationError as exc:
        raise FileImportError(name, str(exc)) from None
    if not raw.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileImportError(name, "filen er tom")
    if _looks_like_json(path, raw):
        fmt = "json-stat2"
        df, meta = _parse_json(name, raw)
    else:
        fmt = "csv"
        text = ssbcsv.decode_text(raw)
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        m = ssbcsv.TITLE_RE.match(first.strip().strip('"')[:200])
        table_hint = m.group(1) if m else None
        try:
            df, meta = ssbcsv.read_csv(raw, name=name,
                                       reference=_reference_meta(table_hint, store))
        except ssbcsv.CsvFormatError as exc:
            raise FileImportError(name, str(exc)) from None
    try:
        table_id = validate.check_table_id(meta.table_id, _discovered_projections(store))
        kind = catalog.KIND_BY_TABLE.get(table_id, "projection")
        validate.check_meta(table_id, kind, meta, validate.region_codes(store))
        df = validate.drop_absent(df)
        result = ingest.to_store_frames(table_id, df, meta)
        if result.kind == "population":
            # fylker are stored as the sum of their kommuner (computed, never taken from a file)
            result.frame = result.frame[result.frame["region_code"].str.len() != 2] \
                .reset_index(drop=True)
        if result.frame.empty:
            raise FileImportError(name, "filen har ingen rader som kan lagres")
        validate.check_values(result.kind, result.frame)
        _check_duplicates(result)
        if store is not None and result.kind in ("population", "projection"):
            _check_complete_groups(store, result)
            if result.kind == "population":
                _fylke_totals(store, result.frame, result.frame, check_only=True)
    except (validate.ValidationError, ingest.IngestError) as exc:
        raise FileImportError(name, str(exc)) from None
    src = result.source
    src.origin = f"file:{name}"
    src.query = {"file": name, "sha256": _sha256(raw), "format": fmt}
    src.requests = 0
    return PreparedImport(path=path, result=result, meta=meta, fmt=fmt)


def _discovered_projections(store: Store | None) -> list[str]:
    """Projection tables found by the API's title search (a newer round than the catalog's)."""
    if store is None:
        return []
    return store.query("SELECT table_id FROM sources WHERE kind = 'projection'")[
        "table_id"].tolist()


def _group_cols(kind: str) -> list[str]:
    return ["region_code", "year"] + (["alternative"] if kind == "projection" else [])


def _codes(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, list[pd.Index]]:
    """One integer per row identifying its combination of ``cols`` (mixed radix over each
    column's integer codes), and each column's distinct values. Categoricals use their codes
    and integers their offset, so 17.8 M rows take well under a second (pandas'
    ``duplicated``/``groupby`` on the columns took 8 and 3 s). The key is built in place, as
    int32 where every key and every column's values fit (half the memory traffic of int64);
    codes are read through ``Series.array.codes`` (a view: ``Series.cat.codes`` copies)."""
    parts, uniques = [], []
    for c in cols:
        s = frame[c]
        lo = 0
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, uniq = s.array.codes, s.cat.categories
            if (codes < 0).any():  # NaN as its own value
                codes = codes.astype(np.int64)
                codes, uniq = np.where(codes < 0, len(uniq), codes), uniq.append(
                    pd.Index([None], dtype=object))
        elif pd.api.types.is_integer_dtype(s.dtype):
            signed = isinstance(s.dtype, np.dtype) and s.dtype.kind == "i"
            codes = s.to_numpy() if signed else s.to_numpy(dtype=np.int64)
            lo = int(codes.min()) if len(codes) else 0
            uniq = pd.RangeIndex(lo, (int(codes.max()) + 1) if len(codes) else lo)
        else:
            codes, uniq = pd.factorize(s, use_na_sentinel=False)
            uniq = pd.Index(uniq)
        parts.append((codes, lo))
        uniques.append(uniq)
    space = math.prod(max(len(u), 1) for u in uniques)
    small = space < 2**31 and all(codes.dtype.itemsize <= 4 for codes, _ in parts)
    key = np.zeros(len(frame), dtype=np.int32 if small else np.int64) if not parts else None
    for (codes, lo), uniq in zip(parts, uniques):
        if key is None:
            key = codes.astype(np.int32 if small else np.int64)  # a copy: changed in place
        else:
            key *= max(len(uniq), 1)
            key += codes
        if lo:
            key -= lo
    return key, uniques


# A key space up to this many times the row count is marked in a boolean array (1 byte per
# possible key) rather than hashed: a full 14746 is a dense cube (as many keys as rows).
_MARK_KEYS_PER_ROW = 8


def _seen(index: np.ndarray, size: int) -> np.ndarray:
    """Which of ``range(size)`` occur in ``index`` (a boolean array of ``size``)."""
    seen = np.zeros(size, dtype=bool)
    seen[index] = True
    return seen


def _first_duplicate(key: np.ndarray, space: int) -> int | None:
    """Position of the first row whose key stands in an earlier row (pandas' ``duplicated``,
    keep="first"), or None. ``space``: the number of possible keys (the product of the
    columns' sizes in ``_codes``). Where it is small, each key is marked as seen and the rows
    hold a repeat only if fewer keys were seen than there are rows; only then are the rows
    hashed to find it."""
    if space <= _MARK_KEYS_PER_ROW * len(key) + 1024:
        if np.count_nonzero(_seen(key, space)) == len(key):
            return None
    dup = pd.Series(key).duplicated().to_numpy()
    return int(np.argmax(dup)) if dup.any() else None


def _check_duplicates(res: ingest.IngestResult) -> None:
    keys = [c for c in res.frame.columns if c not in _VALUE_COLS]
    key, uniques = _codes(res.frame, keys)
    i = _first_duplicate(key, math.prod(max(len(u), 1) for u in uniques))
    if i is not None:
        row = res.frame.iloc[i]
        raise validate.ValidationError(
            f"samme celle står flere ganger (region {row['region_code']}, år {row['year']}); "
            "bruk én regioninndeling")


def _distinct(s: pd.Series) -> list:
    """A column's distinct values (NaN once if present), in no particular order, as
    ``Series.unique`` gives them; for categoricals and integers in a bounded range they are
    marked over integer codes instead of hashed (0.15 s a column on a full 14746)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.array.codes
        missing = bool((codes < 0).any())
        seen = _seen(codes[codes >= 0] if missing else codes, len(s.cat.categories))
        return s.cat.categories[np.flatnonzero(seen)].tolist() + ([np.nan] if missing else [])
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "i" and len(s):
        v = s.to_numpy()
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= _MARK_KEYS_PER_ROW * len(v) + 1024:
            return (np.flatnonzero(_seen(v - lo, hi - lo + 1)) + lo).tolist()
    return s.unique().tolist()


def _check_complete_groups(store: Store, res: ingest.IngestResult) -> None:
    """A region/year (/alternative) the store lacks must come with every age and both sexes:
    a partial-age file never becomes an observed year (it may update a complete one)."""
    cols = _group_cols(res.kind)
    key, uniques = _codes(res.frame, cols)
    sizes = [max(len(u), 1) for u in uniques]
    n = np.bincount(key, minlength=int(np.prod(sizes)))
    where = np.flatnonzero((n > 0) & (n < validate.CELLS_PER_GROUP))
    if not len(where):
        return
    index = pd.MultiIndex.from_arrays(
        [u[i] for u, i in zip(uniques, np.unravel_index(where, sizes))], names=cols)
    partial = pd.Series(n[where], index=index)
    keys = partial.reset_index()[cols]
    stored = store.query(
        f"SELECT {', '.join(cols)}, count(*) AS n FROM {res.kind} WHERE table_id = ? AND "
        "region_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
        [res.source.table_id, sorted(keys["region_code"].unique().tolist())])
    full = stored[stored["n"] >= validate.CELLS_PER_GROUP]
    probe = keys.merge(full[cols].astype({c: keys[c].dtype for c in cols}), how="left",
                       on=cols, indicator=True)
    missing = probe[probe["_merge"] == "left_only"]
    if not missing.empty:
        r = missing.iloc[0]
        n = int(partial.loc[tuple(r[c] for c in cols)] if len(cols) > 1 else partial.loc[r[0]])
        raise validate.ValidationError(
            f"filen har bare {n} av {validate.CELLS_PER_GROUP} celler (alder 0–105 × kjønn) "
            f"for region {r['region_code']} i {r['year']}, som ikke finnes i databasen fra "
            f"før; et nytt år må ha alle aldre og begge kjønn ({len(missing)} slike)")


def _fylke_totals(store: Store, frame: pd.DataFrame, file_frame: pd.DataFrame,
                  check_only: bool = False) -> pd.DataFrame:
    """Fylke rows of the 07459 history for the years a file touches, recomputed as the sum of
    all the fylke's kommuner (the file's rows in ``frame`` plus the store's other kommuner).

    A partial-region file never becomes a fylke total: where the fylke's kommuner are not all
    complete for a year, no total is made; if the store already holds a total for that fylke
    and year (it would go stale), the file is refused (``ValidationError``)."""
    from .refresh import kommuner_by_fylke
    kom = file_frame["region_code"][file_frame["region_code"].str.len() == 4]
    fylker = sorted({k[:2] for k in kom.unique()})
    years = sorted(int(y) for y in file_frame["year"].unique())
    if not fylker:
        return frame.iloc[0:0]
    by_fylke = kommuner_by_fylke(store)
    file_kom = set(kom.unique())
    members = sorted({k for f in fylker for k in by_fylke.get(f, [])} - file_kom)
    others = store.query(
        "SELECT * FROM population WHERE table_id = ? AND year IN (SELECT unnest(?::INTEGER[])) "
        "AND region_code IN (SELECT unnest(?::VARCHAR[]))",
        [file_frame["table_id"].iloc[0], years, members])
    stored_totals = store.query(
        "SELECT DISTINCT region_code, year FROM population WHERE table_id = ? AND "
        "region_code IN (SELECT unnest(?::VARCHAR[])) AND year IN (SELECT unnest(?::INTEGER[]))",
        [file_frame["table_id"].iloc[0], fylker, years])
    have_total = set(zip(stored_totals["region_code"], stored_totals["year"].astype(int)))
    mine = frame[frame["region_code"].isin(file_kom) & frame["year"].isin(years)]
    rows = pd.concat([mine, others[mine.columns]], ignore_index=True) if not others.empty         else mine
    cells = rows.groupby(["region_code", "year"]).size()
    # the file's own region-years are complete once merged (``_check_complete_groups``)
    in_file = set(zip(file_frame["region_code"], file_frame["year"].astype(int)))
    out = []
    for f in fylker:
        want = set(by_fylke.get(f, []))
        for y in years:
            done = {k for k in want if (k, y) in in_file and check_only
                    or cells.get((k, y), 0) >= validate.CELLS_PER_GROUP}
            if want and done == want:
                if not check_only:
                    part = rows[(rows["year"] == y) & rows["region_code"].isin(want)]
                    out.append(part.assign(region_code=f)
                               .groupby(["region_code", "sex", "age", "year", "table_id"],
                                        as_index=False)
                               .agg(persons=("persons", lambda s: s.sum(min_count=len(s)))))
            elif (f, y) in have_total:
                lack = sorted(want - done)
                raise validate.ValidationError(
                    f"fylkestallet for {f} i {y} kan ikke regnes om: databasen mangler "
                    f"kommunene {', '.join(lack[:5])}{' …' if len(lack) > 5 else ''} for det "
                    "året; importer hele fylket (eller hent det fra SSB)")
    if not out:
        return frame.iloc[0:0]
    return pd.concat(out, ignore_index=True)[frame.columns]


def _merge_existing(store: Store, res: ingest.IngestResult, regions: list[str],
                    years: list[int]) -> tuple[pd.DataFrame, dict]:
    """Rows to write: the file's rows plus stored rows of its regions it does not replace
    (``regions``, ``years``: the file's, sorted)."""
    frame = res.frame
    kind, tid = res.kind, res.source.table_id
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
    if kind == "population":
        frame = _with_fylke_totals(store, frame, res.frame)
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


def _with_fylke_totals(store: Store, frame: pd.DataFrame, file_frame: pd.DataFrame
                       ) -> pd.DataFrame:
    """``frame`` plus the recomputed fylke totals for the file's years and the stored totals
    of those fylker for other years (a fylke in ``frame`` is replaced as a whole)."""
    totals = _fylke_totals(store, frame, file_frame)
    if totals.empty:
        return frame
    fylker = sorted(totals["region_code"].unique().tolist())
    years = sorted(int(y) for y in totals["year"].unique())
    kept = store.query("SELECT * FROM population WHERE table_id = ? AND region_code IN "
                       "(SELECT unnest(?::VARCHAR[])) AND year NOT IN "
                       "(SELECT unnest(?::INTEGER[]))",
                       [file_frame["table_id"].iloc[0], fylker, years])
    # a fylke year the file touches but cannot complete keeps no total (checked before)
    return pd.concat([frame, totals, kept[frame.columns]], ignore_index=True)


def _write(store: Store, prep: PreparedImport) -> ImportReport:
    res = prep.result
    # distinct values first: a full 14746 has 17.8 M rows (set() of the rows took 46 s).
    file_regions = sorted(str(r) for r in _distinct(res.frame["region_code"]))
    years = sorted(int(y) for y in _distinct(res.frame["year"]))
    frame, extra = _merge_existing(store, res, file_regions, years)
    regions = file_regions if frame is res.frame else sorted(
        set(file_regions) | {str(r) for r in _distinct(frame["region_code"])})
    store.replace_table_data(res.source, frame, regions=regions, extra=extra)
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


def import_files(paths, store: Store | None = None,
                 wait: float | None = None) -> list[ImportReport]:
    """Import several files: all are validated before any is written (see module doc).
    ``wait``: seconds to wait for another writer (a refresh) before ``StoreBusy``; None
    waits as long as it takes (the CLI)."""
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    if store is None:  # validate against the published version, then write a new one
        prepared = [prepare_file(p, get_store()) for p in paths]
        with publishing(timeout=wait) as writer:
            return [_write(writer, p) for p in prepared]
    prepared = [prepare_file(p, store) for p in paths]
    return [_write(store, p) for p in prepared]


def _upload_name(name: str, taken: set[str]) -> str:
    """A safe, unique file name for an upload: no folders or control characters, bounded
    length; a second file of the same name becomes ``"navn (2).csv"``."""
    base = re.sub(r"[\x00-\x1f/\\]", "_", Path(str(name).replace("\\", "/")).name).strip()
    base = base or "fil"
    stem, suffix = Path(base).stem[:100] or "fil", Path(base).suffix[:10]
    unique, k = f"{stem}{suffix}", 2
    while unique.lower() in taken:
        unique, k = f"{stem} ({k}){suffix}", k + 1
    taken.add(unique.lower())
    return unique


def import_uploads(uploads, store: Store | None = None,
                   wait: float | None = None) -> list[ImportReport]:
    """Import files given as ``(name, bytes)`` (the app's upload widget) like ``import_files``:
    all validated before any is written. Two files with the same name are both imported (the
    second is named ``"navn (2).csv"`` in messages); each is checked against the size limit."""
    taken: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="kg-upload-") as tmp:
        paths = []
        for name, data in uploads:
            unique = _upload_name(name, taken)
            try:
                validate.check_file_size(len(data))
            except validate.ValidationError as exc:
                raise FileImportError(unique, str(exc)) from None
            p = Path(tmp) / unique
            p.write_bytes(data)
            paths.append(p)
        return import_files(paths, store, wait)


def import_file(path, store: Store | None = None) -> ImportReport:
    """Import one file (JSON-stat 2 or SSB CSV) into the store."""
    return import_files([path], store)[0]
