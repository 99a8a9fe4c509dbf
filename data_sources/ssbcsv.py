"""Parse CSV files downloaded by hand from SSB's Statistikkbanken.

Public API:

- ``read_csv(data, name="fil.csv", reference=None) -> (DataFrame, DatasetMeta)``: the same
  shape as ``jsonstat.decode`` / ``jsonstat.read_meta`` give for the API: one categorical
  column per dimension id (``Region``, ``Kjonn``, ``Alder``, ``ContentsCode``, ``Tid`` ...)
  holding SSB *codes* (``"K-3101"``, ``"1"``, ``"000"``/``"105+"``, ``"Personer1"``,
  ``"2024"``), then ``value`` (float64; NaN where SSB shows a symbol) and ``status`` (the
  symbol ``"."``, ``".."``, ``"..."``, ``":"``, ``"-"`` or None). Values are never 0 for a
  symbol.
- ``CsvFormatError``: the file is not an SSB CSV we can read; the message (bokmål) says why
  and where ("linje 5 har 3 felt, ventet 4").

What the parser handles:

- encodings UTF-8 (with or without BOM) and ISO-8859-1, detected;
- separators ``;``, ``,`` or tab, detected from the column row;
- title/header lines before the column row (``"07459: Befolkning, etter ..."``): the
  table id is read from it (or from a file name starting with five digits);
- *long* layout (one column per dimension and one value column, the value column named by
  the contents label, e.g. ``Folkemengde``) and *wide* layout (value columns whose names
  combine contents, year and sex, e.g. ``Persons 2024 Males``, ``Personer 2024 Kvinner``);
- labels mapped back to codes: region cells ``K-3101 Halden``/``3101 Halden``/``0 Hele
  landet``/``EKG01 KOSTRA-gruppe 1`` → code before the first space; ages ``0 år``/``105
  years or older`` → ``000``/``105+``; sex ``Menn``/``Males`` → ``1``, ``Kvinner``/
  ``Females`` → ``2``; contents labels through ``reference`` metadata (codes and labels of
  the table, from the API or the store), a few known tables, else the label itself.

Where the file lacks a dimension SSB's table has (e.g. both sexes summed), ``meta.notes``
says so and ``missing_dimensions(meta)`` lists it; the ingest layer decides what to do.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import catalog, validate
from .jsonstat import DatasetMeta, Dimension

__all__ = ["CsvFormatError", "read_csv", "missing_dimensions", "decode_text", "STATUS_SYMBOLS"]

STATUS_SYMBOLS = frozenset({".", "..", "...", ":", "-", "x"})

TITLE_RE = re.compile(r"^\s*(\d{5})\s*:\s*(.+)$")
YEAR_RE = re.compile(r"^\d{4}(?:[KMHU]\d{1,2})?$")  # 2024, 2024K1, 2024M01
AGE_RE = re.compile(r"^(\d{1,3})\s*(?:years?|år)(\s+(?:or older|eller eldre))?$", re.I)
REGION_CODE_RE = re.compile(r"^(K-[\w-]+|EKG\d\d|EKA\d\d|EAKUO|EAK|EKA|\d{1,4})$")

SEX_LABELS = {
    "menn": "1", "males": "1", "male": "1", "mann": "1",
    "kvinner": "2", "females": "2", "female": "2", "kvinne": "2",
    "begge kjønn": "0", "both sexes": "0",
}

# Column-row labels (lower case) -> SSB dimension id.
HEADER_DIMS = {
    "region": "Region", "kommune": "Region",
    "alder": "Alder", "age": "Alder",
    "kjønn": "Kjonn", "sex": "Kjonn",
    "år": "Tid", "year": "Tid", "tid": "Tid", "time": "Tid",
    "statistikkvariabel": "ContentsCode", "contents": "ContentsCode",
    "alternativ": "Framskriv",
    "innvandringskategori / landbakgrunn": "InnvandrLandbakgr",
}
# KOSTRA tables name their dimensions differently.
KOSTRA_HEADER_DIMS = {"region": catalog.KOSTRA_REGION, "alder": "KOKalder0000",
                      "age": "KOKalder0000", "tjenestegrupper": "KOKTenesteGrp0000",
                      "tjenestegruppe": "KOKTenesteGrp0000"}

# Contents labels of tables whose metadata we know without asking SSB.
KNOWN_LABELS = {
    "07459": {"ContentsCode": {"personer": "Personer1", "persons": "Personer1"}},
    "13599": {"ContentsCode": {"folkemengde": "Folkemengde", "population": "Folkemengde"},
              "InnvandrLandbakgr": {"hele befolkningen": "00", "total population": "00"}},
}
# Dimensions SSB's tables have (to say what a file lacks).
EXPECTED_DIMS = {
    "07459": ("Region", "Kjonn", "Alder", "ContentsCode", "Tid"),
    "14746": ("Region", "Kjonn", "Alder", "ContentsCode", "Tid"),
    "14288": ("Region", "Kjonn", "Alder", "ContentsCode", "Tid"),
    "13599": ("Kjonn", "Alder", "InnvandrLandbakgr", "Framskriv", "ContentsCode", "Tid"),
}
DIM_LABELS_NB = {"Region": "region", "Kjonn": "kjønn", "Alder": "alder",
                 "ContentsCode": "statistikkvariabel", "Tid": "år",
                 "InnvandrLandbakgr": "innvandringskategori", "Framskriv": "alternativ"}
# Canonical order of dimensions in SSB's tables (others keep file order, before these).
DIM_ORDER = ["Region", catalog.KOSTRA_REGION, "Kjonn", "Alder", "InnvandrLandbakgr",
             "Framskriv", "ContentsCode", "Tid"]


class CsvFormatError(ValueError):
    """The CSV cannot be read as an SSB download; the message (bokmål) says why."""


# -- text level ------------------------------------------------------------------------------
def decode_text(raw: bytes) -> str:
    """Bytes to text: UTF-8 (BOM stripped) if valid, else ISO-8859-1 (never fails)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _sniff_delimiter(line: str) -> str:
    try:
        return csv.Sniffer().sniff(line, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {d: line.count(d) for d in ";\t,"}
        best = max(counts, key=counts.get)
        if counts[best] == 0:
            raise CsvFormatError("finner ingen kolonneskille (; , eller tabulator)") from None
        return best


def _split_preamble(lines: list[str]) -> tuple[list[str], int]:
    """Return (title/header lines, index of the column row)."""
    pre = []
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or TITLE_RE.match(s.strip('"')):
            pre.append(line)
            continue
        fields = next(csv.reader([s], delimiter=_sniff_delimiter(s) if _has_delim(s) else ";"))
        if len([f for f in fields if f.strip()]) >= 2:
            return pre, i
        pre.append(line)
    raise CsvFormatError("finner ingen kolonnerad (minst to kolonner)")


def _has_delim(s: str) -> bool:
    return any(d in s for d in ";,\t")


# -- label -> code ---------------------------------------------------------------------------
def age_code(label: str) -> str | None:
    m = AGE_RE.match(label.strip())
    if not m:
        return None
    return f"{int(m.group(1)):03d}" + ("+" if m.group(2) else "")


def split_region(label: str) -> tuple[str, str]:
    """``'K-3101 Halden'`` -> ``('K-3101', 'Halden')``; ``'0 Hele landet'`` -> ``('0', ...)``."""
    s = label.strip()
    head, _, rest = s.partition(" ")
    if REGION_CODE_RE.match(head):
        return head, rest.strip() or head
    return s, s


class _Mapper:
    """Label -> code for one dimension, using reference metadata when given."""

    def __init__(self, dim_id: str, table_id: str | None, reference: DatasetMeta | None):
        self.dim_id = dim_id
        self.ref: dict[str, str] = {}
        self.codes: set[str] = set()
        if reference is not None:
            try:
                d = reference.dim(dim_id)
            except KeyError:
                d = None
            if d is not None:
                self.codes = set(d.codes)
                for c, lab in zip(d.codes, d.labels):
                    self.ref[lab.strip().lower()] = c
                    self.ref[f"{c} {lab}".strip().lower()] = c
        known = KNOWN_LABELS.get(table_id or "", {}).get(dim_id, {})
        self.ref = {**known, **self.ref}
        self.guessed = False
        self.labels: dict[str, str] = {}

    def __call__(self, label: str) -> str:
        s = label.strip()
        key = s.lower()
        if key in self.ref:
            code = self.ref[key]
            self.labels.setdefault(code, s)
            return code
        d = self.dim_id
        if d in ("Region", catalog.KOSTRA_REGION):
            code, name = split_region(s)
        elif d == "Alder":
            code, name = age_code(s) or s, s
        elif d == "Kjonn":
            code, name = SEX_LABELS.get(key, s), s
        elif d == "Tid":
            code, name = s, s
        elif d == "ContentsCode":
            m = catalog.ALT_RE.search(s)
            rev = {v[0]: k for k, v in catalog.ALTERNATIVES.items()}
            code, name = (rev.get(m.group(1), s) if m else s), s
        elif d == "Framskriv":
            m = re.search(r"\(([A-Z0-9]{3,4})\)", s)
            code, name = (m.group(1) if m else s), s
        else:
            code, name = s, s
        if code == s and d not in ("Tid",) and s not in self.codes:
            self.guessed = True
        self.labels.setdefault(code, name)
        return code


# -- numbers ---------------------------------------------------------------------------------
def _parse_values(cells: list[str], col: str,
                  line_nos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells to (float64 values, status symbols); decimal comma or point; raises on text."""
    s = pd.Series(cells, dtype=object).str.strip()
    status = s.where(s.isin(STATUS_SYMBOLS))
    num = s.where(~s.isin(STATUS_SYMBOLS)).str.replace("\u00a0", "", regex=False) \
        .str.replace(" ", "", regex=False)
    has_comma = num.str.contains(",", regex=False, na=False)
    num = num.where(~has_comma, num.str.replace(".", "", regex=False)
                    .str.replace(",", ".", regex=False))
    vals = pd.to_numeric(num.where(num != ""), errors="coerce")
    bad = vals.isna() & num.notna() & (num != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise CsvFormatError(f"linje {int(line_nos[i])}: verdien {cells[i]!r} i kolonnen "
                             f"{col!r} er ikke et tall eller et SSB-symbol")
    empty = num.fillna("").eq("") & status.isna()
    status = status.where(~empty, None)
    return vals.to_numpy(dtype=np.float64), status.astype(object).where(status.notna(), None) \
        .to_numpy()


# -- wide headers ----------------------------------------------------------------------------
def _parse_heading(col: str) -> dict:
    """Split a value-column name into {dim_id: label}: contents, year, sex."""
    text = col.strip()
    out: dict[str, str] = {}
    low = text.lower()
    for lab in sorted(SEX_LABELS, key=len, reverse=True):
        m = re.search(rf"(?:^|\s){re.escape(lab)}$", low) or \
            re.search(rf"(?:^|\s){re.escape(lab)}(?=\s)", low)
        if m:
            out["Kjonn"] = text[m.start():m.end()].strip()
            text = (text[:m.start()] + " " + text[m.end():]).strip()
            low = text.lower()
            break
    m = re.search(r"(?:^|\s)(\d{4}(?:[KMHU]\d{1,2})?)(?=\s|$)", text)
    if m:
        out["Tid"] = m.group(1)
        text = (text[:m.start()] + " " + text[m.end():]).strip()
    text = re.sub(r"\s+", " ", text).strip()
    if text:
        out["ContentsCode"] = text
    return out


# -- main ------------------------------------------------------------------------------------
def read_csv(data: bytes | str | Path, name: str | None = None,
             reference: DatasetMeta | None = None) -> tuple[pd.DataFrame, DatasetMeta]:
    """Parse one SSB CSV download (bytes, text or a path); see the module docstring."""
    if isinstance(data, Path):
        name = name or data.name
        data = data.read_bytes()
    name = name or "fil.csv"
    text = decode_text(data) if isinstance(data, bytes) else data
    if not text.strip():
        raise CsvFormatError("filen er tom")
    if "\x00" in text:
        raise CsvFormatError("filen inneholder NUL-tegn: den er binær eller UTF-16, ikke en "
                             "CSV-fil fra Statistikkbanken (UTF-8 eller ISO-8859-1)")
    lines = text.splitlines()
    try:
        return _read_lines(lines, name, reference)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise CsvFormatError(f"et felt er lengre enn {csv.field_size_limit():,} tegn"
                                 .replace(",", "\u00a0")) from None
        raise CsvFormatError("filen kan ikke leses som CSV (feil bruk av anførselstegn?)") \
            from None


def _check_fields(row: list[str], ln: int) -> None:
    for f in row:
        if len(f) > validate.MAX_FIELD_CHARS:
            raise CsvFormatError(f"linje {ln}: et felt har {len(f):,} tegn (grensen er "
                                 f"{validate.MAX_FIELD_CHARS:,})".replace(",", "\u00a0"))


def _read_lines(lines: list[str], name: str,
                reference: DatasetMeta | None) -> tuple[pd.DataFrame, DatasetMeta]:
    pre, hdr_i = _split_preamble(lines)
    title = next((ln.strip().strip('"').strip() for ln in pre if ln.strip()), "")
    m = TITLE_RE.match(title)
    table_id = m.group(1) if m else None
    if table_id is None:
        fm = re.match(r"^(\d{5})(?:\D|$)", Path(name).name)
        table_id = fm.group(1) if fm else None
    delim = _sniff_delimiter(lines[hdr_i])
    # Data rows end at the first blank line after the column row; the rest are footnotes.
    body_end = len(lines)
    for j in range(hdr_i + 1, len(lines)):
        if not lines[j].strip():
            body_end = j
            break
    footnotes = [ln.strip().strip('"') for ln in lines[body_end:] if ln.strip()]
    reader = csv.reader(io.StringIO("\n".join(lines[hdr_i:body_end])), delimiter=delim)
    header = [h.strip() for h in next(reader)]
    _check_fields(header, hdr_i + 1)
    ncol = len(header)
    if ncol > validate.MAX_CSV_COLUMNS:
        raise CsvFormatError(f"kolonneraden har {ncol:,} kolonner (grensen er "
                             f"{validate.MAX_CSV_COLUMNS:,}); last ned med færre variabler "
                             "i kolonnene".replace(",", "\u00a0"))
    rows: list[list[str]] = []
    line_nos: list[int] = []
    for k, row in enumerate(reader):
        ln = hdr_i + 2 + k
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != ncol:
            raise CsvFormatError(f"linje {ln} har {len(row)} felt, ventet {ncol}")
        _check_fields(row, ln)
        if (len(rows) + 1) * ncol > validate.MAX_CELLS:
            raise CsvFormatError(f"filen har mer enn {validate.MAX_CELLS:,} celler (grensen)"
                                 .replace(",", "\u00a0"))
        rows.append(row)
        line_nos.append(ln)
    if not rows:
        raise CsvFormatError("filen har ingen datarader")
    cols = list(zip(*rows))
    line_arr = np.asarray(line_nos)

    is_kostra = table_id in catalog.KOSTRA_TABLES
    aliases = {**HEADER_DIMS, **(KOSTRA_HEADER_DIMS if is_kostra else {})}
    ref_by_label = {}
    if reference is not None:
        ref_by_label = {d.label.strip().lower(): d.id for d in reference.dimensions}
    stub: list[tuple[int, str]] = []  # (column index, dim id)
    value_cols: list[int] = []
    for i, h in enumerate(header):
        key = h.lower()
        dim_id = None if value_cols else (ref_by_label.get(key) or aliases.get(key))
        heading_like = bool(re.search(r"(?:^|\s)\d{4}(?:\s|$)", h))
        if dim_id is None and not value_cols and not heading_like and i < ncol - 1:
            sample = pd.Series(cols[i][:200], dtype=object).str.strip()
            if not pd.to_numeric(sample.where(~sample.isin(STATUS_SYMBOLS)),
                                 errors="coerce").notna().any():
                dim_id = re.sub(r"\W+", "_", h).strip("_") or f"dim{i}"
        if dim_id is None:
            value_cols.append(i)
        else:
            stub.append((i, dim_id))
    if not value_cols:
        raise CsvFormatError("finner ingen kolonne med tall")

    stub_ids = [d for _, d in stub]
    headings = [_parse_heading(header[i]) for i in value_cols]
    heading_ids = sorted({k for h in headings for k in h} - set(stub_ids),
                         key=lambda d: DIM_ORDER.index(d) if d in DIM_ORDER else -1)
    mappers = {d: _Mapper(d, table_id, reference) for d in stub_ids + heading_ids}

    n = len(rows)
    parts = []
    for vi, hd in zip(value_cols, headings):
        part: dict[str, object] = {}
        for ci, d in stub:
            part[d] = cols[ci]
        for d in heading_ids:
            if d not in hd:
                raise CsvFormatError(f"kolonnen {header[vi]!r} mangler {DIM_LABELS_NB.get(d, d)}"
                                     " (ulike kolonneoverskrifter)")
            part[d] = [hd[d]] * n
        vals, status = _parse_values(list(cols[vi]), header[vi], line_arr)
        part["value"] = vals
        part["status"] = status
        parts.append(pd.DataFrame(part))
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    dims: list[Dimension] = []
    order = stub_ids + heading_ids
    order = sorted(order, key=lambda d: (DIM_ORDER.index(d) if d in DIM_ORDER else -1))
    notes = list(footnotes)
    out: dict[str, object] = {}
    for d in order:
        mapper = mappers[d]
        labels = pd.Series(df[d], dtype=object)
        uniq, inv = np.unique(labels.to_numpy(dtype=str), return_inverse=True)
        codes_u = np.asarray([mapper(u) for u in uniq], dtype=object)
        codes = codes_u[inv]
        first_seen = list(dict.fromkeys(codes.tolist()))
        cat = pd.Categorical(codes, categories=pd.Index(first_seen, dtype=object))
        if d == "Kjonn" and set(first_seen) == {"0"}:
            notes.append("Variabelen kjønn mangler: filen har begge kjønn summert.")
            continue
        out[d] = cat
        codelist = "agg_KommSummer" if d == "Region" and any(
            c.startswith("K-") for c in first_seen) else None
        ref_dim = None
        if reference is not None:
            try:
                ref_dim = reference.dim(d)
            except KeyError:
                ref_dim = None
        dims.append(Dimension(
            id=d, label=ref_dim.label if ref_dim else DIM_LABELS_NB.get(d, d),
            codes=tuple(first_seen), labels=tuple(mapper.labels.get(c, c) for c in first_seen),
            units=dict(ref_dim.units) if ref_dim else {}, codelist=codelist))
        if mapper.guessed and d == "ContentsCode":
            notes.append(f"Statistikkvariabelen har ukjente koder; etiketten brukes som kode "
                         f"({', '.join(first_seen[:3])}).")
    out["value"] = df["value"].to_numpy(dtype=np.float64)
    out["status"] = df["status"].to_numpy(dtype=object)
    frame = pd.DataFrame(out)
    dim_cols = [d.id for d in dims]
    dup = frame.duplicated(subset=dim_cols)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0]) % n
        raise CsvFormatError(f"linje {int(line_arr[i])}: samme kombinasjon av variabler "
                             "finnes to ganger")
    have = {d.id for d in dims}
    for d in EXPECTED_DIMS.get(table_id or "", ()):
        if d not in have and not any(f"{DIM_LABELS_NB.get(d, d)} mangler" in x for x in notes):
            notes.append(f"Variabelen {DIM_LABELS_NB.get(d, d)} ({d}) mangler i filen "
                         "(SSB-tabellen har den; filen er trolig summert over den).")
    meta = DatasetMeta(label=title or (table_id or Path(name).stem), updated=None,
                       table_id=table_id, source="Statistisk sentralbyrå",
                       dimensions=tuple(dims), notes=tuple(notes))
    return frame, meta


def missing_dimensions(meta: DatasetMeta) -> list[str]:
    """Dimension ids SSB's table has but the parsed file lacks (for known tables)."""
    have = {d.id for d in meta.dimensions}
    return [d for d in EXPECTED_DIMS.get(meta.table_id or "", ()) if d not in have]
