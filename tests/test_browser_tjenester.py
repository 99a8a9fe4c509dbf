"""The service and staffing pages in real Chromium: render, move a slider, screenshot.

Screenshots go to pytest's tmp_path and /tmp/kg/shots/ (tjenester.png, bemanning.png).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.test_page_tjenester import make_store

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp/kg/shots")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="mangler /usr/bin/chromium")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    make_store(tmp / "b.duckdb").close()
    port = _free_port()
    env = {**os.environ, "KG_DB_PATH": str(tmp / "b.duckdb")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        pg = browser.new_page(viewport={"width": 1400, "height": 2400})
        yield pg
        browser.close()


def _shot(page, tmp_path, name: str) -> None:
    out = tmp_path / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, SHOTS / f"{name}.png")


def _wait_idle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"] button')", timeout=30000)
    page.wait_for_timeout(800)


def test_tjenester_in_chromium(server, page, tmp_path):
    page.goto(f"{server}/tjenester?region=1804&alt=MMMM&aar=2040")
    page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").wait_for(timeout=60000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    assert page.get_by_text("Brukere av institusjonstjenester 2040").count() >= 1
    # move the healthier-ageing slider with the keyboard: 0 → 2 years
    slider = page.get_by_role("slider").nth(2)
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    _wait_idle(page)
    assert page.get_by_text("i scenarioet").count() >= 1
    assert page.get_by_text("Scenario", exact=True).count() >= 1 or \
        page.locator("text=Scenario").count() >= 1
    _shot(page, tmp_path, "tjenester")


def test_bemanning_in_chromium(server, page, tmp_path):
    page.goto(f"{server}/bemanning?region=1804&alt=MMMM&aar=2050")
    page.get_by_role("heading", name="Bemanning – Bodø").wait_for(timeout=60000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    _wait_idle(page)
    assert page.get_by_text("Årsverk som trengs 2050, uendret").count() >= 1
    _shot(page, tmp_path, "bemanning")
