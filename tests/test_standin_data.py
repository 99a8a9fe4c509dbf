"""Checks of the full-country stand-in tables (tests/standin_data.py) against the real SSB files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.paths import shared

sd = pytest.importorskip("tests.standin_data")


@pytest.fixture(scope="module", autouse=True)
def _need_shared():
    shared("befolkning_historikk/csdata_niphr")


def _dim(table, dim_id):
    return next(d for d in table.dimensions if d.id == dim_id)


def _check_shape(table):
    assert table.values.dtype == np.float64
    assert table.values.shape == tuple(len(d.codes) for d in table.dimensions)
    if table.status is not None:
        assert table.status.shape == table.values.shape


# ---------------------------------------------------------------- 07459


def test_07459_2024_equals_raw_statbank_csv():
    raw = pd.read_csv(shared(sd.POP_PARQUET.rsplit("/", 1)[0] + "/07459_norway_population_by_age_sex_2024.csv"),
                      sep=";", encoding="latin-1", skiprows=2)
    raw = raw[raw["region"].str.match(r"K-\d{4} ")]
    raw["code"] = raw["region"].str[2:6]
    raw["age"] = raw["age"].str.extract(r"(\d+)")[0].astype(int)
    t = sd.table_07459()
    _check_shape(t)
    reg = _dim(t, "Region").codes
    y = _dim(t, "Tid").codes.index("2024")
    pos = {c: i for i, c in enumerate(reg)}
    idx = raw["code"].map(pos).to_numpy()
    assert raw["code"].nunique() == 357
    np.testing.assert_array_equal(t.values[idx, 0, raw["age"], 0, y], raw["Persons 2024 Males"].to_numpy())
    np.testing.assert_array_equal(t.values[idx, 1, raw["age"], 0, y], raw["Persons 2024 Females"].to_numpy())
    totals = t.values[idx, :, :, 0, y].sum(axis=(1, 2))
    assert (totals > 0).all()


def test_07459_dimensions_and_codelist():
    t = sd.table_07459()
    reg = _dim(t, "Region")
    assert reg.codes[0] == "0" and len(reg.codes) == 373
    assert reg.labels[reg.codes.index("3101")] == "Halden"
    codes, labels, base = reg.codelists["agg_KommSummer"]
    assert len(codes) == 357 and codes[0] == "K-3101" and labels[0] == "Halden"
    assert all(reg.codes[b] == c[2:] for c, b in zip(codes, base))
    assert _dim(t, "Alder").codes[-1] == "105+" and _dim(t, "Alder").labels[-1] == "105 år eller eldre"
    tid = _dim(t, "Tid").codes
    assert tid[0] == "1986" and tid[-1] == "2026"
    # kommuner before 2005 have no number, the country has
    k = reg.codes.index("3101")
    assert np.isnan(t.values[k, :, :, :, tid.index("2004")]).all()
    assert t.status[k, 0, 0, 0, tid.index("2004")] == ".."
    assert np.isfinite(t.values[0, :, :, :, tid.index("1986")]).all()
    # fylke = sum of its kommuner (2024 borders)
    members = [i for i, c in enumerate(reg.codes) if len(c) == 4 and c[:2] == "40"]
    np.testing.assert_array_equal(t.values[members, ..., -1].sum(axis=0), t.values[reg.codes.index("40"), ..., -1])


# ---------------------------------------------------------------- 14746


def test_14746_metadata_matches_ssb():
    meta = json.loads(shared(sd.META_14746).read_text(encoding="utf-8"))
    t = sd.table_14746()
    _check_shape(t)
    assert t.label == meta["title"] and t.updated == "2026-06-16T06:00:00Z"
    for d, v in zip(t.dimensions, meta["variables"]):
        assert d.id == v["code"] and d.codes == v["values"] and d.labels == v["valueTexts"]
    assert _dim(t, "ContentsCode").labels[0] == "Hovedalternativet (MMMM)"


def test_14746_integer_nonnegative_and_aggregates():
    t = sd.table_14746()
    v = t.values
    assert np.isfinite(v).all() and (v >= 0).all() and (v == np.rint(v)).all()
    reg = _dim(t, "Region").codes
    kom = np.array([len(c) == 4 for c in reg])
    np.testing.assert_array_equal(v[kom].sum(axis=0), v[0])
    for f in [c for c in reg if len(c) == 2]:
        members = [i for i, c in enumerate(reg) if len(c) == 4 and c[:2] == f]
        np.testing.assert_array_equal(v[members].sum(axis=0), v[reg.index(f)])


def test_14746_start_year_equals_07459_2026():
    p = sd.table_14746()
    b = sd.table_07459()
    assert _dim(p, "Region").codes == _dim(b, "Region").codes
    y26 = _dim(b, "Tid").codes.index("2026")
    pop26 = b.values[:, ::-1, :, 0, y26]  # 07459 sex order 1,2 -> 14746 order 2,1
    for alt in range(9):
        np.testing.assert_array_equal(p.values[:, :, :, alt, 0], pop26)


def test_14746_meets_every_published_margin():
    pub = sd.published_14746()
    assert set(pub["source"]) == {"nordnorge", "telemark", "telemark_egendef"}
    assert len(pub) > 30_000
    t = sd.table_14746()
    reg = {c: i for i, c in enumerate(_dim(t, "Region").codes)}
    # cumulative sums over age give any group sum in O(1)
    cum = np.concatenate([np.zeros((len(reg), 1, 9, 25)), np.cumsum(t.values.sum(axis=1), axis=1)], axis=1)
    got = cum[pub["region"].map(reg), pub["hi"] + 1, pub["alt"], pub["year"] - 2026] - \
        cum[pub["region"].map(reg), pub["lo"], pub["alt"], pub["year"] - 2026]
    bad = pub[got != pub["target"].to_numpy()]
    assert bad.empty, bad.head()
    # spot checks from PROVENANCE (Bodø MMMM/LLML/HHMH 2050, 80+)
    bodo = reg["1804"]
    assert t.values[bodo, :, :, 0, 0].sum() == 53_638
    assert t.values[bodo, :, :, 1, -1].sum() == 47_726 and t.values[bodo, :, :, 2, -1].sum() == 60_966
    assert t.values[bodo, :, 80:, 0, -1].sum() == 5_486


def test_14746_alternatives_ordered_nationally():
    t = sd.table_14746()
    land = t.values[0].sum(axis=(0, 1))[:, -1]  # [alt] in 2050
    assert land[1] < land[0] < land[2]  # LLML < MMMM < HHMH
    assert land[7] < land[0] and land[3] < land[0] < land[4]  # MMM0, MMML < MMMM < MMMH


# ---------------------------------------------------------------- KOSTRA


def _fixture_12209():
    return json.loads(shared(sd.FIX_12209).read_text(encoding="utf-8"))


def test_kostra_regions_and_validity():
    t = sd.table_12209()
    _check_shape(t)
    fx = _fixture_12209()
    cat = fx["dimension"]["KOKkommuneregion0000"]["category"]
    assert _dim(t, "KOKkommuneregion0000").codes == sorted(cat["index"], key=cat["index"].get)
    codes = _dim(t, "KOKkommuneregion0000").codes
    years = _dim(t, "Tid").codes
    assert years == [str(y) for y in range(2015, 2026)]
    st = t.status[:, 1]  # synthetic indicator
    used = {c: [y for y, s in zip(years, st[codes.index(c)]) if s != "."] for c in
            ["0301", "0101", "3001", "3101", "1507", "1508", "5001", "1601", "3401", "EKG09", "EKG01", "EKA50"]}
    assert used["0301"] == years
    assert used["0101"] == years[:5] and used["3001"] == years[5:9] and used["3101"] == years[9:]
    assert used["1507"] == years[5:9] and used["1508"] == years[9:]
    assert used["5001"] == years[3:] and used["1601"] == years[:3]
    assert used["3401"] == years[5:] and used["EKG09"] == years[5:] and used["EKG01"] == years
    assert used["EKA50"] == years[3:]
    assert set(np.unique(t.status[t.status != None])) <= {".", "..", ":"}  # noqa: E711
    assert (t.status == "..").any() and (t.status == ":").any()
    assert np.isnan(t.values[t.status != None]).all()  # noqa: E711


def test_12209_real_years_equal_fixture():
    fx = _fixture_12209()
    t = sd.table_12209()
    n = len(_dim(t, "KOKkommuneregion0000").codes)
    real = np.array([np.nan if v is None else v for v in fx["value"]]).reshape(n, 2)
    status = np.full(2 * n, None, dtype=object)
    for i, s in fx["status"].items():
        status[int(i)] = s
    for j, y in enumerate(["2019", "2023"]):
        k = _dim(t, "Tid").codes.index(y)
        np.testing.assert_array_equal(t.values[:, 0, k], real[:, j])
        assert list(t.status[:, 0, k]) == list(status.reshape(n, 2)[:, j])
    assert _dim(t, "ContentsCode").units["KOShjtj80aarover0001"] == {"base": "prosent", "decimals": 1}
    v = t.values[np.isfinite(t.values)]
    assert (v >= 0).all() and (v <= 100).all() and (np.round(v, 1) == v).all()


def test_11875_real_values_and_sums():
    real = pd.read_csv(shared(sd.REAL_11875), dtype={"municipality_code": str})
    t = sd.table_11875()
    _check_shape(t)
    codes = _dim(t, "KOKkommuneregion0000").codes
    cc = _dim(t, "ContentsCode").codes
    assert cc == list(sd.METRIC_11875.values())
    assert _dim(t, "ContentsCode").labels[0] == "Institusjon - alle disponible plasser (antall)"
    got = t.values[real["municipality_code"].map(codes.index), real["metric"].map(
        lambda m: cc.index(sd.METRIC_11875[m])), real["period"] - 2015]
    np.testing.assert_array_equal(got, real["value"].to_numpy())
    assert t.values[codes.index("0301"), 1, 2024 - 2015] == 3930
    _check_sums(t, codes)


def _check_sums(t, codes):
    """EAK/EKA/EKG = sum of their member kommuner that year (NaN members skipped)."""
    mem = sd._membership()
    groups = sd.kostra_groups()
    assert len(groups) == 357 and set(groups.values()) == {f"EKG{i:02d}" for i in range(1, 18)}
    t24 = 2024 - 2015
    eak = codes.index("EAK")
    kom = np.array([c.isdigit() for c in codes])
    valid24 = np.array([t.status[i].flat[t24] != "." for i in range(len(codes))]) & kom
    assert mem[t24, eak].sum() == valid24.sum() == 357
    for a in ["EAK", "EAKUO", "EKA40", "EKA30", "EKA01", "EKG03", "EKG17"]:
        i = codes.index(a)
        for y in range(11):
            m = mem[y, i]
            expect = np.nansum(t.values[m, ..., y], axis=0)
            if t.status[i].flat[y] == ".":
                continue
            np.testing.assert_allclose(t.values[i, ..., y], expect, rtol=0, atol=1e-6)
    # groups in 2024 equal kostra_groups()
    for k, g in list(groups.items())[:50]:
        assert mem[t24, codes.index(g), codes.index(k)]


def test_12292_synthetic_counts():
    t = sd.table_12292()
    _check_shape(t)
    codes = _dim(t, "KOKkommuneregion0000").codes
    cc = _dim(t, "ContentsCode").codes
    assert "KOSaarsverkbruke0000" in cc and "KOSkjerne80aarov0000" in cc
    v = t.values
    fin = np.isfinite(v)
    assert (v[fin] >= 0).all()
    k = codes.index("1804")
    assert 100 < v[k, cc.index("KOSaarsverkbruke0000"), -1] < 5_000  # Bodø
    # synthetic contents: suppression is per region-year
    assert (np.isnan(v[:, 0]) == np.isnan(v[:, cc.index("KOSaarsverkbruke0000")])).all()
    ok = fin[:, 0]
    hj80, hjtot = cc.index("KOSkjerne80aarov0000"), cc.index("KOSkjernetotalt0000")
    both = fin[:, hj80] & fin[:, hjtot]
    assert (v[:, hj80][both] <= v[:, hjtot][both]).all()
    # home-service users and 24-hour housing are the real panel's where a 2024 code is valid
    oslo = sd.panel().set_index(["kommunenr_2024", "år"]).loc[("0301", 2025)]
    for col, code in (("Y_1_a_ialt", "KOSkjernetotalt0000"), ("Y_1_a_0_66", "KOSkjerne066aar0000"),
                      ("Y_1_a_80p", "KOSkjerne80aarov0000"), ("Y_2_ialt", "KOSbialthelsum0000")):
        assert v[codes.index("0301"), cc.index(code), -1] == oslo[col]  # 17615, 8383, 5589, 2398
    assert (v[:, cc.index("KOSlangtid0000")] + v[:, cc.index("KOSkorttid0000")] == v[:, 0])[ok].all()
    _check_sums(t, codes)


def test_12003_bands_and_rates_consistent():
    meta = json.loads(shared(sd.META_12003).read_text(encoding="utf-8"))
    t = sd.table_12003()
    _check_shape(t)
    assert t.label == meta["title"]
    assert [d.id for d in t.dimensions] == [v["code"] for v in meta["variables"]]
    v = t.values  # [age, code, grp, cc, year]
    counts = v[:, :, :, 0]
    np.testing.assert_allclose(counts[0], counts[1:].sum(axis=0))  # F000-120 = sum of bands (NaN stays NaN)
    pop = sd._kostra_pop()  # [code, year, band]
    band = np.moveaxis(pop, 2, 0)[:, :, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(band > 0, np.round(1000 * counts / band, 1), np.nan)  # never Infinity
    np.testing.assert_array_equal(v[:, :, :, 1], rate)
    assert np.isfinite(v[:, :, :, 1][~np.isnan(v[:, :, :, 1])]).all()
    codes = _dim(t, "KOKkommuneregion0000").codes
    eak = codes.index("EAK")
    assert 200_000 < counts[0, eak, 0, -1] < 450_000  # home-care users in Norway, order of magnitude


def test_build_is_cached():
    """Built once per process (how long it takes is for bench/, not for a test)."""
    tables = sd.all_tables()
    assert [t.id for t in tables] == ["07459", "14746", "12209", "11875", "12292", "12003",
                                      "11645"]
    assert sd.all_tables()[1] is tables[1]
