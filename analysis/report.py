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

import threading
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
    kind: str | None = None  # store kind: projection | population | kostra

    @classmethod
    def from_row(cls, row: Mapping) -> "Source":
        """A ``Source`` from a row of the store's ``sources`` table."""
        def _s(v):
            return None if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" \
                else str(v)
        return cls(id=str(row["table_id"]), table_id=str(row["table_id"]),
                   title=_s(row.get("title")) or "", round=_s(row.get("round")),
                   ssb_updated=_s(row.get("ssb_updated")), fetched_at=_s(row.get("fetched_at")),
                   kind=_s(row.get("kind")))

    def describe(self, language: str = "nb") -> str:
        """«tabell 14746 (befolkningsframskrivingene 2026, oppdatert 16.06.2026)»."""
        if self.kind == "projection":
            what = (say(language, "befolkningsframskrivingene", "befolkningsframskrivingane")
                    + (f" {self.round}" if self.round else ""))
        elif self.kind == "population":
            what = "folkemengde 1. januar"
        else:
            what = self.title.strip()
        date = _date(self.ssb_updated) if self.ssb_updated else None
        inner = ", ".join(p for p in (what, f"oppdatert {date}" if date else None) if p)
        head = f"tabell {self.table_id}" if self.table_id else self.title
        return f"{head} ({inner})" if inner and self.table_id else head

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


def say(language: str, nb: str, nn: str) -> str:
    """The bokmål or nynorsk form of a generated phrase (``language``: ``nb`` | ``nn``)."""
    return nn if language == "nn" else nb


def source_line(sources: Mapping[str, Source], ids, extra: Mapping[str, str] | None = None,
                language: str = "nb") -> str:
    """``"Kilde: SSB, tabell 14746 (befolkningsframskrivingene 2026, oppdatert 16.06.2026),
    hovedalternativet MMMM; tabell 07459 (folkemengde 1. januar)."`` — ``extra`` adds text
    after a table; an id missing from ``sources`` is named by its number."""
    extra = extra or {}
    parts = []
    for i in ids:
        src = sources.get(i)
        part = src.describe(language) if src else f"tabell {i}"
        if extra.get(i):
            part += f", {extra[i]}"
        parts.append(part)
    return (say(language, "Kilde", "Kjelde") + ": SSB, " + "; ".join(parts)).rstrip(".") + "."


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
    # Screen text the renderers use as is (already in the report's målform/formatting):
    value_text: str | None = None  # overrides ``text()`` (e.g. «allerede», «i dag»)
    delta_text: str = ""  # e.g. «+1 234 (+12,3 %)»; empty: no delta shown
    delta_note: str = ""  # e.g. «fra 1 234»
    delta_color: str = "off"  # st.metric delta_color: off | green | red | gray
    delta_arrow: str = "off"  # up | down | off
    help: str = ""

    def shown(self) -> float | None:
        return None if self.value is None else round(self.value, self.decimals)

    def shown_base(self) -> float | None:
        return None if self.base is None else round(self.base, self.decimals)

    def shown_delta(self) -> float | None:
        """The delta of the figures shown (never the rounded unrounded delta)."""
        a, b = self.shown_base(), self.shown()
        return None if a is None or b is None else round(b - a, self.decimals)

    def text(self) -> str:
        if self.value_text is not None:
            return self.value_text
        return fmt_num(self.value, self.decimals) + (f"\u00a0{self.unit}" if self.unit == "%" else "")


@dataclass(frozen=True)
class Table:
    """A table as shown: unrounded values in ``frame``, decimals per column in ``decimals``."""

    key: str
    title: str
    frame: pd.DataFrame
    decimals: Mapping[str, int | None] = field(default_factory=dict)  # None: row_decimals
    sources: tuple[str, ...] = ()
    note: str = ""
    caption: str = ""  # source line shown under it
    row_decimals: tuple[int, ...] = ()  # per row, for columns whose ``decimals`` is None

    def rounded(self) -> pd.DataFrame:
        """The frame as numbers rounded once (for Excel/CSV): numbers stay numbers."""
        out = self.frame.copy()
        for col in self.decimals:
            if col not in out:
                continue
            vals = pd.to_numeric(out[col], errors="coerce")
            if self.decimals[col] is None:
                out[col] = [None if pd.isna(v) else (int(round(v)) if d == 0 else round(v, d))
                            for v, d in zip(vals, self.row_decimals)]
            else:
                d = self.decimals[col]
                out[col] = vals.round(d).astype("Int64") if d == 0 else vals.round(d)
        return out

    def formatted(self) -> pd.DataFrame:
        """The frame as Norwegian text (screen, HTML): «12 345», «12,3», «–» for missing."""
        out = {}
        for j, col in enumerate(self.frame.columns):
            vals = self.frame.iloc[:, j].tolist()
            if col in self.decimals:
                d = self.decimals[col]
                out[col] = [fmt_num(v, self.row_decimals[i] if d is None else d)
                            for i, v in enumerate(vals)]
            else:  # labels and years: as text, «–» where missing
                out[col] = ["–" if v is None or (isinstance(v, float) and v != v) else
                            (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                            for v in vals]
        return pd.DataFrame(out, index=self.frame.index, columns=self.frame.columns)


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
    caption: str = ""  # source line shown under it
    decimals: Mapping[str, int] = field(default_factory=dict)  # per column, for exports

    def table(self) -> Table:
        """The chart's numbers as a table (exports)."""
        return Table(self.key, self.title, self.data, self.decimals, self.sources,
                     caption=self.caption)


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
    intro: str = ""  # the view's question, one paragraph
    notes: tuple[str, ...] = ()  # data notes shown above the figures (missing years ...)
    missing: str = ""  # non-empty: the store lacks what the view needs (then no sections)
    n_alternatives: int = 0  # projection alternatives in the store for the region

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

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def charts(self) -> list[Chart]:
        return [it for it in self.items() if isinstance(it, Chart)]

    def tables(self) -> list[Table]:
        return [it for it in self.items() if isinstance(it, Table)]

    def key_figures(self) -> list[KeyFigure]:
        return [it for it in self.items() if isinstance(it, KeyFigure)]


@dataclass(frozen=True)
class Selection:
    """What the shared sidebar selects (region, alternative, horizon): a report's input."""

    region_code: str
    region_name: str
    level: str  # land | fylke | kommune
    fylke_code: str | None
    alternative: str
    horizon: int
    projection_table: str | None = None  # None: the newest round in the store

    @property
    def alternative_label(self) -> str:
        from data_sources import catalog
        return catalog.alternative_label(self.alternative)


def store_sources(store) -> dict[str, Source]:
    """Every table in the store's ``sources`` as a :class:`Source`, by table id."""
    return {str(r["table_id"]): Source.from_row(r) for r in store.sources().to_dict("records")}


_MEMO: "OrderedDict[tuple, object]" = None  # set below (LRU of store reads, per version)
_MEMO_SIZE = 128
_MEMO_LOCK = threading.Lock()  # sessions run in threads: the LRU's bookkeeping is locked


KEEP_INPUTS = False  # ``ui.prebuild`` sets it: ``memo(..., kept=True)`` results go to disk


def memo(store, fn, *args, kept: bool = False):
    """``fn(store, *args)``, remembered per published store version (a version never
    changes, so the result cannot go stale). Stores without a version id (a file opened
    for writing, as in tests) are not memoised. Results are shared: treat as read-only.

    Reports use it for inputs that do not depend on the scenario (today's base, the
    population frame, the KOSTRA comparison), so moving a slider recomputes only the model.
    ``kept``: a per-region input the prebuild keeps beside the store version
    (``data_sources.derived``), so the first slider move on a region whose report was
    prebuilt does not read and compute it again.
    """
    from collections import OrderedDict
    global _MEMO
    if _MEMO is None:
        _MEMO = OrderedDict()
    version = getattr(store, "version", None)
    if not version:
        return fn(store, *args)
    key = (id(store), version, fn.__module__, fn.__qualname__, args)
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    # outside the lock: a slow read must not hold up other sessions
    out = _kept_input(store, fn, args) if kept else fn(store, *args)
    with _MEMO_LOCK:
        _MEMO[key] = out
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return out


def _kept_input(store, fn, args):
    from data_sources import config, derived
    name = f"memo:{fn.__module__}.{fn.__qualname__}"
    out = derived.load(store, name, args) if config.use_prebuilt() else None
    if out is None:
        out = fn(store, *args)
        if KEEP_INPUTS:
            derived.save(store, name, args, (), out)
    return out
