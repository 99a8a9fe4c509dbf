"""The hostile-file corpus (tests/hostile.py): every file is refused with exactly one
Norwegian message naming the file and the problem, and the store is unchanged, row for row."""

from __future__ import annotations

import re

import pytest

from data_sources import importer
from data_sources.importer import FileImportError
from data_sources.store import Store
from tests import hostile

CASES = hostile.hostile_cases()
TABLES = ["projection", "population", "kostra", "kostra_contents", "regions", "region_changes",
          "alternatives", "sources", "fetch_log"]
# Words of Python/library exception texts that must never reach a planner.
ENGLISH = re.compile(r"\b(Traceback|Error|Exception|object|invalid|expected|Expecting|"
                     r"unexpected|could|cannot|field larger|NoneType|attribute|the|is|"
                     r"of|and|not|line \d+ column)\b")


def english(problem: str):
    """An English word in a message outside the file's own text, which messages quote in
    «…» (a generated code «of» is the file's word, not ours)."""
    return ENGLISH.search(re.sub(r"«[^»]*»", "«»", problem))


def test_corpus_is_large_enough():
    assert len(CASES) >= 100


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    store = Store(d / "store.duckdb")
    paths = []
    for name, data in hostile.base_files():
        p = d / name
        p.write_bytes(data)
        paths.append(p)
    importer.import_files(paths, store)
    yield store
    store.close()


def snapshot(store: Store) -> dict:
    return {t: store.query(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def test_base_store_holds_moss(filled):
    assert filled.scalar("SELECT count(*) FROM population WHERE region_code = '3103'") == 424
    assert filled.scalar("SELECT count(*) FROM projection") == 2 * 106 * 9 * 2
    assert filled.scalar("SELECT sum(persons) FROM population WHERE year = 2024") == \
        sum(100 + a + 100 + a + 7 for a in range(106))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_refused_store_unchanged(case, filled, tmp_path):
    p = tmp_path / case.name
    p.write_bytes(case.data)
    if case.pad_to:
        with open(p, "r+b") as fh:
            fh.truncate(case.pad_to)
    before = snapshot(filled)
    with pytest.raises(FileImportError) as exc:
        importer.import_files([p], filled)
    msg = str(exc.value)
    assert msg.startswith(f"{case.name}: "), msg
    assert case.expect in msg, msg
    assert "\n" not in msg and len(msg) < 600
    assert not english(exc.value.problem), msg
    assert str(tmp_path) not in msg
    after = snapshot(filled)
    for t in TABLES:
        assert after[t].equals(before[t]), t
