"""Compare a page run by AppTest with the report object it draws."""

from __future__ import annotations

from analysis.report import Report


def assert_page_shows(at, report: Report) -> None:
    """Every key figure (value, delta), paragraph, chart/table caption and the title of
    ``report`` appear on the page exactly as in the report."""
    assert at.title[0].value == report.title
    metrics = {m.label: m for m in at.metric}
    for kf in report.key_figures():
        if kf.label not in metrics:
            continue  # key figures drawn elsewhere (e.g. only in exports) are not metrics
        m = metrics[kf.label]
        assert m.value == kf.text(), kf.key
        assert (m.delta or "") == kf.delta_text, kf.key
    md = [m.value for m in at.markdown]
    for p in report.summary:
        assert p in md
    caps = [c.value for c in at.caption]
    for it in report.items():
        cap = getattr(it, "caption", "")
        if cap:
            assert any(cap in c for c in caps), it.key


def shown_key_figures(at, report: Report) -> int:
    """How many of the report's key figures the page shows as metrics."""
    labels = {m.label for m in at.metric}
    return sum(kf.label in labels for kf in report.key_figures())
