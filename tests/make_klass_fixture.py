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


def main() -> None:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT.name}: {len(data['codeChanges'])} endringer, {OUT.stat().st_size} byte")


if __name__ == "__main__":
    main()
