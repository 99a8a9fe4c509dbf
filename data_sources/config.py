"""Run-time settings, read from the environment each time they are asked for."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
DEFAULT_KLASS_URL = "https://data.ssb.no/api/klass/v1"


def ssb_base_url() -> str:
    """PxWebApi 2 base URL; env ``KG_SSB_BASE_URL`` overrides (tests point it at loopback)."""
    return os.environ.get("KG_SSB_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def klass_base_url() -> str:
    """KLASS API base URL; env ``KG_KLASS_BASE_URL`` overrides."""
    return os.environ.get("KG_KLASS_BASE_URL", DEFAULT_KLASS_URL).rstrip("/")


def db_path() -> Path:
    """DuckDB file; env ``KG_DB_PATH`` overrides ``cache/kunnskapsgrunnlag.duckdb``."""
    return Path(os.environ.get("KG_DB_PATH", ROOT / "cache" / "kunnskapsgrunnlag.duckdb"))


def http_timeout() -> float:
    return float(os.environ.get("KG_HTTP_TIMEOUT", "30"))


def public_mode() -> bool:
    """Env ``KG_PUBLIC=1``: a public instance. Visitors only read: no fetching from SSB and
    no file upload in the app; the operator's refresh job is the one writer."""
    return os.environ.get("KG_PUBLIC", "0").strip().lower() in ("1", "true", "yes", "on")


def network_recheck_s() -> float:
    """How long the app trusts its last check of whether SSB is reachable."""
    return float(os.environ.get("KG_NETWORK_RECHECK_S", "60"))


def use_prebuilt() -> bool:
    """Read reports prebuilt for the store version (``ui.prebuild``); ``KG_PREBUILT=0``
    turns that off (benchmarks comparing with and without)."""
    return os.environ.get("KG_PREBUILT", "1").strip().lower() not in ("0", "false", "no", "off")


def prebuild_on_start() -> bool:
    """``serve.py`` prebuilds the published version's reports in the background when they
    are missing (``KG_PREBUILD_ON_START=0``: leave it to the refresh job)."""
    return os.environ.get("KG_PREBUILD_ON_START", "1").strip().lower() not in (
        "0", "false", "no", "off")
