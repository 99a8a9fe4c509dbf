"""The service and staffing pages in real Chromium: render, move a slider, screenshot.

Screenshots go to pytest's tmp_path and /tmp/kg-shots/ (tjenester.png, bemanning.png).
"""

from __future__ import annotations

import pytest

from tests.browser import chromium_page, needs_chromium, run_app, shot, wait_idle
from tests.test_page_tjenester import make_store

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "b.duckdb"
    make_store(db).close()
    with run_app({"KG_DB_PATH": str(db)}) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium_page(height=2400) as pg:
        yield pg


def _wait_idle(page) -> None:
    wait_idle(page, settle_ms=600)


def test_tjenester_in_chromium(server, page, tmp_path):
    page.goto(f"{server}/tjenester?region=1804&alt=MMMM&aar=2040")
    page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").wait_for(timeout=60000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    _wait_idle(page)
    assert page.get_by_text("Institusjon 2040").count() >= 1
    assert page.get_by_text("Plassbehov over dagens plasser").count() == 1
    shot(page, "tjenester", tmp_path)
    # move the healthier-ageing slider with the keyboard: 0 → 2 years
    slider = page.get_by_role("slider").nth(2)
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    _wait_idle(page)
    assert page.get_by_text("i scenarioet").count() >= 1
    assert page.get_by_text("sunnere aldring").count() >= 1  # scenario named in the caption
    shot(page, "tjenester_scenario", tmp_path)


def test_first_session_of_a_fresh_server_keeps_the_region(page, tmp_path):
    """The first session of a new server process starts in Streamlit's legacy pages/ mode;
    the app must leave it before drawing (sidebar shows page titles, not file names) and a
    widget rerun must keep the kommune from the link."""
    make_store(tmp_path / "fresh.duckdb").close()
    with run_app({"KG_DB_PATH": str(tmp_path / "fresh.duckdb")}) as url:
        page = page.context.browser.new_context(viewport={"width": 1400, "height": 1000}) \
            .new_page()
        page.goto(f"{url}/tjenester?region=1804&alt=MMMM&aar=2040")
        page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").wait_for(timeout=60000)
        _wait_idle(page)
        nav = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert any("Tjenester og kapasitet" in t for t in nav), nav
        assert not any(t.strip() in {"app", "tjenester"} for t in nav), nav
        slider = page.get_by_role("slider").nth(0)
        slider.focus()
        slider.press("ArrowLeft")
        _wait_idle(page)
        assert page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").count() == 1
        assert "region=1804" in page.url


def test_bemanning_in_chromium(server, page, tmp_path):
    page.goto(f"{server}/bemanning?region=1804&alt=MMMM&aar=2050")
    page.get_by_role("heading", name="Bemanning – Bodø").wait_for(timeout=60000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    _wait_idle(page)
    assert page.get_by_text("Årsverk 2050, uendret").count() >= 1
    shot(page, "bemanning", tmp_path)
