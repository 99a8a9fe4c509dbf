"""«Sammenlign kommuner» in real Chromium with every kommune in the store: Nordland (41
kommuner) and the whole country, the table, the map, and a row click that opens the
kommune's pages with the rest of the state kept.

Screenshots (pytest's tmp_path and /tmp/kg-shots/): region_nordland.png,
region_nordland_map.png, region_nordland_ingen_data.png, region_nordland_ingen_data_map.png,
region_land.png, region_land_map.png, region_opened.png.
"""

from __future__ import annotations

import shutil

import pytest

from tests.browser import chromium_page, needs_chromium, run_app, shot, wait_idle

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(scope="module")
def server(full_store, tmp_path_factory):
    db = tmp_path_factory.mktemp("region") / "full.duckdb"
    shutil.copy(full_store, db)  # a copy: other tests of the session may use the shared file
    with run_app({"KG_DB_PATH": str(db)}) as url:
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium_page(width=1400, height=1000) as pg:
        yield pg


def _open(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Sammenlign kommuner").wait_for(timeout=120000)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60000)
    wait_idle(page, timeout=120000, settle_ms=1500)


def _map(page):
    return page.locator("[data-testid='stPlotlyChart']").nth(1)


def test_nordland_overview_and_map(server, page, tmp_path):
    _open(page, f"{server}/region?region=1804&alt=MMMM&aar=2040&sett=18")
    assert page.get_by_text("41 kommuner", exact=False).count() >= 1
    assert page.get_by_text("klart over", exact=False).count() >= 1  # the colour line
    grid = page.locator("[data-testid='stDataFrame']").first
    assert grid.is_visible()
    # the map has one hover point per kommune of the set (41), none for the rest
    assert _map(page).locator("path.point").count() == 41
    assert page.get_by_text("Kartverket (CC BY 4.0)", exact=False).count() >= 1
    shot(page, "region_nordland", tmp_path)
    rank = page.locator("[data-testid='stPlotlyChart']").first
    rank.scroll_into_view_if_needed()
    shot(rank, "region_nordland_rank", tmp_path)
    _map(page).scroll_into_view_if_needed()
    shot(_map(page), "region_nordland_map", tmp_path)


def test_nordland_map_shows_ingen_data_and_what_colour_means(server, page, tmp_path):
    """Heldøgns omsorg 80+ in Nordland: one kommune has no value (11645 or 12292 missing in
    the store) and is grey «ingen data», not 0; the lines under the chart and the map say
    what the colours mean («neither» polarity: no colour means better)."""
    _open(page, f"{server}/region?region=1804&alt=MMMM&aar=2040&sett=18&ind=cov_heldogn_80")
    assert _map(page).locator("path.point").count() == 41
    assert _map(page).get_by_text("ingen data").count() >= 1  # the legend entry
    assert page.get_by_text("Verken høy eller lav verdi er i seg selv bedre",
                            exact=False).count() >= 1
    assert page.get_by_text("fargen sier ikke at noe er bedre eller dårligere",
                            exact=False).count() >= 1
    assert page.get_by_text("Grått: ingen data (1 kommune).", exact=False).count() == 1
    _map(page).scroll_into_view_if_needed()
    shot(page, "region_nordland_ingen_data", tmp_path, full_page=False)
    shot(_map(page), "region_nordland_ingen_data_map", tmp_path)


def test_whole_country_and_places_map(server, page, tmp_path):
    _open(page, f"{server}/region?region=1804&alt=MMMM&aar=2040&sett=0&ind=places_per_1000_80")
    assert page.get_by_text("357 kommuner", exact=False).count() >= 1
    assert _map(page).locator("path.point").count() == 357
    shot(page, "region_land", tmp_path)
    _map(page).scroll_into_view_if_needed()
    shot(_map(page), "region_land_map", tmp_path)
    assert "sett=0" in page.url and "ind=places_per_1000_80" in page.url


def test_row_click_opens_the_kommune(server, page, tmp_path):
    _open(page, f"{server}/region?region=1804&alt=LLML&aar=2050&sett=18")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the row-selection checkbox column sits at the left edge; the third data row
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 * 2 + 17)
    page.wait_for_url("**/befolkning**", timeout=120000)
    wait_idle(page, timeout=240000, settle_ms=1000)
    heading = page.get_by_role("heading", level=1).first.inner_text()
    assert heading.startswith("Befolkning") and "Bodø" not in heading, heading
    assert "alt=LLML" in page.url and "aar=2050" in page.url  # the rest of the state kept
    shot(page, "region_opened", tmp_path, full_page=False)
