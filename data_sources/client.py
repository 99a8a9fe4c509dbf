"""HTTP client for Statistics Norway's PxWebApi 2 (``https://data.ssb.no/api/pxwebapi/v2``).

Public API: ``SSBClient``, ``Selection``, ``ApiConfig``, ``RateLimiter``, ``DEFAULT_LIMITER``
and the errors ``SSBError`` > ``SSBHTTPError`` > (``SSBNotFound``, ``SSBRateLimited``,
``SSBUnavailable``, ``SSBTooManyCells``), ``SSBOffline``, ``SSBBadResponse``. Messages are
Norwegian (they reach users).

Verified against public sources (PxTools/PxWebApi source, janbrus/ssb-api-v2-examples —
SSB staff's notes checked against the live API in 2026 — and public client code):

- ``GET /config`` has ``maxDataCells`` (800,000 at SSB), ``maxCallsPerTimeWindow`` and
  ``timeWindow`` (seconds). Since 2026-08 SSB returns 0 for the last two and announces the
  limit in headers instead (``x-ratelimit-policy: 40;w=60s``). So: positive /config values
  win, else that header on the /config response, else 30 calls / 60 s.
- ``GET /tables?query=..&pageSize=..&pageNumber=..`` -> ``{"tables": [{id, label, updated,
  firstPeriod, lastPeriod, variableNames, ...}], "page": {pageNumber, pageSize,
  totalElements, totalPages, links}}``; ``GET /tables/{id}`` gives one such entry.
- ``GET /tables/{id}/metadata?lang=no&outputFormat=json-stat2`` -> JSON-stat 2 with
  ``dimension[v].extension.elimination`` and ``.extension.codelists[{id, label, type}]``.
- ``GET /codelists/{id}`` -> ``{id, label, type, values: [{code, label, valueMap}]}``.
- Data: ``GET /tables/{id}/data?lang=no&outputFormat=json-stat2&valueCodes[V]=a,b&codelist[V]=x``
  or ``POST`` the same path with ``{"selection": [{"variableCode", "valueCodes", "codelist"}]}``.
  Expressions ``*``, ``?``, ``top(n[,o])``, ``bottom``, ``from``, ``to``, ``range`` (see
  ``planner``). ``Tid`` and ``ContentsCode`` are mandatory; omitted eliminable variables
  disappear from the answer.
- 400 errors carry ``{"type": "Parameter error", "title": ..., "status": 400}``; too many cells
  has title "Too many cells selected". GET URLs beyond ~2,000 characters get 404.

Assumed (not verifiable offline): 403 can also mean too many cells (from the issue text);
429/503 may carry ``Retry-After`` in seconds; the metadata answer may lack ``value``.

Retries: urllib3 ``Retry`` on connection errors, read timeouts and 429/502/503/504, for GET
and POST (our POSTs are reads), honouring ``Retry-After`` (capped by ``max_retry_wait``).
A body cut short or not JSON is fetched again up to ``bad_body_retries`` times.

Rate limiting: one ``RateLimiter`` per process (``DEFAULT_LIMITER``) shared by all clients and
threads; only real network calls (and urllib3's retries) take a slot, in-memory cache hits
(metadata, codelists, config) do not.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote, urlencode

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import config as _config
from . import jsonstat, planner

__all__ = ["SSBClient", "Selection", "ApiConfig", "RateLimiter", "DEFAULT_LIMITER",
           "SSBError", "SSBHTTPError", "SSBNotFound", "SSBRateLimited", "SSBUnavailable",
           "SSBTooManyCells", "SSBOffline", "SSBBadResponse"]

MAX_GET_URL = 2000
DEFAULTS = {"max_cells": 800_000, "max_calls": 30, "window_s": 60.0}
MANDATORY = ("Tid", "ContentsCode")


# ---- errors ------------------------------------------------------------------------------
class SSBError(Exception):
    """Base of all client errors; ``str(err)`` is a Norwegian message for users."""


class SSBHTTPError(SSBError):
    """SSB answered with an error status. ``problem`` is the RFC 7807 body (or {})."""

    def __init__(self, status: int, problem: dict | None = None, message: str | None = None):
        self.status = status
        self.problem = problem or {}
        title = self.problem.get("title") or self.problem.get("detail") or ""
        super().__init__(message or f"SSB svarte med feil {status}" + (f": {title}" if title else ""))


class SSBNotFound(SSBHTTPError):
    """404: table, codelist or path does not exist."""


class SSBRateLimited(SSBHTTPError):
    """429 after all retries."""


class SSBUnavailable(SSBHTTPError):
    """502/503/504 after all retries (SSB down or updating tables)."""


class SSBTooManyCells(SSBHTTPError):
    """400/403 saying the query selects more cells than SSB allows."""


class SSBOffline(SSBError):
    """No answer at all: connection refused, DNS failure or timeouts after retries."""


class SSBBadResponse(SSBError):
    """An answer came, but its body was cut short, not JSON, or not what was asked for."""


# ---- value types -------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """One variable of a query: codes or expressions, optionally against a codelist."""
    variable_code: str
    value_codes: list[str] = field(default_factory=lambda: ["*"])
    codelist: str | None = None


@dataclass(frozen=True)
class ApiConfig:
    max_cells: int      # cells per data request
    max_calls: int      # calls per window
    window_s: float     # window length, seconds


# ---- rate limiter ------------------------------------------------------------------------
class RateLimiter:
    """Sliding-window limiter: at most ``max_calls`` calls in any ``window_s`` seconds.

    A call holds its slot while in flight and is dated by when it *finished*, so the server,
    which sees the call somewhere in between, never counts more than ``max_calls`` in a window.
    Thread-safe; limits can be changed at run time with ``configure``.
    """

    def __init__(self, max_calls: int = DEFAULTS["max_calls"],
                 window_s: float = DEFAULTS["window_s"]):
        self.max_calls, self.window_s = int(max_calls), float(window_s)
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._cond = threading.Condition()

    def configure(self, max_calls: int, window_s: float) -> None:
        with self._cond:
            self.max_calls, self.window_s = max(1, int(max_calls)), max(0.0, float(window_s))
            self._cond.notify_all()

    def acquire(self) -> None:
        """Block until a call may start, then take a slot (pair with ``release``)."""
        with self._cond:
            while True:
                now = time.monotonic()
                while self._done and self._done[0] <= now - self.window_s:
                    self._done.popleft()
                if len(self._done) + self._in_flight < self.max_calls:
                    self._in_flight += 1
                    return
                wait = (self._done[0] + self.window_s - now) if self._done else None
                self._cond.wait(timeout=wait if wait is None else max(wait, 0.001))

    def release(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._done.append(time.monotonic())
            self._cond.notify_all()

    def record(self) -> None:
        """Called by a slot holder before a retry: the previous attempt is done (dated now),
        the retry keeps the slot; blocks until the window has room for it."""
        with self._cond:
            self._done.append(time.monotonic())
            while True:
                now = time.monotonic()
                while self._done and self._done[0] <= now - self.window_s:
                    self._done.popleft()
                if len(self._done) + self._in_flight <= self.max_calls:
                    return
                self._cond.wait(timeout=max(self._done[0] + self.window_s - now, 0.001))


DEFAULT_LIMITER = RateLimiter()


class _Retry(Retry):
    """urllib3 Retry that reports each retry and waits for the rate limiter before it."""

    def __init__(self, *args, hook: Callable[[], None] | None = None,
                 max_retry_wait: float = 30.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.hook, self.max_retry_wait = hook, max_retry_wait

    def new(self, **kw):
        new = super().new(**kw)
        new.hook, new.max_retry_wait = self.hook, self.max_retry_wait
        return new

    def get_retry_after(self, response):
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_wait)

    def sleep(self, response=None):
        super().sleep(response)
        if self.hook:
            self.hook()


def _policy_from_headers(headers) -> tuple[int, float] | None:
    m = re.match(r"\s*(\d+)\s*;\s*w=([\d.]+)", headers.get("x-ratelimit-policy", "") or "")
    return (int(m.group(1)), float(m.group(2))) if m else None


# ---- client ------------------------------------------------------------------------------
class SSBClient:
    """Thread-safe PxWebApi 2 client (see module docstring for the API facts it relies on).

    ``retries``: urllib3 retries per call; ``backoff``: backoff factor in seconds (doubles each
    retry, capped at ``max_retry_wait``, which also caps ``Retry-After``); ``timeout``: seconds
    per call (default ``config.http_timeout()``).
    """

    def __init__(self, base_url: str | None = None, lang: str = "no",
                 session: requests.Session | None = None, limiter: RateLimiter | None = None,
                 timeout: float | None = None, *, retries: int = 4, backoff: float = 1.0,
                 max_retry_wait: float = 30.0, bad_body_retries: int = 2):
        self.base_url = (base_url or _config.ssb_base_url()).rstrip("/")
        self.lang = lang
        self.limiter = limiter or DEFAULT_LIMITER
        self.timeout = timeout if timeout is not None else _config.http_timeout()
        self.bad_body_retries = bad_body_retries
        self._retry = _Retry(
            total=retries, connect=min(retries, 2), read=retries, status=retries, other=0,
            status_forcelist=(429, 502, 503, 504), allowed_methods=frozenset({"GET", "POST"}),
            backoff_factor=backoff, backoff_max=max_retry_wait,
            respect_retry_after_header=True, raise_on_status=False,
            hook=self._on_retry, max_retry_wait=max_retry_wait)
        self._shared_session = session
        if session is not None:
            self._mount(session)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._requests_made = 0
        self._config: ApiConfig | None = None
        self._meta_cache: dict[str, dict] = {}
        self._codelist_cache: dict[str, dict] = {}

    # ---- plumbing ----------------------------------------------------------------------
    def _mount(self, session: requests.Session) -> None:
        adapter = HTTPAdapter(max_retries=self._retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)

    @property
    def session(self) -> requests.Session:
        if self._shared_session is not None:
            return self._shared_session
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["Accept"] = "application/json"
            self._mount(s)
            self._local.session = s
        return s

    @property
    def requests_made(self) -> int:
        """Network calls made so far by this client, urllib3 retries included."""
        return self._requests_made

    def _count(self) -> None:
        with self._lock:
            self._requests_made += 1

    def _on_retry(self) -> None:
        self.limiter.record()
        self._count()

    def _call(self, method: str, url: str, *, json_body: dict | None = None,
              expect: str = "json") -> tuple[dict, requests.Response]:
        """One logical call (with retries); returns (parsed JSON, response)."""
        last_bad: Exception | None = None
        for _attempt in range(self.bad_body_retries + 1):
            self.limiter.acquire()
            self._count()
            try:
                resp = self.session.request(method, url, json=json_body, timeout=self.timeout)
                content = resp.content  # read fully while holding the slot
            except (requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                last_bad = exc
                continue
            except requests.exceptions.RetryError as exc:
                raise SSBUnavailable(0, None, f"SSB svarer ikke som det skal ({exc})") from exc
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                raise SSBOffline(
                    "Får ikke kontakt med SSB (ingen nettverkstilgang eller SSB svarer ikke). "
                    "Appen bruker lagrede data; filer fra Statistikkbanken kan importeres.") from exc
            finally:
                self.limiter.release()
            if resp.status_code >= 400:
                self._raise_for_status(resp, content)
            try:
                return jsonstat.loads(content), resp  # orjson: 3–4× json on big bodies
            except (UnicodeDecodeError, ValueError) as exc:
                last_bad = exc
                continue
        raise SSBBadResponse(f"SSB sendte et ufullstendig eller ugyldig svar ({last_bad})")

    @staticmethod
    def _raise_for_status(resp: requests.Response, content: bytes) -> None:
        status = resp.status_code
        problem: dict = {}
        try:
            parsed = json.loads(content)
            if isinstance(parsed, dict):
                problem = parsed
        except (UnicodeDecodeError, ValueError):
            pass
        text = " ".join(str(problem.get(k, "")) for k in ("title", "detail")).lower()
        if status in (400, 403) and ("too many cells" in text or "cell" in text and "many" in text):
            raise SSBTooManyCells(status, problem, "Spørringen gir for mange celler for SSB")
        if status == 404:
            raise SSBNotFound(status, problem, "Fant ikke dette hos SSB (404)")
        if status == 429:
            raise SSBRateLimited(status, problem,
                                 "SSB begrenser antall kall; prøv igjen om et minutt")
        if status in (502, 503, 504):
            raise SSBUnavailable(status, problem,
                                 "SSB er midlertidig utilgjengelig; prøv igjen senere")
        raise SSBHTTPError(status, problem)

    def _url(self, path: str, params: list[tuple[str, str]] | None = None) -> str:
        query = [("lang", self.lang)] + list(params or [])
        return f"{self.base_url}{path}?{urlencode(query, safe=',()*?:', quote_via=quote)}"

    # ---- API ---------------------------------------------------------------------------
    def config(self) -> ApiConfig:
        """Limits from ``GET /config`` (cached); also sets the shared rate limiter."""
        if self._config is not None:
            return self._config
        try:
            body, resp = self._call("GET", self._url("/config"))
            headers = resp.headers
        except (SSBHTTPError, SSBBadResponse):
            body, headers = {}, {}

        def positive(key):
            try:
                v = float(body.get(key) or 0)
            except (TypeError, ValueError):
                return None
            return v if v > 0 else None

        max_cells = int(positive("maxDataCells") or DEFAULTS["max_cells"])
        calls, window = positive("maxCallsPerTimeWindow"), positive("timeWindow")
        if not (calls and window):
            calls, window = _policy_from_headers(headers) or (DEFAULTS["max_calls"],
                                                              DEFAULTS["window_s"])
        cfg = ApiConfig(max_cells=max_cells, max_calls=int(calls), window_s=float(window))
        self.limiter.configure(cfg.max_calls, cfg.window_s)
        self._config = cfg
        return cfg

    def search_tables(self, query: str, page_size: int = 100) -> list[dict]:
        """All hits of ``GET /tables?query=..`` over all pages (dicts as SSB gives them)."""
        out: list[dict] = []
        page = 1
        while True:
            body, _ = self._call("GET", self._url("/tables", [
                ("query", query), ("pageSize", str(page_size)), ("pageNumber", str(page))]))
            tables = body.get("tables")
            if not isinstance(tables, list):
                raise SSBBadResponse("Uventet svar fra SSBs tabellsøk")
            out.extend(tables)
            info = body.get("page") or {}
            if page >= int(info.get("totalPages") or 1) or not tables:
                return out
            page += 1

    def metadata(self, table_id: str, *, refresh: bool = False) -> dict:
        """JSON-stat 2 metadata of a table (cached in memory unless ``refresh``)."""
        key = str(table_id)
        if not refresh:
            with self._lock:
                if key in self._meta_cache:
                    return self._meta_cache[key]
        body, _ = self._call("GET", self._url(f"/tables/{quote(key)}/metadata",
                                              [("outputFormat", "json-stat2")]))
        if not isinstance(body.get("dimension"), dict) or not isinstance(body.get("id"), list):
            raise SSBBadResponse(f"Metadata for tabell {key} er ikke JSON-stat 2")
        with self._lock:
            self._meta_cache[key] = body
        return body

    def updated(self, table_id: str) -> str:
        """SSB's last-updated time of a table (ISO 8601), from ``GET /tables/{id}``; no cache."""
        body, _ = self._call("GET", self._url(f"/tables/{quote(str(table_id))}"))
        if not body.get("updated"):
            raise SSBBadResponse(f"SSB oppga ikke oppdateringstid for tabell {table_id}")
        return str(body["updated"])

    def codelist(self, codelist_id: str) -> dict:
        """``GET /codelists/{id}`` (cached): ``{"id", "label", "values": [{"code", ...}]}``."""
        with self._lock:
            if codelist_id in self._codelist_cache:
                return self._codelist_cache[codelist_id]
        body, _ = self._call("GET", self._url(f"/codelists/{quote(codelist_id)}"))
        if not isinstance(body.get("values"), list):
            raise SSBBadResponse(f"Kodelisten {codelist_id} har uventet form")
        with self._lock:
            self._codelist_cache[codelist_id] = body
        return body

    # ---- data --------------------------------------------------------------------------
    def resolve(self, table_id: str, selections: list[Selection]
                ) -> tuple[dict[str, list[str]], dict[str, Selection]]:
        """Expand a query against metadata/codelists.

        Returns (dimension id -> concrete codes, in table order, for every dimension that will
        be in the answer; dimension id -> the Selection sent for it). Omitted non-eliminable
        variables (always Tid and ContentsCode) get ``["*"]``.
        """
        meta = self.metadata(table_id)
        by_var = {s.variable_code: s for s in selections}
        dims = list(meta["id"])
        unknown = [v for v in by_var if v not in dims]
        if unknown:
            raise SSBError(f"Tabell {table_id} har ingen variabel {', '.join(unknown)}")
        time_dims = set((meta.get("role") or {}).get("time") or []) | {"Tid"}
        expanded: dict[str, list[str]] = {}
        sent: dict[str, Selection] = {}
        for d in dims:
            dim = meta["dimension"][d]
            sel = by_var.get(d)
            if sel is None:
                elim = bool((dim.get("extension") or {}).get("elimination", False))
                if elim and d not in MANDATORY:
                    continue
                sel = Selection(d, ["*"])
            if sel.codelist:
                codes = [str(v["code"]) for v in self.codelist(sel.codelist)["values"]]
            else:
                index = dim["category"]["index"]
                codes = (list(index) if isinstance(index, list)
                         else sorted(index, key=index.__getitem__))
            try:
                expanded[d] = planner.expand_selection(codes, list(sel.value_codes),
                                                       time=d in time_dims)
            except ValueError as exc:
                raise SSBError(f"Tabell {table_id}, {d}: {exc}") from exc
            sent[d] = sel
        return expanded, sent

    def plan(self, table_id: str, selections: list[Selection]) -> list[dict[str, list[str]]]:
        """The sub-queries ``get_data`` would send (codes per dimension)."""
        expanded, _ = self.resolve(table_id, selections)
        return planner.plan(expanded, self.config().max_cells)

    def _data_request(self, table_id: str, part: dict[str, list[str]],
                      expanded: dict[str, list[str]], sent: dict[str, Selection]) -> dict:
        items = []
        for d, codes in part.items():
            sel = sent[d]
            values = list(sel.value_codes) if codes == expanded[d] else codes
            items.append((d, values, sel.codelist))
        path = f"/tables/{quote(str(table_id))}/data"
        params = [("outputFormat", "json-stat2")]
        get_params = list(params)
        for d, values, cl in items:
            get_params.append((f"valueCodes[{d}]", ",".join(values)))
            if cl:
                get_params.append((f"codelist[{d}]", cl))
        url = self._url(path, get_params)
        if len(url) < MAX_GET_URL:
            body, _ = self._call("GET", url)
        else:
            payload = {"selection": [
                {"variableCode": d, "valueCodes": values, **({"codelist": cl} if cl else {})}
                for d, values, cl in items]}
            body, _ = self._call("POST", self._url(path, params), json_body=payload)
        self._check_dataset(body, table_id, part)
        return body

    @staticmethod
    def _check_dataset(body: dict, table_id: str, part: dict[str, list[str]]) -> None:
        try:
            ok = body.get("class") == "dataset" and isinstance(body.get("value"), (list, dict))
            size = [int(n) for n in body["size"]]
            if ok and isinstance(body["value"], list):
                ok = len(body["value"]) == math.prod(size)
            if ok:
                got = dict(zip(body["id"], size))
                ok = all(got.get(d) == len(c) for d, c in part.items())
        except (KeyError, TypeError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise SSBBadResponse(f"Svaret for tabell {table_id} er ikke datasettet som ble bedt om")

    def get_data(self, table_id: str, selections: list[Selection],
                 progress: Callable[[int, int], None] | None = None) -> list[dict]:
        """Fetch data as JSON-stat 2 datasets, one per request, in the fewest requests.

        Every selected cell is in exactly one dataset. Tid/ContentsCode default to ``*``.
        If SSB still says a part has too many cells, that part is halved and retried.
        ``progress(done, total)`` is called after each request (total may grow on halving).
        """
        expanded, sent = self.resolve(table_id, selections)
        queue = planner.plan(expanded, self.config().max_cells)
        total, done, out = len(queue), 0, []
        if progress:
            progress(0, total)
        while queue:
            part = queue.pop(0)
            try:
                out.append(self._data_request(table_id, part, expanded, sent))
            except SSBTooManyCells:
                halves = self._halve(part)
                if halves is None:
                    raise
                queue[:0] = halves
                total += 1
                continue
            done += 1
            if progress:
                progress(done, total)
        return out

    @staticmethod
    def _halve(part: dict[str, list[str]]) -> list[dict[str, list[str]]] | None:
        candidates = [d for d, c in part.items() if len(c) > 1]
        if not candidates:
            return None
        geo = [d for d in candidates if planner.is_geo_dimension(d)]
        other = [d for d in candidates if d not in MANDATORY]
        d = max(geo or other or candidates, key=lambda k: len(part[k]))
        mid = len(part[d]) // 2
        return [{**part, d: part[d][:mid]}, {**part, d: part[d][mid:]}]
