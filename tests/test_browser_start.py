"""The first user journey in real Chromium: the app starts on an empty store, the user
opens a link for a kommune, fetches it from SSB (the loopback stand-in) and sees what the
store now holds; navigation keeps the selection and shows no "Page not found" popup."""

import pytest

from tests.browser import (chromium_page, needs_chromium, run_app, runs, shot, wait_idle,
                           wait_run)
from tests.storefill import standin_server

pytestmark = [pytest.mark.browser, needs_chromium]


def test_empty_store_fetch_kommune_and_navigate(tmp_path):
    server = standin_server().start()
    env = {"KG_DB_PATH": str(tmp_path / "app.duckdb"), "KG_SSB_BASE_URL": server.url,
           "KG_KLASS_BASE_URL": server.klass_url}
    try:
        with run_app(env) as url, chromium_page() as page:
            page.goto(f"{url}/?region=3103&alt=MMMM&aar=2040")
            wait_idle(page)
            page.get_by_text("Databasen er tom").wait_for()
            assert page.get_by_text("Mangler for Moss").is_visible()
            shot(page, "start_empty", tmp_path)

            page.get_by_role("button", name="Hent data for Moss fra SSB").click()
            page.get_by_text("Databasen har alle tabeller for Moss").wait_for()
            wait_idle(page)
            table = page.locator("[data-testid='stDataFrame']")
            table.wait_for()
            shot(page, "start_fetched", tmp_path)
            assert server.data_requests >= 6  # projection, history (2), four KOSTRA tables

            # navigate to another view and back: same kommune, no "Page not found"
            before = runs(page)
            page.get_by_role("link", name="Befolkning").first.click()
            wait_run(page, before, settle_ms=500)
            assert "region=3103" in page.url
            assert page.get_by_text("Page not found").count() == 0
            shot(page, "befolkning_after_fetch", tmp_path)
    finally:
        server.stop()
