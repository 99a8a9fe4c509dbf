"""``population_report``: everything the «Befolkning» view shows, as one ``Report``.

Key figures (latest observed year vs the horizon), the generated summary, the history +
projection chart per age group with the range over the alternatives in the store, the
growth index against fylke and country, and the population pyramid, each with its source
line. The page, the exports and the tests read this object.
"""

from __future__ import annotations

import pandas as pd

from analysis import demography as dem
from analysis import report_text as tx
from analysis.format import fmt_int, fmt_num
from analysis.report import (Chart, KeyFigure, Report, Section, Selection, Table, memo, say,
                             source_line, store_sources)

VIEW = "befolkning"
PROJ_FALLBACK = "14746"
HISTORY = "07459"
BAND_GROUPS = (("Totalt", "Hele befolkningen", "Heile befolkninga"),
               ("67–79", "67–79 år", "67–79 år"), ("80–89", "80–89 år", "80–89 år"),
               ("90+", "90 år og eldre", "90 år og eldre"))
# Subjects of generated sentences per group.
SUBJECT = {"Totalt": ("Folketallet", "Folketalet"),
           "67–79": ("Antallet innbyggere 67–79 år", "Talet på innbyggjarar 67–79 år"),
           "80–89": ("Antallet innbyggere 80–89 år", "Talet på innbyggjarar 80–89 år"),
           "90+": ("Antallet innbyggere 90 år og eldre", "Talet på innbyggjarar 90 år og eldre"),
           "80+": ("Antallet innbyggere 80 år og eldre", "Talet på innbyggjarar 80 år og eldre")}


def _subject(group: str, language: str) -> str:
    nb, nn = SUBJECT[group]
    return say(language, nb, nn)


def region_names(store) -> dict[str, str]:
    """Names of land, fylker and kommuner valid today (store's register, else built-in)."""
    regs = store.query("SELECT code, name FROM regions WHERE level IN ('land', 'fylke', "
                       "'kommune') AND (valid_to IS NULL OR valid_to > current_date)")
    if regs.empty:
        from data_sources import regions_default
        regs = regions_default.default_regions()
    return dict(zip(regs["code"], regs["name"]))


def data_version(sources, ptab: str | None, kostra_year: int | None = None,
                 language: str = "nb") -> str:
    """«framskriving 2026, KOSTRA 2025» (nn «framskriving 2026, KOSTRA 2025»)."""
    src = sources.get(ptab) if ptab else None
    parts = [f"{say(language, 'framskriving', 'framskriving')} {src.round}"] \
        if src is not None and src.round else []
    if kostra_year is not None:
        parts.append(f"KOSTRA {kostra_year}")
    return ", ".join(parts) or say(language, "ingen data", "ingen data")


def _group_figure(key: str, label: str, gc: dem.GroupChange, y0: int, y1: int,
                  help_: str, srcs, language: str) -> KeyFigure:
    a, b = round(gc.base), round(gc.target)
    pct = (b - a) / a * 100 if a else None
    return KeyFigure(key, label, gc.target, say(language, "personer", "personar"), 0, gc.base,
                     str(y0), str(y1), srcs,
                     delta_text=f"{fmt_int(b - a, sign=True)} ({tx.pct_text(pct)})",
                     delta_note=f"fra {fmt_int(a)}", delta_arrow=_arrow(b - a), help=help_)


def _arrow(x: float) -> str:
    return "off" if x == 0 else ("up" if x > 0 else "down")


def key_figures(kf: dem.KeyFigures, srcs, language: str) -> list[KeyFigure]:
    y0, y1 = kf.base_year, kf.horizon
    defs = dem.INDICATORS
    fra = say(language, "fra", "frå")
    out = []
    for g, label in (("Totalt", say(language, "Folketall", "Folketal")), ("67–79", "67–79 år"),
                     ("80–89", "80–89 år"), ("90+", "90 år og eldre")):
        f = _group_figure(f"personer_{g}", label, kf.groups[g], y0, y1,
                          f"{defs['persons'].definition} {defs['change'].definition}", srcs,
                          language)
        out.append(_with(f, delta_note=f"{fra} {fmt_int(round(kf.groups[g].base))}"))
    for key, label, pair in (("share_67", say(language, "Andel 67+", "Del 67+"), kf.share_67),
                             ("share_80", say(language, "Andel 80+", "Del 80+"), kf.share_80)):
        f = KeyFigure(key, label, pair[1] * 100, "%", 1, pair[0] * 100, str(y0), str(y1), srcs,
                      help=defs[key].definition)
        d = f.shown_delta()
        out.append(_with(f, delta_text=f"{fmt_num(d, 1, sign=True)} %-poeng",
                         delta_note=f"{fra} {fmt_num(f.shown_base(), 1)}\u00a0%",
                         delta_arrow=_arrow(d or 0)))
    for key, label, pair in (("support_67", "20–66 år per 67+", kf.support_67),
                             ("support_80", "20–66 år per 80+", kf.support_80)):
        f = KeyFigure(key, label, pair[1], say(language, "personer", "personar"), 1, pair[0],
                      str(y0), str(y1), srcs, help=defs[key].definition)
        d = f.shown_delta()
        d = 0.0 if d is None else d
        out.append(_with(f, delta_text=fmt_num(d, 1, sign=True),
                         delta_note=f"{fra} {fmt_num(f.shown_base(), 1)}",
                         delta_color="green" if d > 0 else ("red" if d < 0 else "gray"),
                         delta_arrow=_arrow(d)))
    c = kf.crossover
    out.append(KeyFigure(
        "crossover", say(language, "Flere 65+ enn 0–19", "Fleire 65+ enn 0–19"),
        None if c.year is None else float(c.year), "år", 0, sources=srcs,
        value_text=tx.crossover_label(c.year, c.already, c.last_year, language),
        help=defs["crossover"].definition,
        note=say(language, "Året innbyggere 65 år og eldre blir flere enn innbyggere 0–19 år ",
                 "Året innbyggjarar 65 år og eldre blir fleire enn innbyggjarar 0–19 år ")
        + f"({tx.alt_premise(kf.alternative, language)})."))
    return out


def _with(f: KeyFigure, **kw) -> KeyFigure:
    from dataclasses import replace
    return replace(f, **kw)


def key_figure_table(figs: list[KeyFigure], y0: int, y1: int, caption: str,
                     language: str) -> Table:
    """The key figures as a table: base, target, change of the shown figures, % change."""
    rows, decs = [], []
    for f in figs:
        if f.base is None:
            continue
        a, b = f.shown_base(), f.shown()
        pct = (b - a) / a * 100 if f.key.startswith("personer_") and a else None
        unit = "%" if f.unit == "%" else f.unit
        rows.append({say(language, "Nøkkeltall", "Nøkkeltal"): f.label,
                     "Enhet": unit, str(y0): a, str(y1): b,
                     "Endring": f.shown_delta(), "Endring (%)": pct})
        decs.append(f.decimals)
    frame = pd.DataFrame(rows)
    return Table("nokkeltall_tabell", say(language, "Nøkkeltallene som tabell",
                                          "Nøkkeltala som tabell"), frame,
                 {str(y0): None, str(y1): None, "Endring": None, "Endring (%)": 1},
                 figs[0].sources, caption=caption,
                 row_decimals=tuple(decs))


def summary(name: str, kf: dem.KeyFigures, language: str) -> str:
    """The «Kort oppsummert» paragraph; the alternative is named inside it."""
    y0, y1 = kf.base_year, kf.horizon
    g80, tot, g90 = kf.groups["80+"], kf.groups["Totalt"], kf.groups["90+"]
    premise = tx.alt_premise(kf.alternative, language)

    def clause(gc):
        a, b = round(gc.base), round(gc.target)
        return tx.change_clause(a, b, (b - a) / a * 100 if a else None, y0, y1, language)

    first = tx.expected(_subject("80+", language), clause(g80), language, lead=f"I {name}")
    diff = round(g80.target) - round(g80.base)
    if diff:
        word = say(language, "økning" if diff > 0 else "nedgang",
                   "auke" if diff > 0 else "nedgang")
        first += say(language, f", en {word} på ", f", ein {word} på ") + \
            tx.count_text(abs(diff), language)
    parts = [f"{first}, {premise}."]
    parts.append(tx.expected(say(language, "Antallet 90 år og eldre",
                                 "Talet på 90 år og eldre"), clause(g90), language) + ".")
    parts.append(tx.expected(_subject("Totalt", language), clause(tot), language) + ".")
    s0, s1 = kf.support_67
    if not (tx.isnan(s0) or tx.isnan(s1)):
        persons = tx.plural(round(s0, 1), language, ("person", "personer"), ("person", "personar"))
        parts.append(say(
            language,
            f"I {y0} var det {fmt_num(s0, 1)} {persons} i alderen 20–66 år per innbygger 67 år "
            f"og eldre; i {y1} vil det kunne være {fmt_num(s1, 1)}.",
            f"I {y0} var det {fmt_num(s0, 1)} {persons} i alderen 20–66 år per innbyggjar 67 år "
            f"og eldre; i {y1} vil det kunne vere {fmt_num(s1, 1)}."))
    c = kf.crossover
    if c.already:
        parts.append(say(language, "Det er allerede flere innbyggere 65 år og eldre enn 0–19 år.",
                         "Det er allereie fleire innbyggjarar 65 år og eldre enn 0–19 år."))
    elif c.year is not None:
        parts.append(say(language,
                         f"Fra {c.year} vil det kunne være flere innbyggere 65 år og eldre enn "
                         "0–19 år.",
                         f"Frå {c.year} vil det kunne vere fleire innbyggjarar 65 år og eldre "
                         "enn 0–19 år."))
    else:
        parts.append(say(language,
                         f"Innbyggere 65 år og eldre ventes ikke å bli flere enn 0–19-åringene "
                         f"innen {c.last_year}.",
                         f"Innbyggjarar 65 år og eldre er ikkje venta å bli fleire enn "
                         f"0–19-åringane innan {c.last_year}."))
    return " ".join(parts)


def _band_headline(name: str, g: str, kf: dem.KeyFigures, language: str) -> str:
    gc = kf.groups[g]
    a, b = round(gc.base), round(gc.target)
    clause = tx.change_clause(a, b, (b - a) / a * 100 if a else None, kf.base_year,
                              kf.horizon, language)
    return tx.expected(_subject(g, language), clause, language, lead=f"I {name}") + \
        f", {tx.alt_premise(kf.alternative, language)}."


def _index_headline(idx: pd.DataFrame, names: dict, region: str, group: str, horizon: int,
                    language: str) -> str:
    at = idx[(idx["group"] == group) & (idx["year"] == horizon)].set_index("region_code")
    if region not in at.index or pd.isna(at.loc[region, "index"]):
        return ""
    own = at.loc[region, "index"] - 100
    head = say(language, f"Fram til {horizon} ventes antallet {group} år i {names[region]} å "
                         f"endre seg med {fmt_num(own, 1, sign=True)}\u00a0%",
               f"Fram til {horizon} er talet på {group} år i {names[region]} venta å endre "
               f"seg med {fmt_num(own, 1, sign=True)}\u00a0%")
    def where(c):
        if c == SET_CODE:
            return say(language, "det lagrede utvalget", "det lagra utvalet")
        return say(language, "hele landet", "heile landet") if c == "0" else names[c]
    others = [f"{fmt_num(at.loc[c, 'index'] - 100, 1, sign=True)}\u00a0% i {where(c)}"
              for c in names
              if c != region and c in at.index and not pd.isna(at.loc[c, "index"])]
    return head + (f", {say(language, 'mot', 'mot')} " + say(language, " og ", " og ").join(others)
                   if others else "") + "."


def population_report(store, selection: Selection, language: str = "nb",
                      compare: tuple[str, ...] = ()) -> Report:
    """Everything «Befolkning» shows for ``selection`` (region, alternative, horizon).
    ``compare``: the saved comparison set (kommune codes), one more line in the growth index
    (the set's kommuner pooled)."""
    sel = selection
    sources = memo(store, store_sources)
    ptab_q = sel.projection_table or memo(store, dem.projection_table_id)
    cube = memo(store, dem.region_cube, sel.region_code, ptab_q)
    table = dem.groups_from_cube(cube)
    ptab = ptab_q or PROJ_FALLBACK
    alts = sorted(set(table["series"]) - {dem.OBSERVED}) if len(table) else []
    n_alt = len(alts)
    title = f"Befolkning – {sel.region_name}"
    intro = say(
        language,
        "Hvor mange innbyggere i alderen 67–79, 80–89 og 90 år og eldre får vi mot 2030, 2040 "
        "og 2050, hvor raskt endres det sammenlignet med fylket og landet, og hvor sikkert er "
        "det? Tallene er SSBs befolkningsframskrivinger; skyggen i figurene viser spennet "
        f"mellom {tx.alternatives_words(n_alt, language)}.",
        "Kor mange innbyggjarar i alderen 67–79, 80–89 og 90 år og eldre får vi mot 2030, "
        "2040 og 2050, kor raskt endrar det seg samanlikna med fylket og landet, og kor sikkert "
        "er det? Tala er befolkningsframskrivingane til SSB; skuggen i figurane viser spennet "
        f"mellom {tx.alternatives_words(n_alt, language)}.")
    common = dict(view=VIEW, title=title, region_code=sel.region_code,
                  region_name=sel.region_name, alternative=sel.alternative,
                  language=language, data_version=data_version(sources, ptab_q, None, language),
                  sources=sources, intro=intro, n_alternatives=n_alt)
    if table.empty or not dem.has_projection(table, sel.region_code, sel.alternative):
        return Report(horizon=sel.horizon, missing=(
            f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
            f"({tx.alt_caption(sel.alternative)})."), **common)

    base = dem.latest_observed_year(table, sel.region_code)
    last = int(table.loc[table["series"] != dem.OBSERVED, "year"].max())
    horizon = min(sel.horizon, last)
    kf = dem.key_figures(table, sel.region_code, sel.alternative, horizon)
    has_history = (table["series"] == dem.OBSERVED).any()
    ids = (ptab, HISTORY) if has_history else (ptab,)
    caption = source_line(sources, ids, {ptab: tx.alt_caption(sel.alternative, language)},
                          language)
    caption_band = source_line(sources, ids, {ptab: f"{tx.alt_caption(sel.alternative, language)}"
                                                    f"; {tx.range_phrase(n_alt, language)}"},
                               language)

    figs = key_figures(kf, ids, language)
    kf_section = Section("nokkeltall", say(language, f"Nøkkeltall {horizon} sammenlignet med "
                                                     f"{base}",
                                           f"Nøkkeltal {horizon} samanlikna med {base}"),
                         items=(*figs, key_figure_table(figs, base, horizon, caption, language)))
    text = summary(sel.region_name, kf, language)
    sum_section = Section("oppsummering", say(language, "Kort oppsummert", "Kort oppsummert"),
                          text=(text,))

    charts = []
    for g, nb_title, nn_title in BAND_GROUPS:
        df = dem.chart_series(table, sel.region_code, sel.alternative, g)
        charts.append(Chart(
            f"band_{g}", say(language, nb_title, nn_title), "band", df,
            headline=_band_headline(sel.region_name, g, kf, language),
            spec={"base_year": base, "projected_name":
                  say(language, "Framskrevet", "Framskrive") + f" ({sel.alternative})",
                  "ytitle": say(language, "Personer", "Personar")},
            sources=ids, caption=caption_band,
            decimals={"Observert": 0, "Framskrevet": 0, "Lav": 0, "Høy": 0}))
    band_section = Section("utvikling", say(language, "Utvikling per aldersgruppe",
                                            "Utvikling per aldersgruppe"),
                           text=(say(language, "Skyggen viser laveste og høyeste verdi blant "
                                               f"{tx.alternatives_words(n_alt, language)} det "
                                               "enkelte år.",
                                     "Skuggen viser lågaste og høgaste verdi blant "
                                     f"{tx.alternatives_words(n_alt, language)} det "
                                     "einskilde året."),), items=tuple(charts))

    index_section = _index_section(store, sel, table, ptab_q, ids, caption, horizon, language,
                                   compare)

    pyr = dem.pyramid_from_cube(cube, sel.alternative, base)
    pyr_chart = Chart("pyramide", say(language, "Befolkningspyramide", "Befolkningspyramide"),
                      "pyramid", pyr,
                      headline=say(language, f"Befolkningen i {sel.region_name} etter alder "
                                             f"og kjønn i {horizon}, med {base} som omriss",
                                   f"Befolkninga i {sel.region_name} etter alder og kjønn i "
                                   f"{horizon}, med {base} som omriss") + ".",
                      spec={"base_year": base, "start_year": horizon}, sources=ids,
                      caption=caption, decimals={"persons": 0})
    pyr_section = Section("pyramide", say(language, "Befolkningspyramide", "Befolkningspyramide"),
                          text=(say(language,
                                    f"Antall personer etter ettårig alder og kjønn. Omrisset "
                                    f"viser {base}.",
                                    f"Talet på personar etter eittårig alder og kjønn. Omrisset "
                                    f"viser {base}."),), items=(pyr_chart,))
    track_section = _track_section(store, sel, sources, language)
    method = tuple(f"{i.label} ({i.unit}; {i.polarity}). {i.definition}"
                   for i in dem.INDICATORS.values()) + (_track_method(),)
    return Report(horizon=horizon, summary=(text,),
                  sections=(kf_section, sum_section, band_section, index_section, pyr_section,
                            track_section),
                  method=method, **common)


def _track_method() -> str:
    """The method paragraph of the track record (with SSB's finding on error by kommune
    size), shared with the service pages' «Metode»."""
    from analysis import method
    return method.paragraph(next(m for m in method.sections() if m.heading == TRACK_HEADING))


TRACK_HEADING = "Hvor godt treffer framskrivingene?"


def _track_section(store, sel: Selection, sources, language: str) -> Section:
    """SSB's earlier projection rounds in the store against what happened (07459): one
    sentence and one small chart each for the total and for 80+; one line when the store
    holds no earlier round for the region."""
    from analysis import track_record as trm
    rec = memo(store, trm.track_record, sel.region_code)
    title = say(language, "Hvor godt har framskrivingene truffet?",
                "Kor godt har framskrivingane treft?")
    if not rec.ok:
        why = [n for n in rec.notes if "ikke hentet" not in n]
        return Section("treffsikkerhet", title, text=(" ".join(why) if why else say(
            language,
            f"Databasen har ingen tidligere framskrivinger fra SSB (2020, 2022 eller 2024) for "
            f"{sel.region_name}, så treffsikkerheten kan ikke vises.",
            f"Databasen har ingen tidlegare framskrivingar frå SSB (2020, 2022 eller 2024) for "
            f"{sel.region_name}, så treffsikkerheita kan ikkje visast."),))
    tids = tuple(dict.fromkeys(rec.rows.sort_values("round")["table_id"]))
    ids = (*tids, HISTORY)
    caption = source_line(sources, ids, {t: tx.alt_caption("MMMM", language) for t in tids},
                          language)
    text = tuple(s for s in (rec.sentence("total", language), rec.sentence("80", language))
                 if s)
    explain = say(language,
                  "Avvik = framskrevet minus registrert folketall 1. januar, i prosent av "
                  "registrert; positivt avvik betyr at framskrivingen var for høy.",
                  "Avvik = framskrive minus registrert folketal 1. januar, i prosent av "
                  "registrert; positivt avvik tyder at framskrivinga var for høg.")
    charts = tuple(Chart(
        f"treff_{m}", say(language, nb, nn), "lines", rec.chart_frame(m),
        headline=rec.sentence(m, language) or "",
        spec={"ytitle": say(language, "Avvik (%)", "Avvik (%)")}, sources=ids,
        note=explain, caption=caption,
        decimals={"value": 1, "projected": 0, "observed": 0})
        for m, nb, nn in (("total", "Avvik i folketallet", "Avvik i folketalet"),
                          ("80", "Avvik i antallet 80 år og eldre",
                           "Avvik i talet på 80 år og eldre")))
    return Section("treffsikkerhet", title, text=(*text, explain, *rec.notes), items=charts)


SET_CODE = "utvalg"  # the saved comparison set's pooled line in the growth index


def _set_frame(store, members: tuple[str, ...], ptab_q,
               language: str = "nb") -> tuple[pd.DataFrame | None, str]:
    """The saved set's kommuner pooled (persons summed per series, year and age group) as
    one region ``SET_CODE``, and a note. Only years where every member has a value are
    kept, so a kommune missing from the store never shrinks the pool silently."""
    t = memo(store, dem.age_group_table, members, None, ptab_q)
    have = set(t["region_code"])
    missing = [m for m in members if m not in have]
    if not have:
        return None, say(language,
                         "Ingen av kommunene i det lagrede utvalget har befolkningstall i "
                         "databasen.",
                         "Ingen av kommunane i det lagra utvalet har folketal i databasen.")
    groups = [c for c in t.columns if c not in ("region_code", "year", "series")]
    n = t.groupby(["series", "year"])["region_code"].transform("nunique")
    pooled = t[n == len(have)].groupby(["series", "year"], as_index=False)[groups].sum()
    note = say(language,
               f"Det lagrede utvalget er {len(have)} kommuner slått sammen"
               + (f"; {len(missing)} mangler i databasen og er utelatt." if missing else "."),
               f"Det lagra utvalet er {len(have)} kommunar slått saman"
               + (f"; {len(missing)} manglar i databasen og er utelatne." if missing else "."))
    return pooled.assign(region_code=SET_CODE), note


def _index_section(store, sel: Selection, table: pd.DataFrame, ptab_q, ids, caption: str,
                   horizon: int, language: str, compare: tuple[str, ...] = ()) -> Section:
    names = {sel.region_code: sel.region_name}
    frames = [table]
    all_names = memo(store, region_names)
    others = ([sel.fylke_code] if sel.fylke_code else []) + (["0"] if sel.level != "land" else [])
    for code in others:
        t = dem.groups_from_cube(memo(store, dem.region_cube, code, ptab_q))
        if dem.has_projection(t, code, sel.alternative):
            frames.append(t)
            names[code] = str(all_names.get(code, code))
    members = tuple(c for c in compare if c != sel.region_code) if sel.level == "kommune" \
        else ()
    set_note = ""
    if members:
        pooled, set_note = _set_frame(store, members, ptab_q, language)
        if pooled is not None and dem.has_projection(pooled, SET_CODE, sel.alternative):
            frames.append(pooled[table.columns])
            names[SET_CODE] = say(language, f"Lagret utvalg ({len(members)} kommuner)",
                                  f"Lagra utval ({len(members)} kommunar)")
    idx = dem.growth_index(pd.concat(frames, ignore_index=True), list(names), sel.alternative)
    idx = idx.assign(region=idx["region_code"].map(names))
    chart = Chart("vekstindeks", say(language, "Vekstindeks", "Vekstindeks"), "index", idx,
                  headline=_index_headline(idx, names, sel.region_code, "80–89", horizon,
                                           language),
                  spec={"names": names, "groups": dem.ELDERLY_GROUPS}, sources=ids,
                  caption=caption, decimals={"persons": 0, "index": 1})
    return Section("vekstindeks", say(language, "Vekst sammenlignet med fylket og landet",
                                      "Vekst samanlikna med fylket og landet"),
                   text=(f"{say(language, 'Vekstindeks', 'Vekstindeks')}: "
                         f"{dem.INDICATORS['index'].definition}",)
                   + ((set_note,) if set_note else ()), items=(chart,))
