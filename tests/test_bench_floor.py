"""``bench/floor_app.py`` (the browser floor of ``bench/pages.py --browser``) must draw the
same charts as the page it stands for, or the floor and the ratio printed against it
mean nothing (a closed state-tracking expander once made it fail before the first chart)."""

from __future__ import annotations

import inspect

import pytest

from data_sources.store import reset_store
from tests.paths import ROOT
from tests.test_page_tjenester import run_page, store_path  # noqa: F401  (fixture)


@pytest.mark.parametrize("view", ["befolkning", "tjenester", "bemanning"])
def test_floor_app_draws_the_page_charts(monkeypatch, store_path, view):  # noqa: F811
    from streamlit.testing.v1 import AppTest
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator
    page = run_page(monkeypatch, store_path, f"views/{view}.py")
    # floor_app replaces Streamlit's element functions for the whole process: put them back
    # after this test, or every later AppTest in this worker draws no text at all
    for name in [n for n in dir(DeltaGenerator) if not n.startswith("__")]:
        monkeypatch.setattr(DeltaGenerator, name, inspect.getattr_static(DeltaGenerator, name))
    for name in [n for n in dir(st) if not n.startswith("_")]:
        monkeypatch.setattr(st, name, getattr(st, name))
    monkeypatch.setenv("KG_FLOOR", "charts")
    st.cache_data.clear()
    reset_store()
    floor = AppTest.from_file(str(ROOT / "bench" / "floor_app.py"), default_timeout=60)
    floor.query_params["region"] = "1804"
    floor.run()
    floor.switch_page(str(ROOT / "views" / f"{view}.py"))
    floor.run()
    assert not floor.exception, floor.exception
    assert len(floor.get("plotly_chart")) == len(page.get("plotly_chart")) > 0
    assert not floor.get("metric") and not floor.get("markdown")  # only charts and widgets
