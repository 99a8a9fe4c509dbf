"""Browser test: the Befolkning page in real headless Chromium.

Starts ``streamlit run app.py`` on a free port with a store holding Moss (3103), Østfold and
Hele landet, opens ``/befolkning?region=3103&alt=MMMM&aar=2040``, checks the key figures and
charts, moves the pyramid's year slider and saves screenshots (pytest's tmp_path and
/tmp/kg-shots/).
"""

from __future__ import annotations

import pytest

from data_sources.store import Store
from tests.browser import chromium_page, needs_chromium, run_app, shot, wait_idle

pytestmark = [pytest.mark.browser, needs_chromium]


def _fill(path) -> None:
    """Real 07459 and calibrated 14746 for Moss, Østfold, Hele landet (over HTTP)."""
    from tests.storefill import fill_store
    store = Store(path)
    try:
        fill_store(store, regions=["3103", "31", "0"], tables=["projection", "population"])
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "b.duckdb"
    _fill(db)
    with run_app({"KG_DB_PATH": str(db)}) as url:
        yield url


def test_befolkning_page_in_chromium(server, tmp_path):
    with chromium_page() as page:
        page.goto(f"{server}/befolkning?region=3103&alt=MMMM&aar=2040")
        wait_idle(page)
        page.get_by_role("heading", name="Befolkning – Moss").wait_for()
        page.get_by_text("Nøkkeltall 2040 sammenlignet med 2026").wait_for()
        page.get_by_test_id("stMetricLabel").get_by_text("80–89 år", exact=True).wait_for()
        # the four age bands as one small-multiples figure, the growth index, the pyramid
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
        grid = page.locator(".js-plotly-plot").first
        assert grid.evaluate("el => el._fullData.length") == 16  # 4 panels × 4 traces
        assert page.get_by_text("I Moss ventes antallet innbyggere 80 år og eldre").count() == 1
        assert page.get_by_text("Framskrevet →").count() >= 1
        assert page.get_by_text("Kilde: SSB, tabell 14746").count() >= 1
        shot(page, "befolkning_top", tmp_path, full_page=False)

        # The pyramid is the third Plotly chart; the year slider above it starts at the
        # horizon year. Moving it redraws the pyramid with another year (one fragment rerun).
        pyramid = page.locator(".js-plotly-plot").nth(2)
        pyramid.scroll_into_view_if_needed()
        bars_js = ("el => [el._fullData[0].x.length, "
                   "Array.from(el._fullData[0].x).slice(60, 90).join(',')]")
        n_ages, before = pyramid.evaluate(bars_js)
        assert n_ages == 106
        year = page.locator("[data-testid='stSlider']").filter(has_text="År i pyramiden")
        assert "2040" in year.get_by_test_id("stSliderThumbValue").inner_text()
        page.wait_for_timeout(300)
        shot(pyramid, "befolkning_pyramide_2040", tmp_path)
        year.locator("input[type='range']").focus()
        page.keyboard.press("Home")  # the first year: the base year (observed)
        page.wait_for_function(
            "b => { const p = document.querySelectorAll('.js-plotly-plot')[2];"
            " return p && p._fullData && p._fullData[0].x.length === 106"
            " && Array.from(p._fullData[0].x).slice(60, 90).join(',') !== b; }",
            arg=before, timeout=30_000)
        assert "2026" in year.get_by_test_id("stSliderThumbValue").inner_text()
        page.wait_for_timeout(600)
        shot(page.locator(".js-plotly-plot").nth(2), "befolkning_pyramide", tmp_path)
        page.get_by_role("heading", name="Utvikling per aldersgruppe").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shot(page, "befolkning_grupper", tmp_path, full_page=False)
        page.get_by_role("heading", name="Vekst sammenlignet med fylket og landet") \
            .scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        shot(page, "befolkning_indeks", tmp_path, full_page=False)


def test_track_record_in_chromium(tmp_path_factory, tmp_path):
    """Porsgrunn with SSB's 2020, 2022 and 2024 rounds fetched through the client (their
    totals by age group are SSB's, from the Telemark files): the sentences and the two small
    error charts are drawn."""
    from tests import standin_data as sd
    from tests.standin import StandinServer
    from tests.storefill import fill_store, klass_data
    db = tmp_path_factory.mktemp("tr") / "tr.duckdb"
    store = Store(db)
    tables = [sd.table_07459(), sd.table_14746(), *(sd.table_round(t) for t in sd.TELEMARK_ROUNDS)]
    try:
        with StandinServer(tables, max_calls=10_000, window_s=1, klass=klass_data()) as srv:
            fill_store(store, regions=["4001"], server=srv,
                       tables=["population", "projection", "12882", "13600", "14288"])
    finally:
        store.close()
    with run_app({"KG_DB_PATH": str(db)}) as url, chromium_page() as page:
        page.goto(f"{url}/befolkning?region=4001&alt=MMMM&aar=2040")
        wait_idle(page)
        page.get_by_role("heading", name="Hvor godt har framskrivingene truffet?").wait_for()
        assert page.get_by_text("2020-framskrivingen bommet med").count() >= 1
        charts = page.locator(".js-plotly-plot")
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4")
        track = charts.nth(3)  # bands, index, pyramid, then the track record: two panels
        track.scroll_into_view_if_needed()
        track.get_by_text("2024-framskrivingen").first.wait_for()
        track.get_by_text("Avvik i folketallet").wait_for()
        track.get_by_text("Avvik i antallet 80 år og eldre").wait_for()
        shot(track, "befolkning_treff", tmp_path)
