"""Build data_sources/data/klass_131_changes_2020_2024.json (our own file, KLASS ``changes`` format).

KLASS cannot be reached from the development machines, so the kommune code changes of
1 January 2020 and 1 January 2024 are derived here from files in ``../shared/ssb``:

- ``klass_regioner/csdata_niphr/norway_locations_municip_history.xlsx`` (FHI/csdata): rows
  with ``year_end`` 2019 (change on 2020-01-01) and 2023 (change on 2024-01-01) map
  ``municip_code`` (old) to ``municip_code_end`` (new); a ``weighting`` marks splits.
- ``klass_regioner/ssb_klass_131_kommuneinndeling_2026.csv`` (SSB KLASS 131): names of the
  codes valid now (used for the 2024 new codes).

Only real changes are kept (old code != new code). Output: ``{"codeChanges": [{oldCode,
oldName, oldShortName, newCode, newName, newShortName, changeOccurred}, ...]}``.

Run: ``python tests/make_klass_fixture.py`` (env ``KG_SHARED_DIR`` overrides ../shared/ssb).

``centrality_items()`` (used by the stand-in, not written to a file) gives the KLASS 131 → 128
correspondence (sentralitetsindeks). Its classes are SYNTHETIC: no real per-kommune classes
are in ../shared (PROVENANCE.md has no KLASS 128 file).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data_sources.regions import load_klass_csv  # noqa: E402

SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT / ".." / "shared" / "ssb"))
OUT = ROOT / "data_sources" / "data" / "klass_131_changes_2020_2024.json"
CHANGE_YEARS = {2019: "2020-01-01", 2023: "2024-01-01"}


def build(shared: Path = SHARED) -> dict:
    hist = pd.read_excel(shared / "klass_regioner" / "csdata_niphr" /
                         "norway_locations_municip_history.xlsx")
    now = load_klass_csv(shared / "klass_regioner" / "ssb_klass_131_kommuneinndeling_2026.csv")
    names_now = dict(zip(now["code"], now["name"]))
    code = hist["municip_code"].str.replace("municip_nor", "", regex=False)
    end = hist["municip_code_end"].str.replace("municip_nor", "", regex=False)
    # Name of a code as it was introduced (rows that start in the change year).
    names_then: dict[tuple[str, int], str] = {}
    for c, n, ys in zip(code, hist["municip_name"], hist["year_start"]):
        names_then[(c, int(ys))] = n
    out = []
    for c, e, n, ye in zip(code, end, hist["municip_name"], hist["year_end"]):
        if pd.isna(ye) or int(ye) not in CHANGE_YEARS or c == e:
            continue
        new_year = int(ye) + 1
        new_name = names_then.get((e, new_year)) or names_now.get(e) or e
        if new_year == 2024:
            new_name = names_now.get(e, new_name)
        out.append({"oldCode": c, "oldName": n, "oldShortName": "", "newCode": e,
                    "newName": new_name, "newShortName": "",
                    "changeOccurred": CHANGE_YEARS[int(ye)]})
    out.sort(key=lambda r: (r["changeOccurred"], r["newCode"], r["oldCode"]))
    return {"codeChanges": out}


def centrality_items() -> list[dict]:
    """SYNTHETIC KLASS ``correspondenceItems`` for 131 → 128 (sentralitet).

    Classes are invented from the stand-in's (also invented) KOSTRA groups, which follow
    population size: EKG17 (largest) → class 1 «Mest sentrale kommuner», EKG01 → 6. The
    shapes copy what KLASS does around a version change: most kommuner are listed with
    their 2024 code from 2024-01-01; 3001 Halden and 1507 Ålesund are still listed with
    their pre-2024 codes in the valid version (3001 → 3101 is a renumbering, 1507 was split
    into 1508 and 1580, so those two get no class); 3002 Moss has an expired 2020-version
    item with another class, which must not win over 3103's current one.
    """
    from tests import standin_data
    names = {"3001": "Halden", "1507": "Ålesund", "3002": "Moss"}

    def item(code, name, k, valid_from, valid_to=None):
        return {"sourceCode": code, "sourceName": name, "sourceShortName": "",
                "targetCode": f"{k:02d}", "targetName": CENTRALITY_NAMES[k],
                "targetShortName": "", "validFrom": valid_from, "validTo": valid_to}

    out = []
    for code, grp in sorted(standin_data.kostra_groups().items()):
        k = 6 - (int(grp[3:]) - 1) * 6 // 17
        if code in ("3101", "1508", "1580"):
            old = {"3101": "3001", "1508": "1507", "1580": "1507"}[code]
            if not any(i["sourceCode"] == old for i in out):
                out.append(item(old, names[old], k, "2020-01-01"))
            continue
        out.append(item(code, code, k, "2024-01-01"))
        if code == "3103":
            out.append(item("3002", names["3002"], 7 - k, "2020-01-01", "2024-01-01"))
    return out


# Class names: 1 and 6 as SSB names them; 2–5 are not checked against KLASS 128.
CENTRALITY_NAMES = {1: "Mest sentrale kommuner", 2: "Nest mest sentrale kommuner",
                    3: "Sentrale kommuner", 4: "Mellomsentrale kommuner",
                    5: "Nest minst sentrale kommuner", 6: "Minst sentrale kommuner"}


def main() -> None:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT.name}: {len(data['codeChanges'])} endringer, {OUT.stat().st_size} byte")


if __name__ == "__main__":
    main()
