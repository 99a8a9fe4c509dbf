"""The region register (kommuner, fylker, land, KOSTRA groups) and kommune code changes.

Public API:

- ``load_klass_csv(path) -> DataFrame[code, parentCode, level, name, shortName, notes,
  validFrom, validTo]``: an SSB KLASS CSV export (``;``-separated; ISO-8859-1, UTF-8 or a
  mix: each field is decoded as UTF-8 if valid, else ISO-8859-1).
- ``fetch_codes(classification_id, at_date) -> DataFrame`` (KLASS ``codesAt``),
  ``fetch_changes(classification_id, from_date, to_date) -> list[dict]`` (KLASS
  ``changes``: oldCode, oldName, newCode, newName, changeOccurred),
  ``fetch_kostra_groups(at_date) -> dict[kommune, 'EKGnn']`` (KLASS 112),
  ``fetch_centrality(at_date, changes=None) -> dict[kommune, 1..6]`` (SSB's
  sentralitetsindeks, KLASS 128, through the 131 → 128 correspondence). Base URL from
  ``config.klass_base_url()``; ``KlassError`` when KLASS cannot be reached.
- ``build_register(kommuner, fylker, kostra_groups, valid_from, valid_to) -> DataFrame``
  in the store's ``regions`` columns (code, name, level, parent_code, kostra_group,
  centrality, valid_from, valid_to); level is 'land' | 'fylke' | 'kommune' | 'kostragruppe'.
- ``register_from_metadata(meta)``: the same from the Region dimension of table 14746
  (no KLASS, no files needed). ``load_default_register(shared_dir)``: from KLASS CSVs.
- ``changes_frame(changes) -> DataFrame`` in the store's ``region_changes`` columns
  (old_code, new_code, old_name, new_name, change_date, kind 'renumber'|'merge'|'split').
- ``map_to_current(codes_years, changes, target_date) -> DataFrame[region_code, year,
  current_code, mapping, note]`` follows chains of changes; splits cannot be mapped back.
- ``aggregate_to_current(df, mapping, rate=False)``: sums counts over merged kommuner when
  all parts have values; rates/percentages are refused (NaN with a note).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import config

__all__ = ["KlassError", "load_klass_csv", "fetch_codes", "fetch_changes",
           "fetch_kostra_groups", "fetch_centrality", "build_register", "register_from_metadata",
           "load_default_register", "changes_frame", "map_to_current", "aggregate_to_current",
           "REGISTER_COLUMNS", "CHANGES_COLUMNS"]

KOMMUNE, FYLKE, KOSTRA_GROUPS, CENTRALITY = 131, 104, 112, 128
REGISTER_COLUMNS = ["code", "name", "level", "parent_code", "kostra_group", "centrality",
                    "valid_from", "valid_to"]
CHANGES_COLUMNS = ["old_code", "new_code", "old_name", "new_name", "change_date", "kind"]
KLASS_COLUMNS = ["code", "parentCode", "level", "name", "shortName", "notes", "validFrom",
                 "validTo"]
UNKNOWN_CODES = {"9999", "99", "00"}
N_KOSTRA_GROUPS = 17


class KlassError(RuntimeError):
    """KLASS could not be reached or answered something we cannot use (bokmål message)."""


# -- KLASS CSV -------------------------------------------------------------------------------
def _decode_field(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("latin-1")


def load_klass_csv(path: str | Path) -> pd.DataFrame:
    """Read a KLASS CSV export; all columns str ('' for empty), one row per code."""
    raw = Path(path).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    # Split as bytes (';' and '"' are ASCII in both encodings), then decode field by field.
    text = raw.decode("latin-1")  # lossless byte <-> char mapping for the split
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows:
        raise ValueError(f"{Path(path).name}: filen er tom")
    header = [_decode_field(h.encode("latin-1")).strip() for h in rows[0]]
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise ValueError(f"{Path(path).name}: mangler kolonnene {missing} (ikke en KLASS-fil?)")
    out = []
    for r in rows[1:]:
        if not any(x.strip() for x in r):
            continue
        vals = [_decode_field(x.encode("latin-1")) for x in r]
        vals += [""] * (len(header) - len(vals))
        out.append(dict(zip(header, vals)))
    df = pd.DataFrame(out, columns=header)
    for c in KLASS_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    return df[KLASS_COLUMNS].fillna("").astype(str)


# -- KLASS API -------------------------------------------------------------------------------
_SESSION: requests.Session | None = None


def _session() -> requests.Session:
    global _SESSION
    if _SESSION is None:
        s = requests.Session()
        retry = Retry(total=3, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
                      allowed_methods=("GET",), respect_retry_after_header=True)
        s.mount("http://", HTTPAdapter(max_retries=retry))
        s.mount("https://", HTTPAdapter(max_retries=retry))
        s.headers["Accept"] = "application/json"
        _SESSION = s
    return _SESSION


def _get_json(path: str, params: dict) -> dict:
    url = f"{config.klass_base_url()}/{path.lstrip('/')}"
    try:
        r = _session().get(url, params=params, timeout=config.http_timeout())
    except requests.RequestException as exc:
        raise KlassError(f"Får ikke kontakt med SSBs KLASS ({url}): {exc}") from exc
    if r.status_code != 200:
        raise KlassError(f"KLASS svarte {r.status_code} for {url}")
    try:
        return r.json()
    except ValueError as exc:
        raise KlassError(f"KLASS svarte ikke med gyldig JSON ({url})") from exc


def _iso(d: str | date) -> str:
    return d.isoformat() if isinstance(d, date) else str(d)


def fetch_codes(classification_id: int | str, at_date: str | date) -> pd.DataFrame:
    """Codes valid at a date: ``GET classifications/{id}/codesAt.json?date=YYYY-MM-DD``.

    Returns KLASS_COLUMNS (str) like ``load_klass_csv``.
    """
    data = _get_json(f"classifications/{classification_id}/codesAt.json",
                     {"date": _iso(at_date)})
    codes = data.get("codes")
    if not isinstance(codes, list):
        raise KlassError("KLASS-svaret mangler \"codes\"")
    df = pd.DataFrame(codes)
    for c in KLASS_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    return df[KLASS_COLUMNS].astype(object).where(df[KLASS_COLUMNS].notna(), "").astype(str)


def fetch_changes(classification_id: int | str, from_date: str | date,
                  to_date: str | date | None = None) -> list[dict]:
    """Code changes: ``GET classifications/{id}/changes.json?from=..&to=..`` →
    the ``codeChanges`` list (dicts with oldCode, oldName, newCode, newName, changeOccurred)."""
    params = {"from": _iso(from_date)}
    if to_date:
        params["to"] = _iso(to_date)
    data = _get_json(f"classifications/{classification_id}/changes.json", params)
    changes = data.get("codeChanges")
    if not isinstance(changes, list):
        raise KlassError("KLASS-svaret mangler \"codeChanges\"")
    return changes


def _group_code(code: str) -> str:
    c = code.strip().upper()
    if c.startswith("EKG"):
        return c
    digits = "".join(ch for ch in c if ch.isdigit())
    return f"EKG{int(digits):02d}" if digits else c


def fetch_kostra_groups(at_date: str | date) -> dict[str, str]:
    """Kommune → KOSTRA group ('EKGnn') from KLASS 112 at a date.

    Assumes 112 lists the groups on level 1 and the kommuner on level 2 with the group as
    ``parentCode`` (as KLASS does for grouping classifications); group codes "01"/"1"/"EKG01"
    are normalised to "EKG01".
    """
    df = fetch_codes(KOSTRA_GROUPS, at_date)
    kom = df[df["code"].str.fullmatch(r"\d{4}") & (df["parentCode"] != "")]
    if kom.empty:
        raise KlassError("KLASS 112 har ingen kommuner under KOSTRA-gruppene")
    return {r.code: _group_code(r.parentCode) for r in kom.itertuples()}


# SSB's sentralitetsindeks (KLASS 128) per kommune. What this is based on (KLASS cannot be
# reached from the development machines, so none of it is checked against the live API):
# - The endpoint and item fields are KLASS's own: ``GET classifications/{source}/corresponds
#   ?targetClassificationId={target}&from=..&to=..`` (``to`` exclusive) answers
#   ``{"correspondenceItems": [{sourceCode, sourceName, sourceShortName, targetCode,
#   targetName, targetShortName, validFrom, validTo}]}``; validFrom/validTo are null for an
#   open end (statisticsnorway/klass, ``CorrespondenceItem.RangedCorrespondenceItem``; the
#   URL form is the one klassR and several public scripts use for 104/112 ↔ 131).
# - 128 lists only the six classes ("01" … "06", «1 Mest sentrale kommuner» … «6 Minst
#   sentrale kommuner») in ``codesAt``; the kommune → class link is the correspondence from
#   131 (kommuner) to 128. A public write-up that queried KLASS live (terchris/atlas,
#   research note on «SSB Sentralitetsindeks (Klass 128)», 2026) reports that the ranged
#   ``corresponds`` answers (about 490 items for 2020–2026, one kommune changing class at the
#   2024 boundary) while ``correspondsAt`` for this pair came back empty; so we ask for a
#   range and pick the item valid at ``at_date`` ourselves.
# - The newest sentralitet version can still carry pre-2024 kommune codes. Such codes are
#   mapped to today's with the kommune changes (``changes_frame`` rows) when that is
#   unambiguous: a renumbered kommune keeps its class; a merged kommune gets a class only
#   when all its former parts are listed and share one class; a split kommune gets none.
CENTRALITY_FROM = "2020-01-01"  # the 2020 version of the index and later


def _class_number(code) -> int | None:
    digits = "".join(ch for ch in str(code or "") if ch.isdigit())
    n = int(digits) if digits else None
    return n if n is not None and 1 <= n <= 6 else None


def fetch_correspondence(source_id: int | str, target_id: int | str, from_date: str | date,
                         to_date: str | date) -> list[dict]:
    """``GET classifications/{source}/corresponds?targetClassificationId=..&from=..&to=..``
    → the ``correspondenceItems`` list (``to`` exclusive)."""
    data = _get_json(f"classifications/{source_id}/corresponds.json",
                     {"targetClassificationId": str(target_id), "from": _iso(from_date),
                      "to": _iso(to_date)})
    items = data.get("correspondenceItems")
    if not isinstance(items, list):
        raise KlassError("KLASS-svaret mangler \"correspondenceItems\"")
    return items


def fetch_centrality(at_date: str | date,
                     changes: pd.DataFrame | None = None) -> dict[str, int]:
    """Kommune code (valid at ``at_date``) → centrality class 1–6 (1 = mest sentral).

    ``changes``: ``changes_frame`` rows to carry older kommune codes over to today's (see
    the note above); without it, only codes as given are used. A kommune without a usable
    item is left out. Raises ``KlassError`` when KLASS fails or gives no kommune a class.
    """
    at = pd.Timestamp(at_date).date()
    items = fetch_correspondence(KOMMUNE, CENTRALITY, CENTRALITY_FROM, at + timedelta(days=1))
    floor = pd.Timestamp(CENTRALITY_FROM).date()
    valid: dict[str, tuple[date, int | None]] = {}  # items valid at the date
    for it in items:
        code = str(it.get("sourceCode") or "").strip()
        if not code.isdigit() or len(code) != 4 or code in UNKNOWN_CODES:
            continue
        vf = pd.Timestamp(it["validFrom"]).date() if it.get("validFrom") else floor
        vt = pd.Timestamp(it["validTo"]).date() if it.get("validTo") else None
        if vf > at or (vt is not None and vt <= at):
            continue
        if code not in valid or vf > valid[code][0]:
            valid[code] = (vf, _class_number(it.get("targetCode")))
    if changes is None or changes.empty:
        out = {c: k for c, (_, k) in valid.items() if k is not None}
    else:
        out = _centrality_to_current(valid, changes, at)
    if not out:
        raise KlassError("KLASS 131 → 128 ga ingen kommune en sentralitetsklasse")
    return out


def _centrality_to_current(valid: dict[str, tuple[date, int | None]], changes: pd.DataFrame,
                           at: date) -> dict[str, int]:
    """Codes as KLASS gives them (valid from a date, with a class) → today's codes."""
    codes = sorted(valid)
    years = [valid[c][0].year for c in codes]
    m = map_to_current(pd.DataFrame({"region_code": codes, "year": years}), changes, at)
    by_cur: dict[str, list[tuple[str, str, int | None, int]]] = {}
    # A renumbering counts only when the name stays (3001 Halden → 3101 Halden): a change
    # list can show a merge into a continuing code as a single old code (the bundled list
    # has only 5030 Klæbu → 5001 Trondheim for 2020), which changes_frame calls a
    # renumbering.
    def norm(name) -> str:
        return "".join(ch for ch in str(name or "").lower() if ch.isalnum())

    same_name = {(r.old_code, r.change_date) for r in changes.itertuples()
                 if norm(r.old_name) and norm(r.old_name) == norm(r.new_name)}
    hops = changes.groupby("old_code")["change_date"].apply(list).to_dict()
    for r, y in zip(m.itertuples(), years):
        if pd.isna(r.current_code):  # a split kommune: its class cannot be divided
            continue
        if r.mapping == "renumber" and not all(
                (r.region_code, d) in same_name for d in hops.get(r.region_code, [])
                if pd.Timestamp(d).year >= y):
            continue
        by_cur.setdefault(r.current_code, []).append(
            (r.region_code, r.mapping, valid[r.region_code][1], y))
    out: dict[str, int] = {}
    for cur, rows in by_cur.items():
        own = [r for r in rows if r[1] == "same"]
        if own:  # the kommune's own code is listed: SSB's answer, nothing mapped
            if own[0][2] is not None:
                out[cur] = own[0][2]
            continue
        if any(r[1] == "merge" for r in rows):
            year = min(r[3] for r in rows)
            parts = _parts_by_change_list(changes, [year], at).get((cur, year), set())
            if not parts <= {r[0] for r in rows}:
                continue  # a former part has no class: the merged kommune's is unknown
        classes = {r[2] for r in rows}
        if len(classes) == 1 and None not in classes:
            out[cur] = classes.pop()
    return out


# -- register --------------------------------------------------------------------------------
def build_register(kommuner: pd.DataFrame, fylker: pd.DataFrame,
                   kostra_groups: dict[str, str] | None = None,
                   valid_from: str | date = "2024-01-01",
                   valid_to: str | date | None = None,
                   centrality: dict[str, int] | None = None) -> pd.DataFrame:
    """Register rows (REGISTER_COLUMNS) for land "0", fylker, kommuner and EKG01–EKG17;
    ``centrality`` (kommune → 1..6) fills the nullable ``centrality`` column.

    ``kommuner``/``fylker``: frames with ``code`` and ``name`` (KLASS shape). 9999/99
    Uoppgitt are left out. Kommune parent = first two digits; fylke parent = "0".
    """
    vf = pd.Timestamp(valid_from).date()
    vt = pd.Timestamp(valid_to).date() if valid_to else None
    groups = kostra_groups or {}
    rows = [("0", "Hele landet", "land", None, None)]
    for r in fylker.itertuples():
        code = str(r.code).strip()
        if code in UNKNOWN_CODES or not code:
            continue
        rows.append((code, str(r.name).strip(), "fylke", "0", None))
    for r in kommuner.itertuples():
        code = str(r.code).strip()
        if code in UNKNOWN_CODES or not code:
            continue
        rows.append((code, str(r.name).strip(), "kommune", code[:2], groups.get(code)))
    for g in range(1, N_KOSTRA_GROUPS + 1):
        rows.append((f"EKG{g:02d}", f"KOSTRA-gruppe {g}", "kostragruppe", "0", None))
    df = pd.DataFrame(rows, columns=REGISTER_COLUMNS[:5])
    df["centrality"] = pd.array([(centrality or {}).get(c) if lvl == "kommune" else None
                                 for c, lvl in zip(df["code"], df["level"])], dtype="Int64")
    df["valid_from"] = vf
    df["valid_to"] = vt
    return df[REGISTER_COLUMNS]


def register_from_metadata(meta, valid_from: str | date = "2024-01-01") -> pd.DataFrame:
    """Register from the Region dimension of table 14746 (2024 structure), no KLASS needed.

    ``meta``: ``jsonstat.DatasetMeta`` (or anything with ``.dim("Region")``). 2-digit codes
    are fylker, 4-digit kommuner (parent = first two digits), "0" is land.
    """
    dim = meta.dim("Region")
    pairs = list(zip(dim.codes, dim.labels))
    fylker = pd.DataFrame([(c, n) for c, n in pairs if len(c) == 2], columns=["code", "name"])
    kommuner = pd.DataFrame([(c, n) for c, n in pairs if len(c) == 4], columns=["code", "name"])
    return build_register(kommuner, fylker, None, valid_from, None)


def default_shared_dir() -> Path:
    import os
    env = os.environ.get("KG_SHARED_DIR")
    return Path(env) if env else config.ROOT.parent / "shared" / "ssb"


def load_default_register(shared_dir: str | Path | None = None,
                          valid_from: str | date = "2026-01-01") -> pd.DataFrame:
    """Offline fallback: register from the KLASS 131/104 CSV exports in ``shared_dir``
    (``klass_regioner/ssb_klass_131_*.csv``, ``..._104_*.csv``). Raises FileNotFoundError
    when they are not there (users without the files use ``register_from_metadata``)."""
    base = Path(shared_dir) if shared_dir else default_shared_dir()
    folder = base / "klass_regioner" if (base / "klass_regioner").is_dir() else base
    k = sorted(folder.glob("*klass_131_*.csv"))
    f = sorted(folder.glob("*klass_104_*.csv"))
    if not k or not f:
        raise FileNotFoundError(f"finner ikke KLASS 131/104-filer i {folder}")
    return build_register(load_klass_csv(k[-1]), load_klass_csv(f[-1]), None, valid_from)


# -- changes ---------------------------------------------------------------------------------
def changes_frame(changes: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """KLASS ``codeChanges`` to the store's ``region_changes`` rows (CHANGES_COLUMNS).

    kind: 'split' if the old code goes to several new codes on that date, 'merge' if several
    old codes go to the new code, else 'renumber' (also name-only changes with same code).
    """
    df = pd.DataFrame(changes)
    if df.empty:
        return pd.DataFrame(columns=CHANGES_COLUMNS)
    df = pd.DataFrame({
        "old_code": df["oldCode"].astype(str), "new_code": df["newCode"].astype(str),
        "old_name": df.get("oldName"), "new_name": df.get("newName"),
        "change_date": pd.to_datetime(df["changeOccurred"]).dt.date,
    }).drop_duplicates(["old_code", "new_code", "change_date"])
    n_new = df.groupby(["old_code", "change_date"])["new_code"].transform("nunique")
    n_old = df.groupby(["new_code", "change_date"])["old_code"].transform("nunique")
    df["kind"] = np.where(n_new > 1, "split", np.where(n_old > 1, "merge", "renumber"))
    return df[CHANGES_COLUMNS].sort_values(["change_date", "new_code", "old_code"]) \
        .reset_index(drop=True)


def _year_start(year: int) -> date:
    return date(int(year), 1, 1)


def map_to_current(codes_years: pd.DataFrame, changes: pd.DataFrame,
                   target_date: str | date = "2024-01-01") -> pd.DataFrame:
    """Map (region_code, year) to the code valid at ``target_date``.

    ``codes_years``: columns region_code, year (the code as SSB gave it for that year, valid
    1 January of the year). ``changes``: ``changes_frame`` output. Follows chains (0104 Moss
    2019 → 3002 in 2020 → 3103 in 2024). Result adds ``current_code`` (None when it cannot
    be mapped), ``mapping`` ('same' | 'renumber' | 'merge' | 'split') and ``note`` (bokmål).
    A split (1507 Ålesund → 1508 Ålesund + 1580 Haram in 2024) cannot be mapped backwards.
    """
    target = pd.Timestamp(target_date).date()
    ch = changes.copy()
    ch["change_date"] = pd.to_datetime(ch["change_date"]).dt.date
    by_old: dict[str, list] = {}
    for r in ch.sort_values("change_date").itertuples():
        by_old.setdefault(r.old_code, []).append(r)

    cache: dict[tuple[str, int], tuple] = {}

    def resolve(code: str, year: int):
        key = (code, year)
        if key in cache:
            return cache[key]
        cur, when, kinds, note = code, _year_start(year), [], None
        while True:
            steps = [r for r in by_old.get(cur, [])
                     if when < r.change_date <= target and r.new_code != cur]
            if not steps:
                break
            first = min(r.change_date for r in steps)
            step = [r for r in steps if r.change_date == first]
            if len(step) > 1 or step[0].kind == "split":
                names = [f"{r.new_name} ({r.new_code})"
                         for r in sorted(step, key=lambda r: r.new_code)]
                parts = ", ".join(names[:-1]) + " og " + names[-1] if len(names) > 1 \
                    else names[0]
                old_name = step[0].old_name or cur
                note = (f"{old_name} ({cur}) ble delt i {first.year} i {parts}; "
                        f"tall før {first.year} kan ikke fordeles")
                cache[key] = (None, "split", note)
                return cache[key]
            kinds.append(step[0].kind)
            cur, when = step[0].new_code, first
        if not kinds:
            res = (code, "same", None)
        else:
            kind = "merge" if "merge" in kinds else "renumber"
            if kind == "merge":
                note = (f"{code} ble slått sammen med andre kommuner til {cur}; "
                        f"tall for {code} er bare en del av {cur}")
            else:
                note = f"{code} har nå kommunenummer {cur}"
            res = (cur, kind, note)
        cache[key] = res
        return res

    out = codes_years[["region_code", "year"]].copy()
    res = [resolve(str(c), int(y)) for c, y in zip(out["region_code"], out["year"])]
    out["current_code"] = [r[0] for r in res]
    out["mapping"] = [r[1] for r in res]
    out["note"] = [r[2] for r in res]
    return out.reset_index(drop=True)


def _parts_by_change_list(changes: pd.DataFrame, years, target) -> dict[tuple[str, int], set]:
    """(current code, year) -> all codes valid 1 Jan that year that map to it (by changes)."""
    ch = changes.copy()
    ch["change_date"] = pd.to_datetime(ch["change_date"]).dt.date
    born = ch.groupby("new_code")["change_date"].min().to_dict()
    died = ch.groupby("old_code")["change_date"].min().to_dict()
    codes = sorted(set(ch["old_code"]) | set(ch["new_code"]))
    rows = [(c, y) for y in years for c in codes
            if born.get(c, date.min) <= _year_start(y) < died.get(c, date.max)]
    if not rows:
        return {}
    m = map_to_current(pd.DataFrame(rows, columns=["region_code", "year"]), changes, target)
    out: dict[tuple[str, int], set] = {}
    for r in m.dropna(subset=["current_code"]).itertuples():
        out.setdefault((r.current_code, int(r.year)), set()).add(r.region_code)
    return out


def aggregate_to_current(df: pd.DataFrame, mapping: pd.DataFrame, rate: bool | None = None,
                         value_col: str = "value", changes: pd.DataFrame | None = None,
                         target_date: str | date = "2024-01-01") -> pd.DataFrame:
    """Values in today's kommune structure.

    ``df``: rows with region_code, year, ``value_col`` (and optionally contents_code,
    unit); ``mapping``: ``map_to_current`` output for those (region_code, year). Counts of
    merged kommuner are summed when *all* old parts have a value that year (else NaN with a
    note); rates/percentages (``rate=True`` or unit 'prosent'/'%'/'andel' per row) are not
    summed: NaN with a note. Split kommuner are dropped from the sum with a note.
    Returns columns: region_code (current), year, [contents_code], value, parts, note.
    """
    m = df.merge(mapping[["region_code", "year", "current_code", "mapping", "note"]],
                 on=["region_code", "year"], how="left")
    m["mapping"] = m["mapping"].fillna("same")
    m["current_code"] = m["current_code"].where(m["mapping"] != "same", m["region_code"])
    keys = ["current_code", "year"] + (["contents_code"] if "contents_code" in m.columns else [])
    if rate is None:
        unit = m["unit"].astype(str).str.lower() if "unit" in m.columns else \
            pd.Series("", index=m.index)
        m["_rate"] = unit.str.contains("prosent|%|andel", regex=True)
    else:
        m["_rate"] = bool(rate)
    # All old codes that, by the change list, form each current code that year.
    if changes is not None and not changes.empty:
        expected = {k: len(v) for k, v in _parts_by_change_list(
            changes, sorted(int(y) for y in m["year"].unique()), target_date).items()}
    else:
        expected = mapping.dropna(subset=["current_code"]).groupby(
            ["current_code", "year"])["region_code"].nunique().to_dict()
    rows = []
    unmapped = m[m["current_code"].isna()]
    for r in unmapped.itertuples():
        extra = (r.contents_code,) if "contents_code" in m.columns else ()
        rows.append((r.region_code, r.year, *extra, np.nan, r.region_code, r.note))
    for key, g in m[m["current_code"].notna()].groupby(keys, sort=True):
        cur = key[0]
        parts = sorted(g["region_code"].astype(str).unique())
        merged = (g["mapping"] == "merge").any() or len(parts) > 1 or \
            expected.get((cur, int(key[1])), 1) > 1
        vals = g[value_col]
        note = None
        if not merged:
            value = vals.iloc[0] if len(vals) == 1 else vals.sum(min_count=1)
        elif g["_rate"].any():
            value = np.nan
            note = (f"{cur}: andeler/prosenter for sammenslåtte kommuner ({', '.join(parts)}) "
                    "kan ikke summeres")
        else:
            exp = expected.get((cur, int(key[1])), len(parts))
            if vals.notna().sum() < max(exp, len(parts)):
                value = np.nan
                note = (f"{cur}: mangler tall for noen av de tidligere kommunene "
                        f"({', '.join(parts)}); summen er ikke beregnet")
            else:
                value = vals.sum()
                note = f"{cur}: sum av tidligere kommuner {', '.join(parts)}"
        rows.append((*key, value, ",".join(parts), note))
    cols = ["region_code", "year"] + (["contents_code"] if "contents_code" in m.columns else []) \
        + [value_col, "parts", "note"]
    return pd.DataFrame(rows, columns=cols)
