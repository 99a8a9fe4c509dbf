"""Server-side render time of each page after a kommune switch, all kommuner in the store.

Run: ``python bench/pages.py [--switches 30] [--rebuild] [--db PATH]``. Prints one line per
page that exists, e.g. ``page=befolkning p50_ms=84 p95_ms=131 n=30``.

The store (default ``cache/bench.duckdb``) is built once and reused; it is rebuilt when
missing or with ``--rebuild``. It is filled through ``tests.storefill.fill_store`` (the
real decode → ingest → store path over the stand-in tables) when that exists, else straight
from ``tests.standin_data`` cubes (same numbers: 07459 real, 14746 synthetic single years
calibrated to SSB's margins; 373 regions × 2 × 106 × 9 × 25 = 17.8 M projection rows).

Method: one ``AppTest`` per page (the app entry ``app.py`` with the shared sidebar); a warm-up
run, then for each of N random kommuner (fixed seed) pick it in the sidebar and time
``at.run()`` — the full script run the server does after the switch (Streamlit caches are
warm for fylker/land, cold for the new kommune). Targets: p50 ≤ 150 ms, p95 ≤ 300 ms.

AppTest compiles ``app.py`` and the page anew on every run (a fresh ``ScriptCache`` per
run, ~25 ms per script with magic); a running server compiles each script once. The bench
therefore shares one ``ScriptCache`` across runs, so the figures are the server's.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd

# page name -> (page file, sidebar key of the region selectbox)
PAGES = {
    "befolkning": "views/befolkning.py",
    "tjenester": "views/tjenester.py",
    "bemanning": "views/bemanning.py",
    "region": "views/region.py",
}
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


# -- timing -----------------------------------------------------------------------------
def _kommune_labels(at) -> list[int]:
    box = at.sidebar.selectbox(key="_w_region")
    return [i for i, label in enumerate(box.options) if label[:4].isdigit()]


def _share_script_cache() -> None:
    """Make AppTest reuse compiled scripts between runs, as the server does."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    shared = ScriptCache()
    local_script_runner.ScriptCache = app_test.ScriptCache = lambda: shared


def time_page(page: str, switches: int, seed: int = 7, gc_freeze: bool = False) -> list[float]:
    """Milliseconds of ``at.run()`` after each of ``switches`` kommune switches.

    ``gc_freeze``: after the warm-up run, move every object alive so far out of the cyclic
    garbage collector's reach (``gc.freeze()``), as a server would do once after start-up.
    """
    from streamlit.testing.v1 import AppTest
    _share_script_cache()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["region"] = "3103"
    if page == PAGES["region"]:
        at.query_params["sett"] = "0"  # the overview of the whole country (357 kommuner)
    at.run()
    at.switch_page(page)
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception}")
    rng = random.Random(seed)
    choices = rng.sample(_kommune_labels(at), switches)
    if gc_freeze:
        gc.collect()
        gc.freeze()
    times, cpu = [], []
    try:
        for i in choices:
            at.sidebar.selectbox(key="_w_region").select_index(i)
            t0, c0 = time.perf_counter(), time.process_time()
            at.run()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception}")
    finally:
        if gc_freeze:
            gc.unfreeze()
    time_page.cpu_ms = cpu  # process CPU time per run (insensitive to other processes)
    return times


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--switches", type=int, default=30)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    ap.add_argument("--gc-freeze", action="store_true",
                    help="gc.freeze() after the warm-up (what app.py could do at start-up)")
    ap.add_argument("--direct", action="store_true",
                    help="fill the store straight from tests.standin_data (no HTTP path)")
    args = ap.parse_args(argv)
    if args.rebuild or not args.db.exists():
        t0 = time.perf_counter()
        try:
            from tests.storefill import cached_full_store
        except ImportError:
            cached_full_store = None
        if cached_full_store is None or args.direct:
            build_store(args.db, direct=True)
        else:
            args.db.unlink(missing_ok=True)
            cached_full_store(args.db)
        print(f"# built {args.db} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    os.environ["KG_DB_PATH"] = str(args.db)
    os.environ["KG_AUTO_FETCH"] = "0"  # measure rendering; never wait for the network
    from data_sources.store import reset_store
    reset_store()
    for name in args.pages:
        page = PAGES.get(name)
        if page is None or not (ROOT / page).exists():
            continue
        times = time_page(page, args.switches, gc_freeze=args.gc_freeze)
        extra = " gc_freeze=1" if args.gc_freeze else ""
        cpu = time_page.cpu_ms
        print(f"page={name} p50_ms={statistics.median(times):.0f} p95_ms={p95(times):.0f} "
              f"n={len(times)} cpu_p50_ms={statistics.median(cpu):.0f} "
              f"cpu_p95_ms={p95(cpu):.0f}{extra}", flush=True)


if __name__ == "__main__":
    main()
