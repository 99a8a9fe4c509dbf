"""AppTest of «Sammenlign kommuner» (``views/region.py``) on the page tests' small store."""

from __future__ import annotations

import json

import pytest

from analysis import indicators as ind
from data_sources.store import get_store
from tests.report_page import tables
from tests.test_page_tjenester import run_page, store_path  # noqa: F401  (fixture)

PAGE = "views/region.py"


def charts(at) -> dict[str, dict]:
    """Plotly specs on the page by element key suffix («cmp_rank», «cmp_map»)."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        title = spec["layout"].get("title", {}).get("text", "")
        kind = "map" if any(t.get("fill") == "toself" for t in spec["data"]) else "rank"
        out[kind] = spec | {"_title": title}
    return out


def test_default_set_is_the_fylke_of_the_kommune(monkeypatch, store_path):  # noqa: F811
    at = run_page(monkeypatch, store_path, PAGE, region="1804")
    assert at.title[0].value == "Sammenlign kommuner"
    assert at.selectbox(key="cmp_set").value == "18"
    assert at.query_params["sett"] == "18"
    assert any(c.value.startswith("Nordland: 2 kommuner") for c in at.caption)
    assert any("klart over" in c.value and "Grønt og rødt" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table["Kommune"]) == ["Bodø", "Røst"]
    # the page shows the numbers of analysis.indicators (same store, same alternative)
    frame = ind.indicator_frame(get_store(store_path), ["1804", "1856"], "MMMM", 2040)
    col = next(c for c in table.columns if c.startswith("Vekst 80+"))
    assert table[col].tolist() == pytest.approx(frame["growth_80"].tolist())
    figs = charts(at)
    assert {"rank", "map"} <= set(figs)
    assert "Median" in json.dumps(figs["rank"]["layout"]["annotations"])
    assert "Kartverket (CC BY 4.0)" in json.dumps(figs["map"]["layout"]["annotations"])


def test_own_set_from_the_url_and_whole_country(monkeypatch, store_path):  # noqa: F811
    at = run_page(monkeypatch, store_path, PAGE, region="1804", sett="egne",
                  utvalg="1804,1508,9999")
    assert at.multiselect(key="cmp_codes").value == ["1804", "1508"]  # unknown code dropped
    assert list(at.dataframe[0].value["Kommune"]) == ["Bodø", "Ålesund"]
    assert at.query_params["utvalg"] == "1804,1508"
    at = run_page(monkeypatch, store_path, PAGE, region="1804", sett="0")
    assert len(at.dataframe[0].value) == 4  # every kommune in the store's register


def test_missing_values_are_ingen_data_on_the_map(monkeypatch, store_path):  # noqa: F811
    at = run_page(monkeypatch, store_path, PAGE, region="1508", sett="0",
                  ind="places_per_1000_80")
    frame = ind.indicator_frame(get_store(store_path), ["1804", "1856", "1508", "1580"],
                                "MMMM", 2040)
    missing = sorted(frame.index[frame["places_per_1000_80"].isna()])
    assert missing, "the store lacks places (11875) for the Møre og Romsdal kommuner"
    traces = charts(at)["map"]["data"]
    grey = [t for t in traces if t.get("name") == "ingen data"]
    assert grey and sorted(grey[0]["meta"]) == missing
    coloured = [c for t in traces if t.get("fill") and t["name"] != "ingen data"
                for c in t["meta"]]
    assert coloured and not set(coloured) & set(missing)  # never drawn as a value (e.g. 0)
    hover = next(t for t in traces if t.get("name") == "kommuner")
    assert any(txt.endswith("ingen data") for txt in hover["text"])


def test_kommune_against_a_peer_group(monkeypatch, store_path):  # noqa: F811
    at = run_page(monkeypatch, store_path, PAGE, region="1804")
    assert at.segmented_control(key="cmp_peer").value == "KOSTRA-gruppe 13"
    bench = next(d.value for d in at.dataframe if "Vurdering" in d.value.columns)
    # KOSTRA group 13 in this store: Bodø and Ålesund -> one peer, too few to judge
    assert set(bench["Vurdering"]) == {"ikke vurdert"}
    frame = ind.indicator_frame(get_store(store_path), ["1508"], "MMMM", 2040)
    row = bench[bench["Indikator"].str.startswith("Vekst 80+")].iloc[0]
    from analysis.format import fmt_num
    assert row["Median i gruppen"] == fmt_num(frame.loc["1508", "growth_80"], 1)
    assert any("mot 1 annen kommune (KOSTRA-gruppe 13)" in c.value for c in at.caption)


def test_similar_kommuner_become_the_set(monkeypatch, store_path):  # noqa: F811
    at = run_page(monkeypatch, store_path, PAGE, region="1804")
    sim_table = next(d.value for d in at.dataframe if "Avstand" in d.value.columns)
    assert sim_table["Kommune"].iloc[0] == "Bodø" and sim_table["Avstand"].iloc[0] == "0,00"
    # This store has no centrality classes: the page says so, the column shows «–».
    assert any("SSBs sentralitetsindeks, klassifikasjon 128" in c.value for c in at.caption)
    assert any(c.value.startswith("Sentralitet mangler for alle kommunene")
               for c in at.caption)
    assert set(sim_table["Sentralitet"]) == {"–"}
    at.button(key="sim_use").click().run()
    assert not at.exception
    assert at.selectbox(key="cmp_set").value == "egne"
    codes = at.query_params["utvalg"].split(",")
    assert codes[0] == "1804" and set(codes) == {"1804", "1856", "1508", "1580"}
    assert at.session_state["compare_set"] == codes and at.query_params["sml"] == ",".join(codes)
    assert "Lagret sammenligningsutvalg" in at.segmented_control(key="cmp_peer").options


def test_saved_set_joins_the_kostra_table_on_tjenester(monkeypatch, store_path):  # noqa: F811
    """Journey: similar kommuner saved on the region page → Tjenester's KOSTRA comparison has
    a column with the set's median (Bodø itself left out)."""
    from tests.test_kostra_analysis import raw_12209, raw_value
    at = run_page(monkeypatch, store_path, PAGE, region="1804")
    at.button(key="sim_use").click().run()
    at.switch_page("views/tjenester.py")
    at.run()
    assert not at.exception
    assert set(at.query_params["sml"].split(",")) == {"1804", "1856", "1508", "1580"}
    assert any(s.value.endswith("og lagret utvalg") for s in at.subheader)
    latest = next(t for t in tables(at) if "Indikator" in t.columns)
    col = "Lagret utvalg (median av 3)"
    assert col in latest.columns
    row = latest[latest["Indikator"].str.startswith("Andel 80+ med hjemmetjenester")].iloc[0]
    # 2023 is the latest year of SSB's 12209 file; Ålesund and Haram have no value before the
    # 2024 split, so the median of Røst, Ålesund and Haram is Røst's own figure
    assert raw_value(raw_12209(), "1856", "2023")[0] == 39.3
    assert row["År"] == "2023" and row[col] == "39,3"  # shown with Norwegian formatting
    note = next(c.value for c in at.caption if "«Lagret utvalg» er medianen" in c.value)
    names = {"1856": "Røst", "1508": "Ålesund", "1580": "Haram"}  # in the set's order
    shown = ", ".join(names[c] for c in at.session_state["compare_set"] if c != "1804")
    assert note.endswith(f"Sammenlign kommuner»: {shown} (kommunen selv er holdt utenfor).")


@pytest.fixture(scope="module")
def central_path(tmp_path_factory):
    """The page tests' store with centrality classes for Bodø (2) and Røst (6) only."""
    from tests.test_page_tjenester import make_store
    path = tmp_path_factory.mktemp("central") / "c.duckdb"
    s = make_store(path)
    s.execute("UPDATE regions SET centrality = CASE code WHEN '1804' THEN 2 "
              "WHEN '1856' THEN 6 END")
    s.close()
    return path


def test_similar_kommuner_show_centrality(monkeypatch, central_path):
    at = run_page(monkeypatch, central_path, PAGE, region="1804")
    sim_table = next(d.value for d in at.dataframe if "Avstand" in d.value.columns)
    by = sim_table.set_index("Kommune")
    assert by.loc["Bodø", "Sentralitet"] == "2" and by.loc["Røst", "Sentralitet"] == "6"
    assert by.loc["Ålesund", "Sentralitet"] == "–"
    assert "Sentralitet" in by.loc["Ålesund", "Mangler tall"]
    assert "Sentralitet" not in by.loc["Røst", "Mangler tall"]
    assert not any(c.value.startswith("Sentralitet mangler") for c in at.caption)
