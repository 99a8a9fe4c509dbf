"""Validation before anything is written: fylke totals after a one-kommune import, and
refresh arguments that must never mean «the whole country»."""

from __future__ import annotations

import pytest

from data_sources import importer, validate
from data_sources.importer import FileImportError
from data_sources.refresh import refresh
from data_sources.store import Store
from tests.test_cli import cli
from tests.test_importer import CSV_2024, needs_shared, raw_totals


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "v.duckdb")
    yield s
    s.close()


def _moss_plus_one(tmp_path):
    """SSB's 07459 CSV rows of K-3103 Moss 2024, every cell + 1 (212 cells)."""
    lines = CSV_2024.read_bytes().decode("latin-1").splitlines()
    head = lines[:3]
    rows = []
    for ln in lines[3:]:
        if ln.startswith('"K-3103 Moss"'):
            region, age, m, k = ln.split(";")
            rows.append(f"{region};{age};{int(m) + 1};{int(k) + 1}")
    assert len(rows) == 106
    p = tmp_path / "07459_moss.csv"
    p.write_bytes(("\r\n".join(head + rows) + "\r\n").encode("latin-1"))
    return p


@needs_shared
def test_one_kommune_import_recomputes_its_fylke_total(store, tmp_path):
    importer.import_file(CSV_2024, store)
    raw = raw_totals(CSV_2024)
    ostfold = sum(v for c, v in raw.items() if len(c) == 4 and c.startswith("31"))
    assert store.scalar("SELECT sum(persons) FROM population WHERE region_code = '31'") == ostfold
    rep = importer.import_file(_moss_plus_one(tmp_path), store)
    assert rep.years == [2024]
    assert store.scalar("SELECT sum(persons) FROM population WHERE region_code = '3103'") == \
        raw["3103"] + 212
    # the fylke total follows its kommune: no stale Østfold
    assert store.scalar("SELECT sum(persons) FROM population WHERE region_code = '31'") == \
        ostfold + 212
    assert store.scalar("SELECT count(*) FROM population WHERE region_code = '31'") == 212
    # other fylker untouched
    vestland = sum(v for c, v in raw.items() if len(c) == 4 and c.startswith("46"))
    assert store.scalar("SELECT sum(persons) FROM population WHERE region_code = '46'") == vestland


@needs_shared
def test_fylke_total_that_cannot_be_recomputed_is_refused(store, tmp_path):
    importer.import_file(CSV_2024, store)
    store.cursor().execute("DELETE FROM population WHERE region_code = '3101'")
    before = store.query("SELECT * FROM population ORDER BY ALL")
    with pytest.raises(FileImportError, match=r"^07459_moss\.csv: fylkestallet for 31 i 2024 "
                                              r"kan ikke regnes om: databasen mangler "
                                              r"kommunene 3101"):
        importer.import_file(_moss_plus_one(tmp_path), store)
    assert store.query("SELECT * FROM population ORDER BY ALL").equals(before)


def test_region_arguments():
    known = validate.region_codes()
    assert validate.check_region_args(["3103", "4601,03"], known) == ["03", "3103", "4601"]
    for bad, msg in [([], "ingen kommune oppgitt"), ([""], "ingen kommune oppgitt"),
                     ([" , "], "ingen kommune oppgitt"), (["9999"], "ukjent kommune"),
                     (["3103", "x" * 10_000], "ukjent kommune"), (["K-3103"], "ukjent")]:
        with pytest.raises(validate.ValidationError, match=msg):
            validate.check_region_args(bad, known)


def test_refresh_refuses_empty_or_unknown_regions_before_any_request(store):
    class NoNetwork:
        requests_made = 0

        def __getattr__(self, name):
            raise AssertionError(f"SSB was asked ({name})")
    for regions in ([], ["9999"]):
        with pytest.raises(ValueError, match="ingen kommune oppgitt|ukjent kommune"):
            refresh(store, regions=regions, client=NoNetwork())
    assert store.scalar("SELECT count(*) FROM sources") == 0


@pytest.mark.parametrize("args,msg", [
    (["--kommune", "9999"], "ukjent kommune-/fylkesnummer «9999»"),
    (["--kommune"], "ingen kommune oppgitt"),
    (["--kommune", ""], "ingen kommune oppgitt"),
    (["--kommune", "3103", "--all"], "enten --kommune eller --all"),
])
def test_cli_refresh_refuses_bad_kommune_list(tmp_path, args, msg):
    # no stand-in: a refused list must not reach the network at all
    env_server = type("S", (), {"url": "http://127.0.0.1:9/api/pxwebapi/v2",
                                "klass_url": "http://127.0.0.1:9/api/klass/v1"})
    res = cli(["refresh", *args], tmp_path / "r.duckdb", env_server)
    assert res.returncode == 2, res.stdout + res.stderr
    assert msg in res.stderr and "Traceback" not in res.stderr
    assert "FEILET" not in res.stdout


def test_value_checks_span_blocks_and_name_the_first_cell(monkeypatch):
    """``check_values`` works in blocks (here 4 cells): 10 cells with bad values at rows 6
    (2.5 persons) and 9 (negative) and a missing one at row 5: the first bad cell (row 6,
    region 0301, 2026) and both bad cells are named; without bad values, the missing one."""
    import numpy as np
    import pandas as pd

    monkeypatch.setattr(validate, "_BLOCK", 4)
    persons = [1.0, 2, 3, 4, 5, np.nan, 2.5, 8, 9, -1]
    frame = pd.DataFrame({"region_code": ["3103"] * 6 + ["0301"] * 4,
                          "year": [2020 + i for i in range(10)], "age": list(range(10)),
                          "persons": persons})
    with pytest.raises(validate.ValidationError) as exc:
        validate.check_values("projection", frame)
    assert str(exc.value) == ("verdien 2,5 (region 0301, år 2026) er ikke et helt antall "
                              "personer; 2 celle(r) er ugyldige")
    frame.loc[[6, 9], "persons"] = [7.0, 10.0]
    with pytest.raises(validate.ValidationError) as exc:
        validate.check_values("projection", frame)
    assert str(exc.value) == ("tallet mangler for region 3103, år 2025, alder 5 "
                              "(1 celle(r) uten tall)")
    validate.check_values("projection", frame, allow_missing=True)
