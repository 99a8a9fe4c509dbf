"""Benchmark: our JSON-stat decoding vs pyjstat on a ~2 M cell dataset, two ways.

Shape 357 regions × 2 sexes × 107 ages × 27 years (the size of a full 07459 kommune
download, 16 MB of JSON). Each figure is the best of ``--repeat`` runs, in this process:

- **decode only** (the figure printed since the first version): both start from the same
  parsed dict; ours returns categorical code columns, pyjstat string columns.
  ``decode_speedup_vs_pyjstat=NN.N``.
- **end to end** (what a refresh or an import pays): from the response bytes to a frame
  with the *same string columns as pyjstat* (pandas ``str`` dtype). Ours: ``jsonstat.parse``
  (orjson) + ``decode`` + categorical → ``str``; pyjstat: ``json.loads`` (with
  ``OrderedDict``, as pyjstat's own reader does) + ``from_json_stat(naming="id")``.
  ``decode_end_to_end_speedup_vs_pyjstat=NN.N`` (and the same with the standard library's
  ``json`` in place of orjson, the state before orjson).

Also printed: the JSON parse alone with the standard library and with orjson.
pyjstat takes ~30–100 s per run here; ``--pyjstat-repeat 1`` for a quick look.

    python bench/decode.py [--repeat 3] [--pyjstat-repeat 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as ``python bench/x.py`` and ``python -m bench.x``
    sys.path.insert(0, str(ROOT))

import argparse
import json
import time
import warnings
from collections import OrderedDict

import numpy as np
import pandas as pd


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


def time_it(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def ours_end_to_end(raw: bytes, loads=None) -> pd.DataFrame:
    """Bytes → frame with string dimension columns (pyjstat's shape, plus ``status``).
    ``loads``: the JSON parser (default: ``jsonstat.parse``'s, orjson)."""
    from data_sources.jsonstat import decode, parse
    ds = parse(raw if loads is None else loads(raw))
    df = decode(ds)
    for col in ds["id"]:
        cat = df[col].array
        if isinstance(cat, pd.Categorical) and not (cat.codes < 0).any():
            # each label converted once, then picked by code (astype converts every row)
            df[col] = pd.Series(cat.categories.astype("str").take(cat.codes), index=df.index)
        else:
            df[col] = df[col].astype("str")
    return df


def pyjstat_end_to_end(raw: bytes) -> pd.DataFrame:
    from pyjstat import pyjstat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyjstat.from_json_stat(json.loads(raw, object_pairs_hook=OrderedDict),
                                      naming="id")[0]


def main(argv=None) -> None:
    from pyjstat import pyjstat

    from data_sources.jsonstat import decode

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="runs of ours (best is kept)")
    ap.add_argument("--pyjstat-repeat", type=int, default=3, help="runs of pyjstat")
    args = ap.parse_args(argv)
    ds = make_dataset()
    raw = json.dumps(ds, ensure_ascii=False).encode()
    n = int(np.prod(ds["size"]))
    print(f"cells={n} bytes={len(raw)}")

    import orjson
    t_json, _ = time_it(lambda: json.loads(raw), args.repeat)
    t_orjson, _ = time_it(lambda: orjson.loads(raw), args.repeat)
    print(f"parse_json_s={t_json:.3f} parse_orjson_s={t_orjson:.3f}")

    ours, _ = time_it(lambda: decode(ds), args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, _ = time_it(lambda: pyjstat.from_json_stat(ds, naming="id"), args.pyjstat_repeat)
    print(f"ours_decode_s={ours:.3f} ours_rows_per_s={n / ours:,.0f}")
    print(f"pyjstat_decode_s={ref:.3f} pyjstat_rows_per_s={n / ref:,.0f}")

    e2e, mine = time_it(lambda: ours_end_to_end(raw), args.repeat)
    e2e_std, _ = time_it(lambda: ours_end_to_end(raw, json.loads), args.repeat)
    e2e_ref, theirs = time_it(lambda: pyjstat_end_to_end(raw), args.pyjstat_repeat)
    # Like for like: the same rows, the same string columns, the same values.
    cols = list(theirs.columns)
    pd.testing.assert_frame_equal(mine[cols], theirs, check_dtype=True)
    print(f"ours_end_to_end_s={e2e:.3f} ours_end_to_end_stdlib_json_s={e2e_std:.3f} "
          f"pyjstat_end_to_end_s={e2e_ref:.3f}")
    print(f"decode_speedup_vs_pyjstat={ref / ours:.1f}")
    print(f"decode_end_to_end_speedup_vs_pyjstat={e2e_ref / e2e:.1f} "
          f"(with the standard library's json: {e2e_ref / e2e_std:.1f})")


if __name__ == "__main__":
    main()
