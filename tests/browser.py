"""Helpers for end-to-end tests in real Chromium (Debian's package) driven by Playwright.

``run_app(env)`` starts ``streamlit run app.py`` on a free loopback port with extra
environment (e.g. KG_DB_PATH) and yields its URL; ``chromium_page()`` yields a Playwright
page in headless Chromium with the flags this machine needs. ``shot(page, name, tmp_path)``
saves a screenshot under the test's tmp folder and a copy under /tmp/kg-shots for review.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(os.environ.get("KG_SHOTS_DIR", "/tmp/kg-shots"))

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def run_app(env: dict[str, str], timeout: float = 60):
    port = free_port()
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    log = open(Path(env.get("KG_DB_PATH", "/tmp/kg-app")).with_suffix(".log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_idle(page, timeout: float = 30_000, settle_ms: int = 0) -> None:
    """Wait until Streamlit has finished running the script (no 'Running' widget).

    ``settle_ms``: wait that long before and after, so a rerun triggered just now has
    started, and charts drawn after the script ended have rendered.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    if settle_ms:
        page.wait_for_timeout(settle_ms)


def shot(target, name: str, tmp_path: Path, full_page: bool = True) -> Path:
    """Screenshot a page (whole page unless ``full_page=False``) or one element (Locator)."""
    path = tmp_path / f"{name}.png"
    if hasattr(target, "goto"):
        target.screenshot(path=str(path), full_page=full_page)
    else:
        target.screenshot(path=str(path))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    return path
