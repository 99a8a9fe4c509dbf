"""«Kunnskapsgrunnlag – {kommune}»: one self-contained HTML file (prints well to PDF) from
the three views' report objects — the generated text of each view, key figures, charts,
key tables, the scenario, method and references with SSB table ids.

Charts are Plotly figures drawn by the same ``ui.render.figure`` as on screen, as static
plots; plotly.js is embedded once, so the file opens offline and in any browser.
"""

from __future__ import annotations

import html
import re
from datetime import date

from analysis import report_text as tx
from analysis.report import Chart, KeyFigure, Report, Table, say
from ui.export import header_rows
from ui.render import figure

CSS = """
body{font-family:'Source Sans Pro',Arial,sans-serif;color:#222;max-width:960px;margin:2em auto;
padding:0 1em;line-height:1.45}
h1{color:#1f4e79;font-size:2em;margin-bottom:.2em}h2{color:#1f4e79;border-bottom:2px solid #1f4e79;
padding-bottom:.2em;margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}th{background:#eef2f7}
td:first-child,th:first-child{text-align:left}
.meta td{border:none;text-align:left;padding:.1em .8em .1em 0}.meta td:first-child{font-weight:600}
.caption{color:#555;font-size:.85em;margin:.2em 0 1em}
.figure{page-break-inside:avoid;break-inside:avoid;margin:1em 0}
.summary{background:#f4f7fb;border-left:4px solid #1f4e79;padding:.6em 1em}
@page{size:A4;margin:15mm}
@media print{body{max-width:none;margin:0}h2{page-break-before:always}h2.first{page-break-before:avoid}
.figure .plotly-graph-div{width:100%!important}}
"""


def _e(text) -> str:
    return html.escape(str(text))


def _md(text: str) -> str:
    """Escape, then the two markdown marks the reports use: **bold** and *italic*."""
    t = _e(text)
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", t)


def _table_html(t: Table, language: str) -> str:
    df = t.formatted()
    df.columns = [tx.column_name(str(c), language) for c in df.columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in r) + "</tr>"
                   for r in df.itertuples(index=False))
    cap = " ".join(x for x in (t.note, t.caption) if x)
    return (f'<div class="figure"><h3>{_e(t.title)}</h3><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table><p class="caption">{_e(cap)}</p></div>')


def _figures_html(figs: list[KeyFigure], language: str) -> str:
    head = (f"<tr><th>{say(language, 'Nøkkeltall', 'Nøkkeltal')}</th><th>Verdi</th>"
            f"<th>Endring</th></tr>")
    rows = "".join(f"<tr><td>{_e(k.label)}</td><td>{_e(k.text())}</td>"
                   f"<td>{_e(' '.join(x for x in (k.delta_text, k.delta_note) if x))}</td></tr>"
                   for k in figs)
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"


class _Plotly:
    """Embeds plotly.js with the first chart only."""

    def __init__(self) -> None:
        self.first = True

    def __call__(self, c: Chart) -> str:
        fig = figure(c)
        if c.kind == "pyramid":  # a printed page shows the horizon year, no animation
            fig.layout.updatemenus, fig.layout.sliders = (), ()
        fig.layout.width = 900
        out = fig.to_html(full_html=False, include_plotlyjs=self.first,
                          config={"staticPlot": True, "displayModeBar": False})
        self.first = False
        return (f'<div class="figure"><h3>{_e(c.title)}</h3><p>{_e(c.headline)}</p>{out}'
                f'<p class="caption">{_e(c.caption)}</p></div>')


def html_bytes(reports: dict[str, Report], language: str = "nb") -> bytes:
    """The whole report as UTF-8 HTML (views without data are left out)."""
    reps = [r for r in reports.values() if not r.missing]
    first = next(iter(reports.values()))
    plot = _Plotly()
    title = f"Kunnskapsgrunnlag – {first.region_name}"
    scen = next((r.scenario for r in reps if r.scenario), {})
    fullest = max(reps, key=lambda r: len(r.data_version)) if reps else first
    meta = [(k, v) for k, v in header_rows(fullest)
            if k not in ("Kunnskapsgrunnlag", "Scenario")]
    meta.insert(3, ("Scenario", tx.describe_scenario(scen, language)))
    meta.append((say(language, "Laget", "Laga"), date.today().strftime("%d.%m.%Y")))
    parts = [f'<!DOCTYPE html><html lang="{"nn" if language == "nn" else "nb"}"><head>'
             f'<meta charset="utf-8"><title>{_e(title)}</title><style>{CSS}</style></head>'
             f"<body><h1>{_e(title)}</h1><table class='meta'>"
             + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta)
             + "</table>"]
    for i, r in enumerate(reps):
        parts.append(f'<h2 class="{"first" if i == 0 else ""}">{_e(r.title)}</h2>'
                     f"<p>{_md(r.intro)}</p>")
        for n in r.notes:
            parts.append(f'<p class="caption">{_e(n)}</p>')
        if r.summary:
            parts.append('<div class="summary">' + "".join(f"<p>{_md(p)}</p>" for p in r.summary)
                         + "</div>")
        for sec in r.sections:
            if not sec.items and all(t in r.summary for t in sec.text):
                continue  # the summary box above already holds it
            parts.append(f"<h3>{_e(sec.title)}</h3>")
            parts += [f"<p>{_md(t)}</p>" for t in sec.text if t not in r.summary]
            figs = [it for it in sec.items if isinstance(it, KeyFigure)]
            if figs:
                parts.append(_figures_html(figs, language))
            for it in sec.items:
                if isinstance(it, Chart):
                    parts.append(plot(it))
                elif isinstance(it, Table):
                    parts.append(_table_html(it, language))
    parts.append(f"<h2>{say(language, 'Metode og kilder', 'Metode og kjelder')}</h2>")
    for p in dict.fromkeys(p for r in reps for p in r.method):
        parts.append(f"<p>{_md(p)}</p>")
    cited = {}
    for r in reps:
        for it in r.items():
            for sid in it.sources:
                if sid in r.sources:
                    cited.setdefault(sid, r.sources[sid].cite())
    parts.append("<ul>" + "".join(f"<li>{_e(c)}</li>" for c in cited.values()) + "</ul>")
    parts.append("<p class='caption'>Statistisk sentralbyrå (SSB), lisens CC BY 4.0.</p>"
                 "</body></html>")
    return "".join(parts).encode("utf-8")
