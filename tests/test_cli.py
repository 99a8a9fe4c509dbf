"""`python -m data_sources` as a user runs it, against the loopback stand-in."""

import os
import subprocess
import sys

import pytest

from data_sources.refresh import TABLE_KEYS
from tests.paths import ROOT, shared
from tests.storefill import standin_server


@pytest.fixture(scope="module")
def server():
    srv = standin_server().start()
    yield srv
    srv.stop()


def cli(args, db, server=None, **kw):
    env = {**os.environ, "KG_DB_PATH": str(db), "PYTHONPATH": str(ROOT)}
    if server is not None:
        env.update(KG_SSB_BASE_URL=server.url, KG_KLASS_BASE_URL=server.klass_url)
    return subprocess.run([sys.executable, "-m", "data_sources", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


def test_refresh_kommune_then_status_then_unchanged(tmp_path, server):
    db = tmp_path / "cli.duckdb"
    first = cli(["refresh", "--kommune", "4601"], db, server)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "14746 projection   hentet" in out and "dataforespørsler (minst mulig:" in out
    assert "07459 population   hentet" in out and "Totalt" in out
    assert "projection (14746)" in first.stderr  # tqdm progress bar per table

    status = cli(["status"], db)
    assert status.returncode == 0
    assert "14746  projection" in status.stdout and "runde: 2026" in status.stdout
    assert "regioner: 3" in status.stdout  # Bergen, Vestland, Hele landet

    again = cli(["refresh", "--kommune", "4601"], db, server)
    assert again.returncode == 0
    assert again.stdout.count("uendret hos SSB") == len(TABLE_KEYS)  # every table


def test_refresh_offline_explains_import(tmp_path):
    env_server = type("S", (), {"url": "http://127.0.0.1:9/api/pxwebapi/v2",
                                "klass_url": "http://127.0.0.1:9/api/klass/v1"})
    res = cli(["refresh", "--kommune", "3103"], tmp_path / "off.duckdb", env_server)
    assert res.returncode == 1
    assert "FEILET" in res.stdout and "python -m data_sources import" in res.stderr


def test_refresh_needs_a_scope(tmp_path):
    res = cli(["refresh"], tmp_path / "x.duckdb")
    assert res.returncode == 2 and "--kommune" in res.stderr


def test_import_good_and_bad_files(tmp_path):
    db = tmp_path / "imp.duckdb"
    good = shared("befolkning_historikk/csdata_niphr/07459_norway_population_by_age_sex_2024.csv")
    res = cli(["import", str(good)], db)
    assert res.returncode == 0, res.stderr
    assert "tabell 07459" in res.stdout
    bad = tmp_path / "14746.json"
    bad.write_text('{"class": "dataset", "id": ["Region"], "size": [2], "dimension": {', "utf-8")
    res = cli(["import", str(bad)], db)
    assert res.returncode == 1
    assert "14746.json" in res.stderr and "Ingenting ble endret" in res.stderr
    status = cli(["status"], db)
    assert "07459" in status.stdout and "14746" not in status.stdout


def test_refresh_prebuilds_the_new_version_before_publishing(tmp_path, server):
    """``--before-publish "python -m ui.prebuild"``: the version is published with its
    reports already kept beside it."""
    from data_sources import derived
    from data_sources import store as sm
    db = tmp_path / "cli.duckdb"
    res = cli(["refresh", "--kommune", "4601", "--before-publish",
               "python -m ui.prebuild --jobs 1 --regions 4601"], db, server)
    assert res.returncode == 0, res.stderr
    assert "Forbereder den nye versjonen før den publiseres" in res.stderr
    assert "Forhåndsberegnet 3 rapporter" in res.stdout
    s = sm.acquire(db)
    try:
        assert len(list(derived.folder(s).glob("*.pkl"))) >= 3  # three reports (+ inputs)
    finally:
        sm.release(s)
