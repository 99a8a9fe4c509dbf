"""Benchmark: a full-country refresh against the loopback stand-in.

Prints, per table, the data requests made vs the minimum the cell limit allows
(ceil(cells / maxDataCells)), rows stored and rows/s, then the totals. The stand-in uses
SSB's cell limit (800,000) but a generous call limit so the figure measures our work,
not the rate-limit wait (SSB's 30–40 calls per 60 s would add about a minute).

    python -m bench.refresh [--db /tmp/full.duckdb]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as ``python bench/x.py`` and ``python -m bench.x``
    sys.path.insert(0, str(ROOT))

import argparse
import tempfile
import time
from pathlib import Path

from data_sources.client import RateLimiter, SSBClient
from data_sources.refresh import refresh
from data_sources.store import Store
from tests.storefill import standin_server


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=None)
    args = ap.parse_args(argv)
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "full.duckdb"
    if db.exists():
        db.unlink()
    t0 = time.perf_counter()
    server = standin_server().start()
    print(f"standin_build_s={time.perf_counter() - t0:.1f}")
    import os
    os.environ["KG_KLASS_BASE_URL"] = server.klass_url
    try:
        store = Store(db)
        client = SSBClient(base_url=server.url, limiter=RateLimiter(10_000, 1))
        t0 = time.perf_counter()
        report = refresh(store, client=client)
        secs = time.perf_counter() - t0
    finally:
        server.stop()
    total_rows = sum(t.rows for t in report.tables)
    for t in report.tables:
        print(f"table={t.table_id} key={t.key} action={t.action} rows={t.rows} "
              f"data_requests={t.requests} minimum={t.min_requests} cells={t.cells}")
    data_req = sum(t.requests for t in report.tables)
    minimum = sum(t.min_requests for t in report.tables)
    print(f"all_calls={report.requests} data_requests={data_req} minimum_data_requests={minimum} "
          f"standin_data_requests={server.data_requests}")
    print(f"refresh_s={secs:.1f} rows={total_rows} rows_per_s={total_rows / secs:,.0f}")


if __name__ == "__main__":
    main()
