"""What a kommune switch costs, on the server and in the browser, next to the page's data reads.

    python bench/pages.py [--switches 20] [--pages befolkning tjenester ...]
                          [--browser [--browser-switches 10] [--slider-moves 10]]
                          [--cold-runs N] [--cold-only] [--rebuild] [--db PATH]

One line per page that exists, e.g.

    page=befolkning p50_ms=… p95_ms=… cpu_p50_ms=… floor_ms=… ratio=… browser_p50_ms=… …

The store (default ``cache/bench.duckdb``: every region, 17.8 M projection rows, all
KOSTRA tables) is built once through ``tests.storefill`` (the real fetch → decode → ingest →
store path against the stand-in) and reused; ``--rebuild`` rebuilds it.

**Server** (``p50_ms``/``p95_ms`` wall, ``cpu_*`` process CPU incl. DuckDB's threads). Each
page runs in its own child process (cold Streamlit caches, its own seed: ``crc32(page)``),
as the app: ``app.py`` with the shared sidebar and the auto-fetch check on (every region is
in the store, so nothing is fetched). After one warm-up run on 3103, N random kommuner are
picked in the sidebar and ``at.run()`` is timed. A shared ``ScriptCache`` makes AppTest
compile each script once, as the server does.

**Floor** (``floor_ms``): every DuckDB call the run makes (``Store.cursor()`` execute +
fetch) is timed in the same run; the floor is the process CPU time of the distinct queries
(a query repeated within one run counts once; ``floor_wall_ms`` the same in wall time).
CPU against CPU keeps the ratio honest on a loaded machine, where wall time also counts
waiting for a core. ``ratio`` = cpu_p50 / floor_p50 (target ≤ 3); ``queries`` = DuckDB calls
per switch (p50).

**Browser** (``--browser``): ``streamlit run app.py`` per page (cold caches), Debian's
Chromium via Playwright. For each switch the kommune is typed into the sidebar's selectbox
and Enter pressed; the time runs in the page's own clock from that key press until every
Plotly chart on the page has new data drawn (``gd.calcdata`` replaced, the chart visible)
and the script is idle with no element still loading (``browser_*``); ``main_thread_*`` is
the renderer's main-thread busy time over the same interval (CDP ``Performance.getMetrics``
TaskDuration). Befolkning also reports the cold start of
``/befolkning?region=3103&alt=MMMM&aar=2040`` on a fresh server (``serve.py``, the entry the
Docker image runs) and a fresh browser (``cold_figures``): ``cold_start_ms`` from the
server's health check answered to the first chart drawn (``cold_all_ms``: all charts;
``cold_run_ms``: to the first script run finished in the browser, i.e. before the charts
are drawn), ``cold_health_ms`` from starting the server to its health check answered (it includes the
warm-up, ``ui/warmup.py``), and the same for ``streamlit run app.py`` without warm-up
(``cold_start_unwarmed_ms``, ``cold_run_unwarmed_ms``, ``cold_health_unwarmed_ms``); ``--cold-runs N`` takes each N
times, interleaved, and prints medians (``--cold-only``: just these). Tjenester and
Bemanning also report ``slider_p50_ms``/``slider_p95_ms``: arrow key on the first scenario
slider → its charts redrawn.

**Browser floor** (unless ``--no-floor``): the same switches on ``bench/floor_app.py``, the
app with every element except the charts, widgets and title dropped — what the page's
charts alone cost Streamlit and Plotly to draw (``browser_floor_*``, ``main_thread_floor_*``;
``browser_ratio`` = page p50 / floor p50: what the rest of the page adds). For Befolkning
also ``cold_floor_ms``: a fresh server and browser drawing one small chart with nothing of
ours (Streamlit's bundle, Plotly's chunk, one round trip; ``cold_floor_health_ms`` its
start), and ``cold_ratio`` = ``cold_start_ms`` / ``cold_floor_ms``.

The machine's load average is printed first: the figures depend on it (2 shared cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd

# page name -> page file (URL path = file stem)
PAGES = {
    "befolkning": "views/befolkning.py",
    "tjenester": "views/tjenester.py",
    "bemanning": "views/bemanning.py",
    "oversikt": "views/oversikt.py",
    "region": "views/region.py",
}
SLIDER_PAGES = {"tjenester", "bemanning"}
DEFAULT_DB = ROOT / "cache" / "bench.duckdb"


# -- store ------------------------------------------------------------------------------
def _standin_frame(table, kind: str) -> pd.DataFrame:
    """A ``tests.standin.StandinTable`` cube → store rows of ``kind`` (NaN cells dropped)."""
    from data_sources import catalog
    dims = {d.id: d for d in table.dimensions}
    order = [d.id for d in table.dimensions]
    values = table.values.reshape(-1)
    grids = np.meshgrid(*[np.arange(len(d.codes)) for d in table.dimensions], indexing="ij")
    keep = ~np.isnan(values)

    def col(dim_id: str, fn=lambda c: c):
        mapped = np.asarray([fn(c) for c in dims[dim_id].codes], dtype=object)
        return mapped[grids[order.index(dim_id)].reshape(-1)[keep]]

    frame = {
        "region_code": col("Region", lambda c: c.removeprefix("K-")),
        "sex": col("Kjonn"),
        "age": col("Alder", lambda c: int(c.rstrip("+"))).astype(np.int32),
        "year": col("Tid", int).astype(np.int32),
        "persons": values[keep],
        "table_id": table.id,
    }
    if kind == "projection":
        d = dims["ContentsCode"]
        labels = dict(zip(d.codes, d.labels))
        frame["alternative"] = col("ContentsCode",
                                   lambda c: catalog.alternative_code(c, labels.get(c)))
    return pd.DataFrame(frame)


def build_store(path: Path, regions: list[str] | None = None, direct: bool = False) -> Path:
    """Fill a fresh DuckDB store at ``path`` with 07459 and 14746 for all regions.

    ``direct``: skip ``tests.storefill`` and write the stand-in cubes straight to the store.
    """
    from data_sources.store import SourceInfo, Store
    path = Path(path)
    for p in (path, path.with_suffix(path.suffix + ".wal")):
        p.unlink(missing_ok=True)
    store = Store(path)
    try:
        try:
            from tests.storefill import fill_store
        except ImportError:
            fill_store = None
        if direct:
            fill_store = None
        if fill_store is not None:
            fill_store(store, regions=regions)
        else:
            from tests import standin_data as sd
            for table, kind, rnd in ((sd.table_07459(), "population", None),
                                     (sd.table_14746(), "projection", "2026")):
                frame = _standin_frame(table, kind)
                if regions is not None:
                    frame = frame[frame["region_code"].isin(regions)]
                store.replace_table_data(
                    SourceInfo(table.id, table.label, kind, round=rnd,
                               ssb_updated=table.updated, origin="file:standin"), frame)
    finally:
        store.close()
    return path


# -- server side: AppTest in a child process ----------------------------------------------
class QueryLog:
    """Times every DuckDB call made through ``Store.cursor()`` (execute + fetch)."""

    def __init__(self):
        self.calls: list[tuple[tuple, float, float]] = []  # (sql, params), wall s, CPU s

    def reset(self) -> None:
        self.calls = []

    def floor_ms(self, cpu: bool = True) -> float:
        """Milliseconds of the distinct queries (process CPU, or wall with cpu=False)."""
        best: dict[tuple, float] = {}
        for key, wall, c in self.calls:
            s = c if cpu else wall
            best[key] = min(best.get(key, s), s)
        return sum(best.values()) * 1000

    def install(self) -> None:
        from data_sources.store import Store
        log, original = self, Store.cursor

        class Timed:
            def __init__(self, cur):
                self._cur, self._key, self._i = cur, None, None

            def execute(self, sql, *params):
                t0, c0 = time.perf_counter(), time.process_time()
                self._cur.execute(sql, *params)
                self._key = (sql, repr(params))
                log.calls.append((self._key, time.perf_counter() - t0,
                                  time.process_time() - c0))
                self._i = len(log.calls) - 1
                return self

            def _fetch(self, name, *a, **kw):
                t0, c0 = time.perf_counter(), time.process_time()
                out = getattr(self._cur, name)(*a, **kw)
                if self._i is not None:
                    key, s, c = log.calls[self._i]
                    log.calls[self._i] = (key, s + time.perf_counter() - t0,
                                          c + time.process_time() - c0)
                return out

            def __getattr__(self, name):
                if name in ("df", "fetchdf", "fetch_df", "fetchall", "fetchone", "fetchnumpy",
                            "fetchmany", "arrow", "fetch_arrow_table", "pl"):
                    return lambda *a, **kw: self._fetch(name, *a, **kw)
                return getattr(self._cur, name)

        def cursor(store_self, *a, **kw):
            return Timed(original(store_self, *a, **kw))

        Store.cursor = cursor


def _share_script_cache() -> None:
    """Make AppTest reuse compiled scripts between runs, as the server does."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    shared = ScriptCache()
    local_script_runner.ScriptCache = app_test.ScriptCache = lambda: shared


def page_seed(page: str) -> int:
    return zlib.crc32(page.encode())


def _kommune_options(box) -> list[int]:
    return [i for i, label in enumerate(box.options) if label[:4].isdigit()]


def server_child(page: str, switches: int) -> dict:
    """In a fresh process: AppTest of the app on ``page``; timings of N kommune switches."""
    from streamlit.testing.v1 import AppTest
    _share_script_cache()
    qlog = QueryLog()
    qlog.install()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["region"] = "3103"
    if page == PAGES["region"]:
        at.query_params["sett"] = "0"  # the overview of the whole country (357 kommuner)
    at.run()
    at.switch_page(PAGES[page])
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception}")
    rng = random.Random(page_seed(page))
    choices = rng.sample(_kommune_options(at.sidebar.selectbox(key="_w_region")), switches)
    wall, cpu, floor, floor_wall, queries = [], [], [], [], []
    for i in choices:
        at.sidebar.selectbox(key="_w_region").select_index(i)
        qlog.reset()
        t0, c0 = time.perf_counter(), time.process_time()
        at.run()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        floor.append(qlog.floor_ms())
        floor_wall.append(qlog.floor_ms(cpu=False))
        queries.append(len(qlog.calls))
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
    return {"wall": wall, "cpu": cpu, "floor": floor, "floor_wall": floor_wall,
            "queries": queries}


def time_server(page: str, switches: int, db: Path) -> dict:
    env = {**os.environ, "KG_DB_PATH": str(db), "PYTHONPATH": str(ROOT)}
    env.pop("KG_AUTO_FETCH", None)  # as the app runs: the first-view check is on
    out = subprocess.run([sys.executable, __file__, "--child", page, "--switches",
                          str(switches)], env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{page}: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- browser ----------------------------------------------------------------------------
# Installed before an action: window.__kgWait resolves with ms from the key press (window.__kgT0, set by a
# capturing keydown listener) to the last chart redraw, once the app is idle and nothing
# changed for `settle` ms. `all`: every chart must have new data (kommune switch);
# otherwise at least one (slider).
WAIT_JS = """
([all, settle, heading]) => {
  const charts = () => Array.from(document.querySelectorAll('.js-plotly-plot'));
  const old = new WeakSet(charts().map(g => g.calcdata).filter(Boolean));
  const n0 = charts().length;
  window.__kgT0 = null;
  const onKey = () => { if (window.__kgT0 === null) window.__kgT0 = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  let last = null, headAt = null;
  const seen = new WeakSet();
  window.__kgWait = new Promise(resolve => {
    const tick = () => {
      const now = performance.now();
      const gs = charts();
      let fresh = 0;
      for (const g of gs) {
        if (g.calcdata && !old.has(g.calcdata) && getComputedStyle(g).visibility === 'visible') {
          fresh += 1;
          if (!seen.has(g.calcdata)) { seen.add(g.calcdata); last = now; }
        }
      }
      const idle = !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]');
      const main = document.querySelector('[data-testid="stMain"]');
      const headOk = !heading || (main && main.textContent.includes(heading));
      if (headOk && headAt === null && window.__kgT0 !== null) headAt = now;
      let done;
      if (n0 === 0 || (all && gs.length === 0)) { done = headOk; last = headAt; }  // no charts
      // every chart on the page is new (a kommune may have fewer: Åseral has no long-term
      // care chart), or for a slider, one is
      else done = all ? fresh === gs.length : fresh > 0;
      done = done && headOk;
      if (window.__kgT0 !== null && done && idle && now - last >= settle) {
        document.removeEventListener('keydown', onKey, true);
        resolve(last - window.__kgT0);
      } else {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
}
"""



def _task_s(cdp) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


# 300 ms of the rAF loop WAIT_JS keeps running after the last chart is drawn (its settle
# wait): the main-thread time that loop costs with nothing else happening, measured on the
# page itself and taken off each action's main-thread time.
_SETTLE_JS = ("() => new Promise(done => { const t0 = performance.now(); const tick = () =>"
              " performance.now() - t0 >= 300 ? done() : requestAnimationFrame(tick);"
              " requestAnimationFrame(tick); })")


def _settle_task_ms(page, cdp) -> float:
    m0 = _task_s(cdp)
    page.evaluate(_SETTLE_JS)
    return (_task_s(cdp) - m0) * 1000


# A chart counts as drawn when Plotly has data on it (``calcdata``) and it is visible (the
# element keeps it hidden until Plotly's first draw is done); a page is drawn when its script
# run has finished (tests/browser.py counts runs), no element is still a loading skeleton
# (Streamlit loads element code such as Plotly's 4.7 MB chunk lazily) and every chart
# element holds a drawn chart.
_DRAWN = ("(g => g.calcdata && g.querySelector('.main-svg')"
          " && getComputedStyle(g).visibility === 'visible')")


def _wait_first_chart(page, timeout: float = 120_000) -> None:
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll('.js-plotly-plot')).some({_DRAWN})",
        timeout=timeout)


def _wait_all_charts(page, timeout: float = 180_000) -> None:
    """The page's script has run (a heading is drawn), it is idle, every chart is drawn."""
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " const main = document.querySelector('[data-testid=\"stMain\"]');"
        " if (!app || !main || !main.querySelector('h1') || !(window.__kgRuns > 0)) return false;"
        " if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;"
        " if (main.querySelector('[data-testid=\"stSkeleton\"]')) return false;"
        " return Array.from(main.querySelectorAll('[data-testid=\"stPlotlyChart\"]'))"
        ".every(b => { const g = b.querySelector('.js-plotly-plot');"
        f" return g && {_DRAWN}(g); }}); }}",
        timeout=timeout)


# the wait set up by WAIT_JS, failing (with a screenshot, ``_shot_on_error``) after 120 s
_AWAIT = ("() => Promise.race([window.__kgWait, new Promise((_, no) => setTimeout("
          "() => no(new Error('no redraw within 120 s')), 120000))])")


def _switch(page, cdp, code: str) -> tuple[float, float]:
    """Type the kommune number into the sidebar's selectbox and press Enter."""
    _wait_all_charts(page)
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    box.click(timeout=120_000)
    page.keyboard.type(code)
    option = page.get_by_role("option", name=re.compile(f"^{code} ")).first
    option.wait_for(timeout=30_000)
    name = option.inner_text().strip()[len(code) + 1:]
    page.evaluate(WAIT_JS, [True, 300, name])
    m0 = _task_s(cdp)
    page.keyboard.press("Enter")
    ms = page.evaluate(_AWAIT)
    return float(ms), (_task_s(cdp) - m0) * 1000 - _settle_task_ms(page, cdp)


def _slider(page, cdp, key: str) -> tuple[float, float]:
    thumb = page.locator("[data-testid='stMain'] [data-testid='stSlider'] input[type='range']").first
    _wait_all_charts(page)
    thumb.focus()
    page.evaluate(WAIT_JS, [False, 300, None])
    m0 = _task_s(cdp)
    page.keyboard.press(key)
    ms = page.evaluate(_AWAIT)
    return float(ms), (_task_s(cdp) - m0) * 1000 - _settle_task_ms(page, cdp)


@contextlib.contextmanager
def _shot_on_error(page, name: str):
    try:
        yield
    except Exception:
        path = Path(f"/tmp/kg-bench-{name}-{os.getpid()}.png")
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path))
            print(f"# screenshot of the failure: {path}", file=sys.stderr)
        raise


def time_browser(page_name: str, switches: int, slider_moves: int, db: Path,
                 floor: bool = False) -> dict:
    """The page in Chromium (``streamlit run app.py``): kommune switches, slider moves.
    ``floor``: the same on ``bench/floor_app.py`` (the page's charts only, same switches)."""
    from tests.browser import chromium_page, run_app
    out: dict = {}
    rng = random.Random(page_seed(page_name))
    opts = pd.read_csv(ROOT / "data_sources" / "data" / "regions_2024.csv", dtype=str)
    kom = opts[opts["level"] == "kommune"]
    picks = kom.iloc[rng.sample(range(len(kom)), switches)]
    env = {"KG_DB_PATH": str(db)}
    script = None
    if floor:
        env["KG_FLOOR"] = "charts"
        script = ROOT / "bench" / "floor_app.py"
    with chromium_page() as page, _shot_on_error(page, page_name):
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto("about:blank")
        with run_app(env, timeout=180, script=script) as url:
            path = "" if page_name == "oversikt" else page_name  # the default page is /
            page.goto(f"{url}/{path}?region=3103&alt=MMMM&aar=2040")
            _wait_all_charts(page)
            page.wait_for_timeout(500)
            times, main = [], []
            for code in picks["code"]:
                ms, busy = _switch(page, cdp, code)
                times.append(ms)
                main.append(busy)
            out.update(browser=times, main=main)
            if page_name in SLIDER_PAGES and slider_moves:
                st, sm = [], []
                for i in range(slider_moves):
                    ms, busy = _slider(page, cdp, "ArrowRight" if i % 2 == 0 else "ArrowLeft")
                    st.append(ms)
                    sm.append(busy)
                out.update(slider=st, slider_main=sm)
    return out


COLD_LINK = "/befolkning?region=3103&alt=MMMM&aar=2040"
# entry -> (script, extra environment, link). "served": the production entry (serve.py warms
# the process as it starts); "unwarmed": ``streamlit run app.py`` as a
# developer starts it; "floor": one small chart and nothing of ours (Streamlit's bundle,
# Plotly's chunk, one round trip).
COLD_ENTRIES = {
    "served": (ROOT / "serve.py", {}, COLD_LINK),
    "unwarmed": (ROOT / "app.py", {}, COLD_LINK),
    "floor": (ROOT / "bench" / "floor_app.py", {"KG_FLOOR": "cold"}, "/"),
}


# Sets window.__kgFirstRun: page time (ms from navigation start) when the first script run
# finished in the browser (the app root's script state back to notRunning).
_FIRST_RUN = """
new MutationObserver((ms, obs) => {
  for (const m of ms) {
    if (m.target.getAttribute('data-test-script-state') === 'notRunning'
        && m.oldValue !== 'notRunning') {
      window.__kgFirstRun = performance.now(); obs.disconnect(); return;
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""


def time_cold(db: Path, entry: str) -> dict:
    """A fresh server (``COLD_ENTRIES[entry]``) and a fresh browser: ``health_ms`` from
    starting the server to its health check answered, then ``run_ms`` to the first script
    run finished in the browser (Streamlit's page loaded, the websocket open, the run done
    on the server and its elements received), ``first_ms`` to the first chart drawn and
    ``all_ms`` to every chart drawn."""
    from tests.browser import chromium_page, run_app
    script, extra, link = COLD_ENTRIES[entry]
    store = db.with_name("floor_cold.duckdb") if entry == "floor" else db
    with chromium_page() as page, _shot_on_error(page, f"cold-{entry}"):
        page.context.add_init_script(_FIRST_RUN)
        page.goto("about:blank")
        t_start = time.perf_counter()
        with run_app({"KG_DB_PATH": str(store), **extra}, timeout=180, script=script) as url:
            t0 = time.perf_counter()
            page.goto(url + link)
            _wait_first_chart(page)
            first = (time.perf_counter() - t0) * 1000
            _wait_all_charts(page)
            all_ms = (time.perf_counter() - t0) * 1000
            return {"health_ms": (t0 - t_start) * 1000, "first_ms": first, "all_ms": all_ms,
                    "run_ms": page.evaluate("() => window.__kgFirstRun")}


def cold_figures(db: Path, runs: int, floor: bool) -> list[str]:
    """The Befolkning link on a fresh server, ``runs`` times per entry (interleaved, so the
    entries share the machine's load); medians. ``cold_start_ms``/``cold_all_ms``: health
    check answered → first/every chart drawn, ``cold_run_ms``: → the first script run
    finished in the browser, ``cold_health_ms``: server started → health check answered,
    for the production entry; ``cold_start_unwarmed_ms``/
    ``cold_run_unwarmed_ms``/``cold_health_unwarmed_ms`` the same for ``streamlit run
    app.py``; with ``floor``, ``cold_floor_ms``/``cold_floor_run_ms``/
    ``cold_floor_health_ms`` and ``cold_ratio`` = start / floor."""
    entries = ["served", "unwarmed"] + (["floor"] if floor else [])
    got: dict[str, list[dict]] = {e: [] for e in entries}
    for _ in range(runs):
        for e in entries:
            got[e].append(time_cold(db, e))

    def med(e: str, key: str) -> float:
        return p50([r[key] for r in got[e]])

    parts = [f"cold_start_ms={med('served', 'first_ms'):.0f}",
             f"cold_all_ms={med('served', 'all_ms'):.0f}",
             f"cold_run_ms={med('served', 'run_ms'):.0f}",
             f"cold_health_ms={med('served', 'health_ms'):.0f}",
             f"cold_start_unwarmed_ms={med('unwarmed', 'first_ms'):.0f}",
             f"cold_run_unwarmed_ms={med('unwarmed', 'run_ms'):.0f}",
             f"cold_health_unwarmed_ms={med('unwarmed', 'health_ms'):.0f}"]
    if floor:
        parts += [f"cold_floor_ms={med('floor', 'first_ms'):.0f}",
                  f"cold_floor_run_ms={med('floor', 'run_ms'):.0f}",
                  f"cold_floor_health_ms={med('floor', 'health_ms'):.0f}",
                  f"cold_ratio={med('served', 'first_ms') / med('floor', 'first_ms'):.1f}"]
    if runs > 1:  # every run's first chart, per entry in the order above
        parts.append("cold_runs_ms=" + "/".join(
            ",".join(f"{r['first_ms']:.0f}" for r in got[e]) for e in entries))
    return parts


# -- report -----------------------------------------------------------------------------
def p50(values) -> float:
    return float(statistics.median(values))


def p95(values) -> float:
    return float(np.percentile(values, 95))


def ensure_store(db: Path, rebuild: bool, direct: bool) -> None:
    if not (rebuild or not db.exists()):
        return
    t0 = time.perf_counter()
    if direct:
        build_store(db, direct=True)
    else:
        from tests.storefill import cached_full_store
        db.unlink(missing_ok=True)
        cached_full_store(db)
    print(f"# built {db} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--switches", type=int, default=20)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    ap.add_argument("--direct", action="store_true",
                    help="fill the store straight from tests.standin_data (no HTTP path)")
    ap.add_argument("--browser", action="store_true", help="also time real Chromium")
    ap.add_argument("--browser-switches", type=int, default=10)
    ap.add_argument("--slider-moves", type=int, default=10)
    ap.add_argument("--no-server", action="store_true", help="browser figures only")
    ap.add_argument("--no-floor", action="store_true",
                    help="skip the browser floor (bench/floor_app.py)")
    ap.add_argument("--cold-runs", type=int, default=1,
                    help="cold starts of each entry (Befolkning; medians printed)")
    ap.add_argument("--cold-only", action="store_true",
                    help="only the cold-start figures (Befolkning, browser)")
    ap.add_argument("--prebuilt", action="store_true",
                    help="prebuild every region's reports first, as the refresh job does, "
                         "and let the app read them (off: every report is computed)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(server_child(args.child, args.switches)))
        return
    ensure_store(args.db, args.rebuild, args.direct)
    # the app reads reports prebuilt for the store (ui/prebuild.py) only with --prebuilt
    os.environ["KG_PREBUILT"] = "1" if args.prebuilt else "0"
    os.environ["KG_PREBUILD_ON_START"] = "0"  # serve.py's cold start: no prebuild beside it
    if args.prebuilt:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ui.prebuild"], check=True, cwd=ROOT,
                       env={**os.environ, "KG_DB_PATH": str(args.db)},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"# prebuilt the reports in {time.perf_counter() - t0:.0f} s (prebuilt=1)",
              flush=True)
    print(f"# loadavg={' '.join(f'{x:.1f}' for x in os.getloadavg())} cores={os.cpu_count()}",
          flush=True)
    if args.cold_only:
        print(" ".join(["page=befolkning",
                        *cold_figures(args.db, args.cold_runs, not args.no_floor)]), flush=True)
        return
    for name in args.pages:
        page = PAGES.get(name)
        if page is None or not (ROOT / page).exists():
            continue
        parts = [f"page={name}"]
        if not args.no_server:
            r = time_server(name, args.switches, args.db)
            cpu, floor = p50(r["cpu"]), p50(r["floor"])
            parts += [f"p50_ms={p50(r['wall']):.0f}", f"p95_ms={p95(r['wall']):.0f}",
                      f"cpu_p50_ms={cpu:.0f}", f"cpu_p95_ms={p95(r['cpu']):.0f}",
                      f"floor_ms={floor:.0f}",
                      f"ratio={cpu / floor:.1f}" if floor >= 1 else "ratio=n/a(no_reads)",
                      f"floor_wall_ms={p50(r['floor_wall']):.0f}",
                      f"queries={p50(r['queries']):.0f}", f"n={len(r['wall'])}"]
        if args.browser:
            b = time_browser(name, args.browser_switches, args.slider_moves, args.db)
            parts += [f"browser_p50_ms={p50(b['browser']):.0f}",
                      f"browser_p95_ms={p95(b['browser']):.0f}",
                      f"main_thread_p50_ms={p50(b['main']):.0f}",
                      f"main_thread_p95_ms={p95(b['main']):.0f}"]
            if "slider" in b:
                parts += [f"slider_p50_ms={p50(b['slider']):.0f}",
                          f"slider_p95_ms={p95(b['slider']):.0f}",
                          f"slider_main_thread_p50_ms={p50(b['slider_main']):.0f}"]
            if not args.no_floor:
                f = time_browser(name, args.browser_switches, 0, args.db, floor=True)
                fp = p50(f["browser"])
                parts += [f"browser_floor_p50_ms={fp:.0f}",
                          f"browser_floor_p95_ms={p95(f['browser']):.0f}",
                          f"main_thread_floor_p50_ms={p50(f['main']):.0f}",
                          f"browser_ratio={p50(b['browser']) / fp:.1f}"]
            if name == "befolkning" and args.cold_runs > 0:  # 0: no cold starts
                parts += cold_figures(args.db, args.cold_runs, not args.no_floor)
        print(" ".join(parts), flush=True)


if __name__ == "__main__":
    main()
