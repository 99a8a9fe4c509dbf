"""The workshop case in real Chromium: a just-started server, five browsers open one link at
once, and each then picks another kommune.

Before views moved out of ``pages/``, the first sessions of a fresh server ran in
Streamlit's legacy multipage mode: the sidebar listed file names and the first widget
rerun dropped the kommune from the link (4 of 5 browsers jumped to «Hele landet»).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.browser import (CHROMIUM, FLAGS, SHOTS, needs_chromium, new_page_async, run_app,
                           wait_idle_async)
from tests.paths import ROOT
from tests.test_page_tjenester import make_store

pytestmark = [pytest.mark.browser, needs_chromium]

BROWSERS = 5


async def _one(browser, url: str, i: int, tmp_path) -> dict:
    # waits: tests.browser.TIMEOUT_MS (generous: five browsers on a loaded 2-core machine)
    page = await new_page_async(browser, 1400, 1000)
    try:
        await page.goto(f"{url}/befolkning?region=1804&alt=MMMM&aar=2040")
        await page.get_by_role("heading", name="Befolkning – Bodø").wait_for()
        await wait_idle_async(page)  # the first script run has finished
        nav = await page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        # pick another kommune in the shared sidebar's searchable selectbox
        box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
        await box.click()
        await page.keyboard.type("Ålesund")
        await page.get_by_role("option", name="1508 Ålesund").click()
        await page.get_by_role("heading", name="Befolkning – Ålesund").wait_for()  # its rerun
        await wait_idle_async(page)  # ... has finished
        await page.locator(".js-plotly-plot .main-svg").first.wait_for()
        path = tmp_path / f"workshop_{i}.png"
        await page.screenshot(path=str(path))
        return {"nav": nav, "url": page.url,
                "heading": await page.get_by_role("heading", level=1).first.inner_text()}
    finally:
        await page.context.close()


async def _all(url: str, tmp_path) -> list[dict]:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            return await asyncio.gather(*(_one(browser, url, i, tmp_path)
                                          for i in range(BROWSERS)))
        finally:
            await browser.close()


@pytest.mark.parametrize("entry", ["app.py", "serve.py"])  # serve.py: warm-up at start
def test_five_browsers_on_a_fresh_server_keep_and_switch_the_kommune(tmp_path, entry):
    make_store(tmp_path / "fresh.duckdb").close()
    with run_app({"KG_DB_PATH": str(tmp_path / "fresh.duckdb")}, script=ROOT / entry) as url:
        results = asyncio.run(_all(url, tmp_path))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"workshop_0_{entry[:-3]}.png").write_bytes((tmp_path / "workshop_0.png").read_bytes())
    for r in results:
        assert any("Befolkning" in t for t in r["nav"]), r["nav"]  # page titles, not files
        assert not any(t.strip() in {"app", "befolkning", "tjenester"} for t in r["nav"]), r
        assert "region=1508" in r["url"], r
        assert r["heading"].startswith("Befolkning – Ålesund"), r
