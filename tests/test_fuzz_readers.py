"""Hypothesis fuzzing of the JSON-stat and CSV readers: any bytes end in a stored-ready
result or one Norwegian ``FileImportError`` naming the file, never another exception and
never the catch-all message (which would mean an input we did not foresee)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_sources import importer
from data_sources.importer import FileImportError
from tests import hostile
from tests.test_hostile import english

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
UNFORESEEN = "en form programmet ikke kjenner igjen"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=5),
    max_leaves=30)


def _check(tmp_path, name: str, data: bytes) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    try:
        prep = importer.prepare_file(p)
    except FileImportError as exc:
        msg = str(exc)
        assert msg.startswith(f"{name}: ") and "\n" not in msg
        assert UNFORESEEN not in msg, msg
        assert not english(exc.problem), msg
    else:
        assert not prep.result.frame.empty


@FUZZ
@given(value=json_values)
def test_any_json_value(tmp_path, value):
    _check(tmp_path, "x.json", json.dumps(value).encode())


_FIELDS = {"id": json_values, "size": st.lists(st.integers(-2, 300), max_size=6) | json_values,
           "dimension": json_values, "value": json_values, "status": json_values,
           "class": st.just("dataset") | json_values, "extension": json_values,
           "label": json_values}


@FUZZ
@given(base=st.sampled_from(["population", "projection", "kostra"]),
       changes=st.dictionaries(st.sampled_from(sorted(_FIELDS)), st.none(), max_size=3)
       .flatmap(lambda d: st.fixed_dictionaries({k: _FIELDS[k] for k in d})),
       drop=st.lists(st.sampled_from(sorted(_FIELDS)), max_size=2))
def test_mutated_jsonstat(tmp_path, base, changes, drop):
    ds = {"population": hostile.population, "projection": hostile.projection,
          "kostra": hostile.kostra}[base]()
    ds.update(changes)
    for k in drop:
        ds.pop(k, None)
    _check(tmp_path, "14746.json", json.dumps(ds).encode())


@FUZZ
@given(codes=st.lists(st.text(max_size=12), min_size=1, max_size=4),
       dim=st.sampled_from(["Region", "Kjonn", "Alder", "ContentsCode", "Tid"]),
       values=st.lists(st.none() | st.integers(-5, 10**19) | st.floats() | st.text(max_size=4),
                       min_size=1, max_size=4))
def test_jsonstat_codes_and_values(tmp_path, codes, dim, values):
    ds = hostile.population()
    cat = ds["dimension"][dim]["category"]
    cat["index"] = {c: i for i, c in enumerate(dict.fromkeys(codes))}
    cat["label"] = {c: c for c in cat["index"]}
    ds["size"][ds["id"].index(dim)] = len(cat["index"])
    n = 1
    for s in ds["size"]:
        n *= s
    ds["value"] = (values * n)[:n]
    _check(tmp_path, "07459.json", json.dumps(ds, allow_nan=True).encode())


csv_field = st.sampled_from(["K-3103 Moss", "K-9999 X", "0 år", "105 år eller eldre", "..",
                             "12", "-3", "1e18", "2,5", "Personer 2024 Menn",
                             "Personer 2024 Kvinner", "region", "alder", '"', "", "ø"]) \
    | st.text(max_size=10)


@FUZZ
@given(title=st.sampled_from(['"07459: Befolkning"', '"14746: Framskriving"',
                              '"12209: KOSTRA"', "", "99999: x"]),
       rows=st.lists(st.lists(csv_field, min_size=1, max_size=5), max_size=8),
       sep=st.sampled_from([";", ",", "\t"]),
       enc=st.sampled_from(["utf-8", "latin-1", "utf-8-sig"]))
def test_any_csv(tmp_path, title, rows, sep, enc):
    text = title + "\r\n\r\n" + "\r\n".join(sep.join(r) for r in rows) + "\r\n"
    _check(tmp_path, "07459.csv", text.encode(enc, errors="replace"))


@FUZZ
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".json"]))
def test_any_bytes(tmp_path, data, suffix):
    _check(tmp_path, f"fil{suffix}", data)
