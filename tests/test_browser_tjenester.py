"""The service and staffing pages in real Chromium: render, move a slider, screenshot.

Screenshots go to pytest's tmp_path and /tmp/kg-shots/ (tjenester.png, bemanning.png).
"""

from __future__ import annotations

import pytest

from tests.browser import (chromium_page, move_slider, needs_chromium, new_page, run_app,
                           runs, shot, wait_idle)
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


def test_tjenester_in_chromium(server, page, tmp_path):
    page.goto(f"{server}/tjenester?region=1804&alt=MMMM&aar=2040")
    wait_idle(page)
    page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("Institusjon 2040").first.wait_for()
    page.get_by_text("For få plasser fra").first.wait_for()  # the last metric of the row
    wait_idle(page)
    assert page.get_by_text("For få plasser fra").count() == 1
    shot(page, "tjenester", tmp_path)
    # move the healthier-ageing slider with the keyboard: 0 → 2 years
    move_slider(page, page.get_by_role("slider").nth(2), "ArrowRight", times=4)
    page.get_by_text("sunnere aldring").first.wait_for()  # scenario named in the caption
    wait_idle(page)  # and any rerun still queued by the key presses is done
    page.get_by_text("i scenarioet").first.wait_for()
    shot(page, "tjenester_scenario", tmp_path)


def test_own_numbers_from_the_link_in_chromium(server, page, tmp_path):
    """A link with the kommune's own places and økonomiplan: the form says it is in use, the
    capacity chart and table use the planned places, marked «kommunens egne tall»."""
    page.goto(f"{server}/tjenester?region=1804&alt=MMMM&aar=2040&egen_plass=300"
              "&plan=2027:12,2029:-8")
    wait_idle(page)
    page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").wait_for()
    page.get_by_text("Kommunens egne tall er i bruk").first.wait_for()
    page.get_by_text("Kommunens egne tall og økonomiplan").first.click()  # drawn when opened
    places = page.get_by_role("spinbutton", name="Institusjonsplasser")
    places.wait_for()
    assert places.input_value() == "300"
    assert page.get_by_text("Plassbehov og plasser, Bodø").count() >= 1
    # in «Kort oppsummert» and above the capacity chart
    assert page.get_by_text("Økonomiplanen endrer plassene slik: 2027: +12, 2029: −8").count() \
        == 2
    shot(page, "tjenester_egne", tmp_path)
    chart = page.locator(".js-plotly-plot").nth(1)  # users, then need against places
    chart.scroll_into_view_if_needed()
    chart.get_by_text("Planlagte plasser").first.wait_for()
    shot(chart, "tjenester_egne_kapasitet", tmp_path)


def test_first_session_of_a_fresh_server_keeps_the_region(page, tmp_path):
    """The first session of a new server process starts in Streamlit's legacy pages/ mode;
    the app must leave it before drawing (sidebar shows page titles, not file names) and a
    widget rerun must keep the kommune from the link."""
    make_store(tmp_path / "fresh.duckdb").close()
    with run_app({"KG_DB_PATH": str(tmp_path / "fresh.duckdb")}) as url:
        page = new_page(page.context.browser)
        page.goto(f"{url}/tjenester?region=1804&alt=MMMM&aar=2040")
        wait_idle(page)
        assert runs(page) == 1  # the run counter sees exactly the first run (browser.py)
        page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").wait_for()
        nav = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert any("Tjenester og kapasitet" in t for t in nav), nav
        assert not any(t.strip() in {"app", "tjenester"} for t in nav), nav
        move_slider(page, page.get_by_role("slider").nth(0), "ArrowLeft")
        assert page.get_by_role("heading", name="Tjenester og kapasitet – Bodø").count() == 1
        assert "region=1804" in page.url


def test_bemanning_in_chromium(server, page, tmp_path):
    page.goto(f"{server}/bemanning?region=1804&alt=MMMM&aar=2050")
    wait_idle(page)
    page.get_by_role("heading", name="Bemanning – Bodø").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_text("Årsverk 2050, uendret").first.wait_for()
    shot(page, "bemanning", tmp_path)
