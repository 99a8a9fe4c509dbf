"""Region register (KLASS) and kommune code changes."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest

from data_sources import regions
from data_sources.jsonstat import DatasetMeta, Dimension

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT / ".." / "shared" / "ssb"))
KLASS_DIR = SHARED / "klass_regioner"
FIXTURE = ROOT / "data_sources" / "data" / "klass_131_changes_2020_2024.json"
needs_shared = pytest.mark.skipif(not KLASS_DIR.exists(), reason="../shared/ssb mangler")


@pytest.fixture(scope="module")
def changes():
    return regions.changes_frame(json.loads(FIXTURE.read_text("utf-8"))["codeChanges"])


# -- KLASS CSV -------------------------------------------------------------------------------
@needs_shared
def test_klass_csvs_parse_and_build_register():
    kom = regions.load_klass_csv(next(KLASS_DIR.glob("*klass_131_*.csv")))
    fyl = regions.load_klass_csv(next(KLASS_DIR.glob("*klass_104_*.csv")))
    assert len(kom) == 358 and "9999" in set(kom["code"])
    assert dict(zip(fyl["code"], fyl["name"]))["15"] == "Møre og Romsdal"  # UTF-8 field
    assert dict(zip(kom["code"], kom["name"]))["3101"] == "Halden"
    assert "Tjørn" in dict(zip(kom["code"], kom["notes"]))["1101"]  # Latin-1 field
    reg = regions.build_register(kom, fyl, {"3101": "EKG08"}, "2026-01-01", None)
    assert list(reg.columns) == regions.REGISTER_COLUMNS
    counts = reg["level"].value_counts().to_dict()
    assert counts == {"kommune": 357, "kostragruppe": 17, "fylke": 15, "land": 1}
    assert not reg["code"].isin(["9999", "99"]).any()
    halden = reg.set_index("code").loc["3101"]
    assert halden["parent_code"] == "31" and halden["kostra_group"] == "EKG08"
    assert set(reg.loc[reg["level"] == "fylke", "parent_code"]) == {"0"}
    assert set(reg.loc[reg["level"] == "kommune", "parent_code"]) <= set(
        reg.loc[reg["level"] == "fylke", "code"])
    assert reg.set_index("code").loc["0", "name"] == "Hele landet"
    default = regions.load_default_register(SHARED)
    assert (default["level"] == "kommune").sum() == 357


def test_load_default_register_without_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        regions.load_default_register(tmp_path)


def test_register_from_14746_metadata():
    dim = Dimension("Region", "region", ("0", "03", "0301", "31", "3101", "3103"),
                    ("Hele landet", "Oslo", "Oslo", "Østfold", "Halden", "Moss"))
    meta = DatasetMeta("14746: x", None, "14746", None, (dim,))
    reg = regions.register_from_metadata(meta).set_index("code")
    assert reg.loc["3103", "parent_code"] == "31" and reg.loc["3103", "level"] == "kommune"
    assert reg.loc["31", "level"] == "fylke" and reg.loc["0", "level"] == "land"
    assert (reg["level"] == "kostragruppe").sum() == 17


# -- changes and mapping ---------------------------------------------------------------------
def test_changes_fixture_kinds(changes):
    assert list(changes.columns) == regions.CHANGES_COLUMNS
    by = changes.set_index(["old_code", "new_code"])
    assert by.loc[("1507", "1508"), "kind"] == "split"
    assert by.loc[("1507", "1580"), "kind"] == "split"
    assert by.loc[("3002", "3103"), "kind"] == "renumber"
    assert by.loc[("0104", "3002"), "kind"] == "merge"  # Moss + Rygge in 2020
    y2024 = changes[changes["change_date"] == pd.Timestamp("2024-01-01").date()]
    prefixes = set(y2024["old_code"].str[:2])
    assert prefixes == {"30", "38", "54", "15"}
    assert set(y2024["new_code"].str[:2]) >= {"31", "32", "33", "39", "40", "55", "56"}
    assert (changes["old_code"] != changes["new_code"]).all()


def test_changes_frame_kind_rules():
    ch = regions.changes_frame([
        {"oldCode": "a", "newCode": "x", "changeOccurred": "2020-01-01"},
        {"oldCode": "b", "newCode": "x", "changeOccurred": "2020-01-01"},
        {"oldCode": "c", "newCode": "y", "changeOccurred": "2020-01-01"},
        {"oldCode": "c", "newCode": "z", "changeOccurred": "2020-01-01"},
        {"oldCode": "d", "newCode": "w", "changeOccurred": "2020-01-01"},
    ]).set_index("old_code")
    assert ch.loc["a", "kind"] == "merge" and ch.loc["d", "kind"] == "renumber"
    assert set(ch.loc["c", "kind"]) == {"split"}


def test_map_chain_and_split(changes):
    cy = pd.DataFrame({"region_code": ["0104", "3002", "3103", "1507", "0301", "3001"],
                       "year": [2019, 2023, 2024, 2023, 2015, 2020]})
    m = regions.map_to_current(cy, changes, "2024-01-01").set_index("region_code")
    assert m.loc["0104", "current_code"] == "3103" and m.loc["0104", "mapping"] == "merge"
    assert m.loc["3002", "current_code"] == "3103" and m.loc["3002", "mapping"] == "renumber"
    assert m.loc["3103", "mapping"] == "same"
    assert m.loc["0301", "current_code"] == "0301"
    assert m.loc["3001", "current_code"] == "3101"
    assert pd.isna(m.loc["1507", "current_code"]) and m.loc["1507", "mapping"] == "split"
    assert m.loc["1507", "note"] == ("Ålesund (1507) ble delt i 2024 i Ålesund (1508) og "
                                     "Haram (1580); tall før 2024 kan ikke fordeles")
    # Before 2020 the target is the 2020 structure: 3002 is then still current.
    m2020 = regions.map_to_current(cy.iloc[:1], changes, "2020-01-01")
    assert m2020["current_code"].tolist() == ["3002"]


def test_aggregate_counts_and_refuse_rates(changes):
    df = pd.DataFrame({"region_code": ["0104", "0136", "3002", "0104"],
                       "year": [2019, 2019, 2023, 2018],
                       "value": [100.0, 50.0, 170.0, 90.0]})
    mapping = regions.map_to_current(df, changes)
    out = regions.aggregate_to_current(df, mapping, rate=False, changes=changes) \
        .set_index(["region_code", "year"])
    assert out.loc[("3103", 2019), "value"] == 150.0
    assert out.loc[("3103", 2023), "value"] == 170.0
    # 2018: only Moss (0104) has a value, Rygge (0136) is missing -> no sum.
    no_list = regions.aggregate_to_current(df, mapping, rate=False)
    assert no_list.set_index(["region_code", "year"]).loc[("3103", 2019), "value"] == 150.0
    assert np.isnan(out.loc[("3103", 2018), "value"])
    assert "mangler" in out.loc[("3103", 2018), "note"]
    rates = regions.aggregate_to_current(df.assign(unit="prosent"), mapping, changes=changes)
    r = rates.set_index(["region_code", "year"])
    assert np.isnan(r.loc[("3103", 2019), "value"]) and "kan ikke summeres" in \
        r.loc[("3103", 2019), "note"]
    assert r.loc[("3103", 2023), "value"] == 170.0
    split = regions.aggregate_to_current(
        pd.DataFrame({"region_code": ["1507"], "year": [2022], "value": [5.0]}),
        regions.map_to_current(pd.DataFrame({"region_code": ["1507"], "year": [2022]}),
                               changes))
    assert np.isnan(split["value"].iloc[0]) and "delt" in split["note"].iloc[0]


# -- KLASS client against a local server -----------------------------------------------------
class _Klass(BaseHTTPRequestHandler):
    calls: list[str] = []
    fail_first = 0

    def log_message(self, *a):  # quiet
        pass

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        type(self).calls.append(self.path)
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        if u.path == "/classifications/131/codesAt.json" and q.get("date") == "2024-01-01":
            body = {"codes": [
                {"code": "3101", "parentCode": None, "level": "1", "name": "Halden",
                 "validFrom": "2024-01-01", "validTo": None},
                {"code": "9999", "parentCode": None, "level": "1", "name": "Uoppgitt"}]}
        elif u.path == "/classifications/112/codesAt.json":
            body = {"codes": [
                {"code": "08", "parentCode": None, "level": "1", "name": "KOSTRA-gruppe 8"},
                {"code": "3101", "parentCode": "08", "level": "2", "name": "Halden"}]}
        elif u.path == "/classifications/131/changes.json":
            body = {"codeChanges": [{"oldCode": "3001", "oldName": "Halden",
                                     "newCode": "3101", "newName": "Halden",
                                     "changeOccurred": "2024-01-01"}]}
            assert q == {"from": "2023-01-01", "to": "2024-01-02"}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def klass_server(monkeypatch):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Klass)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    monkeypatch.setenv("KG_KLASS_BASE_URL", f"http://127.0.0.1:{srv.server_address[1]}")
    _Klass.calls = []
    _Klass.fail_first = 0
    yield _Klass
    srv.shutdown()
    srv.server_close()


def test_klass_client(klass_server):
    klass_server.fail_first = 1  # one 503 first: retried
    codes = regions.fetch_codes(131, "2024-01-01")
    assert codes["code"].tolist() == ["3101", "9999"] and codes.loc[0, "name"] == "Halden"
    assert len(klass_server.calls) == 2
    ch = regions.fetch_changes(131, "2023-01-01", "2024-01-02")
    assert regions.changes_frame(ch)["kind"].tolist() == ["renumber"]
    assert regions.fetch_kostra_groups("2024-01-01") == {"3101": "EKG08"}
    reg = regions.build_register(codes, pd.DataFrame({"code": ["31"], "name": ["Østfold"]}),
                                 regions.fetch_kostra_groups("2024-01-01"))
    assert reg.set_index("code").loc["3101", "kostra_group"] == "EKG08"
    assert "9999" not in set(reg["code"])
    with pytest.raises(regions.KlassError, match="404"):
        regions.fetch_codes(999, "2024-01-01")


def test_klass_unreachable(monkeypatch):
    monkeypatch.setenv("KG_KLASS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("KG_HTTP_TIMEOUT", "2")
    with pytest.raises(regions.KlassError, match="Får ikke kontakt"):
        regions.fetch_codes(131, "2024-01-01")


def test_builtin_region_list_is_complete_and_clean():
    from data_sources import regions_default
    df = regions_default.default_regions()
    assert df["level"].value_counts().to_dict() == {"kommune": 357, "fylke": 15, "land": 1}
    assert not df["name"].str.contains("?", regex=False).any()
    assert df.set_index("code").loc["5610", "name"] == "Kárášjohka - Karasjok"


# -- centrality (KLASS 131 → 128) ------------------------------------------------------------
def _item(code, cls, valid_from="2024-01-01", valid_to=None):
    return {"sourceCode": code, "sourceName": code, "sourceShortName": "",
            "targetCode": cls, "targetName": "", "targetShortName": "",
            "validFrom": valid_from, "validTo": valid_to}


@pytest.fixture
def klass_standin(monkeypatch):
    from tests.standin import StandinServer
    srv = StandinServer([], max_calls=1000, window_s=1, klass={"corresponds": {"131->128": [
        _item("0301", "01"), _item("3103", "02"),
        _item("3002", "05", "2020-01-01", "2024-01-01"),  # expired: 3103's own item wins
        _item("3001", "03", "2020-01-01"),  # the valid version still has Halden's old code
        _item("1507", "01", "2020-01-01"),  # Ålesund before the split: no class for the parts
        _item("0104", "04", "2018-01-01"), _item("0136", "04", "2018-01-01"),  # → 3002 → 3103
        _item("5030", "03", "2018-01-01"),  # Klæbu only: 5001 Trondheim's other part missing
        _item("3201", "07"), _item("9999", "06")]}}).start()
    monkeypatch.setenv("KG_KLASS_BASE_URL", srv.klass_url)
    yield srv
    srv.stop()


def test_fetch_centrality_over_http(klass_standin, changes):
    # Without the change list: the codes as KLASS gives them, valid on the date; class "07"
    # and 9999 Uoppgitt are not centrality classes of a kommune.
    assert regions.fetch_centrality("2026-06-01") == {
        "0301": 1, "3103": 2, "3001": 3, "1507": 1, "0104": 4, "0136": 4, "5030": 3}
    path, = {p for _, p in klass_standin.requests}
    assert path.startswith("/api/klass/v1/classifications/131/corresponds.json?")
    assert parse_qs(urlparse(path).query) == {
        "targetClassificationId": ["128"], "from": ["2020-01-01"], "to": ["2026-06-02"]}
    # With it: 3001 → 3101 (renumbered); 1507 was split (1508, 1580: none); 5001 lacks its
    # 1601 part's class (none); 3103's own item is kept over its former parts' 4.
    assert regions.fetch_centrality("2026-06-01", changes) == {"0301": 1, "3103": 2,
                                                               "3101": 3}
    # In 2023 the expired 2020-version item for 3002 Moss is the valid one.
    assert regions.fetch_centrality("2023-06-01")["3002"] == 5


def test_centrality_of_merged_kommune_needs_all_parts_alike(klass_standin, changes):
    items = klass_standin.klass["corresponds"]["131->128"]
    items[:] = [i for i in items if i["sourceCode"] != "3103"]  # Moss listed by old parts only
    assert regions.fetch_centrality("2026-06-01", changes)["3103"] == 4  # 0104 + 0136 alike
    next(i for i in items if i["sourceCode"] == "0136")["targetCode"] = "05"
    assert "3103" not in regions.fetch_centrality("2026-06-01", changes)  # parts differ


def test_fetch_centrality_klass_failures(klass_standin, monkeypatch):
    klass_standin.inject(r"/corresponds", "503")  # once: retried
    assert regions.fetch_centrality("2026-06-01")["0301"] == 1
    klass_standin.inject(r"/corresponds", "truncated")
    with pytest.raises(regions.KlassError):
        regions.fetch_centrality("2026-06-01")
    klass_standin.klass["corresponds"]["131->128"] = [_item("9999", "01")]
    with pytest.raises(regions.KlassError, match="ingen kommune"):
        regions.fetch_centrality("2026-06-01")
    klass_standin.klass["corresponds"].clear()  # KLASS does not know the correspondence
    with pytest.raises(regions.KlassError, match="404"):
        regions.fetch_centrality("2026-06-01")
