"""Upload in real Chromium: two files with the same name are both imported; a hostile file
gives one Norwegian message in the page (no traceback box) and changes nothing."""

import pytest

from tests import hostile
from tests.browser import chromium_page, needs_chromium, run_app, shot, wait_idle

pytestmark = [pytest.mark.browser, needs_chromium]


def _upload(page, files):
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        [{"name": n, "mimeType": "text/csv", "buffer": b} for n, b in files])
    for n, _ in files:  # the uploader lists each file by name
        page.locator("[data-testid='stFileUploader']").get_by_text(n, exact=True).first \
            .wait_for()
    page.get_by_role("button", name="Importer", exact=True).click()


def test_upload_same_names_and_a_hostile_file(tmp_path):
    env = {"KG_DB_PATH": str(tmp_path / "app.duckdb"), "KG_AUTO_FETCH": "0",
           "KG_SSB_BASE_URL": "http://127.0.0.1:9/api/pxwebapi/v2",
           "KG_KLASS_BASE_URL": "http://127.0.0.1:9/api/klass/v1"}
    moss = hostile.csv_07459(region="K-3103 Moss")
    halden = hostile.csv_07459(region="K-3101 Halden")
    with run_app(env) as url, chromium_page() as page:
        page.goto(f"{url}/?region=3103")
        wait_idle(page)
        _upload(page, [("07459.csv", moss), ("07459.csv", halden)])
        page.get_by_text("07459 (2).csv: tabell 07459").wait_for(timeout=60_000)
        wait_idle(page, settle_ms=300)
        assert page.get_by_text("07459.csv: tabell 07459 (population), 212 rader").is_visible()
        shot(page, "upload_same_names", tmp_path)

        page.goto(f"{url}/?region=3103")
        wait_idle(page)
        _upload(page, [("liste.json", b"[1]"), ("region_lang.csv",
                                                 hostile.csv_07459(region="K-" + "3" * 100_000))])
        err = page.locator("[data-testid='stAlertContentError']")
        err.first.wait_for(timeout=60_000)
        wait_idle(page, settle_ms=300)
        text = err.first.inner_text()
        assert text.startswith("liste.json: JSON-innholdet er ikke et objekt")
        assert "Ingenting ble endret" in text
        assert page.locator("[data-testid='stException']").count() == 0
        shot(page, "upload_hostile", tmp_path)
        # the store still holds the two kommuner from the first upload, nothing more
        assert page.get_by_text("07459").first.is_visible()
