"""Compare a page run by AppTest with the report object it draws."""

from __future__ import annotations

import re

import pandas as pd

from analysis.report import Report


def markdown_tables(at) -> list[tuple[list[str], list[list[str]]]]:
    """The Markdown tables on the page (``render.table``) as (columns, rows), cells
    unescaped."""
    def cells(line: str) -> list[str]:
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]
    out = []
    for m in at.markdown:
        lines = m.value.splitlines()
        if len(lines) >= 2 and lines[0].startswith("|") and re.fullmatch(r"\|(:?-+:?\|)+",
                                                                          lines[1]):
            out.append((cells(lines[0]), [cells(x) for x in lines[2:]]))
    return out


def tables(at) -> list[pd.DataFrame]:
    """Every table on the page as a frame of the text shown: the Markdown tables
    (``render.table``) and the interactive grids, in page order within each kind."""
    return [pd.DataFrame(rows, columns=cols) for cols, rows in markdown_tables(at)] + \
        [d.value for d in at.dataframe]


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
    for shown in markdown_tables(at):
        assert shown in want
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
