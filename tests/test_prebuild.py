"""Reports prebuilt for a store version (``ui.prebuild``, ``data_sources.derived``): kept per
version, read instead of computed, and a page drawn from them is the page computed."""

from __future__ import annotations

import pickle
import shutil

import pytest

from data_sources import derived
from data_sources import store as sm
from tests.paths import ROOT
from tests.test_store import _write, db  # noqa: F401  (db: the versioned store fixture)


class _Version:
    """What ``derived`` reads of a store: its file and version id."""

    def __init__(self, real, version):
        self._real, self.version = real, version


def test_results_are_kept_per_version_and_arguments(tmp_path):
    v1, v2 = (_Version(str(tmp_path / "s.duckdb"), v) for v in ("v1", "v2"))
    assert derived.save(v1, "mod.f", ("1804", 2040), (), {"x": 1})
    assert derived.load(v1, "mod.f", ("1804", 2040)) == {"x": 1}
    assert derived.has(v1, "mod.f", ("1804", 2040))
    assert derived.load(v2, "mod.f", ("1804", 2040)) is None  # another version
    assert derived.load(v1, "mod.f", ("1804", 2050)) is None  # other arguments
    assert derived.load(v1, "mod.g", ("1804", 2040)) is None  # another function
    assert derived.folder(v1) == tmp_path / "s.duckdb.derived" / "v1" / derived.code_version()


def test_nothing_is_kept_without_a_version(tmp_path):
    s = _Version(str(tmp_path / "s.duckdb"), None)
    assert not derived.save(s, "f", (), (), 1)
    assert derived.load(s, "f", ()) is None
    assert derived.folder(_Version(None, "v1")) is None  # an in-memory store
    assert not (tmp_path / "s.duckdb.derived").exists()


def test_an_unreadable_file_counts_as_absent(tmp_path):
    s = _Version(str(tmp_path / "s.duckdb"), "v1")
    derived.save(s, "f", (1,), (), [1, 2])
    (derived.folder(s) / f"{derived.key('f', (1,))}.pkl").write_bytes(b"\x80\x05cut short")
    assert derived.load(s, "f", (1,)) is None


def test_prune_keeps_only_the_current_version(tmp_path):
    old, new = (_Version(str(tmp_path / "s.duckdb"), v) for v in ("file-1", "file-2"))
    derived.save(old, "f", (), (), 1)
    derived.save(new, "f", (), (), 2)
    older_code = derived.folder(new).with_name("0123456789abcdef")
    older_code.mkdir()
    stray = derived.folder(new).with_name("left.pkl")  # a file, not a folder
    stray.write_bytes(b"x")
    assert sorted(derived.prune(new)) == ["file-1", "file-2/0123456789abcdef",
                                          "file-2/left.pkl"]
    assert not stray.exists() and not older_code.exists()
    assert derived.load(new, "f", ()) == 2 and derived.load(old, "f", ()) is None


def test_results_of_other_code_are_not_read(tmp_path, monkeypatch):
    """A new release on the same store version builds anew: the code's digest is in the
    path, and it changes with any source file."""
    s = _Version(str(tmp_path / "s.duckdb"), "v1")
    derived.save(s, "f", (), (), "made by this code")
    monkeypatch.setattr(derived, "code_version", lambda: "another release")
    assert derived.load(s, "f", ()) is None
    monkeypatch.undo()
    assert derived.load(s, "f", ()) == "made by this code"
    assert derived.code_version() == derived.source_digest(ROOT)
    src = tmp_path / "src"
    for pkg in ("analysis", "data_sources", "ui"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    assert derived.source_digest(src) == derived.code_version()
    with open(src / "analysis" / "report.py", "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    assert derived.source_digest(src) != derived.code_version()


def test_a_deleted_version_takes_its_prebuilt_results_along(db):
    _write(db, 1)
    s = sm.acquire()
    derived.save(s, "f", (), (), "report of v1")
    kept = derived.root(s)
    assert kept.parent == sm.versions_dir(db) and kept.is_dir()
    sm.release(s)
    _write(db, 2)
    with sm.reading() as s2:  # the next reader closes v1, and v1 is deleted
        assert derived.load(s2, "f", ()) is None  # the new version computes its own
    assert not kept.exists()


def test_a_figure_kept_with_a_report_pickles_as_its_dict():
    from ui import charts
    fig = charts.figure([dict(type="bar", x=["2025"], y=[1.5])], charts.layout_defaults())
    kept = charts.frozen(fig)
    back = pickle.loads(pickle.dumps(kept))
    assert back.to_dict() == fig.to_dict()
    assert back.to_dict()["data"][0]["y"] == [1.5]


# -- pages drawn from prebuilt reports --------------------------------------------------------

@pytest.fixture(scope="module")
def prebuilt_store(full_store, tmp_path_factory):
    """A copy of the full store with 1804 Bodø's reports prebuilt."""
    from ui import prebuild
    path = tmp_path_factory.mktemp("prebuilt") / "p.duckdb"
    shutil.copyfile(full_store, path)
    sm.reset_store()
    assert prebuild.prebuild(path, regions=["1804"]) == 3
    sm.reset_store()
    return path


def _page(monkeypatch, db, page: str, prebuilt: bool, reads_allowed: bool = True):
    """``page`` for 3103 Moss, then switched to 1804 Bodø (with DuckDB reads refused during
    the switch when ``reads_allowed`` is False); returns the AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("KG_DB_PATH", str(db))
    monkeypatch.setenv("KG_PREBUILT", "1" if prebuilt else "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    sm.reset_store()
    from analysis import report
    report._MEMO = None
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["region"] = "3103"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    with monkeypatch.context() as m:
        if not reads_allowed:
            def refuse(*a, **k):
                raise AssertionError("a DuckDB read during the switch")
            m.setattr(sm.Store, "query", refuse)
            m.setattr(sm.Store, "scalar", refuse)
            from ui import render

            def no_figure(*a, **k):
                raise AssertionError("a figure built during the switch")
            m.setattr(render, "figure", no_figure)
        at.sidebar.selectbox(key="_w_region").select("1804 Bodø")
        at.run()
    assert not at.exception, at.exception
    return at


def _shown(at) -> list:
    """Everything the page shows: text, key figures, tables and each chart's spec."""
    return [[m.value for m in at.markdown], [c.value for c in at.caption],
            [m.value for m in at.subheader], [m.value for m in at.title],
            [(m.label, m.value, m.proto.delta) for m in at.metric],
            [c.proto.spec for c in at.get("plotly_chart")]]


@pytest.mark.parametrize("page", ["views/befolkning.py", "views/tjenester.py",
                                  "views/bemanning.py"])
def test_a_switch_to_a_prebuilt_region_reads_nothing_and_shows_the_computed_page(
        monkeypatch, prebuilt_store, page):
    fast = _page(monkeypatch, prebuilt_store, page, prebuilt=True, reads_allowed=False)
    assert fast.title[0].value.endswith("Bodø")
    computed = _page(monkeypatch, prebuilt_store, page, prebuilt=False)
    assert _shown(fast) == _shown(computed)


def test_a_slider_move_on_a_prebuilt_region_reads_nothing(monkeypatch, prebuilt_store):
    """The care model's per-region inputs are kept too: the first slider move computes the
    model only, and shows what the computed page shows."""
    pages = []
    for prebuilt in (True, False):
        at = _page(monkeypatch, prebuilt_store, "views/tjenester.py", prebuilt=prebuilt)
        slider = at.select_slider(key="_w_scn_institution_change")
        assert slider.value == 0.0
        with monkeypatch.context() as m:
            if prebuilt:
                def refuse(*a, **k):
                    raise AssertionError("a DuckDB read during the slider move")
                m.setattr(sm.Store, "query", refuse)
            slider.set_value(-1.0)
            at.run()
        assert not at.exception, at.exception
        pages.append(_shown(at))
    assert pages[0] == pages[1]
    assert any("−1,0" in c for c in pages[0][1] + pages[0][0])  # the scenario is shown


def test_a_server_on_a_writable_store_prebuilds_in_the_background(tmp_path, monkeypatch):
    """``serve.py``'s warm-up starts ``python -m ui.prebuild`` for a version without
    prebuilt reports, once; not when turned off."""
    from tests.test_page_tjenester import make_store
    from ui import warmup
    db = tmp_path / "s.duckdb"
    make_store(db).close()
    monkeypatch.setenv("KG_DB_PATH", str(db))
    sm.reset_store()
    monkeypatch.setenv("KG_PREBUILD_ON_START", "0")
    assert warmup.start_prebuild() is None
    monkeypatch.setenv("KG_PREBUILD_ON_START", "1")
    proc = warmup.start_prebuild()
    assert proc is not None and proc.wait(300) == 0
    s = sm.get_store()
    assert derived.is_complete(s)
    regions = s.query("SELECT count(*) AS n FROM regions WHERE level IN "
                      "('land', 'fylke', 'kommune')")["n"].iloc[0]
    assert len(list(derived.folder(s).glob("*.pkl"))) >= 3 * regions  # reports (+ inputs)
    assert warmup.start_prebuild() is None  # done for this version
    sm.reset_store()
