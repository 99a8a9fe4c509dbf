"""ui/warmup.py: the warm-up a fresh server runs as it starts builds what the first runs of a
page read, and a first run after it draws the same page as a first run without it.

Two copies of one authored store (tests/test_page_tjenester.py: the country, Nordland, Møre og
Romsdal, Bodø, Røst, Ålesund, Haram) are different store versions, so their caches are
separate: one is opened cold, the other after ``warmup.warm()``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_sources.store import Store, reset_store
from tests.paths import ROOT
from tests.test_page_tjenester import make_store
from ui import warmup

APP = str(ROOT / "app.py")


def test_modules_are_what_app_and_the_views_import():
    mods = warmup.modules()
    for m in ("ui.data", "ui.fetch", "ui.state",  # app.py
              "analysis.population_report", "ui.render", "ui.export",  # views/befolkning.py
              "analysis.services_report", "ui.scenario",  # views/tjenester.py
              "analysis.geo", "analysis.similarity"):  # views/region.py
        assert m in mods, m
    assert "__future__" not in mods


@pytest.fixture
def stores(tmp_path):
    make_store(tmp_path / "cold.duckdb").close()
    shutil.copy(tmp_path / "cold.duckdb", tmp_path / "warm.duckdb")
    return tmp_path / "cold.duckdb", tmp_path / "warm.duckdb"


def _page(region: str) -> AppTest:
    """The first runs of a session opening ``/befolkning?region=…`` (as bench/pages.py: the
    start page, then Befolkning)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(region=region, alt="MMMM", aar="2040")
    at.run()
    at.switch_page("views/befolkning.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> list:
    """Everything the page shows as text, and each chart's figure as Streamlit sends it."""
    out = [(e.type, e.value) for kind in ("title", "subheader", "markdown", "caption")
           for e in at.get(kind)]
    out += [(m.label, m.value, m.delta) for m in at.metric]
    out += [c.proto.spec for c in at.get("plotly_chart")]
    return out


def _count_reads(monkeypatch) -> list:
    """Every DuckDB access goes through ``Store.cursor()``: count the calls from now on."""
    calls = []
    original = Store.cursor

    def cursor(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Store, "cursor", cursor)
    return calls


@pytest.mark.parametrize("region", ["0", "1804"])
def test_first_run_after_warmup_shows_the_same_page_with_fewer_reads(stores, monkeypatch,
                                                                     region):
    cold_db, warm_db = stores
    monkeypatch.setenv("KG_AUTO_FETCH", "0")
    reset_store()
    monkeypatch.setenv("KG_DB_PATH", str(cold_db))
    calls = _count_reads(monkeypatch)
    cold = _shown(_page(region))
    cold_reads = len(calls)

    monkeypatch.setenv("KG_DB_PATH", str(warm_db))
    warmup.warm()
    calls.clear()
    warm = _shown(_page(region))
    reset_store()

    assert warm == cold
    assert cold[0][0] == "title" and cold[0][1].startswith("Befolkning – ")
    if region == "0":  # everything the country's page reads was built by the warm-up
        assert calls == []
    else:  # Bodø's own rows are read; the sidebar's, the sources and the country's are not
        assert 0 < len(calls) < cold_reads


def test_a_prefetched_link_is_the_report_its_page_draws(stores, monkeypatch):
    """What ``warmup.Prefetch`` starts when a browser asks for a Befolkning link's page: the
    report the page's first run then asks for, with the link's kommune, alternative, year,
    målform and comparison set (so the page reads nothing more), and the same page."""
    cold_db, warm_db = stores
    monkeypatch.setenv("KG_AUTO_FETCH", "0")
    reset_store()
    link = {"region": "1804", "alt": "LLML", "aar": "2050", "maal": "nn", "sml": "1856,1508"}

    def page():
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(link)
        at.run()
        at.switch_page("views/befolkning.py")
        at.run()
        assert not at.exception, at.exception
        return _shown(at)

    monkeypatch.setenv("KG_DB_PATH", str(cold_db))
    calls = _count_reads(monkeypatch)
    cold = page()
    monkeypatch.setenv("KG_DB_PATH", str(warm_db))
    warmup.warm()
    warmup.prefetch("befolkning", link)
    calls.clear()
    warm = page()
    reset_store()
    assert warm == cold
    assert cold[0] == ("title", "Befolkning – Bodø")
    assert any("Lagra utval (2 kommunar)" in str(x) for x in cold)  # nynorsk, the set
    assert calls == []


def test_the_middleware_starts_one_prefetch_per_befolkning_link(monkeypatch, tmp_path):
    import asyncio
    import threading
    import time

    monkeypatch.setenv("KG_DB_PATH", str(tmp_path / "none.duckdb"))
    started = []
    monkeypatch.setattr(warmup, "prefetch", lambda view, params: started.append((view, params)))
    monkeypatch.setattr(warmup, "done", threading.Event())
    monkeypatch.setattr(warmup, "_PREFETCHED", {})
    warmup.done.set()
    served = []

    async def streamlit_app(scope, receive, send):
        served.append(scope["path"])

    mw = warmup.Prefetch(streamlit_app)
    for path, query in [("/befolkning", b"region=1804&alt=MMMM"),
                        ("/befolkning", b"region=1804&alt=MMMM"),  # the same link again
                        ("/tjenester", b"region=1804"), ("/befolkning", b""),
                        ("/_stcore/health", b"")]:
        asyncio.run(mw({"type": "http", "method": "GET", "path": path,
                        "query_string": query}, None, None))
    deadline = time.monotonic() + 30  # the prefetch thread has run (a wait, not a timing)
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert served == ["/befolkning", "/befolkning", "/tjenester", "/befolkning",
                      "/_stcore/health"]  # every request is served as usual
    assert started == [("befolkning", {"region": "1804", "alt": "MMMM"})]


def test_the_page_html_preloads_plotly_and_everything_else_passes_through():
    """``warmup.Preload`` adds one ``modulepreload`` of Streamlit's Plotly chart module (a
    file that exists) and an import that runs it to a page's HTML, with its length; other
    responses are untouched."""
    import asyncio

    import streamlit

    page = b"<html><head><title>x</title></head><body></body></html>"
    script = b"console.log(1)"

    def app_serving(body: bytes, ctype: bytes, parts: int = 2, encoding: bytes | None = None):
        async def streamlit_app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", ctype),
                                    (b"content-length", str(len(body)).encode()),
                                    *([(b"content-encoding", encoding)] if encoding else [])]})
            cut = len(body) // parts
            await send({"type": "http.response.body", "body": body[:cut], "more_body": True})
            await send({"type": "http.response.body", "body": body[cut:]})
        return streamlit_app

    def get(mw, path: str) -> tuple[dict, bytes]:
        sent = []

        async def send(message):
            sent.append(message)
        asyncio.run(mw({"type": "http", "method": "GET", "path": path, "query_string": b""},
                       None, send))
        return dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])

    headers, body = get(warmup.Preload(app_serving(page, b"text/html; charset=utf-8")),
                        "/befolkning")
    tags = re.findall(rb'<link rel="modulepreload" href="\./(static/js/PlotlyChart\.[^"]+)">'
                      rb'<script type="module">import\("\./(static/js/PlotlyChart\.[^"]+)"\)'
                      rb"</script></head>", body)
    assert len(tags) == 1 and tags[0][0] == tags[0][1]  # fetched, then run, one module
    added = (b'<link rel="modulepreload" href="./' + tags[0][0] + b'">'
             b'<script type="module">import("./' + tags[0][0] + b'")</script>')
    assert body.replace(added, b"") == page
    tags = [tags[0][0]]
    assert (Path(streamlit.__file__).parent / "static" / tags[0].decode()).is_file()
    assert headers[b"content-length"] == str(len(body)).encode()
    # what a browser gets: the HTML gzip-compressed (it asks for it), tagged all the same
    import gzip
    headers, zipped = get(warmup.Preload(app_serving(gzip.compress(page), b"text/html",
                                                     encoding=b"gzip")), "/befolkning")
    assert gzip.decompress(zipped) == body and headers[b"content-encoding"] == b"gzip"
    assert headers[b"content-length"] == str(len(zipped)).encode()
    # another encoding cannot be opened here: passed through unchanged
    headers, same = get(warmup.Preload(app_serving(b"\x00br", b"text/html", encoding=b"br")),
                        "/befolkning")
    assert same == b"\x00br"
    headers, body = get(warmup.Preload(app_serving(script, b"text/javascript")),
                        "/static/js/x.js")
    assert body == script and headers[b"content-length"] == str(len(script)).encode()
    headers, body = get(warmup.Preload(app_serving(b'{"a": "</head>"}', b"application/json")),
                        "/api")
    assert body == b'{"a": "</head>"}'
