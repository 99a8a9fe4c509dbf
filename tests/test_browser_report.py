"""Report journeys in real Chromium: a shared link with a moved scenario opened in fresh
browser contexts shows the report's numbers, presentation mode steps through its five
screens with the arrow key (screenshots under /tmp/kg-shots), and the PowerPoint
downloads and opens."""

from __future__ import annotations

import io

import pytest

from analysis import services as sv
from analysis.population_report import population_report
from analysis.report import Selection
from analysis.report_deck import steps
from analysis.services_report import services_report, staffing_report
from tests.browser import CHROMIUM, FLAGS, needs_chromium, new_page, run_app, shot, wait_idle
from tests.test_page_tjenester import make_store

pytestmark = [pytest.mark.browser, needs_chromium]

LINK = "/bemanning?region=1856&alt=LHML&aar=2050&inst=-1&trapp=20&prod=0.5&maal=nn"
SCENARIO = sv.Scenario(institution_change=-1.0, shift_to_home=20.0, productivity=0.5)


def _metrics(page) -> dict[str, str]:
    out = {}
    for m in page.locator("[data-testid='stMetric']").all():
        label = m.locator("[data-testid='stMetricLabel']").inner_text().strip()
        out[label] = m.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def test_shared_link_presentation_and_pptx(tmp_path):
    db = tmp_path / "rep.duckdb"
    store = make_store(db)
    roest = staffing_report(store, Selection("1856", "Røst", "kommune", "18", "LHML", 2050),
                            SCENARIO, "nn")
    bodo = Selection("1804", "Bodø", "kommune", "18", "MMMM", 2040)
    seq = steps({"befolkning": population_report(store, bodo),
                 "tjenester": services_report(store, bodo),
                 "bemanning": staffing_report(store, bodo)}, presentation=True)
    store.close()
    want = {kf.label: kf.text() for kf in roest.section("nokkeltall").items}
    from playwright.sync_api import sync_playwright
    with run_app({"KG_DB_PATH": str(db)}) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            # 1. the shared link in a fresh context: the scenario's numbers, in nynorsk
            page = new_page(browser, 1400, 1000)  # a fresh context counting script runs
            ctx = page.context
            page.goto(url + LINK)
            page.get_by_role("heading", name="Bemanning – Røst").wait_for()
            page.locator("[data-testid='stMetric']").nth(3).wait_for()
            wait_idle(page, timeout=120_000, settle_ms=800)
            got = _metrics(page)
            assert {k: got.get(k) for k in want} == want
            texts = page.locator("[data-testid='stMarkdown']").all_inner_texts()
            assert any(roest.summary[0] in t for t in texts)
            shot(page, "report_link_bemanning", tmp_path, full_page=False)
            page.get_by_role("button", name="Kopier lenke").click()
            link = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
            assert "trapp=20" in link and "region=1856" in link and "maal=nn" in link
            ctx.close()
            # ... and the copied link in another fresh context gives the same numbers
            page = new_page(browser, 1400, 1000)  # a fresh context counting script runs
            ctx = page.context
            page.goto(link)
            page.get_by_role("heading", name="Bemanning – Røst").wait_for()
            page.locator("[data-testid='stMetric']").nth(3).wait_for()
            wait_idle(page, timeout=120_000, settle_ms=800)
            got = _metrics(page)
            assert {k: got.get(k) for k in want} == want
            ctx.close()
            # 2. presentation mode at projector size, stepped with the arrow key
            page = new_page(browser, 1920, 1080)
            ctx = page.context
            page.goto(url + "/presentasjon?region=1804&alt=MMMM&aar=2040")
            for i, (step, _, chart) in enumerate(seq):
                page.get_by_text(chart.headline).wait_for()
                wait_idle(page, timeout=120_000, settle_ms=800)
                page.locator(".js-plotly-plot .main-svg").first.wait_for()
                page.wait_for_timeout(800)
                assert not page.locator("[data-testid='stSidebar']").is_visible()
                assert page.get_by_text(f"{i + 1}/{len(seq)} · {step.title()}").is_visible()
                shot(page, f"report_present_{i + 1}", tmp_path, full_page=False)
                if i < len(seq) - 1:
                    page.keyboard.press("ArrowRight")
            # 3. the PowerPoint of the same selection
            page.goto(url + "/befolkning?region=1804&alt=MMMM&aar=2040")
            page.get_by_role("heading", name="Befolkning – Bodø").wait_for()
            wait_idle(page, timeout=120_000, settle_ms=500)
            page.get_by_role("button", name="Lag PowerPoint og rapport").click()
            page.get_by_text("PowerPoint og rapport er klare").wait_for(timeout=120_000)
            get = page.get_by_role("button", name="Last ned PowerPoint")
            get.scroll_into_view_if_needed()
            shot(page, "report_files_ready", tmp_path, full_page=False)
            with page.expect_download(timeout=120_000) as dl:
                get.click()
            data = open(dl.value.path(), "rb").read()
            assert dl.value.suggested_filename == "kunnskapsgrunnlag_1804_bodo_MMMM_2040.pptx"
            ctx.close()
        finally:
            browser.close()
    from pptx import Presentation
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == 9
    first = [sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame]
    assert first[0] == "Kunnskapsgrunnlag – Bodø"
