"""Full-country stand-in SSB tables built from the real files in ``../shared/ssb``.

The loopback stand-in SSB server (``tests/standin.py``) serves these tables to
integration tests, the CLI demo and benchmarks. The shared files are read in
place (never copied into the repository); set ``KG_SHARED_DIR`` to the
``shared`` folder to override the default ``<repo>/../shared`` (as in ``tests/paths.py``).

What is real and what is synthetic
----------------------------------
* **07459** (population 1 January, persons): real. Kommuner and fylker
  2005–2026 in 2024 borders and Hele landet 1986–2026 from csdata's copy of
  07459; kommune/fylke cells before 2005 are NaN with status ``".."``.
* **14746** (population projection 2026 round, persons): **the single-year
  values are SYNTHETIC.** SSB's single-year projection per kommune is not
  available offline. A simple cohort-component model starts from the real
  1.1.2026 population (07459) and is then raked (scaled within each published
  age group, integers by largest-remainder rounding) so that every published
  margin we hold is met *exactly*: MMMM age groups and LLML/HHMH totals for 80
  Nord-Norge kommuner, ten age groups × MMMM/LLML/HHMH for the 17 Telemark
  kommuner (refined with the Telemark 20–39/40–66 file) and for Hele landet.
  Only those margins are SSB's numbers. Alternatives other than MMMM/LLML/HHMH
  are the calibrated MMMM times the model's alternative/MMMM ratio.
* **KOSTRA 12209**: ``KOShjtj80aarover0001`` in 2019 and 2023 is real (all 891
  regions with their status symbols); all other cells are synthetic.
* **KOSTRA 11875**: real for the 201 kommuner in the hmelberg file (on the
  codes and years it gives); synthetic elsewhere, scaled to population 80+.
* **KOSTRA 11645** (long-term institution residents, TenesteType 21, by age): the totals
  and the bands 0–66, 67–79 and 80+ are SSB's, from the KOSTRA panel
  (``christianbht_paneldata``, PROVENANCE section 6) on the 357 2024 kommune codes for
  2009–2025 (older codes summed into today's kommune, as in the panel); blanks in the
  panel (suppressed small counts) are NaN with ``":"``. **Synthetic:** the split of 0–66
  into 00-49/50-66 (a fixed 30/70 share) and of 80+ into 80-89/90+ (90+ given three
  times the coverage of 80–89, by the kommune's population that year).
* **KOSTRA 12292**: home-service users in all (``KOSkjernetotalt0000``), 0–66
  (``KOSkjerne066aar0000``) and 80+ (``KOSkjerne80aarov0000``) and residents in housing
  with 24-hour staffing (``KOSbialthelsum0000``) are SSB's panel values wherever a 2024
  kommune code is valid in the year (2024–2025 for new codes, 2015–2025 for unchanged
  ones); all other cells and contents are synthetic, proportional to population by age.
  The 12292 ContentsCodes are SSB's; their labels are ours (not verified).
* **KOSTRA 12003**: synthetic, proportional to population by age.
* KOSTRA group membership (``EKGnn``) is invented from population size; SSB's
  KLASS 112 grouping is not available offline (see :func:`kostra_groups`).

KOSTRA values sit on the region code valid in that year (pre-2020 codes up to
2019, 2020–2023 codes in 2020–2023, 2024 codes from 2024, unchanged codes all
years); other cells are NaN with status ``"."``. A few synthetic cells are
suppressed (``".."``, fixed seed) and two very small kommuner carry ``":"``.

Run ``python -m tests.standin_data`` to build everything and print timings.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import pickle
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tests.standin import StandinDimension, StandinTable

SHARED = Path(os.environ.get("KG_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")) / "ssb"
POP_PARQUET = (
    "befolkning_historikk/csdata_niphr/"
    "nor_population_by_age_sex_b2024_municip_county_2005_2026_nation_1986_2026.parquet"
)
META_14746 = "befolkningsframskriving/christianbht_14746/14746_metadata.json"
NN_FLAT = "befolkningsframskriving/nordnorge_funksterone/14746_nordnorge_80kommuner_flat.csv"
TELEMARK = "befolkningsframskriving/telemark_evensrii/Framskrevet_folkemengde_2026-2050.csv"
TELEMARK_EGENDEF = (
    "befolkningsframskriving/telemark_evensrii/befolkningsframskrivinger_siste_tabell_egendef_alder.csv"
)
KLASS_131 = "klass_regioner/ssb_klass_131_kommuneinndeling_2026.csv"
KLASS_104 = "klass_regioner/ssb_klass_104_fylkesinndeling_2026.csv"
MUNICIP_HISTORY = "klass_regioner/csdata_niphr/norway_locations_municip_history.xlsx"
FIX_12209 = "kostra_pleie_omsorg/omsorgsradar_fixtures/ssb_12209_g2_fixture.json"
REAL_11875 = "kostra_pleie_omsorg/hmelberg_kapasitet_11875/11875_institusjonsplasser_201kommuner_2015-2025.csv"
META_12003 = "kostra_pleie_omsorg/christianbht_metadata/12003_metadata.json"
PANEL = "kostra_pleie_omsorg/christianbht_paneldata/paneldata_2007_2025_2024struktur.csv"

N_AGES = 106  # single years 0..104 and 105+
AGE_CODES = [f"{a:03d}" for a in range(105)] + ["105+"]
AGE_LABELS = [f"{a} år" for a in range(105)] + ["105 år eller eldre"]
POP_YEARS = list(range(1986, 2027))
PROJ_YEARS = list(range(2026, 2051))
KOSTRA_YEARS = list(range(2015, 2026))
ALT_SHORT = ["MMMM", "LLML", "HHMH", "MMML", "MMMH", "LHML", "HLMH", "MMM0", "MM00"]

#: Differences between shared sources found while building (filled lazily; see ``python -m``).
SOURCE_NOTES: list[str] = []


def _note(text: str) -> None:
    if text not in SOURCE_NOTES:
        SOURCE_NOTES.append(text)


_DISK: Path | None = None


def use_disk_cache(folder: str | Path) -> None:
    """Keep every built table as a pickle in ``folder`` (tests: the session's tmp root, shared
    by its xdist workers), so a test session builds each table once, not once per process.
    The file name carries a hash of this module, ``tests/standin.py`` and the shared folder."""
    global _DISK
    _DISK = Path(folder)
    _DISK.mkdir(parents=True, exist_ok=True)


def _disk_cached(build):
    """``build(*args)`` through the disk cache of ``use_disk_cache`` (if set); one process
    builds while the others wait on a file lock, then read its pickle."""
    @functools.wraps(build)
    def cached(*args):
        if _DISK is None:
            return build(*args)
        from tests import standin
        key = hashlib.sha256(Path(__file__).read_bytes() + Path(standin.__file__).read_bytes()
                             + repr((str(SHARED), args)).encode()).hexdigest()[:16]
        path = _DISK / f"{build.__name__}-{key}.pickle"
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists():
                return pickle.loads(path.read_bytes())
            table = build(*args)
            part = path.with_suffix(".part")
            part.write_bytes(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(part, path)
            return table
    return cached


# --------------------------------------------------------------------------- regions & population


@functools.lru_cache(maxsize=None)
def _meta_14746() -> dict:
    return json.loads((SHARED / META_14746).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _klass_names() -> dict[str, str]:
    """Code -> name for kommuner (KLASS 131, 2026) and fylker (KLASS 104, 2026); '0' = Hele landet."""
    k131 = pd.read_csv(SHARED / KLASS_131, sep=";", encoding="latin-1", dtype=str)
    # KLASS 104 has UTF-8 names but a Latin-1 notes column: decode leniently, use names only.
    with open(SHARED / KLASS_104, encoding="utf-8", errors="replace") as fh:
        k104 = pd.read_csv(fh, sep=";", dtype=str)
    names = {"0": "Hele landet"}
    names |= {c: n for c, n in zip(k104["code"], k104["name"]) if c != "99"}
    names |= {c: n for c, n in zip(k131["code"], k131["name"]) if c != "9999"}
    return names


@functools.lru_cache(maxsize=None)
def _regions_2024() -> tuple[list[str], list[str]]:
    """Region codes in 14746 order (0, then each fylke followed by its kommuner) and KLASS labels."""
    region = _meta_14746()["variables"][0]
    names = _klass_names()
    codes = list(region["values"])
    for c, lab in zip(codes, region["valueTexts"]):
        if names.get(c) != lab:
            _note(f"Region {c}: KLASS name {names.get(c)!r} != 14746 metadata label {lab!r}")
    # KLASS 131 is ISO-8859-1, so Sami letters such as 'š' arrive as '?': keep SSB's label then.
    return codes, [lab if "?" in names[c] else names[c] for c, lab in zip(codes, region["valueTexts"])]


def _kommuner_2024() -> list[str]:
    return [c for c in _regions_2024()[0] if len(c) == 4]


@functools.lru_cache(maxsize=None)
def _population() -> dict[str, tuple[list[str], np.ndarray]]:
    """Real 07459 population from csdata: geo -> (codes, array[region, sex, age, year]).

    geo is 'municip' | 'county' | 'nation'; sex index 0 = Menn ('1'), 1 = Kvinner ('2');
    age 0..105 (105 = 105+); years 1986..2026. Persons on 1 January; NaN = no value.
    """
    df = pd.read_parquet(
        SHARED / POP_PARQUET,
        columns=["granularity_geo", "location_code", "age", "sex", "calyear", "pop_jan1_n"],
        filters=[("sex", "in", ["male", "female"])],
    )
    out = {}
    for geo, g in df.groupby("granularity_geo"):
        codes, inv = np.unique(g["location_code"].to_numpy(dtype=str), return_inverse=True)
        arr = np.full((len(codes), 2, N_AGES, len(POP_YEARS)), np.nan)
        sex = (g["sex"].to_numpy(dtype=str) == "female").astype(int)
        arr[inv, sex, g["age"].to_numpy(), g["calyear"].to_numpy() - POP_YEARS[0]] = g["pop_jan1_n"].to_numpy()
        out[geo] = ([c.split("_nor")[1] or "0" for c in codes], arr)
    return out


def _kommune_pop() -> np.ndarray:
    """array[357 kommuner in 14746 order, sex (Menn, Kvinner), age, year 1986..2026] of persons."""
    codes, arr = _population()["municip"]
    pos = {c: i for i, c in enumerate(codes)}
    return arr[[pos[c] for c in _kommuner_2024()]]


def _age_dim(elimination: bool = True) -> StandinDimension:
    return StandinDimension("Alder", "alder", AGE_CODES, AGE_LABELS, elimination=elimination)


def _region_dim() -> StandinDimension:
    codes, labels = _regions_2024()
    kom = [i for i, c in enumerate(codes) if len(c) == 4]
    komm_summer = ([f"K-{codes[i]}" for i in kom], [labels[i] for i in kom], kom)
    return StandinDimension(
        "Region", "region", codes, labels, elimination=True, codelists={"agg_KommSummer": komm_summer}
    )


# --------------------------------------------------------------------------- 07459


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_07459() -> StandinTable:
    """07459 population 1 January: Region(373) × Kjonn(2) × Alder(106) × ContentsCode(1) × Tid(1986..2026)."""
    codes, _ = _regions_2024()
    pos = {c: i for i, c in enumerate(codes)}
    values = np.full((len(codes), 2, N_AGES, 1, len(POP_YEARS)), np.nan)
    for geo, (gcodes, arr) in _population().items():
        for j, c in enumerate(gcodes):
            if c in pos:
                values[pos[c], :, :, 0, :] = arr[j]
    kom = np.array([len(c) == 4 for c in codes])
    fyl = np.array([len(c) == 2 for c in codes])
    # Cross-check: csdata fylke values should equal the sum of their kommuner.
    for i in np.flatnonzero(fyl):
        members = [pos[k] for k in codes if len(k) == 4 and k[:2] == codes[i]]
        diff = np.nansum(values[members], axis=0) - values[i]
        if np.nanmax(np.abs(diff)) > 0:
            _note(f"07459 csdata fylke {codes[i]} differs from the sum of its kommuner")
    status = np.full(values.shape, None, dtype=object)
    status[np.isnan(values)] = ".."
    assert kom.sum() == 357
    return StandinTable(
        id="07459",
        label="07459: Befolkning, etter region, kjønn, alder, statistikkvariabel og år",
        updated="2026-02-25T07:00:00Z",
        dimensions=[
            _region_dim(),
            StandinDimension("Kjonn", "kjønn", ["1", "2"], ["Menn", "Kvinner"], elimination=True),
            _age_dim(),
            StandinDimension(
                "ContentsCode", "statistikkvariabel", ["Personer1"], ["Personer"],
                units={"Personer1": {"base": "personer", "decimals": 0}},
            ),
            StandinDimension("Tid", "år", [str(y) for y in POP_YEARS], [str(y) for y in POP_YEARS], time=True),
        ],
        values=values,
        status=status,
        notes=["Kommuner og fylker 2005–2026 i 2024-inndeling (csdata/FHI); hele landet fra 1986."],
    )


# --------------------------------------------------------------------------- 14746: model

def _cohort_model(p0: np.ndarray, p_past: np.ndarray) -> np.ndarray:
    """Deterministic cohort-component projection for the 9 alternatives.

    p0: persons 1.1.2026 [kommune, sex, age]; p_past: same for 1.1.2019 (for internal migration).
    Returns float array [alt(9), kommune, sex, age, year 2026..2050]. Parameters are plausible,
    not SSB's: TFR L/M/H 1.30/1.50/1.75, mortality improvement 0.6/1.3/2.0 % a year, net
    immigration 8/18/32 thousand a year (0 for MMM0/MM00), internal migration from 2019–2026
    growth (none for MM00).
    """
    level = {"L": 0, "M": 1, "H": 2}
    tfr = np.array([[1.30, 1.50, 1.75][level[a[0]]] for a in ALT_SHORT])
    improve = np.array([[0.006, 0.013, 0.020][level[a[1]]] for a in ALT_SHORT])
    internal = np.array([0.0 if a[2] == "0" else 1.0 for a in ALT_SHORT])
    immig = np.array([0.0 if a[3] == "0" else [8e3, 18e3, 32e3][level[a[3]]] for a in ALT_SHORT])

    age = np.arange(N_AGES)
    q = np.minimum(0.9, 2e-5 * np.exp(0.1 * age))[None, :] * np.array([[1.0], [0.7]])  # [sex, age]
    q[:, 0] = 0.002
    fert = np.exp(-0.5 * ((age - 31.0) / 5.5) ** 2) * ((age >= 15) & (age <= 49))
    fert /= fert.sum()
    mig_age = np.exp(-0.5 * ((age - 27.0) / 8.0) ** 2) + 0.05
    mig_age /= mig_age.sum()

    tot0, tot_past = p0.sum(axis=(1, 2)), p_past.sum(axis=(1, 2))
    growth = (tot0 / np.maximum(tot_past, 1)) ** (1 / 7) - 1
    nat_growth = (tot0.sum() / tot_past.sum()) ** (1 / 7) - 1
    rate = np.clip(growth - nat_growth, -0.015, 0.015) * 0.7
    rate -= (rate * tot0).sum() / tot0.sum()  # internal migration sums to zero

    n_alt, n_y = len(ALT_SHORT), len(PROJ_YEARS)
    out = np.empty((n_alt,) + p0.shape + (n_y,))
    pop = np.broadcast_to(p0, (n_alt,) + p0.shape).copy()
    out[..., 0] = pop
    for t in range(1, n_y):
        qt = q[None] * ((1 - improve) ** t)[:, None, None]  # [alt, sex, age]
        surv = pop * (1 - qt[:, None])
        nxt = np.zeros_like(pop)
        nxt[..., 1:] = surv[..., :-1]
        nxt[..., -1] += surv[..., -1]
        births = (pop[:, :, 1, :] * fert).sum(axis=-1) * tfr[:, None]
        nxt[:, :, 0, 0] = 0.513 * births
        nxt[:, :, 1, 0] = 0.487 * births
        tot = pop.sum(axis=(2, 3))  # [alt, kommune]
        net = internal[:, None] * rate[None] * tot + immig[:, None] * tot / tot.sum(axis=1, keepdims=True)
        nxt += net[:, :, None, None] * 0.5 * mig_age
        pop = np.maximum(nxt, 0.0)
        out[..., t] = pop
    return out


def _largest_remainder(v: np.ndarray, gid: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Round v (>= 0) to integers so that the sum within each group gid equals targets exactly."""
    fl = np.floor(v)
    deficit = np.rint(targets - np.bincount(gid, fl, minlength=len(targets))).astype(np.int64)
    order = np.lexsort((-(v - fl), gid))
    g_sorted = gid[order]
    start = np.searchsorted(g_sorted, np.arange(len(targets)))
    rank = np.arange(len(v)) - start[g_sorted]
    fl[order[rank < deficit[g_sorted]]] += 1
    return fl


def _rake(flat: np.ndarray, idx: np.ndarray, gid: np.ndarray, targets: np.ndarray, fallback: np.ndarray) -> None:
    """Scale flat[idx] within each group to its integer target (in place), keeping shares.

    Groups whose current sum is 0 are filled by ``fallback`` weights (> 0) instead.
    """
    x = flat[idx]
    s = np.bincount(gid, x, minlength=len(targets))
    x = np.where(s[gid] > 0, x, fallback)
    s = np.bincount(gid, x, minlength=len(targets))
    flat[idx] = _largest_remainder(x * (targets[gid] / s[gid]), gid, targets)


def _cells(shape, alt, kom, year, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of all (sex, age lo..hi) cells for each row, and the row number of each cell."""
    n = (hi - lo + 1) * 2
    rid = np.repeat(np.arange(len(n)), n)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    idx = np.ravel_multi_index((alt[rid], kom[rid], within % 2, lo[rid] + within // 2, year[rid]), shape)
    return idx, rid


def _age_range(label: str) -> tuple[int, int]:
    """'0 år' | '1-5 år' | '90 år eller eldre' | '80+ år' | '65-105+' -> (lo, hi) inclusive."""
    nums = [int(n) for n in re.findall(r"\d+", label)]
    if "eller eldre" in label or label.rstrip(" år").endswith("+") and len(nums) == 1:
        return nums[0], 105
    return (nums[0], nums[0]) if len(nums) == 1 else (nums[0], min(nums[1], 105))


@functools.lru_cache(maxsize=None)
def published_14746() -> pd.DataFrame:
    """Every published 14746 margin we hold, as rows region, alt, year, lo, hi, target, source.

    region: 2024 code (4-digit kommune, '40' Telemark, '0' Hele landet); alt: index into the
    ContentsCode list (0 MMMM, 1 LLML, 2 HHMH); ages lo..hi inclusive (105 = 105+); both sexes.
    """
    rows = []
    nn = pd.read_csv(SHARED / NN_FLAT, dtype={"region_kode": str})
    nn = nn[nn["region_kode"] != "NN"]
    for (alt, grp), g in nn.groupby(["alternativ", "aldersgruppe"]):
        lo, hi = _age_range(grp)
        rows.append(pd.DataFrame({"region": g["region_kode"], "alt": ALT_SHORT.index(alt), "year": g["aar"],
                                  "lo": lo, "hi": hi, "target": g["personer"], "source": "nordnorge"}))
    tm = pd.read_csv(SHARED / TELEMARK)
    k131 = pd.read_csv(SHARED / KLASS_131, sep=";", encoding="latin-1", dtype=str)
    name_to_code = {n: c for c, n in zip(k131["code"], k131["name"]) if c.startswith("40")}
    name_to_code |= {"Telemark": "40", "Hele landet": "0"}
    ages = tm["alder"].map(_age_range)
    rows.append(pd.DataFrame({
        "region": tm["region"].map(name_to_code), "alt": tm["statistikkvariabel"].str[-5:-1].map(ALT_SHORT.index),
        "year": tm["år"], "lo": ages.str[0], "hi": ages.str[1], "target": tm["value"], "source": "telemark",
    }))
    eg = pd.read_csv(SHARED / TELEMARK_EGENDEF, dtype={"Kommunenummer": str})
    ages = eg["Aldersgruppe"].map(_age_range)
    rows.append(pd.DataFrame({
        "region": eg["Kommunenummer"], "alt": 0, "year": eg["År"].str[:4].astype(int),
        "lo": ages.str[0], "hi": ages.str[1], "target": eg["Personer"], "source": "telemark_egendef",
    }))
    out = pd.concat(rows, ignore_index=True)
    assert out["region"].notna().all()
    return out


def _partitions(pub: pd.DataFrame) -> pd.DataFrame:
    """Per (region, alt, year): the finest age partition implied by the published groups.

    For Nord-Norge MMMM: 0-19, 20-64, 65-79 (= 65+ minus 80+), 80+; LLML/HHMH: total.
    Telemark MMMM: the ten groups with 20-44 split into 20-39 and 40-44 by the egendef file.
    Conflicts between the files are recorded in SOURCE_NOTES.
    """
    nn = pub[pub["source"] == "nordnorge"]
    tot = nn[(nn["lo"] == 0) & (nn["hi"] == 105)]
    parts = [tot[tot["alt"] != 0]]
    main = nn[nn["alt"] == 0].set_index(["region", "year", "lo", "hi"])["target"]
    g019, g2064 = main.xs((0, 19), level=("lo", "hi")), main.xs((20, 64), level=("lo", "hi"))
    g65, g80 = main.xs((65, 105), level=("lo", "hi")), main.xs((80, 105), level=("lo", "hi"))
    if not (g019 + g2064 + g65).equals(main.xs((0, 105), level=("lo", "hi"))):
        _note("Nord-Norge: 0-19 + 20-64 + 65+ differs from the total for some kommune-years")
    for (lo, hi), ser in {(0, 19): g019, (20, 64): g2064, (65, 79): g65 - g80, (80, 105): g80}.items():
        parts.append(ser.reset_index().assign(alt=0, lo=lo, hi=hi, source="nordnorge"))

    tm = pub[(pub["source"] == "telemark") & ~pub["region"].isin(["0", "40"])]
    eg = pub[(pub["source"] == "telemark_egendef") & (pub["region"] != "40")]
    tmm = tm[tm["alt"] == 0].set_index(["region", "year", "lo", "hi"])["target"]
    egm = eg.set_index(["region", "year", "lo", "hi"])["target"]

    def band(s, lo, hi):
        sel = s[(s.index.get_level_values("lo") >= lo) & (s.index.get_level_values("hi") <= hi)]
        return sel.groupby(level=["region", "year"]).sum()

    for lo, hi in [(0, 19), (67, 79), (80, 105), (20, 66)]:
        diff = band(tmm, lo, hi) - band(egm, lo, hi)
        if (diff != 0).any():
            _note(f"Telemark: egendef {lo}-{hi} differs from the 10-group file in {(diff != 0).sum()} kommune-years")
    parts.append(tm[tm["alt"] != 0])
    tmm_df = tmm.reset_index()
    keep = tmm_df[~((tmm_df["lo"] == 20) & (tmm_df["hi"] == 44))]
    e2039 = egm.xs((20, 39), level=("lo", "hi"))
    g2044 = tmm.xs((20, 44), level=("lo", "hi"))
    parts += [keep.assign(alt=0, source="telemark"),
              e2039.reset_index().assign(alt=0, lo=20, hi=39, source="telemark"),
              (g2044 - e2039).reset_index().assign(alt=0, lo=40, hi=44, source="telemark")]
    out = pd.concat(parts, ignore_index=True)[["region", "alt", "year", "lo", "hi", "target"]]
    if (out["target"] < 0).any():
        raise ValueError("negative refined margin")
    return out


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_14746() -> StandinTable:
    """14746 projected population 1 January (persons, SYNTHETIC single-year values calibrated to
    SSB's published margins): Region(373) × Kjonn(2: '2','1') × Alder(106) × ContentsCode(9) × Tid(2026..2050).
    """
    meta = _meta_14746()
    kom = _kommuner_2024()
    kpos = {c: i for i, c in enumerate(kom)}
    kpop = _kommune_pop()
    p0 = kpop[..., 2026 - POP_YEARS[0]]
    if np.isnan(p0).any():
        raise ValueError("1.1.2026 population incomplete")
    x = _cohort_model(p0, np.nan_to_num(kpop[..., 2019 - POP_YEARS[0]]))
    x[..., 0] = p0  # every alternative starts from the real 1.1.2026 population
    model_main = x[0].copy()
    flat = x.reshape(-1)
    prof = p0.sum(axis=0) + 1e-6  # national [sex, age] profile for empty groups

    pub = published_14746()
    parts = _partitions(pub)
    alt, year = parts["alt"].to_numpy(), parts["year"].to_numpy() - PROJ_YEARS[0]
    k = parts["region"].map(kpos).to_numpy()
    lo, hi = parts["lo"].to_numpy(), parts["hi"].to_numpy()
    idx, rid = _cells(x.shape, alt, k, year, lo, hi)
    _, _, s_, a_, _ = np.unravel_index(idx, x.shape)
    _rake(flat, idx, rid, parts["target"].to_numpy(float), prof[s_, a_])

    # Hele landet: scale the kommuner without published margins so land groups are exact.
    land = pub[(pub["region"] == "0")]
    published = np.zeros(len(kom), bool)
    published[parts["region"].map(kpos).unique()] = True
    free = np.flatnonzero(~published)
    rows = land.to_dict("list")
    n_rows = len(land)
    rep = np.repeat(np.arange(n_rows), len(free))
    l_alt = np.asarray(rows["alt"])[rep]
    l_year = np.asarray(rows["year"])[rep] - PROJ_YEARS[0]
    l_lo, l_hi = np.asarray(rows["lo"])[rep], np.asarray(rows["hi"])[rep]
    idx, cell_row = _cells(x.shape, l_alt, np.tile(free, n_rows), l_year, l_lo, l_hi)
    gid = rep[cell_row]
    fixed = np.array([
        x[a, published][:, :, lo_:hi_ + 1, y - PROJ_YEARS[0]].sum()
        for a, y, lo_, hi_ in zip(rows["alt"], rows["year"], rows["lo"], rows["hi"])
    ])
    resid = np.asarray(rows["target"], float) - fixed
    if (resid < 0).any():
        _note("14746: published kommuner exceed a Hele landet group total")
        resid = np.maximum(resid, 0)
    _rake(flat, idx, gid, resid, np.ones(len(idx)))

    # Alternatives without published margins: calibrated MMMM times the model's ratio.
    ratio = np.divide(x[3:], model_main, out=np.ones_like(x[3:]), where=model_main > 0)
    x[3:] = np.rint(np.where(model_main > 0, x[0] * ratio, x[3:]))
    x[1:3] = np.rint(x[1:3])  # already integer where published/raked; guards float residue
    x[0] = np.rint(x[0])

    codes = list(meta["variables"][0]["values"])
    values = np.zeros((len(codes), 2, N_AGES, len(ALT_SHORT), len(PROJ_YEARS)))
    kom_vals = np.moveaxis(x, 0, 3)[:, ::-1]  # [kommune, sex ('2','1'), age, alt, year]
    pos = {c: i for i, c in enumerate(codes)}
    values[[pos[c] for c in kom]] = kom_vals
    fylke_of = np.array([c[:2] for c in kom])
    for c in codes:
        if len(c) == 2:
            values[pos[c]] = kom_vals[fylke_of == c].sum(axis=0)
    values[pos["0"]] = kom_vals.sum(axis=0)
    v = meta["variables"]
    return StandinTable(
        id="14746",
        label=meta["title"],
        updated="2026-06-16T06:00:00Z",
        dimensions=[
            StandinDimension("Region", v[0]["text"], codes, list(v[0]["valueTexts"]), elimination=True,
                             codelists={"agg_KommSummer": _region_dim().codelists["agg_KommSummer"]}
                             if codes == _regions_2024()[0] else {}),
            StandinDimension("Kjonn", v[1]["text"], list(v[1]["values"]), list(v[1]["valueTexts"]), elimination=True),
            StandinDimension("Alder", v[2]["text"], list(v[2]["values"]), list(v[2]["valueTexts"]), elimination=True),
            StandinDimension("ContentsCode", v[3]["text"], list(v[3]["values"]), list(v[3]["valueTexts"]),
                             units={c: {"base": "personer", "decimals": 0} for c in v[3]["values"]}),
            StandinDimension("Tid", v[4]["text"], list(v[4]["values"]), list(v[4]["valueTexts"]), time=True),
        ],
        values=values,
        status=None,
        notes=["Stand-in: enkeltårsverdiene er syntetiske, kalibrert til SSBs publiserte aldersgrupper "
               "(80 kommuner i Nord-Norge, Telemark, hele landet). Bare marginene er SSBs tall."],
    )


# --------------------------------------------------------------------------- KOSTRA regions

KOSTRA_LABEL = "region"


@functools.lru_cache(maxsize=None)
def _fixture_12209() -> dict:
    return json.loads((SHARED / FIX_12209).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _kostra_regions() -> dict:
    """KOSTRA region list (891 codes, KLASS 231 as in the real 12209 response) with validity.

    Returns dict: codes, labels, valid bool[code, year 2015..2025], is_kommune bool[code],
    weights float[code, 357 2024-kommuner] (population share of each 2024 kommune that belongs to
    the code's area, from the csdata change history), real_value/real_status of 12209 2019 & 2023.
    """
    fx = _fixture_12209()
    cat = fx["dimension"]["KOKkommuneregion0000"]["category"]
    codes = sorted(cat["index"], key=cat["index"].get)
    labels = [cat["label"][c] for c in codes]
    n = len(codes)
    val = np.array([np.nan if v is None else v for v in fx["value"]], float).reshape(n, 2)
    stat = np.full(2 * n, None, dtype=object)
    for i, s in fx["status"].items():
        stat[int(i)] = s
    stat = stat.reshape(n, 2)

    kom2024 = set(_kommuner_2024())
    fylke2024 = {c for c in _regions_2024()[0] if len(c) == 2}
    years = np.array(KOSTRA_YEARS)
    valid = np.zeros((n, len(years)), bool)
    for i, (c, lab) in enumerate(zip(codes, labels)):
        m = re.search(r"\((\d{4})?-(\d{4})?\)\s*$", lab)
        used19, used23 = stat[i, 0] != ".", stat[i, 1] != "."
        if m:
            start, end = int(m.group(1) or 0), int(m.group(2) or 9999)
        elif used19:
            start, end = (2018 if c.startswith(("50", "EKA50")) else 0), 9999
        elif used23:
            start, end = 2020, 9999
        elif c in kom2024 or (c.startswith("EKA") and c[3:] in fylke2024):
            start, end = 2024, 9999
        else:
            start, end = 9999, 0  # never used (e.g. 2111 Longyearbyen)
        valid[i] = (years >= start) & (years <= end)

    is_kom = np.array([c.isdigit() for c in codes])
    hist = pd.read_excel(SHARED / MUNICIP_HISTORY)
    hist = hist.assign(
        code=hist["municip_code"].str.removeprefix("municip_nor"),
        end=hist["municip_code_end"].str.removeprefix("municip_nor"),
        wt=hist["weighting"].fillna(1.0),
    )
    moved = hist[hist["end"].notna()]
    succ = moved.groupby("code")[["end", "wt"]].apply(lambda g: list(zip(g["end"], g["wt"]))).to_dict()
    pred_wt = moved.groupby("end")["wt"].sum().to_dict()
    kpos = {c: j for j, c in enumerate(_kommuner_2024())}

    @functools.cache
    def share(c: str) -> tuple:
        w = np.zeros(len(kpos))
        if c in kpos:
            w[kpos[c]] = 1.0
        for e, wt in succ.get(c, []):
            w += wt / pred_wt[e] * np.array(share(e))
        return tuple(w)

    weights = np.array([share(c) if is_kom[i] else np.zeros(len(kpos)) for i, c in enumerate(codes)])
    lost = [c for i, c in enumerate(codes) if is_kom[i] and valid[i].any() and weights[i].sum() == 0]
    if lost:
        _note(f"KOSTRA codes without a kommune history link (treated as never used): {lost}")
        valid[[codes.index(c) for c in lost]] = False
    return dict(codes=codes, labels=labels, valid=valid, is_kommune=is_kom, weights=weights,
                real_value=val, real_status=stat)


def _kostra_pop() -> np.ndarray:
    """Population per KOSTRA code and year 2015..2025 (1 January), bands [total, 0-66, 67-79, 80+]."""
    kp = np.nan_to_num(_kommune_pop()[..., [y - POP_YEARS[0] for y in KOSTRA_YEARS]]).sum(axis=1)  # [k, age, y]
    bands = np.stack([kp.sum(1), kp[:, :67].sum(1), kp[:, 67:80].sum(1), kp[:, 80:].sum(1)], axis=-1)
    return np.einsum("ck,kyb->cyb", _kostra_regions()["weights"], bands)


@functools.lru_cache(maxsize=None)
def kostra_groups() -> dict[str, str]:
    """Stand-in KOSTRA group per 2024 kommune code, e.g. {'0301': 'EKG17', ...}.

    Invented (SSB's KLASS 112 grouping is not available offline): the four largest kommuner form
    EKG17; the rest fall into EKG01 (smallest) … EKG16 by population quantile on 1.1.2024.
    """
    return dict(zip(_kommuner_2024(), _group_of(_kommune_pop()[..., 2024 - POP_YEARS[0]].sum(axis=(1, 2)), 2024)))


@functools.lru_cache(maxsize=None)
def _group_edges() -> tuple[float, np.ndarray]:
    pop = np.sort(_kommune_pop()[..., 2024 - POP_YEARS[0]].sum(axis=(1, 2)))
    return pop[-4], np.quantile(pop[:-4], np.linspace(0, 1, 17)[1:-1])


def _group_of(pop: np.ndarray, year: int) -> list[str]:
    """KOSTRA group code for kommuner of the given populations; EKG09/EKG17 exist only from 2020."""
    big, edges = _group_edges()
    grp = np.where(pop >= big, 17, np.searchsorted(edges, pop, side="right") + 1)
    if year < 2020:
        grp = np.where(grp == 9, 10, np.where(grp == 17, 16, grp))
    return [f"EKG{g:02d}" for g in grp]


def _membership() -> np.ndarray:
    """bool[year, aggregate code, kommune code]: which kommune codes make up each aggregate in a year."""
    reg = _kostra_regions()
    codes, valid, is_kom = reg["codes"], reg["valid"], reg["is_kommune"]
    pop = _kostra_pop()[..., 0]
    mem = np.zeros((len(KOSTRA_YEARS), len(codes), len(codes)), bool)
    pos = {c: i for i, c in enumerate(codes)}
    for t, y in enumerate(KOSTRA_YEARS):
        live = np.flatnonzero(is_kom & valid[:, t])
        groups = _group_of(pop[live, t], y)
        for j, g in zip(live, groups):
            c = codes[j]
            targets = ["EAK", g, f"EKA{c[:2]}"] + ([] if c == "0301" else ["EAKUO"])
            for a in targets:
                if a in pos and valid[pos[a], t]:
                    mem[t, pos[a], j] = True
    return mem


def _kostra_dim() -> StandinDimension:
    reg = _kostra_regions()
    return StandinDimension("KOKkommuneregion0000", KOSTRA_LABEL, list(reg["codes"]), list(reg["labels"]))


def _tid_dim() -> StandinDimension:
    return StandinDimension("Tid", "år", [str(y) for y in KOSTRA_YEARS], [str(y) for y in KOSTRA_YEARS], time=True)


def _contents(codes_labels: dict[str, str], units: dict[str, dict]) -> StandinDimension:
    return StandinDimension("ContentsCode", "statistikkvariabel", list(codes_labels), list(codes_labels.values()),
                            units=units)


def _statuses(values: np.ndarray, rng: np.random.Generator, real: np.ndarray | None = None) -> np.ndarray:
    """Status for [code, ..., year] values: '.' for codes not used that year, seeded '..' for a few
    synthetic kommune cells, ':' for the two smallest kommuner in 2024-2025. Sets those values NaN."""
    reg = _kostra_regions()
    shape = values.shape
    valid = reg["valid"].reshape((shape[0],) + (1,) * (values.ndim - 2) + (shape[-1],))
    status = np.full(shape, None, dtype=object)
    status[np.broadcast_to(~valid, shape)] = "."
    kom_valid = np.broadcast_to(valid & reg["is_kommune"].reshape((-1,) + (1,) * (values.ndim - 1)), shape)
    synth = kom_valid if real is None else kom_valid & ~real
    dots = synth & (rng.random(shape) < 0.003)
    status[dots] = ".."
    small = np.argsort(_kostra_pop()[:, -1, 0] + np.where(reg["valid"][:, -1] & reg["is_kommune"], 0, 1e12))[:2]
    colon = np.zeros(shape, bool)
    colon[small, ..., -2:] = True
    colon &= synth
    status[colon] = ":"
    values[np.broadcast_to(~valid, shape) | dots | colon] = np.nan
    return status


def _aggregate(values: np.ndarray, how: str, weights: np.ndarray | None = None) -> None:
    """Fill aggregate rows (EAK, EAKUO, EKA.., EKG..) of [code, ..., year] values in place:
    'sum' = sum of member kommuner (NaN members skipped); 'mean' = weighted mean, 1 decimal."""
    mem = _membership()
    reg = _kostra_regions()
    agg = np.flatnonzero(~reg["is_kommune"])
    for t in range(values.shape[-1]):
        v = values[..., t]
        m = mem[t][agg].astype(float)  # [n_agg, n_codes]
        filled = np.nan_to_num(v)
        if how == "sum":
            out = np.tensordot(m, filled, axes=(1, 0))
        else:
            w = np.where(np.isnan(v), 0.0, weights[:, t].reshape((-1,) + (1,) * (v.ndim - 1)))
            num, den = np.tensordot(m, filled * w, axes=(1, 0)), np.tensordot(m, w, axes=(1, 0))
            out = np.round(np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0), 1)
        keep = reg["valid"][agg, t].reshape((-1,) + (1,) * (v.ndim - 1))
        values[agg, ..., t] = np.where(keep, out, np.nan)


def _per_code_rate(rate_2024: np.ndarray) -> np.ndarray:
    """Map a per-2024-kommune rate to every KOSTRA code by population-weighted mean over its area."""
    w = _kostra_regions()["weights"]
    p = np.nan_to_num(_kommune_pop()[..., 2024 - POP_YEARS[0]]).sum(axis=(1, 2))
    num, den = w @ (rate_2024 * p), w @ p
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


# --------------------------------------------------------------------------- KOSTRA tables


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_12209() -> StandinTable:
    """12209 (two indicators, prosent, 1 decimal): KOKkommuneregion0000(891) × ContentsCode(2) × Tid(2015..2025).

    KOShjtj80aarover0001 in 2019 and 2023 is real; everything else synthetic."""
    reg = _kostra_regions()
    rng = np.random.default_rng(12209)
    n, ny = len(reg["codes"]), len(KOSTRA_YEARS)
    years = np.array(KOSTRA_YEARS, float)
    rv = reg["real_value"]
    is_kom = reg["is_kommune"]
    # Reference level per code: its own real values, else those of codes covering the same area.
    with np.errstate(invalid="ignore"):
        own = np.array([np.nan if np.isnan(r).all() else np.nanmean(r) for r in rv])
    w = reg["weights"] > 0
    linked = (w & is_kom[:, None] & ~np.isnan(own)[:, None]).astype(float)  # [code, 2024 kommune]
    k_sum, k_n = np.nan_to_num(own) @ linked, linked.sum(axis=0)
    k_ref = np.divide(k_sum, k_n, out=np.full(len(k_n), np.nan), where=k_n > 0)
    fallback = np.nanmean(own[is_kom])
    k_ref = np.where(np.isnan(k_ref), fallback, k_ref)
    ref = np.where(np.isnan(own), _per_code_rate(k_ref), own)
    slope = np.where(np.isnan(rv).any(axis=1), -0.5, (rv[:, 1] - rv[:, 0]) / 4)
    hj = np.clip(ref[:, None] + slope[:, None] * (years - 2021) + rng.normal(0, 1.2, (n, ny)), 5, 80).round(1)
    both = ~np.isnan(rv).any(axis=1)
    hj[both] = np.clip(rv[both, :1] + slope[both, None] * (years - 2019) + rng.normal(0, 0.8, (both.sum(), ny)),
                       5, 80).round(1)
    inst_k = np.clip(rng.normal(12.0, 3.0, len(_kommuner_2024())), 4, 30)
    inst = np.clip(_per_code_rate(inst_k)[:, None] - 0.2 * (years - 2020) + rng.normal(0, 0.7, (n, ny)),
                   2, 40).round(1)
    values = np.stack([hj, inst], axis=1)  # [code, contents, year]
    real = np.zeros(values.shape, bool)
    real[:, 0, [KOSTRA_YEARS.index(2019), KOSTRA_YEARS.index(2023)]] = True
    status = _statuses(values, rng, real=real)
    _aggregate(values, "mean", weights=_kostra_pop()[..., 3])
    for j, y in enumerate([2019, 2023]):
        t = KOSTRA_YEARS.index(y)
        values[:, 0, t] = rv[:, j]
        status[:, 0, t] = reg["real_status"][:, j]
    agg_nan = np.isnan(values) & (status == None)  # noqa: E711 - object array comparison
    status[agg_nan] = ".."
    pct = {"base": "prosent", "decimals": 1}
    return StandinTable(
        id="12209",
        label="12209: Utvalgte nøkkeltall for helse og omsorg, etter region, statistikkvariabel og år",
        updated="2026-03-16T07:00:00Z",
        dimensions=[
            _kostra_dim(),
            _contents({
                "KOShjtj80aarover0001": "Andel innbyggere 80 år og over som bruker hjemmetjenester (prosent)",
                "KOSsykhjand80aar0000": "Andel innbyggere 80 år og over som er beboere på institusjon (prosent)",
            }, {"KOShjtj80aarover0001": pct, "KOSsykhjand80aar0000": pct}),
            _tid_dim(),
        ],
        values=values,
        status=status,
        notes=["Stand-in: KOShjtj80aarover0001 2019 og 2023 er ekte SSB-tall; resten er syntetisk."],
    )


def _load_11875() -> pd.DataFrame:
    return pd.read_csv(SHARED / REAL_11875, dtype={"municipality_code": str})


METRIC_11875 = {
    "inst_plasser": "KOSinstdispplass0000",
    "sykehjem_plasser": "KOSsykehjdisppla0000",
    "demens_plasser": "KOSinstdemenspla0000",
    "tidsbegrensede_plasser": "KOSinsttidsbegrp0000",
    "rehab_plasser": "KOSinstrehabplas0000",
}


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_11875() -> StandinTable:
    """11875 institution places (antall): KOKkommuneregion0000(891) × ContentsCode(5) × Tid(2015..2025).

    Real for the 201 kommuner in the hmelberg file; synthetic elsewhere (places per person 80+)."""
    reg = _kostra_regions()
    rng = np.random.default_rng(11875)
    real = _load_11875()
    cc = list(METRIC_11875.values())
    labels = real.drop_duplicates("metric").set_index("metric")["metric_label"]
    pop80 = _kostra_pop()[..., 3]
    n, ny = len(reg["codes"]), len(KOSTRA_YEARS)
    kom = _kommuner_2024()
    kpop80 = np.nan_to_num(_kommune_pop()[:, :, 80:, 2024 - POP_YEARS[0]]).sum(axis=(1, 2))
    r24 = real[real["period"] == 2024].pivot(index="municipality_code", columns="metric", values="value")
    ratio = r24.div(pd.Series(kpop80, index=kom).reindex(r24.index), axis=0).reindex(kom)
    inst_med = float(np.nanmedian(ratio["inst_plasser"]))
    typical = {"inst_plasser": 1.0, "sykehjem_plasser": 0.92, "demens_plasser": 0.28,
               "tidsbegrensede_plasser": 0.14, "rehab_plasser": 0.035}  # shares of all places
    inst_rate = ratio["inst_plasser"].fillna(pd.Series(inst_med * rng.lognormal(0, 0.15, len(kom)), index=kom))
    rates = np.stack([ratio[m].fillna(inst_rate * share * rng.lognormal(0, 0.1, len(kom))).to_numpy()
                      for m, share in typical.items()], axis=1)
    code_rates = np.stack([_per_code_rate(rates[:, m]) for m in range(len(cc))], axis=1)  # [code, m]
    values = np.round(code_rates[:, :, None] * pop80[:, None, :] * rng.normal(1, 0.03, (n, len(cc), ny)))
    values = np.maximum(values, 0)
    is_real = np.zeros(values.shape, bool)
    pos = {c: i for i, c in enumerate(reg["codes"])}
    ri = real["municipality_code"].map(pos).to_numpy()
    mi = real["metric"].map({m: i for i, m in enumerate(METRIC_11875)}).to_numpy()
    ti = real["period"].to_numpy() - KOSTRA_YEARS[0]
    values[ri, mi, ti] = real["value"].to_numpy()
    is_real[ri, mi, ti] = True
    if (~reg["valid"][ri, ti]).any():
        _note("11875: real values on a code/year the 12209 region list marks as unused")
    status = _statuses(values, rng, real=is_real)
    _aggregate(values, "sum")
    cnt = {"base": "antall", "decimals": 0}
    return StandinTable(
        id="11875",
        label="11875: Institusjoner - plasser, etter region, statistikkvariabel og år",
        updated="2026-03-16T07:00:00Z",
        dimensions=[_kostra_dim(), _contents({c: labels[m] for m, c in METRIC_11875.items()},
                                             {c: cnt for c in cc}), _tid_dim()],
        values=values,
        status=status,
        notes=["Stand-in: ekte SSB-tall for 201 kommuner (10 fylker); resten syntetisk."],
    )


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_12292() -> StandinTable:
    """12292 (SYNTHETIC) residents, home-care users, årsverk, institution days per KOSTRA region:
    KOKkommuneregion0000(891) × ContentsCode(7) × Tid(2015..2025). Units: persons, årsverk, døgn."""
    reg = _kostra_regions()
    rng = np.random.default_rng(12292)
    p = _kostra_pop()  # [code, year, band]
    n, ny = p.shape[:2]
    lvl = _per_code_rate(rng.lognormal(0, 0.12, len(_kommuner_2024())))[:, None]
    noise = lambda: lvl * rng.normal(1, 0.04, (n, ny))  # noqa: E731
    beboere = np.round((0.11 * p[..., 3] + 0.004 * p[..., 2]) * noise())
    langtid = np.round(beboere * 0.82)
    korttid = beboere - langtid
    hj80 = np.round(0.27 * p[..., 3] * noise())
    hjtot = hj80 + np.round((0.012 * p[..., 1] + 0.06 * p[..., 2]) * noise())
    aarsverk = np.round((1.05 * beboere + 0.22 * hjtot) * rng.normal(1, 0.05, (n, ny)), 1)
    dogn = np.round(beboere * 330 * rng.normal(1, 0.02, (n, ny)))
    contents = {
        "KOSbeboersykehje0000": "Beboere i sykehjem (antall)",
        "KOSlangtid0000": "Beboere på institusjon med langtidsopphold (antall)",
        "KOSkorttid0000": "Beboere på institusjon med korttidsopphold (antall)",
        "KOSkjernetotalt0000": "Mottakere av hjemmetjenester i alt (antall)",
        "KOSkjerne80aarov0000": "Mottakere av hjemmetjenester 80 år og over (antall)",
        "KOSaarsverkbruke0000": "Årsverk i brukerrettede tjenester (antall)",
        "KOSinstoppholdsd0000": "Oppholdsdøgn på institusjon (antall)",
    }
    hj066 = np.round(0.012 * p[..., 1] * noise())
    bolig = np.round((0.004 * p[..., 2] + 0.03 * p[..., 3]) * noise())
    contents["KOSkjerne066aar0000"] = "Mottakere av hjemmetjenester 0-66 år (antall)"
    contents["KOSbialthelsum0000"] = "Beboere i bolig med heldøgns bemanning (antall)"
    values = np.stack([beboere, langtid, korttid, hjtot, hj80, aarsverk, dogn, hj066, bolig],
                      axis=1)
    # Suppress whole (code, year) rows so that the contents stay consistent with each other.
    status = np.broadcast_to(_statuses(beboere.copy(), rng)[:, None, :], values.shape).copy()
    values[status != None] = np.nan  # noqa: E711
    # Real panel values where a 2024 kommune code is valid in the year.
    cols = list(contents)
    for col, cc in (("Y_1_a_ialt", "KOSkjernetotalt0000"), ("Y_1_a_0_66", "KOSkjerne066aar0000"),
                    ("Y_1_a_80p", "KOSkjerne80aarov0000"), ("Y_2_ialt", "KOSbialthelsum0000")):
        real = _panel_cube(col, KOSTRA_YEARS)  # [357 kommuner, year]
        for j, k in enumerate(_kommuner_2024()):
            i = reg["codes"].index(k) if k in reg["codes"] else None
            if i is None:
                continue
            ok = reg["valid"][i]
            v = real[j]
            values[i, cols.index(cc), ok] = v[ok]
            status[i, cols.index(cc), ok] = np.where(np.isnan(v[ok]), ":", None)
    _aggregate(values, "sum")
    units = {c: {"base": "antall", "decimals": 0} for c in contents}
    units["KOSaarsverkbruke0000"] = {"base": "årsverk", "decimals": 1}
    return StandinTable(
        id="12292",
        label="12292: Omsorgstjenester - brukere og årsverk, etter region, statistikkvariabel og år",
        updated="2026-03-16T07:00:00Z",
        dimensions=[_kostra_dim(), _contents(contents, units), _tid_dim()],
        values=values,
        status=status,
        notes=["Stand-in: syntetiske tall proporsjonale med befolkningen 67+ og 80+."],
    )


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_12003() -> StandinTable:
    """12003 (SYNTHETIC) care-service users: KOKalder0000(4) × KOKkommuneregion0000(891) ×
    KOKTenesteGrp0000(3) × ContentsCode(2: users, users per 1000 inhabitants of the age band) × Tid(2015..2025).

    F000-120 = sum of the three bands; per-1000 = round(1000 × users / population 1.1 of the year, 1)."""
    meta = json.loads((SHARED / META_12003).read_text(encoding="utf-8"))
    v = {d["code"]: d for d in meta["variables"]}
    reg = _kostra_regions()
    rng = np.random.default_rng(12003)
    p = _kostra_pop()  # [code, year, band(total, 0-66, 67-79, 80+)]
    n, ny = p.shape[:2]
    rate = np.array([[0.028, 0.0005, 0.003], [0.08, 0.015, 0.03], [0.30, 0.12, 0.08]])  # [band, group]
    lvl = _per_code_rate(rng.lognormal(0, 0.12, len(_kommuner_2024())))
    users = np.round(rate[:, None, :, None] * np.moveaxis(p[..., 1:], 2, 0)[:, :, None, :]
                     * lvl[None, :, None, None] * rng.normal(1, 0.04, (3, n, 3, ny)))
    counts = np.concatenate([users.sum(axis=0, keepdims=True), users])  # [age(4), code, grp, year]
    values = np.moveaxis(counts, 0, 1)[:, :, :, None, :].repeat(2, axis=3)  # [code, age, grp, cc, year]
    # Suppress whole (code, group, year) cells so F000-120 stays the sum of the bands.
    st = _statuses(values[:, 0, :, 0].copy(), rng)  # [code, grp, year]
    status = np.broadcast_to(st[:, None, :, None, :], values.shape).copy()
    values[status != None] = np.nan  # noqa: E711
    _aggregate(values, "sum")
    pop_band = np.moveaxis(p, 2, 1)[:, :, None, :]  # [code, band, 1, year]
    with np.errstate(invalid="ignore", divide="ignore"):
        # no population in the band: no rate (SSB publishes no number; never Infinity)
        values[:, :, :, 1] = np.where(pop_band > 0,
                                      np.round(1000 * values[:, :, :, 0] / pop_band, 1), np.nan)
    values = np.moveaxis(values, 1, 0)  # [age, code, grp, cc, year]
    status = np.moveaxis(status, 1, 0)
    dims = []
    for code in ["KOKalder0000", "KOKkommuneregion0000", "KOKTenesteGrp0000", "ContentsCode", "Tid"]:
        d = v[code]
        units = {c: {"base": "antall", "decimals": 1 if c == "KOSPr1000innbyge0000" else 0}
                 for c in d["values"]} if code == "ContentsCode" else {}
        dims.append(StandinDimension(code, d["text"], list(d["values"]), list(d["valueTexts"]),
                                     elimination=bool(d.get("elimination", False)), time=bool(d.get("time", False)),
                                     units=units))
    if dims[1].codes != reg["codes"] or dims[4].codes != [str(y) for y in KOSTRA_YEARS]:
        _note("12003 metadata region/year list differs from the 12209 region list or 2015-2025")
    return StandinTable(
        id="12003",
        label=meta["title"],
        updated="2026-03-16T07:00:00Z",
        dimensions=dims,
        values=values,
        status=status,
        notes=["Stand-in: syntetiske brukertall proporsjonale med befolkningen i aldersgruppen."],
    )


@functools.lru_cache(maxsize=None)
def panel() -> pd.DataFrame:
    """The KOSTRA panel (PROVENANCE section 6): one row per 2024 kommune and year."""
    return pd.read_csv(SHARED / PANEL, dtype={"kommunenr_2024": str})


def _panel_cube(col: str, years: list[int]) -> np.ndarray:
    """float[357 kommuner in 14746 order, years] of one panel column (NaN = blank)."""
    df = panel().pivot(index="kommunenr_2024", columns="år", values=col)
    return df.reindex(index=_kommuner_2024(), columns=years).to_numpy(dtype=float)


PANEL_YEARS_11645 = list(range(2009, 2026))
AGE_11645 = ["Ialt", "00-49", "50-66", "67-79", "80-89", "90+"]


def split_11645(total, b066, b6779, b80, p8089, p90):
    """The six 11645 age cells from the panel's bands (arrays; NaN = blank in the panel).

    Ialt, 67-79 are the panel's; 0–66 is split 30/70 into 00-49/50-66 and 80+ into
    80-89/90+ with 90+ given three times the coverage of 80–89 (both SYNTHETIC splits,
    integers that add up to the panel's band).
    """
    b0049 = np.round(0.3 * b066)
    w90 = np.divide(3 * p90, p8089 + 3 * p90, out=np.full(np.shape(p90), 0.25),
                    where=(p8089 + 3 * p90) > 0)
    b90 = np.round(w90 * b80)
    return np.stack([total, b0049, b066 - b0049, b6779, b80 - b90, b90])


@functools.lru_cache(maxsize=1)
@_disk_cached
def table_11645() -> StandinTable:
    """11645 long-term institution residents: Region(357) × TenesteType(1: 21) × Alder(6)
    × ContentsCode(1: Brukere1) × Tid(2009..2025). Totals and bands 0–66, 67–79, 80+ from
    the real panel; the splits 00-49/50-66 and 80-89/90+ are synthetic (see ``split_11645``)."""
    years = PANEL_YEARS_11645
    cube = {c: _panel_cube(c, years) for c in ("Y_3_a_ialt", "Y_3_a_0_66", "Y_3_a_67_79",
                                               "Y_3_a_80p")}
    kp = _kommune_pop()[..., [y + 1 - POP_YEARS[0] for y in years]].sum(axis=1)  # 1.1. after
    p8089, p90 = np.nan_to_num(kp[:, 80:90].sum(1)), np.nan_to_num(kp[:, 90:].sum(1))
    six = split_11645(cube["Y_3_a_ialt"], cube["Y_3_a_0_66"], cube["Y_3_a_67_79"],
                      cube["Y_3_a_80p"], p8089, p90)  # [age, kommune, year]
    values = np.moveaxis(six, 0, 1)[:, None, :, None, :]  # [region, tjeneste, age, cc, year]
    status = np.where(np.isnan(values), ":", None).astype(object)
    codes = _kommuner_2024()
    names = dict(zip(*_regions_2024()))
    return StandinTable(
        id="11645",
        label="11645: Brukere av omsorgstjenester, etter region, alder, tjenestetype, "
              "statistikkvariabel og år",
        updated="2026-03-16T07:00:00Z",
        dimensions=[
            StandinDimension("Region", "region", codes, [names[c] for c in codes]),
            StandinDimension("TenesteType", "tjenestetype", ["21"],
                             ["Langtidsopphold i institusjon"]),
            StandinDimension("Alder", "alder", AGE_11645,
                             ["I alt", "0-49 år", "50-66 år", "67-79 år", "80-89 år",
                              "90 år eller eldre"]),
            StandinDimension("ContentsCode", "statistikkvariabel", ["Brukere1"], ["Brukere"],
                             units={"Brukere1": {"base": "personer", "decimals": 0}}),
            StandinDimension("Tid", "år", [str(y) for y in years], [str(y) for y in years],
                             time=True),
        ],
        values=values,
        status=status,
        notes=["Stand-in: i alt og aldersgruppene 0-66, 67-79 og 80+ er ekte SSB-tall "
               "(KOSTRA-panel); delingen 0-49/50-66 og 80-89/90+ er syntetisk."],
    )


TELEMARK_ROUNDS = {"12882": "2020", "13600": "2022", "14288": "2024"}
ROUND_ALTS = {"Hovedalternativet (MMMM)": "Personer", "Lav nasjonal vekst (LLML)": "Personer1",
              "Høy nasjonal vekst (HHMH)": "Personer2"}


def telemark_round(table_id: str) -> pd.DataFrame:
    """SSB's published round (Telemark file, evensrii) with region codes added:
    region_code, alternative label, year, age group label, persons."""
    year = TELEMARK_ROUNDS[table_id]
    df = pd.read_csv(SHARED / f"befolkningsframskriving/telemark_evensrii/"
                     f"Framskrevet_folkemengde_{year}-2050.csv")
    changes = json.loads((Path(__file__).resolve().parents[1] / "data_sources" / "data" /
                          "klass_131_changes_2020_2024.json").read_text(encoding="utf-8"))
    tele = [c for c in changes["codeChanges"] if c["newCode"].startswith("40")]
    if year == "2024":
        codes = {c["newName"]: c["newCode"] for c in tele} | {"Telemark": "40"}
    else:
        codes = {f"{c['oldName']} (2020-2023)": c["oldCode"] for c in tele} | \
            {"Vestfold og Telemark (2020-2023)": "38"}
    codes["Hele landet"] = "0"
    return df.assign(region_code=df["region"].map(codes))


@functools.lru_cache(maxsize=None)
@_disk_cached
def table_round(table_id: str) -> StandinTable:
    """An earlier projection round (12882 = 2020, 13600 = 2022, 14288 = 2024) for the 17
    Telemark kommuner, their fylke and Hele landet: Region × Kjonn(2) × Alder(106) ×
    ContentsCode(3: MMMM, LLML, HHMH) × Tid. The sums over the ten published age groups,
    both sexes, are SSB's (Telemark file); the single-year, single-sex values are SYNTHETIC:
    each published group total spread as evenly as whole persons allow over its ages and
    the two sexes."""
    df = telemark_round(table_id)
    regions = list(dict.fromkeys(df["region_code"]))
    names = dict(zip(df["region_code"], df["region"]))
    years = sorted(df["år"].unique())
    alts = list(ROUND_ALTS)
    values = np.zeros((len(regions), 2, N_AGES, len(alts), len(years)))
    for group, g in df.groupby("alder"):
        lo, hi = _age_range(group)
        hi = min(hi, N_AGES - 1)
        n = (hi - lo + 1) * 2
        ri = g["region_code"].map({r: i for i, r in enumerate(regions)}).to_numpy()
        ai = g["statistikkvariabel"].map({a: i for i, a in enumerate(alts)}).to_numpy()
        ti = g["år"].map({y: i for i, y in enumerate(years)}).to_numpy()
        # whole persons: every cell gets total // n, the first total % n cells one more
        q, r = np.divmod(g["value"].to_numpy().astype(np.int64), n)
        k = 0
        for age in range(lo, hi + 1):
            for sx in (0, 1):
                values[ri, sx, age, ai, ti] = q + (k < r)
                k += 1
    return StandinTable(
        id=table_id,
        label=f"{table_id}: Framskrevet folkemengde 1. januar, etter region, kjønn, alder, "
              "statistikkvariabel og år",
        updated="2024-06-12T06:00:00Z",
        dimensions=[
            StandinDimension("Region", "region", regions, [names[r] for r in regions]),
            StandinDimension("Kjonn", "kjønn", ["1", "2"], ["Menn", "Kvinner"], elimination=True),
            _age_dim(),
            StandinDimension("ContentsCode", "statistikkvariabel",
                             [ROUND_ALTS[a] for a in alts], alts),
            StandinDimension("Tid", "år", [str(y) for y in years], [str(y) for y in years],
                             time=True),
        ],
        values=values,
        notes=["Stand-in: summene over SSBs ti aldersgrupper er SSBs tall (Telemark); "
               "ettårig alder og kjønn er syntetisk fordelt."],
    )


def all_tables() -> list[StandinTable]:
    """Every stand-in table: 07459, 14746, 12209, 11875, 12292, 12003, 11645."""
    return [table_07459(), table_14746(), table_12209(), table_11875(), table_12292(), table_12003(),
            table_11645()]


def main() -> None:
    start = time.perf_counter()
    for fn in (table_07459, table_14746, table_12209, table_11875, table_12292, table_12003,
               table_11645):
        t0 = time.perf_counter()
        tab = fn()
        print(f"{tab.id}: shape {tab.values.shape}, {tab.values.size:,} cells, "
              f"{np.isfinite(tab.values).sum():,} numbers, {time.perf_counter() - t0:.2f} s")
    print(f"total {time.perf_counter() - start:.2f} s")
    for text in SOURCE_NOTES:
        print("note:", text)


if __name__ == "__main__":
    main()
