"""Compare a page run by AppTest with the report object it draws."""

from __future__ import annotations

from analysis.report import Report


def assert_page_shows(at, report: Report, choice: tuple[str, ...] = ()) -> None:
    """Every key figure (value, delta), paragraph, chart/table caption and the title of
    ``report`` appear on the page exactly as in the report. Items whose key starts with a
    prefix in ``choice`` sit behind a selector: one of each group must be shown."""
    assert at.title[0].value == report.title
    metrics = {m.label: m for m in at.metric}
    for kf in report.key_figures():
        if kf.label not in metrics:
            continue  # key figures drawn elsewhere (e.g. only in exports) are not metrics
        m = metrics[kf.label]
        assert m.value == kf.text(), kf.key
        assert (m.delta or "") == kf.delta_text, kf.key
    md = [m.value for m in at.markdown]
    assert " ".join(report.summary) in md
    # every table on the page is a report table (or a chart's numbers), formatted as such
    tables = [t.formatted() for t in report.tables()] + \
        [c.table().formatted() for c in report.charts()]
    want = [(t.columns.tolist(), t.astype(str).to_numpy().tolist()) for t in tables]
    for df in at.dataframe:
        v = df.value
        assert (v.columns.tolist(), v.astype(str).to_numpy().tolist()) in want
    caps = [c.value for c in at.caption]
    for it in report.items():
        cap = getattr(it, "caption", "")
        if cap and not it.key.startswith(choice):
            assert any(cap in c for c in caps), it.key
    for prefix in choice:
        group = [it for it in report.items() if it.key.startswith(prefix)
                 and getattr(it, "caption", "")]
        assert any(any(it.caption in c for c in caps) for it in group), prefix


def shown_key_figures(at, report: Report) -> int:
    """How many of the report's key figures the page shows as metrics."""
    labels = {m.label for m in at.metric}
    return sum(kf.label in labels for kf in report.key_figures())
