"""Built-in list of regions in the 2024 structure (land, 15 fylker, 357 kommuner), and the
KLASS 131 kommune changes 2020 and 2024 shipped with the app (``bundled_changes``).

Used only until the store holds a region register fetched from KLASS or read from table
metadata, so that the app can offer a kommune picker on an empty store with no network.
Generated from SSB KLASS 131/104 (valid 2026); codes and names only. KLASS's CSV download is
ISO-8859-1, which has no 'š': the two names it garbles ('?') are written out in UTF-8 here
(1853 Evenes - Evenášši, 5610 Kárášjohka - Karasjok).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

FILE = Path(__file__).with_name("data") / "regions_2024.csv"


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    df = pd.read_csv(FILE, dtype=str, keep_default_na=False)
    df["parent_code"] = df["parent_code"].replace("", None)
    df["kostra_group"] = None
    return df


def default_regions() -> pd.DataFrame:
    """code, name, level, parent_code, kostra_group (None)."""
    return _load().copy()


def bundled_changes() -> list[dict]:
    """KLASS 131 kommune changes 2020 and 2024 shipped with the app (offline fallback).
    Here, not in ``refresh``: validating an imported file needs them, and importing
    ``refresh`` loads the HTTP client (requests), 0.2–0.3 s of a command-line import."""
    path = Path(__file__).with_name("data") / "klass_131_changes_2020_2024.json"
    return json.loads(path.read_text(encoding="utf-8"))["codeChanges"]
