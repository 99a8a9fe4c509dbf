"""Import of a full-size 14746 file (JSON-stat 2 as saved from Statistikkbanken) vs its floor.

    python bench/import.py [--keep] [--file PATH]

The file is generated once from the stand-in's 14746 (373 regions × 2 sexes × 106 ages ×
9 alternatives × 25 years = 17.8 M cells, ~120 MB) into ``cache/bench_14746.json`` (reused;
``--keep`` keeps it after the run). The import runs in a fresh child process on an empty
store, so its peak memory (``ru_maxrss``) is the import's alone. Printed:

- ``import_s``: ``data_sources.importer.import_file`` (read, parse, decode, ingest, write);
  ``store_write_s`` its ``Store.replace_table_data`` (the insert, in one transaction) and
  ``prepare_s`` the rest (everything the importer does before and around the insert).
- ``floor_s`` = ``read_s`` (the file's bytes from disk) + ``parse_s`` (the JSON parsed by
  orjson, the fastest parser here: a JSON file cannot be read without parsing it) +
  ``insert_s`` (DuckDB's own ``INSERT … SELECT`` of the final frame the importer hands to
  the store, into an empty store with the same schema).
- ``ratio`` = import_s / floor_s (target ≤ 1.5); ``ratio_without_parse`` the same against
  read + insert only; ``peak_rss_mb``.
- ``floor_arrow_s``: the same floor with DuckDB inserting the final frame as an Arrow table
  (``insert_arrow_s``; the conversion, ``arrow_convert_s``, is not counted), the way the
  store inserts it (``store._arrow``), and ``ratio_arrow`` against it: the stricter figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time

DEFAULT_FILE = ROOT / "cache" / "bench_14746.json"


def make_file(path: Path) -> Path:
    """Write the stand-in's full 14746 as one JSON-stat 2 dataset (every code selected)."""
    import orjson

    from tests import standin_data
    from tests.standin import StandinServer
    table = standin_data.table_14746()
    server = StandinServer([table], max_cells=10**9)  # not started: only its body builder
    body = server.data_body(table, {d.id: (["*"], None) for d in table.dimensions},
                            base="http://127.0.0.1/api/v2")
    tmp = path.with_suffix(".part")
    tmp.write_bytes(orjson.dumps(body))
    tmp.replace(path)
    return path


def child(path: Path) -> None:
    """Import ``path`` into an empty store, then time the floor; print one JSON line."""
    import orjson

    from data_sources import importer
    from data_sources.store import SCHEMA, Store
    captured = {}
    original = Store.replace_table_data

    def spy(self, source, frame, *a, **kw):
        captured["frame"] = frame
        t0 = time.perf_counter()
        try:
            return original(self, source, frame, *a, **kw)
        finally:
            captured["store_s"] = time.perf_counter() - t0

    Store.replace_table_data = spy
    # The importer refuses files over 5 M cells / 100 MB (validate: a bound against
    # hostile uploads; Statistikkbanken's downloads are far smaller). The full-country file
    # here is 17.8 M cells and ~120 MB, so the bench lifts both limits for its own run.
    from data_sources import validate
    validate.MAX_CELLS = 10**9
    validate.MAX_FILE_BYTES = 10**12
    with tempfile.TemporaryDirectory(prefix="kg-import-bench-") as tmp:
        store = Store(Path(tmp) / "import.duckdb")
        t0 = time.perf_counter()
        report = importer.import_file(path, store=store)
        import_s = time.perf_counter() - t0
        store.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        t0 = time.perf_counter()
        raw = path.read_bytes()
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        orjson.loads(raw)
        parse_s = time.perf_counter() - t0
        del raw

        import duckdb
        frame = captured["frame"]
        cols = ["region_code", "sex", "age", "year", "alternative", "persons", "table_id"]
        data = frame[cols]
        import pyarrow as pa

        def insert(name, incoming) -> float:
            con = duckdb.connect(str(Path(tmp) / f"{name}.duckdb"))
            con.execute(SCHEMA)
            t0 = time.perf_counter()
            con.execute("BEGIN TRANSACTION")
            con.register("_incoming", incoming)
            con.execute(f"INSERT INTO projection SELECT {', '.join(cols)} FROM _incoming")
            con.execute("COMMIT")
            took = time.perf_counter() - t0
            con.close()
            return took

        insert_s = insert("floor", data)
        t0 = time.perf_counter()
        table = pa.Table.from_pandas(data, preserve_index=False)
        arrow_convert_s = time.perf_counter() - t0
        insert_arrow_s = insert("floor_arrow", table)
    print(json.dumps({"rows": report.rows, "import_s": import_s, "store_s": captured["store_s"],
                      "read_s": read_s, "parse_s": parse_s, "insert_s": insert_s,
                      "insert_arrow_s": insert_arrow_s, "arrow_convert_s": arrow_convert_s,
                      "peak_rss_mb": peak_mb}))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--keep", action="store_true", help="keep the generated file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.file)
        return
    made = False
    if not args.file.exists():
        t0 = time.perf_counter()
        args.file.parent.mkdir(parents=True, exist_ok=True)
        make_file(args.file)
        made = True
        print(f"# generated {args.file} ({args.file.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    size_mb = args.file.stat().st_size / 1e6
    try:
        out = subprocess.run([sys.executable, __file__, "--child", "--file", str(args.file)],
                             check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        r = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if made and not args.keep:
            args.file.unlink(missing_ok=True)
    floor = r["read_s"] + r["parse_s"] + r["insert_s"]
    floor_arrow = r["read_s"] + r["parse_s"] + r["insert_arrow_s"]
    print(f"# loadavg={' '.join(f'{x:.1f}' for x in os.getloadavg())} cores={os.cpu_count()}")
    print(f"rows={r['rows']} file_mb={size_mb:.0f} import_s={r['import_s']:.1f} "
          f"(prepare_s={r['import_s'] - r['store_s']:.1f} store_write_s={r['store_s']:.1f}) "
          f"floor_s={floor:.1f} (read_s={r['read_s']:.2f} parse_s={r['parse_s']:.1f} "
          f"insert_s={r['insert_s']:.1f}) ratio={r['import_s'] / floor:.2f} "
          f"ratio_without_parse={r['import_s'] / (r['read_s'] + r['insert_s']):.2f} "
          f"floor_arrow_s={floor_arrow:.1f} (insert_arrow_s={r['insert_arrow_s']:.1f}, "
          f"not counting arrow_convert_s={r['arrow_convert_s']:.2f}) "
          f"ratio_arrow={r['import_s'] / floor_arrow:.2f} "
          f"peak_rss_mb={r['peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
