"""Checks on incoming data before anything is written: bounded sizes, known tables and codes,
sane counts. Used by the file importer (JSON-stat and SSB CSV) and by the API refresh path.

Public API:

- ``ValidationError(ValueError)``: the problem in bokmål, without the file name (the importer
  adds it: ``"<file>: <problem>"``).
- Limits: ``MAX_FILE_BYTES``, ``MAX_CELLS``, ``MAX_CODE_CHARS``, ``MAX_LABEL_CHARS``,
  ``MAX_FIELD_CHARS``, ``MAX_CSV_COLUMNS``, ``MAX_PERSONS``, ``MAX_VALUE``.
- ``check_file_size(n_bytes)``, ``check_declared_cells(sizes)``: before reading/allocating.
- ``check_table_id(table_id, also_known=())``: only tables of the catalog (plus projection
  tables found by the API's title search and already in the store).
- ``check_meta(table_id, kind, meta, regions)``: dimensions and their codes (small lists, so
  this is cheap even for 19 M cells): region codes known, ages 0–105, sex 1/2, projection
  alternatives among SSB's nine, years within the table's range, codes of bounded length.
- ``check_region_args(regions, known)``: a refresh's region list, never empty or unknown.
- ``check_values(kind, frame)``: values finite, non-negative, below a sane limit; persons
  whole numbers (vectorised over the store frame).
- ``RegionCodes`` / ``region_codes(store)``: the codes a file may use, from the store's
  register and the built-in 2024 list plus KLASS kommune changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import catalog

if TYPE_CHECKING:  # pragma: no cover
    from .jsonstat import DatasetMeta
    from .store import Store

MAX_FILE_BYTES = 100 * 1024 * 1024  # 100 MB: a whole-country 07459 CSV for one year is 2 MB
MAX_CELLS = 5_000_000  # cells per file (PxWebApi's maxDataCells is far below this)
MAX_CODE_CHARS = 200  # a code (or a CSV label standing in for one)
MAX_LABEL_CHARS = 500
MAX_FIELD_CHARS = 1_000  # one CSV field
MAX_CSV_COLUMNS = 2_000  # a wide 14746 download (9 alternatives × 25 years × 2 sexes) has 450
MAX_PERSONS = 10_000_000  # Norway has 5.6 M inhabitants; one cell can never exceed this
MAX_VALUE = 1e12  # KOSTRA values (shares, årsverk, users, places)
AGES = range(0, 106)  # SSB's single-year ages 000 … 105+
SEXES = ("1", "2")
CELLS_PER_GROUP = len(AGES) * len(SEXES)  # ages × sexes of one region/year(/alternative)

# First year each table has; the last allowed year is this year + 1 (SSB publishes 1 January
# figures early) except for projections, which run to 2100 at most.
FIRST_YEAR = {"07459": 1986, "projection": 2000, "kostra": 2000}
LAST_PROJECTION_YEAR = 2100

_KOSTRA_REGION_RE = re.compile(r"^(\d{4}|\d{2}|0|EKG\d\d|EKA\d\d|EAK|EAKUO)$")
_REGION_RE = re.compile(r"^(K-)?(\d{4}|\d{2}|0)$")
_AGE_RE = re.compile(r"^\d{1,3}\+?$")
_YEAR_RE = re.compile(r"^\d{4}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# 07459's "Kommuner summert" codes that are not kommuner (dropped by ingest).
HISTORY_NON_KOMMUNE = {"K-Rest", "K-21-22", "K-23"}
KIND_DIMS = {
    "projection": {"Region", "Kjonn", "Alder", "ContentsCode", "Tid"},
    "population": {"Region", "Kjonn", "Alder", "ContentsCode", "Tid"},
}


class ValidationError(ValueError):
    """Data that must not be stored; the message (bokmål) says why."""


def _fmt(n: int | float) -> str:
    return f"{n:,.0f}".replace(",", "\u00a0")


def shown(code: str, limit: int = 30) -> str:
    """A code as shown in a message: quoted, cut to ``limit`` characters."""
    s = _CONTROL_RE.sub("?", str(code))
    return f"«{s[:limit]}…» ({_fmt(len(s))} tegn)" if len(s) > limit else f"«{s}»"


# -- sizes ---------------------------------------------------------------------------------
def check_file_size(n_bytes: int) -> None:
    if n_bytes > MAX_FILE_BYTES:
        raise ValidationError(f"filen er for stor ({_fmt(n_bytes / 1e6)} MB; grensen er "
                              f"{_fmt(MAX_FILE_BYTES / 1e6)} MB). Last ned færre regioner "
                              "eller år om gangen.")


def check_declared_cells(sizes) -> int:
    """The cell count a dataset declares (product of ``size``), checked before allocating."""
    if not isinstance(sizes, (list, tuple)) or not sizes:
        raise ValidationError("«size» må være en liste med antall kategorier per variabel")
    n = 1
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ValidationError(f"«size» inneholder {shown(repr(s))}, ventet hele tall ≥ 0")
        n *= s
        if n > MAX_CELLS:
            break
    if n > MAX_CELLS:
        raise ValidationError(f"filen sier den har mer enn {_fmt(MAX_CELLS)} celler "
                              f"(grensen); «size» er {shown(repr(list(sizes)), 60)}")
    return n


# -- table ---------------------------------------------------------------------------------
def check_table_id(table_id: str | None, also_known=()) -> str:
    known = set(catalog.KIND_BY_TABLE) | set(also_known)
    if not table_id:
        raise ValidationError("finner ikke tabellnummeret (ventet en tittellinje som "
                              "\"07459: Befolkning, ...\")")
    if table_id not in known:
        tid = table_id if table_id.isdigit() and len(table_id) <= 10 else shown(table_id)
        raise ValidationError(
            f"ukjent tabell {tid}: kan ikke lagres (støttet: "
            f"{', '.join(sorted(known))})")
    return table_id


# -- codes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegionCodes:
    current: frozenset[str]  # kommuner, fylker and "0" in today's structure
    historical: frozenset[str]  # plus old and new codes of KLASS kommune changes


def region_codes(store: Store | None = None) -> RegionCodes:
    from .regions_default import bundled_changes, default_regions
    cur = set(default_regions()["code"])
    changes = {c for ch in bundled_changes() for c in (ch["oldCode"], ch["newCode"])}
    if store is not None:
        cur |= set(store.query("SELECT code FROM regions")["code"].astype(str))
        rc = store.query("SELECT old_code, new_code FROM region_changes")
        changes |= set(rc["old_code"].astype(str)) | set(rc["new_code"].astype(str))
    return RegionCodes(frozenset(cur), frozenset(cur | changes))


def _first_bad(codes, ok) -> str | None:
    return next((c for c in codes if not ok(c)), None)


def _check_lengths(meta: DatasetMeta) -> None:
    for d in meta.dimensions:
        for c, lab in zip(d.codes, d.labels):
            if len(c) > MAX_CODE_CHARS or _CONTROL_RE.search(c):
                raise ValidationError(f"variabelen {d.id}: ugyldig kode {shown(c)}")
            if len(lab) > MAX_LABEL_CHARS:
                raise ValidationError(f"variabelen {d.id}: for lang tekst for koden "
                                      f"{shown(c)} ({_fmt(len(lab))} tegn)")


def _year_range(table_id: str, kind: str) -> tuple[int, int]:
    if kind == "projection":
        return FIRST_YEAR["projection"], LAST_PROJECTION_YEAR
    return FIRST_YEAR.get(table_id, FIRST_YEAR.get(kind, 2000)), date.today().year + 1


def check_meta(table_id: str, kind: str, meta: DatasetMeta,
               regions: RegionCodes | None) -> None:
    """Dimensions and codes of a dataset against what the table can hold. ``regions=None``
    (SSB's API, whose code list is the reference) checks region codes by shape only."""
    _check_lengths(meta)
    ids = [d.id for d in meta.dimensions]
    if kind in KIND_DIMS:
        extra = [i for i in ids if i not in KIND_DIMS[kind]]
        if extra:
            raise ValidationError(f"tabell {table_id} har ikke variabelen {shown(extra[0])}")
    if "Tid" in ids:
        lo, hi = _year_range(table_id, kind)
        bad = _first_bad(meta.dim("Tid").codes,
                         lambda c: bool(_YEAR_RE.match(c)) and lo <= int(c) <= hi)
        if bad is not None:
            raise ValidationError(f"året {shown(bad)} er utenfor tabell {table_id}s "
                                  f"periode ({lo}–{hi})")
    if kind in ("projection", "population"):
        if "Alder" in ids:
            bad = _first_bad(meta.dim("Alder").codes, lambda c: bool(_AGE_RE.match(c))
                             and int(c.rstrip("+")) in AGES)
            if bad is not None:
                raise ValidationError(f"ukjent alderskode {shown(bad)} (ventet 0–105 år)")
        if "Kjonn" in ids:
            bad = _first_bad(meta.dim("Kjonn").codes, lambda c: c in SEXES)
            if bad is not None:
                raise ValidationError(f"ukjent kjønnskode {shown(bad)} (ventet 1 = menn, "
                                      "2 = kvinner)")
    if kind == "projection" and "ContentsCode" in ids:
        cdim = meta.dim("ContentsCode")
        for c, lab in zip(cdim.codes, cdim.labels):
            try:
                alt = catalog.alternative_code(c, lab)
            except ValueError:
                alt = None
            if alt not in catalog.ALTERNATIVE_ORDER:
                raise ValidationError(f"ukjent framskrivingsalternativ {shown(c)}")
    if "Region" in ids or catalog.KOSTRA_REGION in ids:
        rdim = meta.dim("Region" if "Region" in ids else catalog.KOSTRA_REGION)
        if regions is None and kind != "kostra":  # SSB's API: its own code list, by shape
            def ok(c: str) -> bool:
                return c in HISTORY_NON_KOMMUNE or bool(_REGION_RE.match(c))
        elif kind == "projection":
            ok = regions.current.__contains__
        elif kind == "population":
            def ok(c: str) -> bool:
                if c in HISTORY_NON_KOMMUNE:
                    return True
                return (c[2:] if c.startswith("K-") else c) in regions.historical
        else:
            def ok(c: str) -> bool:
                return bool(_KOSTRA_REGION_RE.match(c))
        bad = _first_bad(rdim.codes, ok)
        if bad is not None:
            raise ValidationError(f"ukjent regionkode {shown(bad)} for tabell {table_id}")


def check_region_args(regions, known: RegionCodes) -> list[str]:
    """Region codes asked for on the command line (or by the app): a non-empty list of
    kommuner, fylker or "0" (Hele landet) in today's structure. Never means «everything»."""
    codes = [c.strip() for r in regions for c in str(r).split(",")]
    codes = [c for c in codes if c]
    if not codes:
        raise ValidationError("ingen kommune oppgitt (bruk --kommune KODE ..., eller --all "
                              "for hele landet)")
    unknown = [c for c in codes if c not in known.current]
    if unknown:
        raise ValidationError(
            f"ukjent kommune-/fylkesnummer {', '.join(shown(c, 12) for c in unknown[:5])}"
            f"{' …' if len(unknown) > 5 else ''}; bruk firesifret kommunenummer (f.eks. 3103 "
            "Moss) eller tosifret fylkesnummer i dagens inndeling")
    return sorted(set(codes))


# -- values --------------------------------------------------------------------------------
_BLOCK = 1 << 20  # cells checked at a time: small temporaries (a full 14746 has 17.8 M)


def check_values(kind: str, frame: pd.DataFrame, allow_missing: bool = False) -> None:
    """Values finite, non-negative and below a sane limit; persons whole numbers, and
    present unless ``allow_missing`` (SSB's API gives no number for some old years)."""
    col = "value" if kind == "kostra" else "persons"
    v = frame[col].to_numpy(dtype=np.float64)
    limit = MAX_VALUE if kind == "kostra" else MAX_PERSONS
    n_bad = n_missing = 0
    first_bad = first_missing = None
    for start in range(0, len(v), _BLOCK):
        b = v[start:start + _BLOCK]
        present = ~np.isnan(b)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(b) | (present & ((b < 0) | (b > limit)))
            if kind != "kostra":
                bad |= present & (np.floor(b) != b)
        k = int(np.count_nonzero(bad))
        if k and first_bad is None:
            first_bad = start + int(np.flatnonzero(bad)[0])
        n_bad += k
        m = len(b) - int(np.count_nonzero(present))
        if m and first_missing is None:
            first_missing = start + int(np.flatnonzero(~present)[0])
        n_missing += m
    if n_bad:
        i = first_bad
        row = frame.iloc[i]
        where = f"region {row['region_code']}, år {row['year']}"
        x = v[i]
        what = ("ikke et endelig tall" if not np.isfinite(x) else "negativt" if x < 0 else
                f"større enn {_fmt(limit)}" if x > limit else "ikke et helt antall personer")
        shown = "uendelig" if np.isinf(x) else f"{x:.6g}".replace(".", ",")
        raise ValidationError(f"verdien {shown} ({where}) er {what}; "
                              f"{n_bad} celle(r) er ugyldige")
    if kind != "kostra" and not allow_missing and n_missing:
        i = first_missing
        row = frame.iloc[i]
        raise ValidationError(f"tallet mangler for region {row['region_code']}, år "
                              f"{row['year']}, alder {row['age']} ({n_missing} "
                              "celle(r) uten tall)")


def drop_absent(df: pd.DataFrame) -> pd.DataFrame:
    """Cells a file does not give (no value and no status symbol) are not cells of the file:
    a sparse JSON-stat file must never expand into rows that overwrite stored data."""
    absent = df["value"].isna().to_numpy() & df["status"].isna().to_numpy()
    return df[~absent].reset_index(drop=True) if absent.any() else df


__all__ = ["ValidationError", "MAX_FILE_BYTES", "MAX_CELLS", "MAX_CODE_CHARS",
           "MAX_LABEL_CHARS", "MAX_FIELD_CHARS", "MAX_CSV_COLUMNS", "MAX_PERSONS", "MAX_VALUE",
           "shown", "check_file_size", "check_declared_cells", "check_table_id", "check_meta",
           "check_values", "check_region_args", "drop_absent", "RegionCodes", "region_codes"]
