"""One report object per view: every number, table, sentence and source a view shows.

``analysis`` builds a :class:`Report` per view (``population_report``,
``services_report``, ``staffing_report`` ...); pages only draw it, and the PowerPoint,
HTML report, Excel workbook, CSV files and tests read the same object. A number on
screen and the same number in a slide therefore cannot differ.

Rules every report builder follows:

- Values are stored **unrounded** (floats) with the number of decimals to show; display
  code rounds once, from the unrounded value (``KeyFigure.shown``). A delta shown is the
  difference of the two figures *shown* (``KeyFigure.shown_delta``).
- Every chart, table and key figure names its sources by id; ``Report.sources`` maps each
  id to a :class:`Source` (SSB table id, title, projection round / KOSTRA year, SSB's
  update time, fetch time) or to a non-SSB source (e.g. HUNT4, «kommunens egne tall»).
- Sentences are final text in the report's målform (``language``: ``nb`` or ``nn``).
- No Streamlit import here (``tests/test_layering.py``).

The dataclasses are frozen; frames inside them must be treated as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from analysis.format import fmt_num

LANGUAGES = ("nb", "nn")


@dataclass(frozen=True)
class Source:
    """Where numbers come from. ``id`` is the key used by charts/tables (e.g. ``"14746"``)."""

    id: str
    publisher: str = "SSB"  # SSB | Helsedirektoratet | HUNT4 | Kommunen | ...
    table_id: str | None = None  # SSB table id, if any
    title: str = ""
    round: str | None = None  # projection round ("2024") or KOSTRA year
    ssb_updated: str | None = None  # ISO time SSB last updated the table
    fetched_at: str | None = None  # ISO time we fetched it
    url: str | None = None
    note: str = ""  # e.g. "kommunens egne tall", "estimat fra nasjonale rater"

    def cite(self) -> str:
        """One line, e.g. «SSB, tabell 14746 (framskrivingen 2024), oppdatert 16.06.2026»."""
        parts = [self.publisher]
        if self.table_id:
            parts.append(f"tabell {self.table_id}")
        elif self.title:
            parts.append(self.title)
        s = ", ".join(parts)
        extra = []
        if self.round:
            extra.append(str(self.round))
        if self.ssb_updated:
            extra.append(f"oppdatert {_date(self.ssb_updated)}")
        if self.fetched_at:
            extra.append(f"hentet {_date(self.fetched_at)}")
        if extra:
            s += f" ({', '.join(extra)})"
        if self.note:
            s += f"; {self.note}"
        return s


def _date(iso: str) -> str:
    try:
        return pd.Timestamp(iso).strftime("%d.%m.%Y")
    except (ValueError, TypeError):
        return str(iso)


@dataclass(frozen=True)
class KeyFigure:
    """A headline number (``st.metric``-like): a value at a base year and at a target."""

    key: str
    label: str
    value: float | None  # unrounded, at the target (or the only value)
    unit: str = ""  # "personer", "%", "årsverk", "per 1 000" ...
    decimals: int = 0
    base: float | None = None  # unrounded value at the base year, if a change is shown
    base_label: str = ""  # e.g. "2026"
    label_target: str = ""  # e.g. "2040"
    sources: tuple[str, ...] = ()
    note: str = ""

    def shown(self) -> float | None:
        return None if self.value is None else round(self.value, self.decimals)

    def shown_base(self) -> float | None:
        return None if self.base is None else round(self.base, self.decimals)

    def shown_delta(self) -> float | None:
        """The delta of the figures shown (never the rounded unrounded delta)."""
        a, b = self.shown_base(), self.shown()
        return None if a is None or b is None else round(b - a, self.decimals)

    def text(self) -> str:
        return fmt_num(self.value, self.decimals)


@dataclass(frozen=True)
class Table:
    """A table as shown: unrounded values in ``frame``, decimals per column in ``decimals``."""

    key: str
    title: str
    frame: pd.DataFrame
    decimals: Mapping[str, int] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    note: str = ""

    def rounded(self) -> pd.DataFrame:
        """The frame as numbers rounded once (for Excel/CSV): numbers stay numbers."""
        out = self.frame.copy()
        for col, d in self.decimals.items():
            if col in out:
                out[col] = pd.to_numeric(out[col], errors="coerce").round(d)
                if d == 0:
                    out[col] = out[col].astype("Int64")
        return out


@dataclass(frozen=True)
class Chart:
    """One chart: its data (tidy, unrounded) and what kind of chart draws it.

    ``kind`` names a renderer in ``ui/charts.py`` (screen) and in the exporters
    (``lines``, ``band``, ``bars``, ``pyramid``, ``index``, ``map`` ...); ``spec`` holds
    the renderer's options (column names, colours by series, y title, base year ...).
    ``headline`` is the one sentence shown above it (presentation mode, slides).
    """

    key: str
    title: str
    kind: str
    data: pd.DataFrame
    headline: str = ""
    spec: Mapping[str, object] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    text: tuple[str, ...] = ()  # paragraphs in the report's målform
    items: tuple[KeyFigure | Chart | Table, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything one view shows for one selection."""

    view: str  # "befolkning" | "tjenester" | "bemanning" | ...
    title: str  # «Befolkning – Bodø»
    region_code: str
    region_name: str
    alternative: str  # SSB alternative code, e.g. "MMMM"
    horizon: int
    data_version: str  # projection round and KOSTRA year, e.g. "framskriving 2024, KOSTRA 2025"
    language: str = "nb"
    scenario: Mapping[str, object] = field(default_factory=dict)  # every setting that defines it
    summary: tuple[str, ...] = ()  # generated paragraphs (målform), premise stated inside
    sections: tuple[Section, ...] = ()
    sources: Mapping[str, Source] = field(default_factory=dict)
    method: tuple[str, ...] = ()  # method paragraphs

    def items(self):
        """All key figures, charts and tables in order."""
        for s in self.sections:
            yield from s.items

    def item(self, key: str) -> KeyFigure | Chart | Table:
        for it in self.items():
            if it.key == key:
                return it
        raise KeyError(key)

    def cited(self, ids) -> list[Source]:
        return [self.sources[i] for i in ids if i in self.sources]
