"""The app's upload path (importer.import_uploads): same-name files, size limit, odd names."""

from __future__ import annotations

import pytest

from data_sources import importer, validate
from data_sources.importer import FileImportError
from tests import hostile
from tests.test_validate import store  # noqa: F401 - the same empty-store fixture


def test_two_files_with_the_same_name_are_both_imported(store):
    moss = hostile.csv_07459(region="K-3103 Moss")
    halden = hostile.csv_07459(region="K-3101 Halden", cell=lambda a: (1, 2))
    reports = importer.import_uploads([("07459.csv", moss), ("07459.csv", halden)], store)
    assert [r.path.rsplit("/", 1)[-1] for r in reports] == ["07459.csv", "07459 (2).csv"]
    assert reports[1].message.startswith("07459 (2).csv: tabell 07459")
    got = store.query("SELECT region_code, sum(persons) AS n FROM population GROUP BY 1 "
                      "ORDER BY 1")
    # hand sums: Moss 100+a men and 107+a women over ages 0-105; Halden 1 + 2 per age
    assert got["region_code"].tolist() == ["3101", "3103"]
    assert got["n"].tolist() == [106 * 3, sum(207 + 2 * a for a in range(106))]


def test_same_name_bad_second_file_named_apart_and_nothing_written(store):
    good = hostile.csv_07459()
    bad = hostile.csv_07459(year="9999")
    with pytest.raises(FileImportError, match=r"^07459 \(2\)\.csv: året «9999»"):
        importer.import_uploads([("07459.csv", good), ("07459.csv", bad)], store)
    assert store.scalar("SELECT count(*) FROM population") == 0


def test_upload_over_the_size_limit_is_refused_before_writing(store, monkeypatch):
    monkeypatch.setattr(validate, "MAX_FILE_BYTES", 1000)
    with pytest.raises(FileImportError, match=r"^stor\.csv: filen er for stor"):
        importer.import_uploads([("stor.csv", hostile.csv_07459())], store)
    assert store.scalar("SELECT count(*) FROM population") == 0


@pytest.mark.parametrize("name,shown", [("../../etc/07459.csv", "07459.csv"),
                                        ("C:\\Users\\x\\07459.csv", "07459.csv"),
                                        ("", "fil"), ("a\x00b.json", "a_b.json")])
def test_odd_upload_names_stay_in_their_folder(store, name, shown):
    with pytest.raises(FileImportError) as exc:
        importer.import_uploads([(name, b"[1]")], store)
    assert str(exc.value).startswith(f"{shown}: ")
