"""Prebuild every region's reports for a store version, as pages first ask for them.

    python -m ui.prebuild [--jobs 2] [--force] [--regions 1804 4601]

A published version never changes, so Befolkning's, Tjenester' and Bemanning's reports for
every region (land, fylker, kommuner) as a visitor first opens them (the link's default
alternative, horizon and målform, the unchanged scenario, no comparison set) can be built
once, with their figures and tables, and kept beside the version
(``data_sources.derived``). Every app process and replica then reads a kommune switch's
report from disk (a few ms) instead of computing it (about 0.1–0.3 s of the server's
interpreter per page, which a webinar's sessions queue for). The per-region inputs of the
care model are kept too (``analysis.report.memo(..., kept=True)``), so a slider move on
such a region computes only the model. Anything else (another målform, alternative or
comparison set) is computed on demand as before.

Run by the refresh job on each new version just before it publishes it (``python -m
data_sources refresh --before-publish "python -m ui.prebuild"``, ``compose.yaml``: readers
meet the new version with its reports ready), and by ``serve.py`` in the background when it
starts on a published version without them; a plain ``streamlit run app.py`` works
without. Progress goes to stderr; the last line says how many reports were kept.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def report_calls(store, code: str) -> list[tuple]:
    """``(fn, args)`` of the three pages' reports for ``code`` as a page asks for them at
    its defaults (``ui.data.shared(fn, *args)``)."""
    from analysis import services as sv
    from analysis.population_report import population_report
    from analysis.report_link import DEFAULTS
    from analysis.services_report import services_report, staffing_report
    from ui import data, state
    lookup = data._region_lookup(store)
    sel = state.selection_of(lookup, code, DEFAULTS["alternative"], DEFAULTS["horizon"])
    lang = DEFAULTS["language"]
    return [(population_report, (sel, lang, ())),
            (services_report, (sel, sv.UNCHANGED, lang, ())),
            (staffing_report, (sel, sv.UNCHANGED, lang, ()))]


_OPEN: dict[tuple[str, str], object] = {}  # this process's store per (file, version)


def _opened(file: str, version: str):
    """One store version's file, read-only, under its version id (published or about to
    be: the refresh job prebuilds a new version before it publishes it); opened once per
    process, so what every region's report shares (``analysis.report.memo``: the
    register, the KOSTRA groups, the country) is read once, not once per region."""
    from data_sources.store import Store
    s = _OPEN.get((file, version))
    if s is None or s.closed:
        s = _OPEN[(file, version)] = Store(file, read_only=True)
        s.version = version
    return s


def _close_all() -> None:
    while _OPEN:
        _OPEN.popitem()[1].close()


def build_region(file: str, version: str, code: str) -> int:
    """Build and keep ``code``'s reports for ``version``; how many were kept."""
    from data_sources import derived
    from ui import data, render
    s = _opened(file, version)
    n = 0
    for fn, args in report_calls(s, code):
        name = data.fn_name(fn)
        if derived.has(s, name, args):
            n += 1
            continue
        report = fn(s, *args)
        if not report.missing:
            render.prepare(report)
        n += derived.save(s, name, args, (), report)
    return n


def _worker(file: str, version: str, codes: list[str]) -> int:
    from analysis import report
    was, report.KEEP_INPUTS = report.KEEP_INPUTS, True  # a slider move's inputs, too
    try:
        return sum(build_region(file, version, c) for c in codes)
    finally:
        report.KEEP_INPUTS = was


def target(db: str | Path | None = None) -> tuple[str, str] | None:
    """(file, version id) to prebuild: the version the refresh job is about to publish
    (``KG_VERSION_FILE``/``KG_VERSION``, set by ``python -m data_sources refresh
    --before-publish``), else the published one; None when nothing is published."""
    from data_sources import config
    from data_sources import store as store_mod
    file, version = os.environ.get("KG_VERSION_FILE"), os.environ.get("KG_VERSION")
    if file and version:
        return file, version
    s = store_mod.acquire(str(db or config.db_path()))
    try:
        real = getattr(s, "_real", None)
        return (real, s.version) if real and s.version else None
    finally:
        store_mod.release(s)


def prebuild(db: str | Path | None = None, jobs: int = 1, force: bool = False,
             progress=None, regions: list[str] | None = None) -> int:
    """Prebuild the reports of ``target(db)`` (``jobs`` processes); the number kept.
    Does nothing when that version's prebuild already finished (unless ``force``).
    ``regions``: only these region codes (the version is then not marked complete)."""
    got = target(db)
    if got is None:
        return 0
    file, version = got
    try:
        return _prebuild(file, version, jobs, force, progress, regions)
    finally:
        _close_all()


def _prebuild(file: str, version: str, jobs: int, force: bool, progress,
              regions: list[str] | None) -> int:
    from data_sources import derived
    from ui import data
    s = _opened(file, version)
    if derived.is_complete(s) and not force:
        return 0
    derived.prune(s)
    codes = list(regions) if regions else data._region_options(s)["code"].tolist()
    chunks = [codes[i:i + 8] for i in range(0, len(codes), 8)]
    done = kept = 0
    with contextlib.ExitStack() as stack:
        if jobs > 1:
            # spawned, not forked: this process holds DuckDB's threads and locks
            pool = stack.enter_context(ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("spawn")))
            counts = pool.map(_worker, [file] * len(chunks), [version] * len(chunks), chunks)
        else:
            counts = (_worker(file, version, part) for part in chunks)
        for part, n in zip(chunks, counts):
            done += len(part)
            kept += n
            if progress:
                progress(done, len(codes))
    if not regions:
        derived.mark_complete(s, kept)
    return kept


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 1)),
                    help="processes building reports (default: one per core)")
    ap.add_argument("--force", action="store_true", help="build again what is kept")
    ap.add_argument("--regions", nargs="*", help="only these region codes")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"Forhåndsberegner rapporter: {done} av {total} regioner", file=sys.stderr,
              flush=True)

    kept = prebuild(jobs=args.jobs, force=args.force, progress=progress, regions=args.regions)
    print(f"Forhåndsberegnet {kept} rapporter på {time.perf_counter() - t0:.0f} s.")


if __name__ == "__main__":
    main()
