"""The fixed sequence of key charts shared by presentation mode and the PowerPoint deck:
Befolkningen → De eldste eldre → Tjenestebehov → Bemanning → Sammenlignet med andre
(the deck adds two more charts). Pure: picks charts from the three views' reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from analysis.report import Chart, Report, say


@dataclass(frozen=True)
class Step:
    key: str
    title_nb: str
    title_nn: str
    view: str  # befolkning | tjenester | bemanning
    chart: str  # chart key in that view's report
    present: bool = True  # part of presentation mode (else only in the deck)

    def title(self, language: str = "nb") -> str:
        return say(language, self.title_nb, self.title_nn)


SEQUENCE: tuple[Step, ...] = (
    Step("befolkningen", "Befolkningen", "Befolkninga", "befolkning", "band_Totalt"),
    Step("eldste", "De eldste eldre", "Dei eldste eldre", "befolkning", "band_90+"),
    Step("tjenester", "Tjenestebehov", "Tenestebehov", "tjenester", "brukere_institusjon"),
    Step("hjemme", "Hjemmetjenester", "Heimetenester", "tjenester", "brukere_hjemme",
         present=False),
    Step("bemanning", "Bemanning", "Bemanning", "bemanning", "aarsverk"),
    Step("andel", "Andel 20–66 år i pleie og omsorg", "Del 20–66 år i pleie og omsorg",
         "bemanning", "andel_20_66", present=False),
    Step("sammenlignet", "Sammenlignet med andre", "Samanlikna med andre", "befolkning",
         "vekstindeks"),
)


def steps(reports: Mapping[str, Report], presentation: bool = False
          ) -> list[tuple[Step, Report, Chart]]:
    """The steps whose chart exists (a view without data, or a service not in the store, is
    left out), in order."""
    out = []
    for st in SEQUENCE:
        if presentation and not st.present:
            continue
        rep = reports.get(st.view)
        if rep is None or rep.missing:
            continue
        chart = next((c for c in rep.charts() if c.key == st.chart), None)
        if chart is not None:
            out.append((st, rep, chart))
    return out


def _r(v, d: int):
    return None if v is None or v != v else (int(round(v)) if d == 0 else round(float(v), d))


def chart_series(chart: Chart) -> tuple[list, list[tuple[str, list]]]:
    """A chart's numbers as categories and named series (rounded once, as exported): what a
    native PowerPoint chart and the presentation's tables show."""
    d, spec, dec = chart.data, chart.spec, chart.decimals
    if chart.kind in ("band", "scenario_band"):
        if chart.kind == "band":
            cols = ["Observert", "Framskrevet", "Lav", "Høy"]
        else:
            cols = [spec["unchanged"]] + ([spec["scenario"]] if spec["show_scenario"] else []) \
                + [spec["low"], spec["high"]]
        cats = [int(y) for y in d["År"]]
        return cats, [(c, [_r(v, dec.get(c, 0)) for v in d[c]]) for c in cols]
    if chart.kind == "index":
        cats = sorted({int(y) for y in d["year"]})
        out = []
        for code, name in spec["names"].items():
            for g in ("80–89", "90+"):
                s = d[(d["region_code"] == code) & (d["group"] == g)].set_index("year")["index"]
                out.append((f"{name}, {g} år", [_r(s.get(y), 1) for y in cats]))
        return cats, out
    if chart.kind == "bars":
        years = [c for c in d.columns if c.isdigit()]
        a, b = spec["name_cols"]
        return years, [(f"{r[a]}, {str(r[b]).lower()}", [_r(r[y], dec.get(y, 2)) for y in years])
                       for _, r in d.iterrows()]
    if chart.kind == "lines":
        cats = sorted({int(y) for y in d["year"]})
        out = []
        for lab in dict.fromkeys(d["label"]):
            s = d[d["label"] == lab].set_index("year")["value"]
            out.append((lab, [_r(s.get(y), dec.get("value", 1)) for y in cats]))
        return cats, out
    raise ValueError(f"no series for chart kind {chart.kind!r}")
