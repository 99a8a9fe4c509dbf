"""Warm a freshly started server process before its first visitor asks for a page.

On a fresh process the first script run pays for everything once per process: importing
pandas, DuckDB, Plotly and our modules, opening the store, the per-store-version caches
every page reads (the sidebar's region list, the link's data versions and kommune changes,
which regions the store holds, the sources, the country's population cube every growth
index compares with) and Plotly's first figure. ``start()`` does that work in a background
thread as soon as the server starts (``serve.py`` calls it from Streamlit's lifespan hook),
and the server starts listening, so answers its health check, when it is done (``WAIT_S``
at most). It fills the same caches the pages use (``ui.data``, ``analysis.report.memo``),
so nothing a visitor sees changes. If a step fails, the warm-up logs it and stops, and
sessions compute what they need themselves.

Why the health check waits: the proxy (``deploy/Caddyfile``) sends visitors only to
replicas that answer it, so a restarted replica is warm before anyone is routed to it, and a
link opened as soon as a server answers does not pay for the warm-up. Measured on this
2-core machine with the machine loaded by other work (``bench/pages.py --cold-only``):
started without waiting, the warm-up was still running when the first browser's script run
came (about a second after the health check: Streamlit's JavaScript loads first), competed
with it for the interpreter, and that run finished no sooner than without any warm-up
(``cold_run_ms`` 5.4 s against 5.3 s, medians of 3).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import gzip
import importlib
import logging
import threading
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
LOG = logging.getLogger(__name__)

WAIT_S = 60.0  # the longest the server waits for the warm-up before it starts listening
done = threading.Event()  # set when the warm-up has finished (or given up)
_thread: threading.Thread | None = None
_lock = threading.Lock()


def modules() -> list[str]:
    """The modules ``app.py`` and the views import at their top level, read from their
    source (so a new view's imports are warmed without a list to keep in step)."""
    out: dict[str, None] = {}
    for path in [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py"))]:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                out.update((a.name, None) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level \
                    and node.module != "__future__":
                out[node.module] = None
                for a in node.names:  # ``from ui import data``: ui.data is a module
                    out[f"{node.module}.{a.name}"] = None
    return list(out)


def _import_all() -> None:
    for name in modules():
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            pass  # ``from ui import render``'s names that are functions, not modules
    import plotly.io  # noqa: F401  (st.plotly_chart serialises with plotly.io.to_json)
    import plotly.tools  # noqa: F401


def _streamlit_once() -> None:
    """Streamlit's once-per-process check on the first element a script draws (whether it
    runs in a REPL: ``inspect.stack()``, reading the source of every frame of the script
    thread, 0.1–0.4 s measured there); from this thread's short stack it costs little."""
    from streamlit import delta_generator
    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if check is not None:
        check()


def _sidebar() -> None:
    """What ``app.py`` reads before any page: the region list, the link's data versions
    and kommune changes, which regions the store holds."""
    from ui import data, state
    data.region_options()
    data.region_lookup()
    data.cached(state._changes)
    data.cached(state._versions)
    data.missing_tables("0")


def _country():
    """The whole country as a link without parameters selects it."""
    from analysis.report import Selection
    from analysis.report_link import DEFAULTS
    from ui import data
    opts = data.region_options()
    row = opts[opts["level"] == "land"]
    if row.empty:
        return None
    return Selection(row["code"].iloc[0], row["name"].iloc[0], "land", None,
                     DEFAULTS["alternative"], int(DEFAULTS["horizon"]), None)


def _population(sel) -> None:
    """Befolkning's report for the country (builds the store's sources, the newest
    projection table and the country's population cube, which every region's growth index
    compares with) and its figures."""
    from analysis.population_report import population_report
    from analysis.report_link import DEFAULTS
    from ui import data
    _figures(data.shared(population_report, sel, DEFAULTS["language"], ()))


def _services(sel) -> None:
    """Tjenester' and Bemanning's reports for the country, unchanged scenario (the KOSTRA
    register and comparisons, today's base) and their figures."""
    from analysis import services as sv
    from analysis.report_link import DEFAULTS
    from analysis.services_report import services_report, staffing_report
    from ui import data
    for fn in (services_report, staffing_report):
        _figures(data.shared(fn, sel, sv.UNCHANGED, DEFAULTS["language"], ()))


def _figures(report) -> None:
    """Build and serialise each of a report's figures once, as ``st.plotly_chart`` does
    (Plotly loads its validators and serialiser on the first figure of each kind)."""
    import plotly.io
    from analysis.report import Chart
    from ui import render
    if report is None or report.missing:
        return
    for sec in report.sections:
        for c in sec.items:
            if isinstance(c, Chart):
                plotly.io.to_json(render.figure(c), validate=False)


def warm() -> None:
    """The warm-up, in the calling thread: imports and what every page reads first, then
    Befolkning's inputs, Oversikt's, Tjenester'/Bemanning's; ``done`` is set at the end."""
    try:
        _streamlit_once()
        _import_all()
        from ui import data
        with data.run_scope():
            _sidebar()
            sel = _country()
            if sel is not None:
                _population(sel)
            data.status()  # «Oversikt» (the default page): what the store holds
            if sel is not None:
                _services(sel)
        start_prebuild()
    except Exception:  # an optimisation only: sessions compute what they need themselves
        LOG.warning("warm-up stopped early", exc_info=True)
    finally:
        done.set()


def start_prebuild():
    """Prebuild the published version's reports (``ui.prebuild``) in a separate, niced
    process when the store folder is writable and they are not there yet (a server on its
    own; replicas on a read-only store leave it to the refresh job). Returns the process."""
    import os
    import subprocess
    import sys
    from data_sources import config, derived
    from data_sources import store as store_mod
    if not config.prebuild_on_start():
        return None
    s = store_mod.get_store()
    root = derived.root(s)
    if not s.version or root is None or derived.is_complete(s) \
            or not os.access(root.parent, os.W_OK):
        return None
    return subprocess.Popen([sys.executable, "-m", "ui.prebuild", "--jobs", "1"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: os.nice(10), start_new_session=True)


def prefetch(view: str, params: dict[str, str]) -> None:
    """Build Befolkning's report for a link (``view``: the URL path's last part, ``params``:
    its query) as the page will ask for it: the link is read as ``ui.state`` reads it, so
    the selection, målform and comparison set, hence the cache key, are the page's.
    Called when the browser asks for the page's HTML (``Prefetch``); the page's first script
    run comes about a second later, once Streamlit's JavaScript has loaded, and finds the
    report built. Other views are left to their first run."""
    if view != "befolkning" or "region" not in params:
        return
    from analysis import report_link as rl
    from analysis.population_report import population_report
    from data_sources import catalog
    from ui import data, state
    with data.run_scope():
        lookup = data.region_lookup()
        link = rl.parse(params, lookup.names, data.cached(state._changes),
                        catalog.ALTERNATIVE_ORDER, *state._slider_options())
        v = data.cached(state._versions)
        newest = next(iter(v["rounds"]), None)
        proj = v["rounds"][link.proj_round] if link.proj_round in v["rounds"] \
            and link.proj_round != newest else None
        sel = state.selection_of(lookup, link.region, link.alternative, link.horizon, proj)
        data.shared(population_report, sel, link.language, tuple(link.compare or ()))


_PREFETCHED: dict[tuple[str, str, str], None] = {}  # (version, view, query), oldest first


def _prefetch_once(view: str, query: str) -> None:
    """``prefetch`` in a daemon thread, once per recent link and published store version (a
    webinar opening one link starts one build; the sessions then share the report)."""
    from data_sources import config
    from data_sources.store import published_version
    key = (published_version(config.db_path()), view, query)
    with _lock:
        if key in _PREFETCHED:
            return
        _PREFETCHED[key] = None
        while len(_PREFETCHED) > 256:
            del _PREFETCHED[next(iter(_PREFETCHED))]
    params = {k: v[-1] for k, v in parse_qs(query).items()}

    def run():
        try:
            prefetch(view, params)
        except Exception:  # an optimisation only: the page computes it itself
            LOG.warning("prefetch of %s?%s failed", view, query, exc_info=True)

    threading.Thread(target=run, name="kg-prefetch", daemon=True).start()


class Prefetch:
    """ASGI middleware (``st.App(..., middleware=[Middleware(Prefetch)])``): a GET for a
    view's page with a query (a shared link) starts ``prefetch`` and is served as usual."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("method") == "GET" and scope.get("query_string"):
            view = scope.get("path", "").rstrip("/").rsplit("/", 1)[-1]
            if view == "befolkning" and done.is_set():
                _prefetch_once(view, scope["query_string"].decode("latin-1"))
        await self.app(scope, receive, send)


def _plotly_chunk() -> str | None:
    """Path (as the page's HTML writes its own scripts) of Streamlit's Plotly chart code."""
    import streamlit
    found = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js")
                   .glob("PlotlyChart.*.js"))
    return f"./static/js/{found[0].name}" if found else None


class Preload:
    """ASGI middleware: every page's HTML asks the browser to fetch and compile Streamlit's
    Plotly chart code (one 4.7 MB module) while Streamlit's own code starts
    (``<link rel="modulepreload">``, as the page does for its other modules), and to run it
    (an ``import()``) while the first script run is on the server, when the browser has
    nothing else to do. Without it the browser asks for that module only when the first
    chart arrives over the websocket, and a cold browser then spends seconds fetching,
    compiling and running it before it draws anything (a cold Befolkning link: first chart
    2.97 s after the health check with both, 3.11 s with the preload alone).
    Responses other than the page's HTML pass through untouched."""

    def __init__(self, app):
        self.app = app
        href = _plotly_chunk()
        self.tag = (f'<link rel="modulepreload" href="{href}">'
                    f'<script type="module">import("{href}")</script>').encode() if href else b""

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not self.tag or scope["type"] != "http" or scope.get("method") != "GET" \
                or path.startswith(("/static/", "/_stcore/", "/media/", "/component/")):
            await self.app(scope, receive, send)
            return
        state: dict = {}

        async def rewrite(message):
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                # browsers ask for gzip and get the HTML compressed: opened, tagged and
                # compressed again (8 KB); any other encoding passes through as it is
                encoding = headers.get(b"content-encoding")
                html = headers.get(b"content-type", b"").startswith(b"text/html") \
                    and encoding in (None, b"gzip")
                state.update(start=message, html=html, body=[], gzip=encoding == b"gzip")
                if not html:
                    await send(message)
                return
            if message["type"] != "http.response.body" or not state.get("html"):
                await send(message)
                return
            state["body"].append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(state["body"])
            if state["gzip"]:
                body = gzip.compress(gzip.decompress(body).replace(
                    b"</head>", self.tag + b"</head>", 1))
            else:
                body = body.replace(b"</head>", self.tag + b"</head>", 1)
            start = dict(state["start"])
            start["headers"] = [(k, str(len(body)).encode() if k == b"content-length" else v)
                                for k, v in state["start"].get("headers") or []]
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def start() -> threading.Thread:
    """Start the warm-up in a daemon thread, once per process; returns that thread."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=warm, name="kg-warmup", daemon=True)
            _thread.start()
        return _thread


@contextlib.asynccontextmanager
async def lifespan(app):
    """Streamlit's lifespan hook (``st.App(..., lifespan=lifespan)``): the runtime has
    started, so the caches the warm-up fills are the ones sessions read; the server starts
    listening when the warm-up is done (or after ``WAIT_S``)."""
    start()
    await asyncio.to_thread(done.wait, WAIT_S)
    yield None
