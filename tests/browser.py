"""Helpers for end-to-end tests in real Chromium (Debian's package) driven by Playwright.

``run_app(env)`` starts ``streamlit run app.py`` on a free loopback port with extra
environment (e.g. KG_DB_PATH) and yields its URL; ``chromium_page()`` yields a Playwright
page in headless Chromium with the flags this machine needs. ``shot(page, name, tmp_path)``
saves a screenshot under the test's tmp folder and a copy under /tmp/kg-shots for review.

Waiting: pages count finished script runs (the ``script_finished`` messages Streamlit's
websocket delivers, see ``_RUN_COUNTER``). ``runs(page)`` before an action and
``wait_run(page, before)`` after it wait for exactly the rerun the action caused, however
slow the machine; ``wait_idle(page)`` waits for the first run of a freshly opened page.
Every wait uses ``TIMEOUT_MS`` (env ``KG_BROWSER_TIMEOUT_MS``), generous for a loaded
2-core CI machine; a test is never timed, it only waits for a state.
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
TIMEOUT_MS = int(os.environ.get("KG_BROWSER_TIMEOUT_MS", "180000"))

# Counts finished script runs in window.__kgRuns (installed before any page script runs):
# every ForwardMsg ``script_finished`` (field 6) the page receives on Streamlit's websocket.
# The app root's ``data-test-script-state`` is not enough: when a loaded browser handles a
# whole run's messages in one batch, React renders running → notRunning as no change, and
# a run that happened is never seen (CI timed out so, once in ~5 suites). Every change of
# the script and connection state is still logged (time in ms since the page opened), and
# a timed-out wait prints that log.
_RUN_COUNTER = """
window.__kgRuns = 0;
window.__kgLog = [];
const finished = b => {  // a top-level field 6 (script_finished) in a ForwardMsg
  let i = 0;
  const varint = () => { let v = 0, k = 1, x;
    do { x = b[i++]; v += (x & 0x7f) * k; k *= 128; } while (x & 0x80 && i < b.length);
    return v; };
  while (i < b.length) {
    const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
    if (field === 6 && wire === 0) return true;
    if (wire === 0) varint(); else if (wire === 1) i += 8; else if (wire === 5) i += 4;
    else if (wire === 2) { const n = varint(); i += n; } else return false;
  }
  return false;
};
const count = data => {
  if (data instanceof ArrayBuffer) { if (finished(new Uint8Array(data))) window.__kgRuns++; }
  else if (data instanceof Blob) data.arrayBuffer().then(count);
};
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', ev => count(ev.data));
  }
};
new MutationObserver(ms => {
  for (const m of ms) {
    window.__kgLog.push(Math.round(performance.now()) + ' ' + m.attributeName.slice(10)
                        + ' ' + m.oldValue + '>' + m.target.getAttribute(m.attributeName));
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
"""
_IDLE = """n => {
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__kgRuns > n && app
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED';
}"""

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def run_app(env: dict[str, str], timeout: float = TIMEOUT_MS / 1000, script: Path | None = None):
    """``streamlit run app.py`` (or ``script``) on a free loopback port; yields its URL."""
    port = free_port()
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    log = open(env.get("KG_APP_LOG") or
               Path(env.get("KG_DB_PATH", "/tmp/kg-app")).with_suffix(".log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:  # e.g. the port was taken meanwhile (parallel tests)
                break
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        if proc.poll() is not None or time.time() >= deadline:
            # answered by another process on the same port, or never up: see the log
            raise RuntimeError(f"streamlit did not start (log: {log.name})")
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
            yield new_page(browser, width, height)
        finally:
            browser.close()


def new_page(browser, width: int = 1400, height: int = 1000):
    """A page in a fresh context of ``browser`` that counts script runs, with TIMEOUT_MS."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.add_init_script(_RUN_COUNTER)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx.new_page()


def runs(page) -> int:
    """Script runs finished so far in this page (call before an action)."""
    return page.evaluate("() => window.__kgRuns || 0")


def wait_run(page, before: int, settle_ms: int = 300) -> None:
    """Wait until a script run after ``runs(page) == before`` has finished and the app is
    connected and idle; then ``settle_ms`` for charts drawn after the run."""
    _wait(page, before, TIMEOUT_MS)
    if settle_ms:
        page.wait_for_timeout(settle_ms)


def _wait(page, before: int, timeout: float) -> None:
    from playwright.sync_api import TimeoutError as Timeout
    try:
        page.wait_for_function(_IDLE, arg=before, timeout=timeout)
    except Timeout:
        seen = page.evaluate("() => [window.__kgRuns, performance.now(), window.__kgLog]")
        raise AssertionError(
            f"no finished run after {before} within {timeout / 1000:.0f} s: runs={seen[0]}, "
            f"now={seen[1]:.0f} ms, state changes (ms since open): {seen[2]}") from None


def move_slider(page, slider, key: str, times: int = 1) -> None:
    """Press ``key`` ``times`` on a focused slider and wait for the rerun it causes.

    The press is checked in the widget itself (its ``aria-valuetext`` changes): a key
    event the browser dropped before the slider could take it (a loaded machine, the page
    still settling) is pressed again, up to three times, instead of waiting for a rerun
    that was never asked for. The rerun must then finish within ``TIMEOUT_MS``."""
    slider.focus()
    before, shown = runs(page), slider.get_attribute("aria-valuetext")
    for attempt in range(3):
        for _ in range(times):
            slider.press(key)
        try:
            page.wait_for_function("([el, v]) => el.getAttribute('aria-valuetext') !== v",
                                   arg=[slider.element_handle(), shown], timeout=10_000)
            break
        except Exception:
            if attempt == 2:
                raise AssertionError(f"the slider ignored {key} three times (still {shown})")
    wait_run(page, before)


def wait_idle(page, timeout: float = TIMEOUT_MS, settle_ms: int = 300) -> None:
    """Wait until the page has finished a script run (after ``goto``: its first) and is
    idle and connected now."""
    _wait(page, 0, timeout)
    if settle_ms:
        page.wait_for_timeout(settle_ms)


async def new_page_async(browser, width: int = 1400, height: int = 1000):
    """``new_page`` for Playwright's async API (several browsers at once)."""
    ctx = await browser.new_context(viewport={"width": width, "height": height})
    await ctx.add_init_script(_RUN_COUNTER)
    ctx.set_default_timeout(TIMEOUT_MS)
    return await ctx.new_page()


async def wait_idle_async(page) -> None:
    """``wait_idle`` for the async API, without a settle time: a script run has finished and
    the app is idle and connected now. After an action, first wait for what only its rerun
    draws (a heading), then for this."""
    await page.wait_for_function(_IDLE, arg=0, timeout=TIMEOUT_MS)


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
