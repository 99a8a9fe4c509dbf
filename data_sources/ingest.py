"""Turn a decoded JSON-stat dataset into store rows (the one path for API and files).

``to_store_frames(table_id, df, meta)`` returns an ``IngestResult`` with the store kind
(projection | population | kostra), the rows in the store's column order, extra tables
(alternatives, kostra_contents) and a ``SourceInfo`` the caller completes (query, origin).

Rules:
- Region codes are stored as SSB gives them; the 07459 ``agg_KommSummer`` codes "K-3103"
  become "3103" (that codelist already sums old kommuner into the current structure).
- Age "105+" becomes 105; ages are integers.
- Status symbols (".", "..", ":") keep a NULL value with the symbol in ``status``; never 0.
- Projection alternatives are stored as SSB's four-letter code (MMMM, LLML, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import catalog
from .jsonstat import DatasetMeta
from .store import SourceInfo

ROUND_RE = re.compile(r"(20\d\d)")


class IngestError(ValueError):
    """A dataset cannot be stored: the message (bokmål) says why."""


@dataclass
class IngestResult:
    kind: str
    frame: pd.DataFrame
    source: SourceInfo
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        return sorted(self.frame["region_code"].unique().tolist())


def _codes(df: pd.DataFrame, col: str) -> np.ndarray:
    """Category codes of a column as a numpy array of str (fast for categoricals)."""
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.asarray(s.cat.categories, dtype=object).astype(str)
        return cats[s.array.codes]
    return s.astype(str).to_numpy()


def _categorical(s: pd.Series, fn=str) -> pd.Categorical:
    """``fn`` of each distinct code, as a categorical: one Python string per category, not
    per row (a full 14746 has 17.8 M rows; per-row strings cost minutes to build and hash)."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("category")
    mapped = np.asarray([fn(str(c)) for c in s.cat.categories], dtype=object)
    uniq, inv = np.unique(mapped, return_inverse=True)  # fn may map several codes to one
    codes = s.array.codes
    if len(uniq) and np.array_equal(inv, np.arange(len(inv))):
        codes = codes.copy()  # sorted distinct categories mapped to themselves: same codes
    elif len(uniq):
        # the row codes stay in their (small) integer type: fewer categories than before
        inv = inv.astype(codes.dtype)
        codes = np.where(codes < 0, -1, inv[codes]) if (codes < 0).any() else inv[codes]
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniq, dtype=object),
                                     validate=False)


def _constant(value: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8),
                                     categories=pd.Index([value], dtype=object), validate=False)


def _int32_column(s: pd.Series, fn) -> np.ndarray:
    """``fn`` (str -> int) of each distinct code as int32, broadcast over the rows: the
    conversion is done per category, the rows only index the small array."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        mapped = np.asarray([fn(str(c)) for c in s.cat.categories], dtype=object)
        codes = s.array.codes
        try:
            return mapped.astype(np.int32)[codes]
        except (OverflowError, ValueError, TypeError):
            # a category no row uses may not fit: convert the rows' values only, as before
            return mapped[codes].astype(np.int32)
    uniq, inv = np.unique(s.astype(str).to_numpy(), return_inverse=True)
    return np.asarray([fn(u) for u in uniq], dtype=object).astype(np.int32)[inv]


def _float_column(s: pd.Series):
    """A column's values as float64 for a new frame built with ``copy=False``: the Series
    itself where it already is float64 on the index 0..n-1 (pandas shares it copy-on-write:
    no copy of 17.8 M values, and a later change to either frame copies first), else a
    float64 copy."""
    if s.dtype == np.float64 and isinstance(s.index, pd.RangeIndex) \
            and s.index.equals(pd.RangeIndex(len(s))):
        return s
    return s.to_numpy(dtype=np.float64, copy=True)


def parse_age(code: str) -> int:
    c = code.strip().rstrip("+")
    if not c.isdigit():
        raise IngestError(f"ukjent alderskode {code!r}")
    return int(c)


def region_code(code: str) -> str:
    return code[2:] if code.startswith("K-") else code


def _history_region(code: str) -> str:
    """07459 region code as stored: "K-3103" -> "3103"; '' for codes that are not a
    kommune, fylke or the country (K-Rest, K-21-22, K-23)."""
    if code.startswith("K-"):
        c = code[2:]
        return c if len(c) == 4 and c.isdigit() else ""
    return code if code == "0" or (code.isdigit() and len(code) in (2, 4)) else ""


def _require(df: pd.DataFrame, cols: list[str], table_id: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise IngestError(f"tabell {table_id}: mangler variabel(er) {', '.join(missing)}; "
                          "last ned med alle variabler valgt")


def _region_var(meta: DatasetMeta) -> str:
    ids = [d.id for d in meta.dimensions]
    for cand in ("Region", catalog.KOSTRA_REGION):
        if cand in ids:
            return cand
    raise IngestError("datasettet har ingen regionvariabel")


def _round(meta: DatasetMeta, years: np.ndarray) -> str | None:
    return str(int(years.min())) if len(years) else None


def detect_kind(table_id: str, meta: DatasetMeta) -> str:
    kind = catalog.kind_for(table_id or "", [d.id for d in meta.dimensions])
    if kind:
        return kind
    ids = {d.id for d in meta.dimensions}
    if {"Region", "Alder", "ContentsCode", "Tid"} <= ids:
        labels = meta.dim("ContentsCode").labels
        if any(catalog.ALT_RE.search(lab) for lab in labels):
            return "projection"
    raise IngestError(f"ukjent tabell {table_id or '(uten nummer)'}: kan ikke lagres "
                      "(støttet: 14746/14288, 07459, 12209, 12292, 12003, 11875)")


def to_store_frames(table_id: str | None, df: pd.DataFrame, meta: DatasetMeta) -> IngestResult:
    table_id = table_id or meta.table_id or ""
    kind = detect_kind(table_id, meta)
    title = meta.label.split(":", 1)[1].strip() if ":" in meta.label else meta.label
    years_all = pd.to_numeric(pd.Series(meta.dim("Tid").codes), errors="coerce").dropna() \
        if "Tid" in [d.id for d in meta.dimensions] else pd.Series(dtype=float)
    source = SourceInfo(table_id=table_id, title=title, kind=kind,
                        ssb_updated=meta.updated,
                        round=_round(meta, years_all.to_numpy()) if kind == "projection" else None)
    if kind == "projection":
        frame, extra = _projection(table_id, df, meta)
    elif kind == "population":
        frame, extra = _population(table_id, df, meta)
    else:
        frame, extra = _kostra(table_id, df, meta)
    return IngestResult(kind=kind, frame=frame, source=source, extra=extra)


def _projection(table_id: str, df: pd.DataFrame, meta: DatasetMeta):
    _require(df, ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"], table_id)
    cdim = meta.dim("ContentsCode")
    alt_of = {c: catalog.alternative_code(c, lab) for c, lab in zip(cdim.codes, cdim.labels)}
    frame = pd.DataFrame({
        "region_code": _categorical(df["Region"]),
        "sex": _categorical(df["Kjonn"]),
        "age": _int32_column(df["Alder"], parse_age),
        "year": _int32_column(df["Tid"], int),
        "alternative": _categorical(df["ContentsCode"], alt_of.__getitem__),
        "persons": _float_column(df["value"]),
        "table_id": _constant(table_id, len(df)),
    }, copy=False)  # new arrays (persons shared copy-on-write): nothing copied again
    alts = pd.DataFrame({"code": [alt_of[c] for c in cdim.codes], "contents_code": list(cdim.codes),
                         "label": [re.sub(r"\s*\([^)]*\)\s*$", "", lab) for lab in cdim.labels],
                         "table_id": table_id})
    return frame, {"alternatives": alts}


def _population(table_id: str, df: pd.DataFrame, meta: DatasetMeta):
    _require(df, ["Region", "Kjonn", "Alder", "Tid"], table_id)
    if "ContentsCode" in df.columns:
        codes = set(meta.dim("ContentsCode").codes)
        if codes - {"Personer1", "Personer"}:
            keep = _codes(df, "ContentsCode") == "Personer1"
            df = df[keep]
    frame = pd.DataFrame({
        "region_code": _categorical(df["Region"], _history_region),
        "sex": _categorical(df["Kjonn"]),
        "age": _int32_column(df["Alder"], parse_age),
        "year": _int32_column(df["Tid"], int),
        "persons": _float_column(df["value"]),
        "table_id": _constant(table_id, len(df)),
    }, copy=False)  # new arrays (persons shared copy-on-write): nothing copied again
    # 07459's "Kommuner summert" list also has K-Rest, K-21-22 (Svalbard, Jan Mayen) and
    # K-23 (kontinentalsokkelen): not kommuner, dropped.
    frame = frame[frame["region_code"] != ""].reset_index(drop=True)
    return frame, {}


def add_fylke_sums(frame: pd.DataFrame, kommuner_by_fylke: dict[str, list[str]]) -> pd.DataFrame:
    """Add history rows for each fylke whose kommuner (2024 structure) are all in ``frame``.

    A fylke's row is the sum of its kommuner per sex/age/year (NULL if any part is NULL).
    Fylker with a missing kommune get no row: a partial sum would be wrong.
    """
    kom = frame[frame["region_code"].str.len() == 4]
    present = set(kom["region_code"])
    complete = {f for f, ks in kommuner_by_fylke.items() if ks and set(ks) <= present}
    kom = kom[kom["region_code"].str[:2].isin(complete)]
    if kom.empty:
        return frame
    # vectorised: a per-group Python sum cost ~20 s for the whole country (130,000 groups)
    sums = (kom.assign(region_code=kom["region_code"].str[:2], missing=kom["persons"].isna())
            .groupby(["region_code", "sex", "age", "year", "table_id"], as_index=False)
            .agg(persons=("persons", "sum"), missing=("missing", "any")))
    sums["persons"] = sums["persons"].mask(sums["missing"])
    rest = frame[~frame["region_code"].isin(complete)]
    return pd.concat([rest, sums[frame.columns]], ignore_index=True)


def _kostra(table_id: str, df: pd.DataFrame, meta: DatasetMeta):
    rvar = _region_var(meta)
    _require(df, [rvar, "ContentsCode", "Tid"], table_id)
    others = [d.id for d in meta.dimensions if d.id not in (rvar, "ContentsCode", "Tid")]
    if others:
        parts = [pd.Series(_codes(df, o), index=df.index).radd(f"{o}=") for o in others]
        breakdown = parts[0]
        for p in parts[1:]:
            breakdown = breakdown + ";" + p
        breakdown = breakdown.to_numpy(dtype=object)
    else:
        breakdown = ""
    status = df["status"].astype(object).where(df["status"].notna(), None).to_numpy()
    frame = pd.DataFrame({
        "region_code": _codes(df, rvar),
        "table_id": table_id,
        "contents_code": _codes(df, "ContentsCode"),
        "year": _int32_column(df["Tid"], int),
        "value": df["value"].to_numpy(dtype=np.float64),
        "status": status,
        "breakdown": breakdown,
    })
    cdim = meta.dim("ContentsCode")
    contents = pd.DataFrame({
        "table_id": table_id, "contents_code": list(cdim.codes), "label": list(cdim.labels),
        "unit": [(cdim.units.get(c) or {}).get("base") for c in cdim.codes],
        "decimals": pd.array([(cdim.units.get(c) or {}).get("decimals") for c in cdim.codes],
                             dtype="Int32"),
    })
    return frame, {"kostra_contents": contents}


def concat_results(results: list[IngestResult]) -> IngestResult:
    """Merge the per-request results of one table into one (same kind and table)."""
    if not results:
        raise IngestError("ingen data")
    first = results[0]
    frames = [r.frame for r in results]
    frame = pd.concat(frames, ignore_index=True)
    for col in frame.columns:  # keep categoricals categorical (concat of unequal ones: str)
        if all(isinstance(f[col].dtype, pd.CategoricalDtype) for f in frames):
            frame[col] = pd.api.types.union_categoricals([f[col] for f in frames])
    extra = {}
    for name in first.extra:
        extra[name] = pd.concat([r.extra[name] for r in results], ignore_index=True) \
            .drop_duplicates().reset_index(drop=True)
    return IngestResult(kind=first.kind, frame=frame, source=first.source, extra=extra)
