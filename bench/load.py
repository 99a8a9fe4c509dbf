"""Load benchmark: N webinar viewers on one app, over Streamlit's own websocket protocol.

Starts ``streamlit run app.py`` on loopback with every kommune in the store (the cached
full store of ``tests/storefill.py``, copied so the benchmark can publish new versions),
then N sessions arrive within 10 s. Each opens «Tjenester og kapasitet» for a kommune,
switches kommune twice and moves a scenario slider, 3 s apart. Time is measured from the
action (the rerun request, as the browser sends it) to the end of the script run, by which
every chart of the page has been delivered over the websocket.

    python bench/load.py                      # N = 10, 25, 50
    python bench/load.py --sessions 50 --refresh
    python bench/load.py --sessions 50 --replicas 2 --link 1804

``--replicas N``: N app processes on the same published store, session i on replica
i mod N, as the sticky proxy of the compose file spreads sessions (deploy/): how the
design scales out on this machine. ``--link CODE``: every session opens the same kommune
first (one shared link, as a webinar does), then switches to two of its own.

``--refresh``: a separate process publishes a new store version in the middle of the run
(projection scaled by 1.01). Every run's sidebar names the version it read; the check is
that every (kommune, action, version) gives one set of figures (a run mixing two versions
would give a third) and that sessions move to the new version.

Prints per N: ``sessions=50 p50_ms=… p95_ms=… errors=… rss_mb=…`` and a second line with
the server CPU the run used (in all, and per action: what one action costs the server
over the websocket, next to ``bench/pages.py``'s in-process figure), the memory each
extra session costs, the versions seen and mixed runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.browser import run_app
from tests.storefill import cached_full_store

ROOT = Path(__file__).resolve().parent.parent
ARRIVAL_S = 10.0
THINK_S = 3.0
ACTION_TIMEOUT_S = 300.0
REGION_LABEL = "Kommune, fylke eller hele landet"
DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class RunResult:
    ms: float
    charts: int
    version: str
    figures: tuple
    error: str = ""
    title: str = ""


@dataclass
class Session:
    ws: object
    query: str
    widgets: dict = field(default_factory=dict)  # label -> proto of the last run
    states: dict = field(default_factory=dict)  # widget id -> WidgetState to send

    async def run(self, page: str = "") -> RunResult:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = page
        for st in self.states.values():
            cs.widget_states.widgets.append(st)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        charts, version, figures, error, title = 0, "", [], "", ""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), ACTION_TIMEOUT_S)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                what = el.WhichOneof("type")
                if what == "plotly_chart":
                    charts += 1
                elif what == "exception":
                    error = f"exception: {el.exception.type}: {el.exception.message}"[:200]
                elif what == "heading" and not title:
                    title = el.heading.body
                elif what == "metric":
                    figures.append((el.metric.label, el.metric.body, el.metric.delta))
                elif what == "markdown" and el.markdown.help.startswith("Versjon "):
                    version = el.markdown.help.removeprefix("Versjon ")
                elif what in ("selectbox", "slider"):
                    w = getattr(el, what)
                    self.widgets[w.label] = w
            elif kind == "script_finished":
                status = fm.script_finished
                if status == RERUN:  # the app reran itself (e.g. after a fetch)
                    charts, figures = 0, []
                    continue
                if status != DONE:
                    error = error or f"script finished with status {status}"
                break
        ms = (time.perf_counter() - t0) * 1000
        if not error and charts == 0:
            error = "no chart delivered"
        return RunResult(ms, charts, version, tuple(figures), error, title)

    def choose_region(self, label: str) -> None:
        box = self.widgets[REGION_LABEL]
        st = self._state(box.id)
        st.string_value = label

    def move_slider(self) -> str:
        slider = next(w for w in self.widgets.values()
                      if getattr(w, "type", None) == 2)  # SELECT_SLIDER
        current = int(slider.default[0]) if len(slider.default) else 0
        option = slider.options[(current + 1) % len(slider.options)]
        st = self._state(slider.id)
        del st.string_array_value.data[:]
        st.string_array_value.data.append(option)
        return f"{slider.label}={option}"

    def _state(self, wid: str):
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        st = self.states.get(wid)
        if st is None:
            st = self.states[wid] = WidgetState(id=wid)
        return st


def _expect(r: RunResult, label: str) -> RunResult:
    """The page must show the kommune the session chose (the workshop bug lost it)."""
    name = label.split(" ", 1)[1]
    if not r.error and not r.title.endswith(name):
        r.error = f"wrong region: chose {label!r}, page shows {r.title!r}"
    return r


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def streamlit_pid(port: int) -> int:
    """The server process listening on ``port`` (the child ``run_app`` started)."""
    out = subprocess.run(["pgrep", "-f", "--", f"--server.port {port}"], capture_output=True,
                         text=True).stdout.split()
    return int(out[0])


async def one_session(url: str, i: int, labels: list[str], start: float,
                      results: list, all_done: asyncio.Event, counter: list,
                      link: str | None = None) -> None:
    rnd = random.Random(i)
    await asyncio.sleep(max(0.0, start + rnd.uniform(0, ARRIVAL_S) - time.perf_counter()))
    picks = rnd.sample([x for x in labels if x != link], 3)
    if link:
        picks[0] = link
    code = picks[0].split()[0]
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                      open_timeout=60, ping_interval=None) as ws:
            s = Session(ws, f"region={code}")
            r = _expect(await s.run("tjenester"), picks[0])
            results.append((("open", picks[0]), r))
            for label in picks[1:]:
                await asyncio.sleep(THINK_S)
                s.choose_region(label)
                r = _expect(await s.run("tjenester"), label)
                results.append((("switch", label), r))
            await asyncio.sleep(THINK_S)
            moved = s.move_slider()
            before = r.figures
            r = _expect(await s.run("tjenester"), picks[-1])
            if not r.error and r.figures == before:
                r.error = f"slider {moved} changed no figure"
            results.append((("slider " + moved, picks[-1]), r))
            counter[0] += 1
            if counter[0] == counter[1]:
                all_done.set()
            await all_done.wait()  # stay connected until every session is through
    except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
        results.append((("session", str(i)), RunResult(0, 0, "", (), f"{type(exc).__name__}: "
                                                                      f"{exc}"[:200])))
        counter[0] += 1
        if counter[0] == counter[1]:
            all_done.set()


def publish_refresh(db: Path) -> subprocess.Popen:
    """Another process publishes a new version (projection scaled by 1.01)."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from data_sources.store import publishing
with publishing({str(db)!r}) as w:
    w.execute("UPDATE projection SET persons = persons * 1.01")
"""
    return subprocess.Popen([sys.executable, "-c", code])


async def drive(urls: list[str], n: int, labels: list[str], db: Path, refresh: bool,
                pids: list[int], link: str | None = None):
    results: list = []
    all_done = asyncio.Event()
    counter = [0, n]
    peak = [0.0]

    async def sample():
        while not all_done.is_set():
            peak[0] = max(peak[0], sum(rss_mb(p) for p in pids))
            await asyncio.sleep(0.5)

    async def refresher():
        await asyncio.sleep(ARRIVAL_S * 0.8)
        proc = publish_refresh(db)
        while proc.poll() is None:
            await asyncio.sleep(0.2)
        if proc.returncode:
            results.append((("refresh", ""), RunResult(0, 0, "", (), "refresh failed")))

    start = time.perf_counter()
    tasks = [one_session(urls[i % len(urls)], i, labels, start, results, all_done, counter,
                         link) for i in range(n)]
    extra = [sample()] + ([refresher()] if refresh else [])
    await asyncio.gather(*tasks, *extra)
    return results, max(peak[0], sum(rss_mb(p) for p in pids))


def check_versions(results) -> tuple[int, int, int]:
    """(versions seen, mixed runs, comparable): one set of figures per (kommune, action,
    version); ``comparable`` counts (kommune, action) pairs seen under two versions with
    different figures, i.e. where a mix could have shown."""
    by_key = defaultdict(set)
    versions = set()
    for (action, label), r in results:
        if r.error or not r.version:
            continue
        versions.add(r.version)
        by_key[(action.split("=")[0], label, r.version)].add(r.figures)
    mixed = sum(len(v) - 1 for v in by_key.values())
    per_pair = defaultdict(set)
    for (action, label, _), figs in by_key.items():
        per_pair[(action, label)] |= figs
    comparable = sum(1 for figs in per_pair.values() if len(figs) > 1)
    return len(versions), mixed, comparable


def run_one(n: int, refresh: bool, full: Path, replicas: int = 1,
            link_code: str | None = None, prebuilt: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp, contextlib.ExitStack() as apps:
        # a copy when the run publishes into it; else the cached store itself, so the
        # reports prebuilt for it (--prebuilt) are kept for the next run
        db = Path(tmp) / "load.duckdb" if refresh else full
        if refresh:
            shutil.copyfile(full, db)
        env = {"KG_DB_PATH": str(db), "KG_AUTO_FETCH": "0",
               "KG_PREBUILT": "1" if prebuilt else "0"}
        if prebuilt:  # as the refresh job does after publishing (ui/prebuild.py)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "ui.prebuild"], check=True, cwd=ROOT,
                           env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            print(f"# prebuilt the reports in {time.perf_counter() - t0:.0f} s", flush=True)
        urls = [apps.enter_context(run_app({**env, "KG_APP_LOG": f"{tmp}/app{k}.log"},
                                           timeout=120)) for k in range(replicas)]
        pids = [streamlit_pid(int(u.rsplit(":", 1)[1])) for u in urls]
        from data_sources.store import get_store
        regs = get_store(db).query("SELECT code, name FROM regions WHERE level = "
                                   "'kommune' ORDER BY code")
        labels = [f"{c} {nm}" for c, nm in zip(regs["code"], regs["name"])]
        link = next((x for x in labels if x.split()[0] == link_code), None)
        if link_code and link is None:
            raise SystemExit(f"--link {link_code}: no such kommune in the store")
        # warm-up: one session per replica through the whole pattern (process start,
        # imports), on kommuner the run does not use first
        for url, pid in zip(urls, pids):
            asyncio.run(drive([url], 1, labels[:4], db, False, [pid]))
        base = sum(rss_mb(p) for p in pids)
        cpu0 = sum(cpu_s(p) for p in pids)
        results, peak = asyncio.run(drive(urls, n, labels, db, refresh, pids, link))
        cpu = sum(cpu_s(p) for p in pids) - cpu0
        end = sum(rss_mb(p) for p in pids)
        errors = [r.error for _, r in results if r.error]
        ms = sorted(r.ms for _, r in results if not r.error)
        p50 = statistics.median(ms) if ms else float("nan")
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))] if ms else float("nan")
        versions, mixed, comparable = check_versions(results)
        print(f"sessions={n} p50_ms={p50:.0f} p95_ms={p95:.0f} errors={len(errors)} "
              f"rss_mb={peak:.0f}" + (f" replicas={replicas}" if replicas > 1 else "")
              + (f" link={link_code}" if link_code else "")
              + (" prebuilt" if prebuilt else ""), flush=True)
        per = (end - base) / max(n, 1)
        print(f"  actions={len(ms)} server_cpu_s={cpu:.1f} "
              f"server_cpu_per_action_ms={cpu * 1000 / max(len(results), 1):.0f} "
              f"rss_after_warmup_mb={base:.0f} rss_end_mb={end:.0f} "
              f"per_extra_session_mb={per:.1f} versions_seen={versions} mixed_runs={mixed} "
              f"pairs_changed_by_refresh={comparable}"
              + (" refresh_published_mid_run" if refresh else ""), flush=True)
        kinds = defaultdict(list)
        for (action, _), r in results:
            if not r.error:
                kinds[action.split()[0]].append(r.ms)
        print("  by_action " + " ".join(
            f"{k}_p50_ms={statistics.median(v):.0f} {k}_p95_ms="
            f"{sorted(v)[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]:.0f}"
            for k, v in kinds.items()), flush=True)
        for e in sorted(set(errors))[:5]:
            print(f"  error: {e}", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 25, 50])
    ap.add_argument("--refresh", action="store_true",
                    help="publish a new store version in the middle of each run")
    ap.add_argument("--prebuilt", action="store_true",
                    help="prebuild every region's reports first, as the refresh job does "
                         "(python -m ui.prebuild)")
    ap.add_argument("--replicas", type=int, default=1,
                    help="app processes on the same store, sessions spread over them")
    ap.add_argument("--link", metavar="CODE",
                    help="every session opens this kommune first (one shared link)")
    args = ap.parse_args(argv)
    full = cached_full_store()
    for n in args.sessions:
        run_one(n, args.refresh, full, args.replicas, args.link, args.prebuilt)


if __name__ == "__main__":
    main()
