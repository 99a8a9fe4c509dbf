"""Where the real SSB files live (../shared/ssb beside the checkout; env KG_SHARED_DIR)."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared")) / "ssb"


def shared(rel: str) -> Path:
    """Path of a real SSB file in shared/ssb; skips the test if shared/ is absent."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"mangler {p} (../shared ved siden av sjekkouten)")
    return p
