"""Decode JSON-stat 2.0 datasets into tidy pandas DataFrames, vectorised with numpy.

Public API:

- ``decode(dataset) -> DataFrame``: one column per dimension (named by the dimension
  id, holding category *codes* as ``str``), then ``value`` (float64, NaN where SSB gives
  no number) and ``status`` (categorical: the status symbol such as ``"."``, ``".."``,
  ``":"``, or missing). Row order is JSON-stat's row-major order (last dimension fastest), the
  same order as ``pyjstat.from_json_stat(..., naming="id")``.
- ``read_meta(dataset) -> DatasetMeta``: title, SSB ``updated`` time, table id, and per
  dimension the ordered codes and labels, plus units of ContentsCode.
- ``parse(text_or_bytes) -> dict``: JSON text to dict, with a clear error if it is not a
  JSON-stat 2 dataset.

The decoder never builds Python objects per cell: for a dataset of N cells it builds each
dimension's code column with ``numpy.repeat``/``numpy.tile`` of a small code array
(categorical under the hood), so 2 M cells decode in well under a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import orjson
import pandas as pd

from . import validate

__all__ = ["JsonStatError", "DatasetMeta", "Dimension", "decode", "read_meta", "parse", "loads"]


class JsonStatError(ValueError):
    """The input is not a JSON-stat 2.0 dataset we can decode (message says why)."""


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    units: dict = field(default_factory=dict)  # code -> {"base":..., "decimals":...}
    codelist: str | None = None


@dataclass(frozen=True)
class DatasetMeta:
    label: str
    updated: str | None
    table_id: str | None
    source: str | None
    dimensions: tuple[Dimension, ...]
    notes: tuple[str, ...] = ()

    @property
    def size(self) -> tuple[int, ...]:
        return tuple(len(d.codes) for d in self.dimensions)

    def dim(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)


def loads(data: str | bytes):
    """JSON text → Python objects: orjson (3–4× the standard library on SSB's 16–150 MB
    bodies, ``bench/decode.py``), falling back to the standard library for what only it
    accepts (``NaN``/``Infinity`` literals). Raises ``ValueError`` (``json.JSONDecodeError``,
    which orjson's error subclasses, or nesting too deep) or ``UnicodeDecodeError``.
    orjson ≥ 3.9.15 refuses deep nesting instead of overflowing the stack
    (CVE-2024-27454); the requirement pins a version above it."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(data)
        except RecursionError:
            raise ValueError("JSON-innholdet er nestet for dypt") from None


def parse(data: str | bytes | dict, require_values: bool = True) -> dict:
    """Parse JSON text (or pass a dict through) and check it is a JSON-stat 2 dataset.

    Parsed with ``loads`` (orjson first).

    ``require_values=False`` accepts metadata (PxWebApi 2 metadata has no ``value``)."""
    if not isinstance(data, (str, bytes, bytearray)):
        obj = data  # already parsed (any JSON value)
    else:
        try:
            obj = loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise JsonStatError(f"ikke gyldig JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise JsonStatError("JSON-innholdet er ikke et objekt")
    if obj.get("class") != "dataset":
        raise JsonStatError("mangler \"class\": \"dataset\" (ikke et JSON-stat 2-datasett)")
    for key in ("id", "size", "dimension") + (("value",) if require_values else ()):
        if key not in obj:
            raise JsonStatError(f"mangler feltet \"{key}\"")
    return obj


def _category_codes(dim_id: str, dim) -> tuple[list[str], list[str]]:
    if not isinstance(dim, dict):
        raise JsonStatError(f"dimensjonen {dim_id}: ventet et objekt")
    cat = dim.get("category") or {}
    if not isinstance(cat, dict):
        raise JsonStatError(f"dimensjonen {dim_id}: «category» må være et objekt")
    index = cat.get("index")
    labels = cat.get("label") or {}
    if not isinstance(labels, dict):
        raise JsonStatError(f"dimensjonen {dim_id}: «category.label» må være et objekt")
    if index is None:
        # Single-category dimensions may give only labels.
        codes = list(labels.keys())
    elif isinstance(index, list):
        if not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in index):
            raise JsonStatError(f"dimensjonen {dim_id}: koder må være tekst")
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        codes = [None] * len(index)
        for code, pos in index.items():
            if isinstance(pos, bool) or not isinstance(pos, int) or pos < 0 \
                    or pos >= len(index):
                raise JsonStatError(f"dimensjonen {dim_id}: ugyldig indeks for en kode")
            codes[pos] = str(code)
        if any(c is None for c in codes):
            raise JsonStatError(f"dimensjonen {dim_id}: indeksen har hull")
    else:
        raise JsonStatError(f"dimensjonen {dim_id}: ugyldig category.index")
    if len(set(codes)) != len(codes):
        raise JsonStatError(f"dimensjonen {dim_id}: samme kode finnes to ganger")
    return codes, [str(labels.get(c, c)) for c in codes]


def read_meta(ds: dict) -> DatasetMeta:
    ds = parse(ds, require_values=False)
    ids, size, dimension = ds["id"], ds["size"], ds["dimension"]
    if isinstance(size, list):  # orjson reads integers beyond 64 bits as floats (1e+30)
        size = [int(n) if isinstance(n, float) and n.is_integer() else n for n in size]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise JsonStatError("«id» må være en liste med variabelnavn")
    if not isinstance(size, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in size):
        raise JsonStatError("«size» må være en liste med hele tall ≥ 0")
    if not isinstance(dimension, dict):
        raise JsonStatError("«dimension» må være et objekt")
    if len(ids) != len(size):
        raise JsonStatError("\"id\" og \"size\" har ulik lengde")
    if len(set(ids)) != len(ids):
        raise JsonStatError("samme variabel står to ganger i «id»")
    if "value" in ds:  # data (not metadata): bounded before anything is allocated
        try:
            validate.check_declared_cells(size)
        except validate.ValidationError as exc:
            raise JsonStatError(str(exc)) from None
    dims = []
    for dim_id, n in zip(ids, size):
        d = dimension.get(dim_id)
        if d is None:
            raise JsonStatError(f"dimensjonen {dim_id} mangler i \"dimension\"")
        codes, labels = _category_codes(dim_id, d)
        if len(codes) != n:
            raise JsonStatError(
                f"dimensjonen {dim_id} har {len(codes)} kategorier, men size sier {n}")
        units = (d.get("category") or {}).get("unit") or {}
        if not isinstance(units, dict) or not all(isinstance(u, dict) for u in units.values()):
            units = {}
        ext = d.get("extension") or {}
        codelist = (ext.get("codelist") if isinstance(ext, dict) else None) or None
        if isinstance(codelist, dict):
            codelist = codelist.get("id")
        if not isinstance(codelist, str):
            codelist = None
        dims.append(Dimension(dim_id, str(d.get("label", dim_id)), tuple(codes), tuple(labels),
                              dict(units), codelist))
    ext = ds.get("extension") or {}
    px = (ext.get("px") if isinstance(ext, dict) else None) or {}
    table_id = px.get("tableid") if isinstance(px, dict) else None
    table_id = str(table_id) if isinstance(table_id, (str, int)) and table_id != "" else None
    label = str(ds.get("label", ""))
    if not table_id and ":" in label:
        head = label.split(":", 1)[0].strip()
        table_id = head if head.isdigit() else None
    notes = ds.get("note") or []
    if isinstance(notes, str):
        notes = [notes]
    notes = [str(n) for n in notes] if isinstance(notes, list) else []
    updated = ds.get("updated")
    source = ds.get("source")
    return DatasetMeta(label=label, updated=updated if isinstance(updated, str) else None,
                       table_id=table_id, source=source if isinstance(source, str) else None,
                       dimensions=tuple(dims), notes=tuple(notes))


def _values(ds: dict, n: int) -> np.ndarray:
    raw = ds["value"]
    if isinstance(raw, list):
        if len(raw) != n:
            raise JsonStatError(
                f"datasettet har {len(raw)} verdier, men dimensjonene gir {n} celler "
                "(avkortet eller ødelagt fil?)")
        try:
            # None -> NaN. fromiter converts element by element (4-5x np.array, which
            # first inspects the whole list for nesting); a nested list or a non-number
            # raises, and the loop below names the first bad value.
            return np.fromiter(raw, dtype=np.float64, count=n)
        except (TypeError, ValueError, OverflowError):
            out = np.full(n, np.nan)
            for i, v in enumerate(raw):
                if v is not None:
                    try:
                        if isinstance(v, (list, dict)):
                            raise TypeError
                        out[i] = float(v)
                    except (TypeError, ValueError, OverflowError):
                        raise JsonStatError(f"verdi nr. {i + 1} er ikke et tall: "
                                            f"{validate.shown(repr(v))}") from None
            return out
    if isinstance(raw, dict):  # sparse: {"index": value}
        out = np.full(n, np.nan)
        if raw:
            try:
                idx = np.fromiter((int(k) for k in raw.keys()), dtype=np.int64, count=len(raw))
                vals = np.array([np.nan if v is None else float(v) for v in raw.values()],
                                dtype=np.float64)
            except (TypeError, ValueError, OverflowError):
                raise JsonStatError("«value» som objekt må ha cellenummer som nøkler og tall "
                                    "som verdier") from None
            if idx.min() < 0 or idx.max() >= n:
                raise JsonStatError("verdi-indeks utenfor datasettet")
            out[idx] = vals
        return out
    raise JsonStatError("\"value\" må være en liste eller et objekt")


def _status(ds: dict, n: int) -> pd.Categorical:
    """Status symbols as a categorical (few distinct symbols, NaN where none)."""
    raw = ds.get("status")
    # no status: the int8 codes pandas keeps for no categories, not converted later
    codes = np.full(n, -1, dtype=np.int8 if raw is None else np.int16)
    symbols: dict[str, int] = {}

    def code_of(sym) -> int:
        if sym is None:
            return -1
        if not isinstance(sym, str) or len(sym) > 10:
            raise JsonStatError(f"ukjent statussymbol {validate.shown(repr(sym))}")
        return symbols.setdefault(sym, len(symbols))

    if raw is None:
        pass
    elif isinstance(raw, str):
        codes[:] = code_of(raw)
    elif isinstance(raw, list):
        if len(raw) == 1:
            codes[:] = code_of(raw[0])
        elif len(raw) == n:
            codes[:] = [code_of(v) for v in raw]
        else:
            raise JsonStatError(f"\"status\" har {len(raw)} elementer, ventet {n}")
    elif isinstance(raw, dict):
        for k, v in raw.items():
            try:
                i = int(k)
            except ValueError:
                raise JsonStatError("«status» som objekt må ha cellenummer som nøkler") from None
            if 0 <= i < n:
                codes[i] = code_of(v)
    else:
        raise JsonStatError("\"status\" har ukjent form")
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(symbols), dtype=object),
                                     validate=False)


def decode(ds: dict | str | bytes, meta: DatasetMeta | None = None) -> pd.DataFrame:
    """Decode a JSON-stat 2.0 dataset to a tidy frame (see module docstring)."""
    ds = parse(ds)
    meta = meta or read_meta(ds)
    sizes = np.array(meta.size, dtype=np.int64)
    n = int(np.prod(sizes)) if len(sizes) else 0
    cols: dict[str, object] = {}
    # Row-major: dimension k repeats each code `inner` times, and the block `outer` times.
    for k, dim in enumerate(meta.dimensions):
        inner = int(np.prod(sizes[k + 1:])) if k + 1 < len(sizes) else 1
        outer = int(np.prod(sizes[:k])) if k > 0 else 1
        categories = pd.Index(dim.codes, dtype=object)
        # the integer type pandas keeps a categorical's codes in (int8 for < 127 categories):
        # the rows are written in it once, never converted
        small = pd.Categorical.from_codes(np.arange(len(dim.codes)), categories=categories,
                                          validate=False).codes
        pos = np.empty(n, dtype=small.dtype)
        pos.reshape(outer, len(small), inner)[...] = small.reshape(1, -1, 1)
        cols[dim.id] = pd.Categorical.from_codes(pos, categories=categories, validate=False)
    cols["value"] = _values(ds, n)
    cols["status"] = _status(ds, n)
    return pd.DataFrame(cols, copy=False)  # the arrays are new: no copy into 2-D blocks
