"""The versioned store: one writer publishes, many readers read one version, never a mix."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from data_sources import store as sm
from data_sources.store import SourceInfo, Store, StoreBusy, StoreError
from tests.paths import ROOT


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "v.duckdb"
    monkeypatch.setenv("KG_DB_PATH", str(path))
    monkeypatch.setattr(sm, "GRACE_S", 0.0)
    monkeypatch.setattr(sm, "UNSCOPED_GRACE_S", 0.0)
    sm.reset_store()
    yield path
    sm.reset_store()


def _pop(n: float) -> pd.DataFrame:
    return pd.DataFrame({"region_code": ["3103", "0"], "sex": ["1", "1"], "age": [0, 0],
                         "year": [2025, 2025], "persons": [n, n], "table_id": ["07459"] * 2})


def _write(path, n: float) -> None:
    """One published version in which every population row and the 12209 row hold ``n``."""
    with sm.publishing(path) as w:
        w.replace_table_data(SourceInfo("07459", "Befolkning", "population"), _pop(n))
        w.replace_table_data(SourceInfo("12209", "Dekning", "kostra"), pd.DataFrame(
            {"region_code": ["3103"], "table_id": ["12209"], "contents_code": ["X"],
             "year": [2025], "value": [n], "status": [None], "breakdown": [""]}))


def test_nothing_published_reads_empty_without_writing(db):
    s = sm.get_store()
    assert s.version == "" and s.status().empty
    assert not db.exists() and not sm.versions_dir(db).exists()
    with pytest.raises(StoreError):
        s.replace_table_data(SourceInfo("07459", "B", "population"), _pop(1))


def test_reader_keeps_its_version_until_it_asks_again(db):
    _write(db, 1)
    reader = sm.acquire()
    assert reader.scalar("SELECT sum(persons) FROM population") == 2
    _write(db, 5)  # a write while a reader holds the old version: no lock error
    assert reader.scalar("SELECT sum(persons) FROM population") == 2  # same run, same version
    fresh = sm.acquire()  # the next run
    assert fresh.version != reader.version
    assert fresh.scalar("SELECT sum(persons) FROM population") == 10
    old_file = sm.versions_dir(db) / f"{reader.version}.duckdb"
    assert old_file.exists()  # still held
    sm.release(reader)
    assert not old_file.exists() and reader.closed  # released and superseded: gone
    sm.release(fresh)
    assert (sm.versions_dir(db) / f"{fresh.version}.duckdb").exists()  # the published one stays


def test_failed_or_empty_write_publishes_nothing(db):
    _write(db, 1)
    before = sm.published_version()
    with pytest.raises(RuntimeError):
        with sm.publishing() as w:
            w.replace_table_data(SourceInfo("07459", "B", "population"), _pop(99))
            raise RuntimeError("boom")
    with sm.publishing():
        pass  # nothing written (e.g. every table unchanged at SSB)
    assert sm.published_version() == before
    assert [f.suffix for f in sm.versions_dir(db).iterdir()] == [".duckdb"]
    assert sm.get_store().scalar("SELECT sum(persons) FROM population") == 2


def test_published_version_is_immutable(db):
    _write(db, 1)
    with pytest.raises(StoreError):
        Store(db)  # a writable connection on the published file is refused


def test_second_writer_waits_or_is_told_busy(db):
    _write(db, 1)
    entered = threading.Event()
    done = threading.Event()

    def long_writer():
        with sm.publishing() as w:
            w.replace_table_data(SourceInfo("07459", "B", "population"), _pop(3))
            entered.set()
            done.wait(10)

    t = threading.Thread(target=long_writer)
    t.start()
    entered.wait(10)
    with pytest.raises(StoreBusy):
        with sm.publishing(timeout=0.2):
            pass
    assert sm.get_store().scalar("SELECT sum(persons) FROM population") == 2  # readers go on
    done.set()
    t.join()
    _write(db, 4)  # the lock is free again; the second write builds on the first
    assert sm.get_store().scalar("SELECT sum(persons) FROM population") == 8


def test_plain_file_is_read_and_becomes_the_first_version(db):
    s = Store(db)  # an older store: a plain DuckDB file
    s.replace_table_data(SourceInfo("07459", "B", "population"), _pop(7))
    s.close()
    assert sm.published_version().startswith("file-")
    assert sm.get_store().scalar("SELECT sum(persons) FROM population") == 14
    with sm.publishing() as w:
        w.replace_rows("regions", pd.DataFrame({"code": ["3103"], "name": ["Moss"],
                                                "level": ["kommune"]}))
    assert db.is_symlink()
    s2 = sm.get_store()
    assert s2.scalar("SELECT sum(persons) FROM population") == 14  # kept
    assert s2.scalar("SELECT name FROM regions") == "Moss"


def test_readers_during_publishes_never_see_a_mix(db):
    """Threads read two tables of one version while another process publishes 15 versions;
    in every version both tables hold the same number, so a mix would show."""
    _write(db, 0)
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from tests.test_store import _write
for n in range(1, 16):
    _write({str(db)!r}, n)
"""
    writer = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
    seen, errors = set(), []

    def reader():
        while writer.poll() is None:
            try:
                with sm.reading() as s:
                    a = s.scalar("SELECT max(persons) FROM population")
                    time.sleep(0.01)
                    b = s.scalar("SELECT max(value) FROM kostra")
                if a != b:
                    errors.append((a, b))
                seen.add(a)
            except Exception as exc:  # noqa: BLE001 - any error fails the test below
                errors.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writer.wait() == 0, writer.stderr.read()
    assert errors == []
    assert len(seen) >= 2  # the readers did see versions change under them
    with sm.reading() as s:
        assert s.scalar("SELECT max(persons) FROM population") == 15
    sm.reset_store()
    time.sleep(0.05)
    sm.collect(db, writer=True)
    assert len(list(sm.versions_dir(db).iterdir())) == 1  # only the published one is left


def test_version_held_by_another_process_is_not_deleted(db):
    _write(db, 1)
    held = sm.published_version()
    path = sm.versions_dir(db) / f"{held}.duckdb"
    code = (f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}, read_only=True); "
            "print('open', flush=True); sys.stdin.readline()")
    other = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "open"
        _write(db, 2)
        assert path.exists()  # superseded, but the other process still reads it
    finally:
        other.stdin.write("\n")
        other.stdin.close()
        other.wait()
    _write(db, 3)  # the next publish collects it
    assert not path.exists()


def test_killed_writer_changes_nothing_and_its_copy_is_collected(db):
    _write(db, 1)
    before = sm.published_version()
    code = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from data_sources import store as sm
from tests.test_store import _pop
from data_sources.store import SourceInfo
with sm.publishing({str(db)!r}) as w:
    w.replace_table_data(SourceInfo("07459", "B", "population"), _pop(99))
    os._exit(9)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert sm.published_version() == before
    assert any(f.suffix == ".building" for f in sm.versions_dir(db).iterdir())
    assert sm.get_store().scalar("SELECT sum(persons) FROM population") == 2
    _write(db, 2)
    assert not any(".building" in f.name for f in sm.versions_dir(db).iterdir())


def test_cli_status_and_refresh_work_while_a_reader_holds_the_store(db):
    """The app's read-only connection does not lock the command line out."""
    from tests.storefill import standin_server
    _write(db, 1)
    reader = sm.acquire()  # as a serving app does
    env = {**os.environ, "KG_DB_PATH": str(db), "PYTHONPATH": str(ROOT)}
    with standin_server() as server:
        env.update(KG_SSB_BASE_URL=server.url, KG_KLASS_BASE_URL=server.klass_url)
        r = subprocess.run([sys.executable, "-m", "data_sources", "refresh", "--tables",
                            "12209"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    s = subprocess.run([sys.executable, "-m", "data_sources", "status"], env=env,
                       capture_output=True, text=True, cwd=ROOT)
    assert s.returncode == 0 and "12209  kostra" in s.stdout, s.stderr
    assert reader.source("12209")["title"] == "Dekning"  # this run: what it started with
    sm.release(reader)
    assert sm.get_store().source("12209")["title"] != "Dekning"


def _old_regions_file(path) -> None:
    """A store written before ``regions.centrality`` existed."""
    import duckdb
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE regions (code VARCHAR NOT NULL, name VARCHAR NOT NULL, "
                "level VARCHAR NOT NULL, parent_code VARCHAR, kostra_group VARCHAR, "
                "valid_from DATE, valid_to DATE)")
    con.execute("INSERT INTO regions VALUES ('0', 'Hele landet', 'land', NULL, NULL, NULL, "
                "NULL), ('3103', 'Moss', 'kommune', '31', 'EKG08', NULL, NULL)")
    con.close()


def test_old_file_without_centrality_opens(tmp_path):
    from ui.data import _region_options
    old = tmp_path / "old.duckdb"
    _old_regions_file(old)
    ro = Store(old, read_only=True)  # a published old version: read as it is
    regs = _region_options(ro).set_index("code")
    assert regs.loc["3103", "kostra_group"] == "EKG08"
    assert regs["centrality"].isna().all()
    ro.close()
    s = Store(old)  # a writable open adds the column, rows kept
    got = s.query("SELECT code, kostra_group, centrality FROM regions ORDER BY code")
    assert got["code"].tolist() == ["0", "3103"] and got["kostra_group"].iloc[1] == "EKG08"
    assert got["centrality"].isna().all()
    s.replace_rows("regions", pd.DataFrame({"code": ["3103"], "name": ["Moss"],
                                            "level": ["kommune"], "centrality": [2]}),
                   "code = ?", ["3103"])
    assert s.scalar("SELECT centrality FROM regions WHERE code = '3103'") == 2
    s.close()


def test_before_publish_gets_the_finished_version_before_readers_do(db):
    """The refresh job's hook (``--before-publish``, e.g. the reports' prebuild) reads the
    new version's complete file while readers still get the old one; then it is published.
    A failing hook publishes the data all the same."""
    _write(db, 1)
    seen = []

    def hook(file, version):
        ro = Store(file, read_only=True)
        seen.append((file.name, version, sm.published_version(db),
                     ro.scalar("SELECT sum(persons) FROM population")))
        ro.close()
    with sm.publishing(db, before_publish=hook) as w:
        w.replace_table_data(SourceInfo("07459", "Befolkning", "population"), _pop(5))
    [(name, version, published_then, total)] = seen
    assert name == f"{version}.duckdb" and published_then != version and total == 10
    assert sm.published_version(db) == version

    def failing(file, version):
        raise RuntimeError("prebuild failed")
    with sm.publishing(db, before_publish=failing) as w:
        w.replace_table_data(SourceInfo("07459", "Befolkning", "population"), _pop(7))
    with sm.reading() as s:
        assert s.scalar("SELECT sum(persons) FROM population") == 14
