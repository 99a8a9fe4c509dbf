"""Fill a store the way users do: the real client and refresh, over HTTP, from the stand-in.

``fill_store(store, regions=None)`` starts a loopback stand-in serving the tables of
``tests.standin_data`` (real SSB numbers where we have them, calibrated synthetic values
elsewhere), points an ``SSBClient`` at it and runs ``data_sources.refresh.refresh``: the
same decode → ingest → store path as a real fetch. ``regions=None`` fetches everything.

``cached_full_store(path)`` builds (once) a store with all regions at ``path`` (default
``cache/bench.duckdb``, for benchmarks) and returns its path; tests take conftest's
``full_store``, built in the session's tmp folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from data_sources.client import RateLimiter, SSBClient
from data_sources.refresh import RefreshReport, refresh
from data_sources.store import Store
from tests.paths import ROOT
from tests.standin import StandinServer


def klass_data() -> dict:
    """KLASS answers for the stand-in: KOSTRA groups (112), kommune changes (131) and the
    131 → 128 correspondence (centrality; synthetic classes)."""
    import json

    from tests import standin_data
    from tests.make_klass_fixture import centrality_items
    groups = standin_data.kostra_groups()
    codes = [{"code": g, "parentCode": "", "level": "1", "name": f"KOSTRA-gruppe {int(g[3:])}"}
             for g in sorted(set(groups.values()))]
    codes += [{"code": k, "parentCode": g, "level": "2", "name": k} for k, g in groups.items()]
    changes = json.loads((ROOT / "data_sources" / "data" / "klass_131_changes_2020_2024.json")
                         .read_text(encoding="utf-8"))["codeChanges"]
    return {"codesAt": {"112": codes}, "changes": {"131": changes},
            "corresponds": {"131->128": centrality_items()}}


def standin_server(**kw) -> StandinServer:
    from tests import standin_data
    kw.setdefault("max_calls", 10_000)
    kw.setdefault("window_s", 1)
    kw.setdefault("klass", klass_data())
    return StandinServer(standin_data.all_tables(), **kw)


def fill_store(store: Store, regions: list[str] | None = None, tables: list[str] | None = None,
               server: StandinServer | None = None) -> RefreshReport:
    own = server is None
    server = server or standin_server().start()
    try:
        client = SSBClient(base_url=server.url, limiter=RateLimiter(10_000, 1), retries=1,
                           backoff=0.01)
        old = os.environ.get("KG_KLASS_BASE_URL")
        os.environ["KG_KLASS_BASE_URL"] = server.klass_url
        try:
            report = refresh(store, regions=regions, tables=tables, client=client)
        finally:
            if old is None:
                os.environ.pop("KG_KLASS_BASE_URL", None)
            else:
                os.environ["KG_KLASS_BASE_URL"] = old
        if not report.ok:
            raise RuntimeError("\n".join(report.lines()))
        return report
    finally:
        if own:
            server.stop()


def cached_full_store(path: str | Path | None = None) -> Path:
    """A store with every region and table, built once (delete the file to rebuild)."""
    path = Path(path or os.environ.get("KG_BENCH_DB", ROOT / "cache" / "bench.duckdb"))
    if path.exists():
        return path
    tmp = path.with_suffix(".building")
    if tmp.exists():
        tmp.unlink()
    store = Store(tmp)
    try:
        fill_store(store)
    finally:
        store.close()
    shutil.move(tmp, path)
    return path
