"""The decoder must give exactly pyjstat's rows (pyjstat is the reference) on every fixture."""

import json
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from pyjstat import pyjstat

from bench.decode import make_dataset
from data_sources import jsonstat
from data_sources.jsonstat import JsonStatError, decode, parse, read_meta
from tests.paths import shared

REAL = [
    "befolkning_historikk/omsorgsradar_fixtures/ssb_07459_kommune_hist_fixture.json",
    "kostra_pleie_omsorg/omsorgsradar_fixtures/ssb_12209_g2_fixture.json",
    "befolkningsframskriving/omsorgsradar_fixtures/ssb_13599_proj_fixture.json",
]


def authored():
    """Small datasets in the other shapes JSON-stat allows."""
    base = {"version": "2.0", "class": "dataset", "label": "99999: test", "id": ["A", "B"],
            "size": [2, 3], "dimension": {
                "A": {"label": "a", "category": {"index": ["x", "y"], "label": {"x": "X", "y": "Y"}}},
                "B": {"label": "b", "category": {"index": {"3": 2, "1": 0, "2": 1}}}}}
    dense = dict(base, value=[1, 2, None, 4, 5.5, 6], status={"2": ".."})
    sparse = dict(base, value={"0": 1, "5": 9}, status=["", "", ".", "", "", ""])
    one = {"version": "2.0", "class": "dataset", "id": ["C", "Tid"], "size": [1, 2],
           "dimension": {"C": {"category": {"label": {"K": "Kun"}}},
                         "Tid": {"category": {"index": {"2020": 0, "2021": 1}}}},
           "value": [7, 8], "status": ":"}
    return [dense, sparse, one]


def reference(ds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyjstat.from_json_stat(json.loads(json.dumps(ds), object_pairs_hook=OrderedDict),
                                      naming="id")[0]


def assert_same_as_pyjstat(ds):
    ours = decode(ds)
    ref = reference(ds)
    assert len(ours) == len(ref)
    for col in ref.columns:
        if col == "value":
            a = ours["value"].to_numpy()
            b = ref["value"].astype(float).to_numpy()
            np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
            np.testing.assert_array_equal(a[~np.isnan(a)], b[~np.isnan(b)])
        else:
            assert ours[col].astype(str).tolist() == ref[col].astype(str).tolist(), col
    return ours


@pytest.mark.parametrize("rel", REAL)
def test_real_ssb_files_match_pyjstat(rel):
    ds = json.loads(shared(rel).read_text(encoding="utf-8"))
    ours = assert_same_as_pyjstat(ds)
    # status symbols are kept for missing values, never turned into numbers
    missing = ours["value"].isna()
    if missing.any():
        assert ours.loc[missing, "status"].notna().all()


@pytest.mark.parametrize("i", range(3))
def test_authored_shapes_match_pyjstat(i):
    ds = authored()[i]
    if i == 1:  # pyjstat does not read sparse (dict) values; check by hand
        df = decode(ds)
        assert df["value"].tolist()[0] == 1 and df["value"].tolist()[5] == 9
        assert df["value"].isna().sum() == 4
        assert df["status"].tolist()[2] == "."
        return
    if i == 2:  # pyjstat cannot read a dimension with labels but no index; check by hand
        df = decode(ds)
        assert df["C"].tolist() == ["K", "K"] and df["Tid"].tolist() == ["2020", "2021"]
        assert df["value"].tolist() == [7, 8]
        assert set(df["status"]) == {":"}
        return
    df = assert_same_as_pyjstat(ds)
    if i == 0:
        assert df["B"].tolist() == ["1", "2", "3"] * 2  # dict index order respected
        assert df["status"].astype(object).tolist()[2] == ".."


def test_generated_2m_matches_pyjstat_on_sample():
    ds = make_dataset(n_region=5, n_age=7, n_year=4)
    assert_same_as_pyjstat(ds)


def test_meta():
    ds = json.loads(shared(REAL[0]).read_text(encoding="utf-8"))
    m = read_meta(ds)
    assert m.table_id is None or m.table_id == "07459"
    assert m.updated == "2026-02-25T07:00:00Z"
    assert m.dim("Region").labels[2] == "Bodø"
    assert m.size == (3, 2, 25, 1, 2)


@pytest.mark.parametrize("bad,msg", [
    ("{not json", "ikke gyldig JSON"),
    ('{"class": "collection"}', "ikke et JSON-stat 2-datasett"),
    ('{"class": "dataset", "id": ["A"], "size": [2], "dimension": {}, "value": [1, 2]}',
     "mangler i"),
])
def test_bad_input_messages(bad, msg):
    with pytest.raises(JsonStatError, match=msg):
        decode(parse(bad))


def test_truncated_values_rejected():
    ds = authored()[0]
    ds = dict(ds, value=ds["value"][:4])
    with pytest.raises(JsonStatError, match="avkortet"):
        decode(ds)


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"a":' * 100_000 + b"1" + b"}" * 100_000],
                         ids=["list", "object"])
def test_deep_nesting_is_a_value_error_not_a_crash(body):
    """An SSB body nested 100 000 deep (a hostile proxy) ends in ValueError, which the
    client turns into «ugyldig svar»; orjson before 3.9.15 overflowed the C stack here."""
    with pytest.raises(ValueError):
        jsonstat.loads(body)
