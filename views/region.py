"""Sammenlign kommuner: a fylke, the whole country or a chosen set, one row per kommune,
a ranking chart with the set's median, a map, and similar kommuner (``?page=region``).

Thin page: numbers from ``analysis.indicators`` (computed once for all kommuner per store
version, alternative and horizon, then cut to the set), similarity from
``analysis.similarity``, figures and files from ``ui.compare``. The set is kept in the URL
(``sett=18``, ``sett=0`` for the whole country, ``sett=egne&utvalg=1804,1856``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis import geo
from analysis import indicators as ind
from analysis import similarity as sim
from analysis.format import fmt_int, fmt_num, plural
from analysis.population_report import data_version
from analysis.report import Source
from data_sources import catalog, config
from ui import compare as cmp
from ui import charts, data, export, state

LAND, OWN = "0", "egne"
SET_KEYS = ("cmp_set", "cmp_codes", "cmp_indicator")


# -- cached numbers ------------------------------------------------------------------------
@st.cache_data(show_spinner="Regner ut tall for alle kommuner …", max_entries=16)
def _all_kommuner(version: str, path: str, alternative: str, horizon: int) -> pd.DataFrame:
    """Every indicator for every kommune in the register (index code) plus name, fylke and
    KOSTRA group."""
    regs = data.region_options()
    kom = regs[regs["level"] == "kommune"].set_index("code")
    frame = ind.indicator_frame(data.store(), list(kom.index), alternative, horizon)
    frame.insert(0, "name", kom["name"].reindex(frame.index))
    frame.insert(1, "fylke", kom["parent_code"].reindex(frame.index))
    frame["kostra_group"] = kom["kostra_group"].reindex(frame.index)
    return frame


@st.cache_data(show_spinner=False, max_entries=32)
def _set_frames(version: str, path: str, alternative: str, horizon: int,
                codes: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The set's rows and their peer categories (the set is its own peer group). ``codes``:
    the set's kommune codes joined by «,» (one string hashes fast; a kommune switch reruns
    the page and every cache key is hashed again)."""
    frame = _all_kommuner(version, path, alternative, horizon)
    sub = frame.loc[[c for c in codes.split(",") if c in frame.index]]
    return sub, ind.compare_with_peers(sub)


@st.cache_data(show_spinner=False, max_entries=32)
def _table(version: str, path: str, alternative: str, horizon: int, codes: str,
           group: str) -> tuple[pd.DataFrame, list[list[str]], dict[str, dict[float, str]]]:
    """The set's table of one indicator group, built once per set: numbers (sortable), the
    cells' CSS (peer colours) and each column's Norwegian display string per value."""
    sub, cats = _set_frames(version, path, alternative, horizon, codes)
    cols = cmp.table_columns(sub, horizon, ind.GROUPS[group])
    shown = pd.DataFrame({"Kommune": sub["name"].to_numpy(),
                          **{label: sub[key].to_numpy(dtype=float) for key, label, _ in cols}},
                         index=sub.index)
    styles = cmp.cell_styles(cats, {k: lab for k, lab, _ in cols if k in ind.BY_KEY})
    styles = styles.reindex(columns=shown.columns, fill_value="").to_numpy().tolist()
    display = {lab: {float(v): fmt_num(v, d) for v in shown[lab].dropna().unique()}
               for _, lab, d in cols}
    return shown, styles, display


@st.cache_data(show_spinner=False, max_entries=64)
def _similar(version: str, path: str, alternative: str, horizon: int, code: str, n: int,
             weights: tuple[tuple[str, float], ...]) -> pd.DataFrame:
    return sim.similar(_all_kommuner(version, path, alternative, horizon), code, n,
                       dict(weights))


@st.cache_resource(show_spinner=False, max_entries=32)
def _map(version: str, path: str, alternative: str, horizon: int, codes: str,
         key: str, title: str, source_line: str):
    """The map figure, built once per set and indicator (shared read-only: the geometry is
    the heavy part and never changes)."""
    sub, _cats = _set_frames(version, path, alternative, horizon, codes)
    d = ind.BY_KEY[key]
    return cmp.map_figure(sub[key], sub["name"], title, d.unit, d.decimals, d.polarity,
                          source_line)


@st.cache_data(show_spinner=False, max_entries=4)
def _sources(version: str, path: str) -> dict[str, Source]:
    out = {}
    for row in data.store().sources().to_dict("records"):
        tid = row["table_id"]
        out[tid] = Source(id=tid, table_id=tid, title=_text(row.get("title")) or "",
                          round=_text(row.get("round")) if row.get("kind") == "projection"
                          else None, ssb_updated=_text(row.get("ssb_updated")),
                          fetched_at=_text(row.get("fetched_at")))
    return out


def _text(v) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)


# -- the set -------------------------------------------------------------------------------
def _init_state(sel: state.Selection, kommuner: set[str]) -> None:
    qp = st.query_params
    if "cmp_set" not in st.session_state:
        default = sel.fylke_code or (sel.region_code if sel.level == "fylke" else LAND)
        st.session_state.cmp_set = qp.get("sett", default)
    if "cmp_codes" not in st.session_state:
        raw = qp.get("utvalg", "")
        st.session_state.cmp_codes = [c for c in raw.split(",") if c in kommuner]
    if "compare_set" not in st.session_state and qp.get("sml"):
        st.session_state.compare_set = [c for c in qp.get("sml").split(",") if c in kommuner]
    if "cmp_indicator" not in st.session_state:
        key = qp.get("ind", "growth_80")
        st.session_state.cmp_indicator = key if key in ind.BY_KEY else "growth_80"


def choose_set(sel: state.Selection, regs: pd.DataFrame) -> tuple[str, list[str]]:
    """The set chooser; returns (name of the set, kommune codes)."""
    kom = regs[regs["level"] == "kommune"]
    fylker = regs[regs["level"] == "fylke"]
    names = dict(zip(kom["code"], kom["name"]))
    _init_state(sel, set(kom["code"]))
    options = [LAND] + list(fylker["code"]) + [OWN]
    labels = {LAND: "Hele landet", OWN: "Egne kommuner (velg selv)",
              **dict(zip(fylker["code"], fylker["name"]))}
    if st.session_state.cmp_set not in options:
        st.session_state.cmp_set = LAND
    c1, c2 = st.columns([1, 2])
    with c1:
        st.selectbox("Utvalg", options, key="cmp_set", format_func=labels.get,
                     help="Et fylke, hele landet eller kommuner du velger selv, for eksempel "
                          "et interkommunalt samarbeid eller et helsefellesskap.")
    choice = st.session_state.cmp_set
    if choice == OWN:
        with c2:
            st.multiselect("Kommuner i utvalget", list(names), key="cmp_codes",
                           format_func=lambda c: f"{names.get(c, c)} ({c})",
                           placeholder="Velg kommuner")
        codes = list(st.session_state.cmp_codes)
        title = "Egne kommuner"
    elif choice == LAND:
        codes, title = list(kom["code"]), "Hele landet"
    else:
        codes, title = list(kom.loc[kom["parent_code"] == choice, "code"]), labels[choice]
    st.query_params["sett"] = choice
    if choice == OWN and codes:
        st.query_params["utvalg"] = ",".join(codes)
    elif "utvalg" in st.query_params:
        del st.query_params["utvalg"]
    return title, codes


# -- table -------------------------------------------------------------------------------
def _open_kommune(names: dict[str, str], codes: list[str]) -> None:
    """Row click: make the kommune the shared selection and open Befolkning (on_select)."""
    rows = st.session_state["cmp_table"].selection.rows
    if not rows:
        return
    code = codes[rows[0]]
    opts = data.region_options()
    label = dict(zip(opts["code"], opts["label"])).get(code)
    if label is None:
        return
    st.session_state.region = code
    st.session_state["_w_region"] = label
    st.session_state["_cmp_open"] = code


def show_table(sel: state.Selection, version: str, path: str, codes: str) -> None:
    """The sortable table of one group of indicators, coloured by peer category."""
    group = st.segmented_control("Vis", list(ind.GROUPS), default="Befolkning",
                                 key="cmp_group") or "Befolkning"
    shown, styles, display = _table(version, path, sel.alternative, sel.horizon, codes, group)
    fmts = {lab: (lambda v, m=m: m.get(v, "–")) for lab, m in display.items()}
    styler = shown.style.format(fmts).apply(lambda _: np.array(styles, dtype=object), axis=None)
    names = dict(zip(shown.index, shown["Kommune"]))
    st.dataframe(styler, hide_index=True, key="cmp_table", on_select=lambda: _open_kommune(
        names, list(shown.index)), selection_mode="single-row",
        height=min(38 + 35 * len(shown), 560),
        column_config={"Kommune": st.column_config.TextColumn(pinned=True)})


# -- one kommune against a peer group ------------------------------------------------------
def peer_groups(frame: pd.DataFrame, code: str, set_codes: list[str], set_title: str,
                version: str, path: str, sel: state.Selection) -> dict[str, list[str]]:
    """Peer groups offered for ``code``: label → kommune codes."""
    row = frame.loc[code]
    groups = {}
    if pd.notna(row["kostra_group"]):
        num = str(row["kostra_group"]).removeprefix("EKG").lstrip("0")
        groups[f"KOSTRA-gruppe {num}"] = list(frame.index[frame["kostra_group"]
                                                          == row["kostra_group"]])
    if pd.notna(row["fylke"]):
        groups["Fylket"] = list(frame.index[frame["fylke"] == row["fylke"]])
    groups["Hele landet"] = list(frame.index)
    similar = _similar(version, path, sel.alternative, sel.horizon, code, 11,
                       tuple(sorted(sim.DEFAULT_WEIGHTS.items())))
    groups["10 lignende kommuner"] = list(similar.index)
    if set_codes:
        groups[f"Utvalget ({set_title})"] = set_codes
    saved = st.session_state.get("compare_set")
    if saved:
        groups["Lagret sammenligningsutvalg"] = [c for c in saved if c in frame.index]
    return groups


def show_benchmark(frame: pd.DataFrame, sel: state.Selection, set_codes: list[str],
                   set_title: str, version: str, path: str) -> None:
    st.subheader("Kommunen mot en sammenligningsgruppe")
    if sel.level != "kommune" or sel.region_code not in frame.index:
        st.info("Velg en kommune i sidemenyen for å sammenligne den med en gruppe.")
        return
    groups = peer_groups(frame, sel.region_code, set_codes, set_title, version, path, sel)
    label = st.segmented_control("Sammenlign med", list(groups), default=list(groups)[0],
                                 key="cmp_peer") or list(groups)[0]
    b = ind.benchmark(frame, sel.region_code, groups[label])
    base, ky = cmp.mode(frame["base_year"]), cmp.mode(frame["kostra_year"])
    shown = pd.DataFrame({
        "Indikator": [ind.label_with_year(ind.BY_KEY[k], base, sel.horizon, ky)
                      for k in b["key"]],
        sel.region_name: [fmt_num(v, ind.BY_KEY[k].decimals) for k, v in zip(b["key"],
                                                                             b["value"])],
        "Antall bak tallet": [fmt_num(c, 0, missing="") for c in b["count"]],
        "Median i gruppen": [fmt_num(v, ind.BY_KEY[k].decimals)
                             for k, v in zip(b["key"], b["median"])],
        "Midtre halvdel": [f"{fmt_num(lo, ind.BY_KEY[k].decimals)}–"
                           f"{fmt_num(hi, ind.BY_KEY[k].decimals)}" if n else "–"
                           for k, lo, hi, n in zip(b["key"], b["q1"], b["q3"], b["n"])],
        "Vurdering": b["text"].to_numpy()})
    colours = [f"background-color: {cmp.CELL_COLORS[c]}" if cmp.CELL_COLORS[c] else ""
               for c in b["category"]]
    styler = shown.style.apply(lambda _: colours, subset=["Vurdering"], axis=0)
    st.dataframe(styler, hide_index=True, key="cmp_bench")
    n_peers = len([c for c in groups[label] if c != sel.region_code])
    st.caption(f"{sel.region_name} mot {fmt_int(n_peers)} "
               f"{plural(n_peers, 'annen kommune', 'andre kommuner')} ({label}). "
               "«Midtre halvdel»: fra nedre til øvre kvartil i gruppen. "
               + ind.colour_sentence("kommunene i gruppen"))


# -- similar kommuner ----------------------------------------------------------------------
def show_similar(frame: pd.DataFrame, sel: state.Selection, version: str, path: str) -> None:
    st.subheader("Lignende kommuner")
    st.caption(sim.METHOD)
    names = frame["name"].to_dict()
    codes = list(frame.index)
    default = sel.region_code if sel.region_code in names else codes[0]
    c1, c2 = st.columns([2, 1])
    with c1:
        me = st.selectbox("Finn kommuner som ligner på", codes, index=codes.index(default),
                          format_func=lambda c: f"{names[c]} ({c})", key="sim_kommune")
    with c2:
        n = st.number_input("Antall", 3, 30, 10, key="sim_n")
    cols = st.columns(len(sim.FEATURES))
    weights = {}
    for col, f in zip(cols, sim.FEATURES):
        weights[f.key] = col.select_slider(f"Vekt: {f.label}", [0.0, 0.5, 1.0, 2.0, 3.0],
                                           value=f.default_weight, key=f"sim_w_{f.key}",
                                           format_func=lambda v: fmt_num(v, 1))
    if not any(weights.values()):
        st.info("Sett minst én vekt over 0.")
        return
    res = _similar(version, path, sel.alternative, sel.horizon, me, int(n) + 1,
                   tuple(sorted(weights.items())))
    shown = pd.DataFrame({
        "Kommune": [names[c] for c in res.index],
        "Avstand": [fmt_num(d, 2) for d in res["distance"]],
        "Nær på": res["close"].replace("", "–").to_numpy(),
        "Mangler tall": res["missing"].replace("", "–").to_numpy()})
    for f in sim.FEATURES:
        if f.key in res:
            shown[f.label] = [v if f.categorical else fmt_num(v, 0 if f.log else 1)
                              for v in res[f.key]]
    st.dataframe(shown, hide_index=True, key="sim_table")
    if st.button("Bruk som sammenligningsutvalg", key="sim_use", icon=":material/group_add:",
                 help="Utvalget øverst på siden blir disse kommunene (og følger lenken). "
                      "KOSTRA-sammenligningen på siden «Tjenester» viser medianen deres."):
        st.session_state["_cmp_pending"] = list(res.index)
        st.rerun()


def _apply_pending() -> None:
    """A saved similar-kommuner result becomes the set before the widgets are drawn."""
    pending = st.session_state.pop("_cmp_pending", None)
    if pending:
        st.session_state.cmp_set = OWN
        st.session_state.cmp_codes = pending
        st.session_state["compare_set"] = pending  # the saved comparison set
        st.query_params["sml"] = ",".join(pending)


def main() -> None:
    sel = state.current()
    version, path = data.cache_version(), str(config.db_path())
    st.title("Sammenlign kommuner")
    st.markdown("Hvordan ligger kommunene an mot hverandre fram mot "
                f"{sel.horizon}? Velg et fylke, hele landet eller egne kommuner. Klikk på en "
                "rad for å åpne kommunens sider.")
    if st.session_state.pop("_cmp_open", None):
        st.switch_page("views/befolkning.py")
    _apply_pending()
    regs = data.region_options()
    title, codes = choose_set(sel, regs)
    frame = _all_kommuner(version, path, sel.alternative, sel.horizon)
    if frame["pop_base"].notna().sum() == 0:
        st.info("Databasen har ingen befolkningstall for kommunene ennå. Hent eller importer "
                "tallene på siden «Oversikt og data».")
        return
    if not codes:
        st.info("Velg minst én kommune i utvalget.")
        show_similar(frame, sel, version, path)
        return
    key = ",".join(codes)
    sub, cats = _set_frames(version, path, sel.alternative, sel.horizon, key)
    srcs = _sources(version, path)
    ptab = next((t for t, s in srcs.items() if s.round), None)
    alt_text = catalog.alternative_phrase(sel.alternative)
    st.caption(f"{title}: {fmt_int(len(sub))} kommuner. Framskriving: {alt_text}, "
               f"{sel.horizon}. KOSTRA-tall fra {cmp.mode(sub['kostra_year']) or '–'}.")

    st.subheader("Alle kommuner i utvalget")
    show_table(sel, version, path, key)
    st.caption(ind.colour_sentence())
    used = dict.fromkeys(t for i in ind.INDICATORS
                         for t, _ in ind.sources_of(i, ptab, sel.alternative))
    cites = [srcs[t].cite() for t in used if t in srcs]
    source_line = "Kilde: " + "; ".join(cites) + "." if cites else ""
    st.caption(source_line)

    base, ky = cmp.mode(sub["base_year"]), cmp.mode(sub["kostra_year"])
    header = cmp.export_header(title, len(sub), sel.alternative, sel.horizon, base, ky, cites,
                               data_version(srcs, ptab, ky))
    base_name = f"sammenlign_{export.slug(title)}_{sel.alternative}_{sel.horizon}"
    with st.container(horizontal=True, gap="small"):
        st.download_button("Last ned CSV",
                           data=lambda: export.to_csv_bytes(cmp.export_frame(sub, sel.horizon),
                                                            header),
                           file_name=f"{base_name}.csv", mime="text/csv", key="cmp_csv",
                           on_click="ignore", icon=":material/download:")
        st.download_button("Last ned Excel",
                           data=lambda: export.to_excel_bytes(cmp.export_frame(sub, sel.horizon),
                                                             "Kommuner", header),
                           file_name=f"{base_name}.xlsx", key="cmp_xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet", icon=":material/download:")

    st.subheader("Rangering og kart")
    labels = {i.key: ind.label_with_year(i, base, sel.horizon, ky) for i in ind.INDICATORS}
    st.selectbox("Indikator", list(labels), key="cmp_indicator", format_func=labels.get)
    st.query_params["ind"] = st.session_state.cmp_indicator
    d = ind.BY_KEY[st.session_state.cmp_indicator]
    peers = ind.spread(sub[d.key])
    highlight = sel.region_code if sel.level == "kommune" else None
    st.plotly_chart(cmp.ranking_figure(sub[d.key], sub["name"], cats[d.key], labels[d.key],
                                       d.unit, d.decimals, peers.median, highlight),
                    key="cmp_rank", config={"displaylogo": False}, theme=charts.PLOTLY_THEME)
    st.caption(f"{d.definition} {d.polarity_text} Stiplet linje: medianen i utvalget "
               f"({fmt_num(peers.median, d.decimals)}). Søylenes farge: som i tabellen"
               + ("; den valgte kommunen er svart." if highlight in sub.index else "."))
    map_sources = "Kilde: " + "<br>".join(
        srcs[t].cite() if t in srcs else f"SSB, tabell {t}"
        for t in dict.fromkeys(t for t, _ in ind.sources_of(d, ptab, sel.alternative)))
    st.plotly_chart(_map(version, path, sel.alternative, sel.horizon, key, d.key,
                         labels[d.key], map_sources),
                    key="cmp_map", config={"displaylogo": False, "scrollZoom": False},
                    theme=charts.PLOTLY_THEME)
    scale = {ind.HIGHER_BETTER: "Mørkere grønn er bedre (høyere er bedre).",
             ind.LOWER_BETTER: "Mørkere grønn er bedre (lavere er bedre)."}.get(
        d.polarity, "Mørkere farge betyr høyere verdi; fargen sier ikke at noe er bedre "
                    "eller dårligere.")
    n_missing = int(sub[d.key].isna().sum())
    st.caption(f"Kartet: {scale} Grått: {cmp.NO_DATA}"
               + (f" ({fmt_int(n_missing)} {plural(n_missing, 'kommune', 'kommuner')})."
                  if n_missing else ".")
               + f" {geo.ATTRIBUTION}")

    show_benchmark(frame, sel, list(sub.index), title, version, path)
    show_similar(frame, sel, version, path)


main()
