"""Time of each export for Oslo (what a user waits for after clicking a download button).

Run: ``python bench/exports.py [--repeat 3]``. Builds a store with Oslo, its fylke and the
country through the real refresh path from the stand-in (``tests.storefill.fill_store``),
builds the three reports once (their time is printed as ``reports``; on the server they
are cached per store version, so a click pays only the export), then prints the median of
``--repeat`` runs per format, e.g. ``export=pptx ms=850 bytes=120000``, and the ratio to
the floor: the same library writing the same numbers without styling (one sheet per
table for xlsx, one plain chart per slide for pptx, the tables only for html).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _ms(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def _floor_pptx(reports) -> bytes:
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    from analysis.report_deck import chart_series, steps
    prs = Presentation()
    for _, _, chart in steps(reports):
        cats, series = chart_series(chart)
        data = CategoryChartData()
        data.categories = [str(c) for c in cats]
        for name, values in series:
            data.add_series(name, values)
        s = prs.slides.add_slide(prs.slide_layouts[6])
        s.shapes.add_chart(XL_CHART_TYPE.LINE, 0, 0, Inches(9), Inches(6), data)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _floor_xlsx(report) -> bytes:
    import pandas as pd
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for i, it in enumerate([*report.tables(), *report.charts()]):
            (it.table() if hasattr(it, "kind") else it).rounded().to_excel(
                xw, sheet_name=str(i), index=False)
    return buf.getvalue()


def _floor_html(reports) -> bytes:
    return "".join(t.formatted().to_html() for r in reports.values()
                   for t in r.tables()).encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from analysis import services as sv
    from analysis.population_report import population_report
    from analysis.report import Selection
    from analysis.services_report import services_report, staffing_report
    from data_sources.store import Store
    from tests.storefill import fill_store
    from ui import deck, html_report, workbook
    from ui.export import header_rows, to_csv_bytes

    path = Path(tempfile.mkdtemp(prefix="kg-bench-exports-")) / "oslo.duckdb"
    store = Store(path)
    fill_store(store, regions=["0301"])
    sel = Selection("0301", "Oslo", "kommune", "03", "MMMM", 2040)
    scen = sv.Scenario(institution_change=-1.0, shift_to_home=20.0)
    ms, reports = _ms(lambda: {"befolkning": population_report(store, sel),
                               "tjenester": services_report(store, sel, scen),
                               "bemanning": staffing_report(store, sel, scen)}, 1)
    print(f"reports ms={ms:.0f} (three views, uncached; cached per store version in the app)")
    kf = reports["befolkning"].item("nokkeltall_tabell")
    runs = {
        "pptx": (lambda: deck.pptx_bytes(reports), lambda: _floor_pptx(reports)),
        "html": (lambda: html_report.html_bytes(reports), lambda: _floor_html(reports)),
        "xlsx": (lambda: workbook.workbook_bytes(reports["tjenester"]),
                 lambda: _floor_xlsx(reports["tjenester"])),
        "csv": (lambda: to_csv_bytes(kf.rounded(), header_rows(reports["befolkning"],
                                                              kf.caption)),
                lambda: kf.rounded().to_csv().encode()),
    }
    for name, (fn, floor) in runs.items():
        t, out = _ms(fn, args.repeat)
        f, _ = _ms(floor, args.repeat)
        print(f"export={name} ms={t:.0f} bytes={len(out)} floor_ms={f:.0f} "
              f"ratio={t / f if f else float('nan'):.1f}")
    store.close()


if __name__ == "__main__":
    main()
