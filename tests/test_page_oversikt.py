"""AppTest of the start page and the shared sidebar on an empty store."""

import pytest
from streamlit.testing.v1 import AppTest

from data_sources.store import reset_store
from tests.paths import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("KG_SSB_BASE_URL", "http://127.0.0.1:9/api/pxwebapi/v2")  # nothing there
    reset_store()
    yield
    reset_store()


def test_empty_store_shows_picker_and_what_is_missing(empty_store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == "0301 Oslo - Oslove"
    assert len(at.sidebar.selectbox[0].options) == 373  # land, 15 fylker, 357 kommuner
    assert "Mangler for Oslo" in at.warning[0].value
    assert "Databasen er tom" in at.info[0].value


def test_selection_kept_in_url_and_across_reruns(empty_store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "4601"
    at.query_params["aar"] = "2050"
    at.run()
    assert at.session_state.region == "4601" and at.session_state.horizon == 2050
    at.sidebar.selectbox[0].select("3103 Moss").run()
    at.sidebar.selectbox[1].select("Sterk aldring (LHML)").run()
    assert at.session_state.region == "3103"
    assert at.session_state.alternative == "LHML"
    assert "flest eldre" in at.sidebar.caption[0].value
    assert dict(at.query_params) == {"region": "3103", "alt": "LHML", "aar": "2050"}
    assert "Mangler for Moss" in at.warning[0].value


def test_comparison_set_travels_in_the_link(empty_store):
    """A link's saved comparison set (``sml``) is kept in the session and in the URL of
    every view; an unknown kommune number in it is named, not silently dropped."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "1804"
    at.query_params["sml"] = "1806,9999,1860"
    at.run()
    assert at.session_state.compare_set == ["1806", "1860"]
    assert "«9999»" in at.warning[0].value and "utelatt" in at.warning[0].value
    at.sidebar.selectbox[0].select("3103 Moss").run()
    assert at.query_params["sml"] == "1806,1860" and at.query_params["region"] == "3103"


def test_fetch_without_network_says_so(empty_store):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="fetch").click().run()
    assert not at.exception
    err = at.error[0].value
    assert "Fikk ikke hentet data fra SSB" in err and "importere" in err


def test_first_view_fetches_region_automatically(tmp_path, monkeypatch):
    """Choosing a kommune that is not in the store fetches it (stand-in SSB over HTTP)."""
    from tests.storefill import standin_server
    server = standin_server().start()
    try:
        monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "auto.duckdb"))
        monkeypatch.setenv("KG_SSB_BASE_URL", server.url)
        monkeypatch.setenv("KG_KLASS_BASE_URL", server.klass_url)
        monkeypatch.setenv("KG_AUTO_FETCH", "1")
        reset_store()
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params["region"] = "1804"
        at.run()
        assert not at.exception
        assert "Databasen har alle tabeller for Bodø" in at.success[0].value
        assert server.data_requests >= 6
    finally:
        server.stop()
        reset_store()


def test_first_view_offline_explains_import(empty_store, monkeypatch):
    monkeypatch.setenv("KG_AUTO_FETCH", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert "Fikk ikke hentet data for Oslo" in text and "Oversikt og data" in text
