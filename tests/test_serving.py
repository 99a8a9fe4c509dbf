"""The app serving while the store is written; public mode; first run without network."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_sources import store as sm
from data_sources.store import SourceInfo
from tests.paths import ROOT

APP = str(ROOT / "app.py")
OFFLINE_URL = "http://127.0.0.1:9/api/pxwebapi/v2"  # nothing listens there


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "serve.duckdb"
    monkeypatch.setenv("KG_DB_PATH", str(path))
    monkeypatch.setenv("KG_SSB_BASE_URL", OFFLINE_URL)
    monkeypatch.setattr(sm, "GRACE_S", 0.0)
    monkeypatch.setattr(sm, "UNSCOPED_GRACE_S", 0.0)
    sm.reset_store()
    st.cache_data.clear()
    yield path
    sm.reset_store()


def _publish_table(table_id: str, title: str) -> None:
    with sm.publishing() as w:
        w.replace_table_data(SourceInfo(table_id, title, "kostra"), pd.DataFrame(
            {"region_code": ["3103"], "table_id": [table_id], "contents_code": ["X"],
             "year": [2025], "value": [1.0], "status": [None], "breakdown": [""]}))


def _tables_shown(at) -> list[str]:
    return list(at.dataframe[0].value["Tabell"])


def _version_shown(at) -> str:
    """The version id in the sidebar's «Data publisert …» line (its tooltip)."""
    caps = [c for c in at.sidebar.caption if c.value.startswith("Data publisert ")]
    assert len(caps) == 1
    return caps[0].proto.help.removeprefix("Versjon ")


def test_published_at_reads_the_version_id():
    from datetime import datetime
    from ui.data import published_at
    assert published_at("v20261201T183012123456-77-3") == datetime(2026, 12, 1, 18, 30, 12,
                                                                   123456)
    assert published_at("") is None


def test_write_while_serving_is_seen_at_the_next_rerun(db):
    _publish_table("12209", "Dekningsgrad")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "3103"
    at.run()
    assert not at.exception
    assert _tables_shown(at) == ["12209"]
    first = sm.published_version()
    assert _version_shown(at) == first
    _publish_table("11875", "Institusjonsplasser")  # a refresh job publishes meanwhile
    assert sm.published_version() != first
    at.run()  # the session's next rerun reads the new version
    assert not at.exception
    assert _tables_shown(at) == ["11875", "12209"]
    assert _version_shown(at) == sm.published_version()
    # the superseded version is closed and deleted once no run holds it
    assert not (sm.versions_dir(db) / f"{first}.duckdb").exists()


def test_public_mode_offers_no_fetch_and_no_upload(db, monkeypatch):
    monkeypatch.setenv("KG_PUBLIC", "1")
    monkeypatch.setenv("KG_AUTO_FETCH", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "3103"
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "fetch"]
    assert not at.get("file_uploader")
    assert "oppdateres av driftsansvarlig" in " ".join(i.value for i in at.info)
    assert "Mangler for Moss" in at.warning[0].value


def test_offline_is_checked_once_per_minute_not_per_session(db, monkeypatch):
    from ui import fetch
    calls = []
    monkeypatch.setattr(fetch, "_probe", lambda url: calls.append(url) or False)
    monkeypatch.setattr(fetch, "_network", {})
    monkeypatch.setenv("KG_AUTO_FETCH", "1")
    for region in ("3103", "4601", "1804"):  # three new sessions, three regions
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["region"] = region
        at.run()
        assert not at.exception
        text = " ".join(w.value for w in at.warning)
        assert "Får ikke kontakt med SSB" in text and "importer" in text
    assert calls == [OFFLINE_URL]
    monkeypatch.setenv("KG_NETWORK_RECHECK_S", "0")  # a minute later: asked again
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert calls == [OFFLINE_URL, OFFLINE_URL]


def test_streamlit_config_is_safe_for_visitors():
    import tomllib
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"] == {"toolbarMode": "minimal", "showErrorDetails": "none"}


def test_no_full_garbage_collection_after_every_run():
    """Streamlit's post-run gc.collect(2) cost about half of a kommune switch's server CPU
    (bench/load.py); the project's config turns it off, and Streamlit reads that config."""
    import tomllib

    from streamlit import config
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["runner"]["postScriptGC"] is False
    assert config.get_option("runner.postScriptGC") is False


def test_the_kommune_list_is_sent_by_reference_once_the_browser_has_it(monkeypatch, tmp_path):
    """The sidebar's region selectbox (every kommune) is large enough for Streamlit's
    message cache with the project's config: a rerun sends a reference to the browser's
    copy, not the list again."""
    import tomllib

    from streamlit import config
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.forward_msg_cache import populate_hash_if_needed
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config.get_option("global.minCachedMessageSize") == \
        cfg["global"]["minCachedMessageSize"]
    monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "empty.duckdb"))  # built-in region list
    sm.reset_store()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    box = at.sidebar.selectbox(key="_w_region")
    assert len(box.options) >= 357
    msg = ForwardMsg()
    msg.delta.new_element.selectbox.CopyFrom(box.proto)
    populate_hash_if_needed(msg)
    assert msg.metadata.cacheable


def test_upload_during_a_long_refresh_says_busy_instead_of_waiting(db, monkeypatch):
    """A refresh holds the writer lock for minutes; an upload in the app waits
    ``fetch.WRITER_WAIT_S`` for it, then says so in Norwegian and changes nothing."""
    from tests import hostile
    from ui import fetch
    _publish_table("12003", "Brukere")
    before = sm.get_store().version
    monkeypatch.setattr(fetch, "WRITER_WAIT_S", 0.5)
    at = AppTest.from_file(str(ROOT / "views" / "oversikt.py"), default_timeout=60)
    at.run()
    at.file_uploader(key="upload").set_value(
        [("07459.csv", hostile.csv_07459(), "text/csv")]).run()
    with sm.publishing():  # the refresh job, still writing
        at.button(key="do_import").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "En annen oppdatering av databasen pågår. Prøv igjen om litt; ingenting ble endret."]
    sm.reset_store()
    assert sm.get_store().version == before  # nothing published by the upload
    assert sm.get_store().scalar("SELECT count(*) FROM population") == 0
