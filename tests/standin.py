"""A loopback stand-in for SSB's PxWebApi 2, for tests that need real HTTP.

``StandinServer(tables)`` serves authored ``StandinTable`` cubes on 127.0.0.1 (ephemeral
port) under ``/api/pxwebapi/v2`` — put ``server.url`` in ``KG_SSB_BASE_URL``. It speaks the
subset of PxWebApi 2 our client uses:

- ``GET /config`` (``maxDataCells``, ``maxCallsPerTimeWindow``, ``timeWindow``)
- ``GET /tables?query=..&pageSize=..&pageNumber=..`` (``title:`` prefix restricts to titles;
  words are OR-ed, best matches first) and ``GET /tables/{id}``
- ``GET /tables/{id}/metadata`` (JSON-stat 2 without ``value``; ``extension.elimination``,
  ``extension.codelists``)
- ``GET /codelists/{id}`` (``values[].code/label/valueMap``)
- ``GET``/``POST /tables/{id}/data`` (``outputFormat=json-stat2`` only): ``valueCodes[Var]`` /
  ``codelist[Var]`` or a ``{"selection": [...]}`` body; expressions as in
  ``data_sources.planner``; omitted eliminable variables are summed away.

Errors are ``application/problem+json`` shaped like SSB's (``type``, ``title``, ``status``;
title "Non-existent value", "Too many cells selected", ...). GET paths over ``max_url``
characters answer 404 (SSB's web server does that above ~2,000). More than ``max_calls``
requests within ``window_s`` seconds answer 429 with ``Retry-After``.

Fault injection: ``server.inject(path_regex, kind, times=1)``, kind one of ``"429"``,
``"503"``, ``"500"``, ``"400cells"``, ``"timeout"`` (sleeps ``timeout_s`` before answering),
``"truncated"`` (announces the full ``Content-Length``, sends half, closes).

Counters: ``requests`` (list of (method, path-with-query)), ``data_requests`` (served data
responses, status 200), ``rate_limited`` (429s from the limiter), ``hits`` (arrival times).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from data_sources.planner import expand_selection, is_geo_dimension

__all__ = ["StandinDimension", "StandinTable", "StandinServer", "split_value_codes"]

BASE_PATH = "/api/pxwebapi/v2"
KLASS_PATH = "/api/klass/v1"
SOURCE = "Statistisk sentralbyrå"


@dataclass
class StandinDimension:
    id: str
    label: str
    codes: list[str]
    labels: list[str]
    elimination: bool = False
    time: bool = False
    codelists: dict[str, tuple[list[str], list[str], list[int]]] = field(default_factory=dict)
    units: dict[str, dict] = field(default_factory=dict)


@dataclass
class StandinTable:
    id: str
    label: str
    updated: str
    dimensions: list[StandinDimension]
    values: np.ndarray
    status: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    def dim(self, dim_id: str) -> StandinDimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)


class _Problem(Exception):
    def __init__(self, status: int, title: str, type_: str = "Parameter error",
                 detail: str | None = None, headers: dict | None = None):
        super().__init__(title)
        self.status, self.title, self.type, self.detail = status, title, type_, detail
        self.headers = headers or {}

    def body(self) -> dict:
        out = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            out["detail"] = self.detail
        return out


def split_value_codes(text: str) -> list[str]:
    """Split a GET ``valueCodes`` value on commas outside parentheses (``range(a,b)`` stays)."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [c for c in out if c]


def _time_unit(codes: list[str]) -> str:
    last = codes[-1] if codes else ""
    if "M" in last:
        return "Monthly"
    if "K" in last:
        return "Quarterly"
    return "Annual"


def _dump_values(values: np.ndarray) -> list:
    """Flat float array -> JSON-ready list: NaN -> None, integral numbers as int."""
    nan = np.isnan(values)
    finite = values[~nan]
    if finite.size == 0 or np.all(finite == np.round(finite)):
        obj = np.where(nan, 0, values).astype(np.int64).astype(object)
    else:
        obj = values.astype(object)
    obj[nan] = None
    return obj.tolist()


class StandinServer:
    """Loopback PxWebApi 2 stand-in. Use as a context manager or call start()/stop()."""

    def __init__(self, tables: list[StandinTable], max_cells: int = 800_000,
                 max_calls: int = 30, window_s: float = 60, *, max_url: int = 2000,
                 timeout_s: float = 2.0, klass: dict | None = None):
        self.tables = {t.id: t for t in tables}
        self.klass = klass or {}
        for t in tables:
            shape = tuple(len(d.codes) for d in t.dimensions)
            if t.values.shape != shape:
                raise ValueError(f"table {t.id}: values shape {t.values.shape} != {shape}")
        self.max_cells, self.max_calls, self.window_s = max_cells, max_calls, window_s
        self.max_url, self.timeout_s = max_url, timeout_s
        self.requests: list[tuple[str, str]] = []
        self.data_requests = 0
        self.rate_limited = 0
        self.hits: list[float] = []
        self._recent: deque[float] = deque()
        self._injections: list[list] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> "StandinServer":
        handler = type("Handler", (_Handler,), {"standin": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "StandinServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT/api/pxwebapi/v2`` (for KG_SSB_BASE_URL)."""
        return f"http://127.0.0.1:{self.port}{BASE_PATH}"

    @property
    def klass_url(self) -> str:
        """KLASS base URL of this stand-in (for KG_KLASS_BASE_URL)."""
        return f"http://127.0.0.1:{self.port}{KLASS_PATH}"

    def klass_route(self, path: str, params: dict) -> tuple[int, dict]:
        """Minimal KLASS: ``/classifications/{id}/codesAt.json`` and ``/changes.json`` from
        ``self.klass`` = {"codesAt": {id: [code dicts]}, "changes": {id: [change dicts]},
        "corresponds": {"source->target": [correspondence items]}}; ``corresponds.json``
        answers the items whose validFrom/validTo overlap [from, to)."""
        c = re.fullmatch(r"/classifications/(\d+)/corresponds\.json", path)
        if c:
            key = f"{c.group(1)}->{params.get('targetClassificationId')}"
            if key not in self.klass.get("corresponds", {}) or "from" not in params:
                raise _Problem(404, "Not found", "Not found")
            lo, hi = params["from"], params.get("to", "9999-12-31")
            return 200, {"correspondenceItems": [
                it for it in self.klass["corresponds"][key]
                if (it.get("validFrom") or "0000") < hi and (it.get("validTo") or "9999") > lo]}
        m = re.fullmatch(r"/classifications/(\d+)/(codesAt|changes)\.json", path)
        if not m or m.group(1) not in self.klass.get(m.group(2), {}):
            raise _Problem(404, "Not found", "Not found")
        data = self.klass[m.group(2)][m.group(1)]
        return 200, ({"codes": data} if m.group(2) == "codesAt" else {"codeChanges": data})

    # ---- test controls ---------------------------------------------------------------
    def inject(self, path_regex: str, kind: str, times: int = 1, retry_after: int = 0) -> None:
        """Make the next ``times`` requests whose path matches ``path_regex`` fail as ``kind``."""
        if kind not in {"429", "503", "500", "400cells", "timeout", "truncated"}:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._injections.append([re.compile(path_regex), kind, times, retry_after])

    def clear_faults(self) -> None:
        with self._lock:
            self._injections.clear()

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.hits.clear()
            self._recent.clear()
            self.data_requests = 0
            self.rate_limited = 0

    # ---- internals used by the handler -----------------------------------------------
    def _admit(self, method: str, path: str) -> tuple[str | None, int]:
        """Record a request; return (injected fault kind or None, retry_after)."""
        now = time.monotonic()
        with self._lock:
            self.requests.append((method, path))
            self.hits.append(now)
            bare = urlsplit(path).path
            for inj in self._injections:
                if inj[2] > 0 and inj[0].search(bare):
                    inj[2] -= 1
                    return inj[1], inj[3]
            while self._recent and self._recent[0] <= now - self.window_s:
                self._recent.popleft()
            if len(self._recent) >= self.max_calls:
                self.rate_limited += 1
                wait = max(0, math.ceil(self._recent[0] + self.window_s - now))
                return "ratelimit", wait
            self._recent.append(now)
        return None, 0

    def _table(self, table_id: str) -> StandinTable:
        t = self.tables.get(table_id)
        if t is None:
            raise _Problem(404, "Non-existent table", "Not found")
        return t

    def table_info(self, t: StandinTable, base: str) -> dict:
        time_dims = [d for d in t.dimensions if d.time]
        codes = time_dims[0].codes if time_dims else []
        href = f"{base}/tables/{t.id}"
        return {
            "type": "Table", "id": t.id, "label": t.label, "description": "",
            "updated": t.updated,
            "firstPeriod": codes[0] if codes else None,
            "lastPeriod": codes[-1] if codes else None,
            "category": "public",
            "variableNames": [d.label for d in t.dimensions],
            "source": SOURCE, "timeUnit": _time_unit(codes), "paths": [],
            "links": [
                {"rel": "self", "hreflang": "no", "href": f"{href}?lang=no"},
                {"rel": "metadata", "hreflang": "no",
                 "href": f"{href}/metadata?lang=no&outputFormat=json-stat2"},
                {"rel": "data", "hreflang": "no",
                 "href": f"{href}/data?lang=no&outputFormat=json-stat2"},
            ],
        }

    def config_body(self) -> dict:
        return {
            "apiVersion": "2.0.0", "appVersion": "standin", "defaultLanguage": "no",
            "languages": [{"id": "no", "label": "Norsk"}, {"id": "en", "label": "English"}],
            "maxDataCells": self.max_cells, "maxCallsPerTimeWindow": self.max_calls,
            "timeWindow": self.window_s, "license": "https://www.ssb.no/en/diverse/lisens",
            "sourceReferences": [{"language": "no", "text": "Kilde: Statistisk sentralbyrå"}],
            "defaultDataFormat": "json-stat2", "dataFormats": ["json-stat2"], "features": [],
        }

    def search(self, query: str, page_size: int, page_number: int, base: str) -> dict:
        q = (query or "").strip()
        title_only = q.lower().startswith("title:")
        if title_only:
            q = q[6:]
        words = [w.lower() for w in re.split(r"\s+", q) if w and w.upper() not in
                 ("AND", "OR")]
        scored = []
        for t in self.tables.values():
            hay = t.label.lower() if title_only else " ".join(
                [t.id, t.label] + [d.label for d in t.dimensions]
                + [d.id for d in t.dimensions]).lower()
            score = sum(1 for w in words if w.rstrip("*") in hay)
            if score or not words:
                scored.append((-score, t.id, t))
        scored.sort(key=lambda x: (x[0], x[1]))
        total = len(scored)
        pages = max(1, math.ceil(total / page_size))
        chunk = scored[(page_number - 1) * page_size: page_number * page_size]
        links = []
        if page_number < pages:
            links.append({"rel": "next", "hreflang": "no",
                          "href": f"{base}/tables?lang=no&query={query}"
                                  f"&pageSize={page_size}&pageNumber={page_number + 1}"})
        return {"language": "no", "tables": [self.table_info(t, base) for *_, t in chunk],
                "page": {"pageNumber": page_number, "pageSize": page_size,
                         "totalElements": total, "totalPages": pages, "links": links},
                "links": []}

    def codelist_body(self, codelist_id: str) -> dict:
        for t in self.tables.values():
            for d in t.dimensions:
                if codelist_id in d.codelists:
                    codes, labels, base_idx = d.codelists[codelist_id]
                    return {"id": codelist_id, "label": codelist_id, "language": "no",
                            "type": "Aggregation" if codelist_id.startswith("agg") else "Valueset",
                            "values": [{"code": c, "label": lab, "valueMap": [d.codes[i]]}
                                       for c, lab, i in zip(codes, labels, base_idx)],
                            "links": []}
        raise _Problem(404, "Non-existent codelist", "Not found")

    @staticmethod
    def _dimension_json(d: StandinDimension, codes: list[str], labels: list[str],
                        with_codelists: bool, base: str) -> dict:
        cat: dict = {"index": {c: i for i, c in enumerate(codes)},
                     "label": dict(zip(codes, labels))}
        if d.units:
            cat["unit"] = {c: d.units[c] for c in codes if c in d.units}
        ext: dict = {"elimination": d.elimination, "show": "value"}
        if with_codelists:
            ext["codelists"] = [
                {"id": cid, "label": cid,
                 "type": "Aggregation" if cid.startswith("agg") else "Valueset",
                 "links": [{"rel": "metadata", "hreflang": "no",
                            "href": f"{base}/codelists/{cid}?lang=no"}]}
                for cid in d.codelists]
        return {"label": d.label, "category": cat, "extension": ext}

    def _dataset_head(self, t: StandinTable, dims: list[tuple[StandinDimension, list, list]],
                      with_codelists: bool, base: str) -> dict:
        role: dict = {}
        times = [d.id for d, *_ in dims if d.time]
        metric = [d.id for d, *_ in dims if d.id == "ContentsCode"]
        geo = [d.id for d, *_ in dims if is_geo_dimension(d.id)]
        if times:
            role["time"] = times
        if metric:
            role["metric"] = metric
        if geo:
            role["geo"] = geo
        out = {
            "version": "2.0", "class": "dataset", "label": t.label, "source": SOURCE,
            "updated": t.updated,
            "id": [d.id for d, *_ in dims], "size": [len(c) for _, c, _ in dims],
            "role": role,
            "dimension": {d.id: self._dimension_json(d, c, lab, with_codelists, base)
                          for d, c, lab in dims},
            "extension": {"px": {"infofile": "None", "tableid": t.id, "decimals": 0,
                                 "official-statistics": True, "aggregallowed": False,
                                 "language": "no", "contents": t.label.split(",")[0],
                                 "matrix": f"standin{t.id}"}},
        }
        if t.notes:
            out["note"] = list(t.notes)
        return out

    def metadata_body(self, t: StandinTable, base: str) -> dict:
        return self._dataset_head(t, [(d, d.codes, d.labels) for d in t.dimensions], True, base)

    def data_body(self, t: StandinTable, selection: dict[str, tuple[list[str], str | None]],
                  base: str) -> dict:
        known = {d.id for d in t.dimensions}
        for var in selection:
            if var not in known:
                raise _Problem(400, "Non-existent variable")
        index: list[np.ndarray] = []
        kept: list[tuple[StandinDimension, list, list]] = []
        eliminated_axes: list[int] = []
        for axis, d in enumerate(t.dimensions):
            if d.id not in selection:
                if not d.elimination:
                    raise _Problem(400, "Missing selection for mandantory variable")
                index.append(np.arange(len(d.codes)))
                eliminated_axes.append(axis)
                continue
            value_codes, codelist = selection[d.id]
            if codelist:
                if codelist not in d.codelists:
                    raise _Problem(400, "Non-existent codelist")
                codes, labels, base_idx = d.codelists[codelist]
            else:
                codes, labels, base_idx = d.codes, d.labels, list(range(len(d.codes)))
            try:
                picked = expand_selection(codes, value_codes, time=d.time)
            except ValueError:
                raise _Problem(400, "Non-existent value") from None
            if not picked:
                raise _Problem(400, "Non-existent value")
            pos = {c: i for i, c in enumerate(codes)}
            idx = [pos[c] for c in picked]
            index.append(np.asarray([base_idx[i] for i in idx], dtype=np.int64))
            kept.append((d, picked, [labels[i] for i in idx]))
        n_cells = math.prod(len(c) for _, c, _ in kept)
        if n_cells > self.max_cells:
            raise _Problem(400, "Too many cells selected", detail="Too many cells selected")
        cube = t.values[np.ix_(*index)]
        status = t.status[np.ix_(*index)] if t.status is not None else None
        if eliminated_axes:
            axes = tuple(eliminated_axes)
            all_nan = np.all(np.isnan(cube), axis=axes)
            cube = np.nansum(cube, axis=axes)
            cube[all_nan] = np.nan
            status = None
        flat = np.ascontiguousarray(cube, dtype=np.float64).ravel()
        body = self._dataset_head(t, kept, False, base)
        body["value"] = _dump_values(flat)
        if status is not None:
            sflat = status.ravel()
            nz = [i for i, s in enumerate(sflat.tolist()) if s is not None]
            if nz:
                body["status"] = {str(i): sflat[i] for i in nz}
        return body


class _Handler(BaseHTTPRequestHandler):
    standin: StandinServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    # ---- plumbing --------------------------------------------------------------------
    def _send(self, status: int, body: dict | bytes, *, content_type="application/json",
              headers: dict | None = None, truncate: bool = False) -> None:
        data = body if isinstance(body, bytes) else json.dumps(
            body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            s = self.standin
            self.send_header("X-RateLimit-Limit", str(s.max_calls))
            self.send_header("X-RateLimit-Policy", f"{s.max_calls};w={s.window_s:g}s")
            for k, v in (headers or {}).items():
                self.send_header(k, str(v))
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2] if truncate else data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if truncate:
            self.close_connection = True

    def _problem(self, p: _Problem) -> None:
        self._send(p.status, p.body(), content_type="application/problem+json",
                   headers=p.headers)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        s = self.standin
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        fault, retry_after = s._admit(method, self.path)
        if fault == "ratelimit" or fault == "429":
            return self._problem(_Problem(429, "Too many requests", "Too many requests",
                                          headers={"Retry-After": retry_after}))
        if fault == "503":
            return self._problem(_Problem(503, "Service unavailable", "Service unavailable",
                                          headers={"Retry-After": retry_after}))
        if fault == "500":
            return self._problem(_Problem(500, "Internal server error", "Server error"))
        if fault == "400cells":
            return self._problem(_Problem(400, "Too many cells selected",
                                          detail="Too many cells selected"))
        if fault == "timeout":
            time.sleep(s.timeout_s)
        if method == "GET" and len(self.path) > s.max_url:
            return self._send(404, b"<html><body>404 - Not found</body></html>",
                              content_type="text/html")
        try:
            status, body = self._route(method, raw_body)
        except _Problem as p:
            return self._problem(p)
        self._send(status, body, truncate=(fault == "truncated"))

    def _route(self, method: str, raw_body: bytes) -> tuple[int, dict]:
        s = self.standin
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith(KLASS_PATH + "/"):
            return s.klass_route(path[len(KLASS_PATH):], dict(parse_qsl(parts.query)))
        if not path.startswith(BASE_PATH):
            raise _Problem(404, "Not found", "Not found")
        path = path[len(BASE_PATH):].rstrip("/") or "/"
        query = parse_qsl(parts.query, keep_blank_values=True)
        params = {k.lower(): v for k, v in query}
        base = f"http://{self.headers.get('Host', '127.0.0.1')}{BASE_PATH}"
        segs = [p for p in path.split("/") if p]
        if method == "GET" and segs == ["config"]:
            return 200, s.config_body()
        if method == "GET" and segs == ["tables"]:
            try:
                size = int(params.get("pagesize", 20))
                number = int(params.get("pagenumber", 1))
            except ValueError:
                raise _Problem(400, "Invalid paging") from None
            if size < 1 or number < 1:
                raise _Problem(400, "Invalid paging")
            return 200, s.search(params.get("query", ""), size, number, base)
        if method == "GET" and len(segs) == 2 and segs[0] == "tables":
            return 200, s.table_info(s._table(segs[1]), base)
        if method == "GET" and len(segs) == 3 and segs[0] == "tables" and segs[2] == "metadata":
            fmt = params.get("outputformat", "json-stat2")
            if fmt != "json-stat2":
                raise _Problem(400, "Unsupported output format")
            return 200, s.metadata_body(s._table(segs[1]), base)
        if method == "GET" and len(segs) == 2 and segs[0] == "codelists":
            return 200, s.codelist_body(segs[1])
        if len(segs) == 3 and segs[0] == "tables" and segs[2] == "data":
            t = s._table(segs[1])
            fmt = params.get("outputformat", "json-stat2")
            if fmt != "json-stat2":
                raise _Problem(400, "Unsupported output format")
            selection = self._selection(method, query, raw_body)
            body = s.data_body(t, selection, base)
            with s._lock:
                s.data_requests += 1
            return 200, body
        raise _Problem(404, "Not found", "Not found")

    @staticmethod
    def _selection(method: str, query: list[tuple[str, str]],
                   raw_body: bytes) -> dict[str, tuple[list[str], str | None]]:
        values: dict[str, list[str]] = {}
        codelists: dict[str, str] = {}
        if method == "POST":
            try:
                body = json.loads(raw_body or b"{}")
                for item in body.get("selection") or []:
                    var = item["variableCode"]
                    values[var] = [str(v) for v in item.get("valueCodes") or []]
                    if item.get("codelist"):
                        codelists[var] = item["codelist"]
            except (ValueError, KeyError, TypeError, AttributeError):
                raise _Problem(400, "Invalid request body") from None
        else:
            for k, v in query:
                m = re.fullmatch(r"(valuecodes|codelist)\[(.+)\]", k, re.IGNORECASE)
                if not m:
                    continue
                if m.group(1).lower() == "valuecodes":
                    values.setdefault(m.group(2), []).extend(split_value_codes(v))
                else:
                    codelists[m.group(2)] = v
        return {var: (vc, codelists.get(var)) for var, vc in values.items()}
