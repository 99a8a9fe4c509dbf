"""Command line: ``python -m data_sources {refresh,import,status}``.

    python -m data_sources refresh --kommune 3103 4601     # these kommuner (+ fylke, land)
    python -m data_sources refresh --all                   # everything, all regions
    python -m data_sources refresh --tables projection 12209
    python -m data_sources import 07459.csv 14746.json     # files saved from Statistikkbanken
    python -m data_sources status
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys

from tqdm import tqdm


def _writing(before_publish: str | None = None):
    """Write a new store version (published when the command succeeds); the app keeps
    serving the previous version meanwhile. ``before_publish``: a command run on the
    finished version just before it is published (its file and id in ``KG_VERSION_FILE``
    and ``KG_VERSION``), e.g. ``python -m ui.prebuild``."""
    from .store import publishing

    def hook(file, version) -> None:
        print("Forbereder den nye versjonen før den publiseres …", file=sys.stderr)
        subprocess.run(shlex.split(before_publish), check=True,
                       env={**os.environ, "KG_VERSION_FILE": str(file), "KG_VERSION": version})

    return publishing(on_wait=lambda: print("Venter på at en annen oppdatering av databasen "
                                            "blir ferdig …", file=sys.stderr),
                      before_publish=hook if before_publish else None)


def cmd_refresh(args) -> int:
    from .client import SSBClient
    from .refresh import TABLE_KEYS, refresh
    if args.kommune is not None and args.all:
        print("Feil: oppgi enten --kommune eller --all, ikke begge.", file=sys.stderr)
        return 2
    if not args.all and args.kommune is None and not args.tables:
        print("Oppgi --kommune KODE ..., --all eller --tables ...", file=sys.stderr)
        return 2
    # ``--kommune`` given but empty is refused by refresh(), never read as «all regions»
    regions = None if args.all or args.kommune is None else args.kommune
    bars: dict[str, tqdm] = {}

    def progress(what, done, total):
        bar = bars.get(what)
        if bar is None:
            bar = bars[what] = tqdm(total=total, desc=what, unit="forespørsel", leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()

    client = SSBClient()
    try:
        with _writing(args.before_publish) as store:
            report = refresh(store, tables=args.tables or TABLE_KEYS, regions=regions,
                             client=client, progress=progress, force=args.force)
    except ValueError as exc:
        print(f"Feil: {exc}", file=sys.stderr)
        return 2
    finally:
        for bar in bars.values():
            bar.close()
    for line in report.lines():
        print(line)
    if not report.ok:
        print("Noen tabeller feilet. Uten nettverk: last ned filer fra Statistikkbanken "
              "(JSON-stat 2 eller CSV) og kjør `python -m data_sources import FIL ...`.",
              file=sys.stderr)
        return 1
    return 0


def cmd_import(args) -> int:
    from .importer import FileImportError, import_files
    try:
        reports = import_files(args.files)
    except FileImportError as exc:
        print(f"Feil: {exc}", file=sys.stderr)
        print("Ingenting ble endret i databasen.", file=sys.stderr)
        return 1
    for r in reports:
        print(r.message)
    return 0


def cmd_status(args) -> int:
    from .store import get_store
    store = get_store()
    df = store.status()
    print(f"Database: {store.path} (versjon {store.version or 'ingen publisert'})")
    if df.empty:
        print("Databasen er tom. Hent data med `python -m data_sources refresh --kommune KODE` "
              "eller importer filer med `python -m data_sources import FIL ...`.")
        return 0
    for r in df.itertuples():
        print(f"{r.table_id:>6}  {r.kind:<10} {r.title}")
        print(f"        runde: {r.round or '–'}  SSB oppdatert: {r.ssb_updated or 'ukjent'}  "
              f"hentet: {r.fetched_at:%Y-%m-%d %H:%M}  rader: {r.rows:,}  regioner: {r.regions}"
              .replace(",", " "))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m data_sources",
                                 description="Hent, importer og vis SSB-data i databasen.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("refresh", help="hent fra SSB (bare tabeller som er endret)")
    r.add_argument("--kommune", nargs="*", metavar="KODE",
                   help="kommune-/fylkesnummer (mellomrom eller komma mellom)")
    r.add_argument("--all", action="store_true", help="alle regioner")
    r.add_argument("--tables", nargs="+", metavar="TABELL",
                   help="projection, population, 12209, 12292, 12003, 11875")
    r.add_argument("--force", action="store_true", help="last ned selv om tabellen er uendret")
    r.add_argument("--before-publish", metavar="KOMMANDO",
                   help="kjøres på den nye versjonen før den publiseres, f.eks. "
                        "\"python -m ui.prebuild\" (rapportene er da klare for brukerne)")
    r.set_defaults(fn=cmd_refresh)
    i = sub.add_parser("import", help="importer filer lastet ned fra Statistikkbanken")
    i.add_argument("files", nargs="+", metavar="FIL")
    i.set_defaults(fn=cmd_import)
    s = sub.add_parser("status", help="vis hva databasen inneholder")
    s.set_defaults(fn=cmd_status)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
