"""Deployment files: compose topology, Dockerfile and the hashed lock file.

Docker cannot run on the development machines (no daemon), so these check the files'
structure; README says how to build.
"""

from __future__ import annotations

import re

import yaml
from packaging.requirements import Requirement

from tests.paths import ROOT


def _lock() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from requirements.lock."""
    text = (ROOT / "requirements.lock").read_text()
    out = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;\\]+)", block)
        if m:
            name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
            out[name] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return out


def test_every_requirement_is_locked_with_hashes():
    lock = _lock()
    assert lock and all(hashes for _, hashes in lock.values())
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req = Requirement(line)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in lock, f"{req.name} is not in requirements.lock"
        assert req.specifier.contains(lock[name][0]), (req, lock[name][0])


def test_ci_and_image_install_from_the_lock():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q --require-hashes -r requirements.lock" in ci
    assert "python -m pytest -q" in ci
    docker = (ROOT / "Dockerfile").read_text()
    assert "RUN pip install --require-hashes -r requirements.lock" in docker
    assert "KG_PUBLIC=1" in docker and "--server.address=0.0.0.0" in docker


def test_compose_two_readers_one_writer_behind_a_sticky_proxy():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    svc = compose["services"]
    apps = [svc["app1"], svc["app2"]]
    for app in apps:
        assert app["environment"]["KG_PUBLIC"] == "1"
        assert app["volumes"] == ["store:/data:ro"]  # replicas cannot write
    writer = svc["refresh"]
    assert writer["volumes"] == ["store:/data"]
    assert "python -m data_sources refresh --all" in " ".join(writer["command"])
    db = {s["environment"]["KG_DB_PATH"] for s in (*apps, writer)}
    assert db == {"/data/kunnskapsgrunnlag.duckdb"}  # one published store
    assert "store" in compose["volumes"]
    caddy_mount = svc["proxy"]["volumes"][0].split(":")[0]
    caddy = (ROOT / caddy_mount).read_text()
    assert "reverse_proxy app1:8501 app2:8501" in caddy
    assert "lb_policy cookie" in caddy  # sticky sessions
    # Streamlit leaves compressing its 4.7 MB Plotly chunk (and the rest) to the proxy
    assert "encode zstd gzip" in caddy
