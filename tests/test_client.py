"""SSBClient against the loopback stand-in over real HTTP."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest
import requests

from data_sources.client import (ApiConfig, RateLimiter, Selection, SSBBadResponse, SSBClient,
                                 SSBError, SSBHTTPError, SSBNotFound, SSBOffline, SSBRateLimited,
                                 SSBTooManyCells, SSBUnavailable)
from tests.conftest import big_projection_table, small_population_table
from tests.standin import StandinServer


def client(server, **kw) -> SSBClient:
    kw.setdefault("limiter", RateLimiter())
    kw.setdefault("backoff", 0.01)
    kw.setdefault("max_retry_wait", 2.0)
    kw.setdefault("timeout", 10)
    return SSBClient(server.url, **kw)


@pytest.fixture
def small():
    with StandinServer([small_population_table()], max_calls=1000, window_s=10,
                       timeout_s=1.0) as server:
        yield server


def data_calls(server):
    return [m for m, p in server.requests if "/data" in p]


# ---- config / metadata / search ----------------------------------------------------------
def test_config_read_at_run_time_and_sets_limiter():
    with StandinServer([small_population_table()], max_cells=1234, max_calls=77,
                       window_s=9) as s:
        c = client(s)
        assert c.config() == ApiConfig(1234, 77, 9.0)
        assert (c.limiter.max_calls, c.limiter.window_s) == (77, 9.0)
        c.config()
        assert c.requests_made == 1  # cached


def test_config_zero_falls_back_to_ratelimit_header(small):
    orig = small.config_body
    small.config_body = lambda: {**orig(), "maxCallsPerTimeWindow": 0, "timeWindow": 0}
    assert client(small).config() == ApiConfig(800_000, 1000, 10.0)


def test_config_failure_gives_defaults(small):
    small.inject(r"/config$", "500")
    assert client(small).config() == ApiConfig(800_000, 30, 60.0)


def test_search_all_pages_and_title_prefix(standin):
    c = client(standin)
    hits = c.search_tables("folkemengde befolkning", page_size=1)
    assert {h["id"] for h in hits} == {"07459", "14746"}
    assert all({"id", "label", "updated", "firstPeriod", "lastPeriod", "variableNames"} <= set(h)
               for h in hits)
    assert [h["id"] for h in c.search_tables("title:Framskrevet")] == ["14746"]
    assert c.search_tables("finnesikke") == []


def test_metadata_is_jsonstat_and_cached(small):
    c = client(small)
    m = c.metadata("07459")
    assert m["class"] == "dataset" and m["id"] == ["Region", "Kjonn", "ContentsCode", "Tid"]
    assert m["dimension"]["Region"]["extension"]["elimination"] is True
    assert m["dimension"]["Region"]["extension"]["codelists"][0]["id"] == "agg_KommSummer"
    n = c.requests_made
    assert c.metadata("07459") is m
    assert c.requests_made == n and len(small.requests) == n
    c.metadata("07459", refresh=True)
    assert c.requests_made == n + 1


def test_updated_and_not_found(small):
    c = client(small)
    assert c.updated("07459") == "2026-02-25T07:00:00Z"
    with pytest.raises(SSBNotFound):
        c.metadata("99999")


def test_codelist(small):
    cl = client(small).codelist("agg_KommSummer")
    assert [v["code"] for v in cl["values"]] == ["K-3101", "K-3103", "K-0301"]
    assert cl["values"][0]["valueMap"] == ["3101"]


# ---- data --------------------------------------------------------------------------------
def test_get_data_eliminates_and_fills_mandatory(small):
    c = client(small)
    [ds] = c.get_data("07459", [Selection("Region", ["3101", "0301"]),
                                Selection("Tid", ["top(2)"])])
    assert ds["id"] == ["Region", "ContentsCode", "Tid"]  # Kjonn summed away
    # value = 6*r + 3*k + t summed over k; (3101, k=1, 2026) is NaN and is skipped in the sum
    assert ds["value"] == [(7) + (10), (8), (19) + (22), (20) + (23)]
    assert data_calls(small) == ["GET"]


def test_status_symbols_and_nulls(small):
    [ds] = client(small).get_data("07459", [Selection("Region", ["3101"]),
                                            Selection("Kjonn", ["2"])])
    assert ds["value"][2] is None
    assert ds["status"] == {"2": ".."}


def test_codelist_in_query(small):
    c = client(small)
    [ds] = c.get_data("07459", [Selection("Region", ["K-3101", "K-0301"], "agg_KommSummer"),
                                Selection("Kjonn", ["1"]), Selection("Tid", ["2024"])])
    assert list(ds["dimension"]["Region"]["category"]["index"]) == ["K-3101", "K-0301"]
    assert ds["value"] == [6, 18]
    assert "codelist%5BRegion%5D=agg_KommSummer" in small.requests[-1][1]


def test_unknown_code_and_variable_fail_before_sending(small):
    c = client(small)
    with pytest.raises(SSBError, match="ukjent kode"):
        c.get_data("07459", [Selection("Region", ["9999"])])
    with pytest.raises(SSBError, match="ingen variabel"):
        c.get_data("07459", [Selection("Fylke", ["*"])])
    assert data_calls(small) == []


def test_standin_answers_problem_json_for_bad_value(small):
    r = requests.get(f"{small.url}/tables/07459/data?valueCodes[Region]=9999"
                     "&valueCodes[Tid]=*&valueCodes[ContentsCode]=*")
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json() == {"type": "Parameter error", "title": "Non-existent value", "status": 400}
    assert requests.get(f"{small.url}/tables/07459/data?x=" + "y" * 2100).status_code == 404


def test_get_switches_to_post_for_long_urls(standin):
    c = client(standin)
    regions = big_projection_table().dimensions[0].codes
    sel = [Selection("Alder", ["080"]), Selection("Kjonn", ["1"]), Selection("Tid", ["2030"]),
           Selection("ContentsCode", ["Personer"])]
    before = len(standin.requests)
    [short] = c.get_data("14746", sel + [Selection("Region", regions[:20])])
    [long_] = c.get_data("14746", sel + [Selection("Region", regions)])  # > 2,000 chars as GET
    methods = [m for m, p in standin.requests[before:] if "/data" in p]
    assert methods == ["GET", "POST"]
    assert long_["size"][0] == 400 and long_["value"][:20] == short["value"]


def test_two_million_cells_in_minimum_requests_every_cell_once(standin):
    table = big_projection_table()
    c = client(standin)
    seen_progress = []
    before = standin.data_requests
    t0 = time.monotonic()
    datasets = c.get_data("14746", [Selection("Region", ["*"]), Selection("Kjonn", ["*"]),
                                    Selection("Alder", ["*"])],
                          progress=lambda d, t: seen_progress.append((d, t)))
    elapsed = time.monotonic() - t0
    assert len(datasets) == 3 == standin.data_requests - before   # ceil(2e6 / 8e5)
    assert seen_progress == [(0, 3), (1, 3), (2, 3), (3, 3)]
    hits = np.zeros(table.values.shape, dtype=np.int64)
    for ds in datasets:
        assert int(np.prod(ds["size"])) <= 800_000
        idx = [np.array([list(table.dim(d).codes).index(code)
                         for code in ds["dimension"][d]["category"]["index"]])
               for d in ds["id"]]
        hits[np.ix_(*idx)] += 1
        np.testing.assert_array_equal(
            np.asarray(ds["value"], dtype=np.float64).reshape(ds["size"]),
            table.values[np.ix_(*idx)])
    assert hits.min() == hits.max() == 1
    assert elapsed < 30


def test_too_many_cells_from_server_halves_and_succeeds(small):
    small.inject(r"/data$", "400cells")
    progress = []
    c = client(small)
    datasets = c.get_data("07459", [Selection("Region", ["*"]), Selection("Kjonn", ["*"])],
                          progress=lambda d, t: progress.append((d, t)))
    assert len(datasets) == 2
    assert sorted(sum((list(ds["dimension"]["Region"]["category"]["index"]) for ds in datasets),
                      [])) == sorted(["0", "3101", "3103", "0301"])
    assert progress[-1] == (2, 2)


def test_too_many_cells_single_cell_gives_typed_error(small):
    small.inject(r"/data$", "400cells", times=10)
    with pytest.raises(SSBTooManyCells) as err:
        client(small).get_data("07459", [Selection("Region", ["0"]), Selection("Kjonn", ["1"]),
                                         Selection("Tid", ["2024"])])
    assert err.value.problem["title"] == "Too many cells selected"


# ---- retries, faults, offline ------------------------------------------------------------
def test_429_retried_honouring_retry_after(small):
    c = client(small)
    c.config()
    small.inject(r"/data$", "429", retry_after=1)
    t0 = time.monotonic()
    [ds] = c.get_data("07459", [Selection("Region", ["0"])])
    assert time.monotonic() - t0 >= 0.9
    assert data_calls(small) == ["GET", "GET"]
    assert c.requests_made == 4  # config, metadata, 429, retry


def test_429_exhausted_is_typed(small):
    small.inject(r"/tables/07459$", "429", times=10)
    with pytest.raises(SSBRateLimited):
        client(small, retries=2).updated("07459")


def test_503_retried_then_unavailable(small):
    small.inject(r"/tables/07459$", "503")
    assert client(small).updated("07459")
    small.inject(r"/tables/07459$", "503", times=10)
    with pytest.raises(SSBUnavailable):
        client(small, retries=1).updated("07459")


def test_500_is_http_error_with_problem(small):
    small.inject(r"/tables/07459$", "500")
    with pytest.raises(SSBHTTPError) as err:
        client(small).updated("07459")
    assert err.value.status == 500 and err.value.problem["status"] == 500


def test_timeout_retried_then_offline(small):
    small.inject(r"/tables/07459$", "timeout")
    assert client(small, timeout=0.3).updated("07459")      # second attempt answers
    small.inject(r"/tables/07459$", "timeout", times=10)
    c = client(small, timeout=0.3, retries=1)
    with pytest.raises(SSBOffline, match="nettverkstilgang"):
        c.updated("07459")
    assert c.requests_made == 2


def test_truncated_body_retried_then_bad_response(small):
    c = client(small)
    small.inject(r"/metadata$", "truncated")
    assert c.metadata("07459")["id"][0] == "Region"
    small.inject(r"/tables/07459$", "truncated", times=10)
    with pytest.raises(SSBBadResponse):
        c.updated("07459")


def test_nothing_listening_is_offline():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    c = SSBClient(f"http://127.0.0.1:{port}/api/pxwebapi/v2", limiter=RateLimiter(),
                  retries=1, backoff=0.01, timeout=2)
    t0 = time.monotonic()
    with pytest.raises(SSBOffline):
        c.metadata("07459")
    assert time.monotonic() - t0 < 5


# ---- rate limiting -----------------------------------------------------------------------
def test_shared_limiter_across_threads_never_exceeds_window():
    window, max_calls = 0.4, 4
    with StandinServer([small_population_table()], max_calls=max_calls, window_s=window) as s:
        limiter = RateLimiter()
        clients = [client(s, limiter=limiter, retries=0) for _ in range(3)]
        clients[0].config()
        errors = []

        def work(c):
            try:
                for _ in range(4):
                    c.updated("07459")
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(clients[i % 3],)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and s.rate_limited == 0
        hits = sorted(s.hits)
        assert len(hits) == 21
        for i, h in enumerate(hits):
            assert sum(1 for x in hits[i:] if x < h + window) <= max_calls


def test_cache_hits_do_not_use_the_limiter():
    with StandinServer([small_population_table()], max_calls=2, window_s=30) as s:
        c = client(s)
        c.config()
        c.metadata("07459")                      # second and last call in the window
        t0 = time.monotonic()
        for _ in range(200):
            c.metadata("07459")
        assert time.monotonic() - t0 < 0.5
        assert c.requests_made == 2 == len(s.requests)


def test_default_limiter_is_shared():
    a, b = SSBClient("http://127.0.0.1:9"), SSBClient("http://127.0.0.1:9")
    assert a.limiter is b.limiter
