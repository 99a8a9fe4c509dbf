"""``services_report`` («Tjenester og kapasitet») and ``staffing_report`` («Bemanning»):
everything those views show, as ``Report`` objects over the model in
``analysis.services``, ``analysis.staffing`` and ``analysis.kostra``.

The model underneath may change; these functions keep their signatures
``(store, selection, scenario, language="nb")``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import demography as dem
from analysis import kostra, method
from analysis import report_text as tx
from analysis import services as sv
from analysis import staffing as sf
from analysis.format import fmt_int, fmt_num, fmt_share
from analysis.population_report import data_version
from analysis.report import (Chart, KeyFigure, Report, Section, Selection, Source, Table, memo,
                             say, source_line, store_sources)

KEY_YEARS = (2030, 2040, 2050)
SERVICES = ("institusjon", "langtid", "hjemme")
SERVICE_LABELS_NN = {"institusjon": "Brukarar av institusjonstenester",
                     "langtid": "Bebuarar med langtidsopphald",
                     "korttid": "Bebuarar med korttidsopphald",
                     "bolig": "Bebuarar i bustad med heildøgns bemanning",
                     "heldogn": "Heildøgns omsorg (langtidsopphald og bustad med heildøgns "
                                "bemanning)",
                     "hjemme": "Mottakarar av heimetenester"}
SERVICE_SHORT_NN = {"institusjon": "Institusjon", "langtid": "Langtidsopphald",
                    "korttid": "Korttidsopphald", "bolig": "Bustad med heildøgns bemanning",
                    "heldogn": "Heildøgns omsorg",
                    "hjemme": "Heimetenester"}


def _label(service: str, language: str) -> str:
    return say(language, sv.SERVICE_LABELS[service], SERVICE_LABELS_NN[service])


def _short(service: str, language: str) -> str:
    return say(language, sv.SERVICE_SHORT[service], SERVICE_SHORT_NN[service])


def _arrow(x: float) -> str:
    return "off" if x == 0 else ("up" if x > 0 else "down")


def _first_text(year: int | None, base_year: int, language: str) -> str:
    if year is None:
        return say(language, "ikke før 2050", "ikkje før 2050")
    return say(language, "i dag", "i dag") if year <= base_year else str(year)


def _common(sel: Selection, view: str, title: str, sources, ptab, kostra_year, language,
            scenario: sv.Scenario, intro: str, n_alt: int, own: bool = False) -> dict:
    version = data_version(sources, ptab, kostra_year, language)
    return dict(view=view, title=title, region_code=sel.region_code,
                region_name=sel.region_name, alternative=sel.alternative, language=language,
                data_version=version + (f", {sv.OWN_LABEL}" if own else ""),
                scenario=scenario.levers(), sources=sources, intro=intro, n_alternatives=n_alt)


OWN_SOURCE = Source("egne", publisher="Kommunen", title="Kommunens egne tall",
                    note=sv.OWN_LABEL)


def _own_notes(base: sv.ServiceBase) -> tuple[str, ...]:
    """One note naming every KOSTRA figure the kommune's own numbers replaced."""
    if not base.own:
        return ()
    return ("Kommunens egne tall erstatter KOSTRA i modellen: " + "; ".join(base.own) + ".",)


def _inputs(store, sel: Selection, own: sv.OwnNumbers = sv.OwnNumbers()):
    """Sources, base (with the kommune's own numbers in place of KOSTRA's), projection
    table, population frame and alternatives of the region (the model's inputs)."""
    sources = memo(store, store_sources)
    base = sv.with_own_numbers(
        memo(store, sv.load_base, sel.region_code, sel.level, kept=True), own)
    if base.own:
        sources = {**sources, OWN_SOURCE.id: OWN_SOURCE}
    ptab = sel.projection_table or memo(store, dem.projection_table_id)
    pop = memo(store, sv.population_frame, sel.region_code, base.pop_year, ptab, kept=True) \
        if base.ok else pd.DataFrame()
    alts = set(pop.index.get_level_values("alternative")) if len(pop) else set()
    return sources, base, ptab, pop, alts


def service_table(sum_u: pd.DataFrame, sum_s: pd.DataFrame, service: str,
                  band_cols: tuple[str, str] = ("Lav (alle alternativer)",
                                                "Høy (alle alternativer)")) -> pd.DataFrame:
    """År, Uendret, Scenario, Lav/Høy (scenario range over all alternatives; ``band_cols``
    names them) — persons."""
    at_u = sum_u["service"].to_numpy(dtype=object) == service
    at_s = at_u if sum_s is sum_u else sum_s["service"].to_numpy(dtype=object) == service
    years_u = sum_u["year"].to_numpy()[at_u].astype(int)
    years_s = sum_s["year"].to_numpy()[at_s].astype(int)
    scen = {"Scenario": sum_s["users"].to_numpy()[at_s],
            band_cols[0]: sum_s["low"].to_numpy()[at_s],
            band_cols[1]: sum_s["high"].to_numpy()[at_s]}
    if np.array_equal(years_u, years_s) and len(set(years_u.tolist())) == len(years_u):
        # the same years in the same order: the join is a column copy
        return pd.DataFrame({"År": years_u, "Uendret": sum_u["users"].to_numpy()[at_u], **scen})
    out = pd.DataFrame({"År": years_u, "Uendret": sum_u["users"].to_numpy()[at_u]})
    return out.merge(pd.DataFrame({"År": years_s, **scen}), on="År")


def _at_year(summary: pd.DataFrame) -> dict[str, dict[int, tuple]]:
    """{service: {year: (users, low, high)}} of a ``with_range`` summary."""
    out: dict[str, dict[int, tuple]] = {}
    for s, y, u, lo, hi in zip(summary["service"].to_numpy(dtype=object),
                               summary["year"].to_numpy(), summary["users"].to_numpy(),
                               summary["low"].to_numpy(), summary["high"].to_numpy()):
        out.setdefault(s, {})[int(y)] = (u, lo, hi)
    return out


def _need(proj: pd.DataFrame, alternative: str) -> pd.Series:
    """Places needed per year: long- and short-term residents / assumed occupancy (like with
    like; never all institution users against places). Empty without long-term residents."""
    return sv.place_need(proj, alternative)


OCC_TEXT = (f"beboere med langtids- og korttidsopphold per 31.12. delt på et antatt belegg på "
            f"{fmt_int(sv.OCCUPANCY * 100)} % (vår antakelse)")


def _band_cols(n_alt: int, language: str) -> tuple[str, str]:
    """Column names of the range (the count of alternatives follows the store)."""
    what = say(language, "alle alternativer", "alle alternativ") \
        if n_alt == 9 else say(language, "alternativene i databasen", "alternativa i databasen")
    return say(language, f"Lav ({what})", f"Låg ({what})"), \
        say(language, f"Høy ({what})", f"Høg ({what})")


def services_report(store, selection: Selection, scenario: sv.Scenario = sv.UNCHANGED,
                    language: str = "nb", compare: tuple[str, ...] = ()) -> Report:
    """Everything «Tjenester og kapasitet» shows for ``selection`` and ``scenario`` (whose
    ``own`` holds the kommune's own numbers and økonomiplan, used in place of KOSTRA).
    ``compare``: the saved comparison set (kommune codes), added to the KOSTRA comparison."""
    sel = selection
    sources, base, ptab_q, pop, alts = _inputs(store, sel, scenario.own)
    n_alt, ptab = len(alts), ptab_q or "14746"
    intro = say(
        language,
        "Hvor mange vil trenge institusjonsplass og hjemmetjenester mot 2030, 2040 og 2050 hvis "
        "dagens dekningsgrad i hver aldersgruppe holder seg – og hva skjer hvis den endres? "
        "Dekningsgraden er fra KOSTRA; befolkningen fra SSBs framskrivinger. Skyggen viser "
        f"spennet mellom {tx.alternatives_words(n_alt, language)}.",
        "Kor mange vil trenge institusjonsplass og heimetenester mot 2030, 2040 og 2050 viss "
        "dagens dekningsgrad i kvar aldersgruppe held seg – og kva skjer viss han endrar seg? "
        "Dekningsgraden er frå KOSTRA; befolkninga frå framskrivingane til SSB. Skuggen viser "
        f"spennet mellom {tx.alternatives_words(n_alt, language)}.")
    common = _common(sel, "tjenester", f"Tjenester og kapasitet – {sel.region_name}", sources,
                     ptab_q, base.kostra_year, language, scenario, intro, n_alt,
                     own=bool(base.own or scenario.own.plan))
    notes = tuple(base.notes) + _own_notes(base)
    if not base.ok:
        return Report(horizon=sel.horizon, notes=notes, missing=(
            f"Databasen mangler KOSTRA-brukertall eller befolkning for {sel.region_name}."),
            **common)
    if pop.empty or sel.alternative not in alts:
        return Report(horizon=sel.horizon, notes=notes, missing=(
            f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
            f"({tx.alt_caption(sel.alternative)})."), **common)
    proj_u = sv.project_users(base.bands, pop, base.pop_year, sv.UNCHANGED)
    proj_s = proj_u if scenario.unchanged else \
        sv.project_users(base.bands, pop, base.pop_year, scenario)
    horizon = min(sel.horizon, int(proj_u["year"].max()))
    sum_u = sv.with_range(proj_u, sel.alternative)
    sum_s = sum_u if scenario.unchanged else sv.with_range(proj_s, sel.alternative)
    y0 = base.pop_year
    own_users = {s for s, _ in scenario.own.users
                 if any(o.startswith(sv.SERVICE_LABELS[s]) for o in base.own)}
    own_ids = (OWN_SOURCE.id,) if own_users else ()
    ids = ("12003", "12292", "07459", ptab, *own_ids)
    premise = tx.alt_premise(sel.alternative, language)
    scen_text = tx.describe_scenario(scenario.levers(), language)
    own_line = (" " + say(language, "Brukere i dag der det står «kommunens egne tall»: "
                                    "kommunens egne tall, ikke KOSTRA.",
                          "Brukarar i dag der det står «kommunens egne tall»: kommunens "
                          "egne tal, ikkje KOSTRA.")) if own_users else ""
    caption = source_line(sources, ("12003", "12292", "07459", ptab), {
        "12003": say(language, f"brukere 31.12.{base.kostra_year}",
                     f"brukarar 31.12.{base.kostra_year}"),
        ptab: f"{tx.alt_caption(sel.alternative, language)}; {tx.range_phrase(n_alt, language)}; "
              f"{scen_text}"}, language) + own_line
    services = [s for s in SERVICES if s in base.services]

    # -- key figures ------------------------------------------------------------------
    figs = []
    by_u, by_s = _at_year(sum_u), _at_year(sum_s)
    for s in services:
        today = base.users(s)
        u, sc = by_u.get(s, {}), by_s.get(s, {})
        if horizon not in u:
            continue
        unchanged, scen = float(u[horizon][0]), float(sc[horizon][0])
        if scenario.unchanged:
            d = round(unchanged) - round(today)
            delta = f"{fmt_int(d, sign=True)} {say(language, 'fra i dag', 'frå i dag')}"
        else:
            d = round(scen) - round(unchanged)
            delta = f"{fmt_int(d, sign=True)} i scenarioet"
        mine = s in own_users
        figs.append(KeyFigure(
            f"kf_brukere_{s}", f"{_short(s, language)} {horizon}", unchanged, "personer", 0,
            today, str(base.kostra_year), str(horizon), ids if mine else ids[:4],
            delta_text=delta, delta_arrow=_arrow(d),
            delta_note=f"i dag {fmt_int(today)}, {sv.OWN_LABEL}" if mine else "",
            help=(f"{sv.SERVICE_LABELS[s]}, uendret dekningsgrad. I dag: {fmt_int(today)} "
                  + (f"({sv.OWN_LABEL}). " if mine else f"({base.kostra_year}). ")
                  + f"Spenn over alle alternativer i databasen: "
                  f"{fmt_int(u[horizon][1])}–{fmt_int(u[horizon][2])}. "
                  "Framskrevne brukere = Σ dekningsgrad i aldersgruppen × framskrevet "
                  "folkemengde i gruppen."),
            note=f"scenario {fmt_int(scen)}"))
    need_u, need_s = _need(proj_u, sel.alternative), _need(proj_s, sel.alternative)
    own_places = scenario.own.places is not None and base.places is not None
    plan = {y: v for y, v in scenario.own.plan if y > y0}
    if len(plan) < len(scenario.own.plan):
        notes += (f"Økonomiplanen: endringer før {y0 + 1} er ikke tatt med; dagens plasser "
                  "gjelder fra basisåret.",)
    planned = sv.planned_places(base.places, plan, y0) if base.places is not None else None
    places_word = say(language, "planlagte plasser", "planlagde plassar") if plan else \
        say(language, "dagens plasser", "dagens plassar")
    kf_label = say(language, "For få plasser fra", "For få plassar frå")
    if base.places is None or need_u.empty:
        why = "Tabell 11875 har ingen tall for regionen." if base.places is None else \
            ("Langtidsopphold etter alder (tabell 11645) mangler, så plassbehovet kan ikke "
             "regnes ut; alle institusjonsbrukere sammenlignes ikke med plasser.")
        figs.append(KeyFigure("plasser", kf_label, None, value_text="–",
                              sources=("11875", "11645"), help=why))
        cap_u = cap_s = None
    else:
        cap_u = sv.capacity_against_plan(need_u, planned)
        cap_s = sv.capacity_against_plan(need_s, planned)
        figs.append(KeyFigure(
            "plasser_over", kf_label,
            None if cap_u.first_year_over is None else float(cap_u.first_year_over), "år",
            sources=("11875", *ids),
            value_text=_first_text(cap_u.first_year_over, y0, language),
            delta_text="" if scenario.unchanged else
            f"scenario: {_first_text(cap_s.first_year_over, y0, language)}",
            delta_note=sv.OWN_LABEL if own_places or plan else "",
            help=(f"Første år plassbehovet ({OCC_TEXT}) er større enn {places_word}: "
                  f"{fmt_int(base.places)} disponible plasser i dag ("
                  + (sv.OWN_LABEL if own_places else f"{base.places_year}, tabell 11875")
                  + (")" if not plan else "), endret etter økonomiplanen ("
                     + _plan_text(plan) + f"; {sv.OWN_LABEL})") + ".")))
    kf_text = [say(language,
                   f"Brukere per 31.12.{base.kostra_year} (KOSTRA) og framskrevet til {horizon} "
                   f"{premise}. Venstre tall: uendret dekningsgrad; endringen viser scenarioet.",
                   f"Brukarar per 31.12.{base.kostra_year} (KOSTRA) og framskrivne til "
                   f"{horizon} {premise}. Venstre tal: uendra dekningsgrad; endringa viser "
                   "scenarioet.")]
    if y0 != base.kostra_year + 1:
        kf_text.append(f"Basisår for framskrivingen: {y0}.")
    sec_kf = Section("nokkeltall", say(language, f"Nøkkeltall {horizon}", f"Nøkkeltal {horizon}"),
                     text=tuple(kf_text), items=tuple(figs))

    # -- users charts (users only: places are compared with residents in «kapasitet») -----
    charts = []
    for s in services:
        lo, hi = _band_cols(n_alt, language)
        df = service_table(sum_u, sum_s, s, (lo, hi))
        u0 = base.users(s)
        u1 = float(by_u[s][horizon][0])
        headline = tx.expected(
            _label(s, language),
            tx.change_clause(round(u0), round(u1),
                             (round(u1) - round(u0)) / round(u0) * 100 if round(u0) else None,
                             base.kostra_year, horizon, language),
            language, lead=f"I {sel.region_name}") + say(
                language, f" med dagens dekningsgrad, {premise}.",
                f" med dagens dekningsgrad, {premise}.")
        charts.append(Chart(
            f"brukere_{s}", f"{_label(s, language)}, {sel.region_name}", "scenario_band", df,
            headline=headline, spec={"unchanged": "Uendret", "scenario": "Scenario",
                                     "low": lo, "high": hi,
                                     "ytitle": say(language, "Personer", "Personar"),
                                     "show_scenario": not scenario.unchanged},
            sources=ids, caption=caption,
            decimals={"Uendret": 0, "Scenario": 0, lo: 0, hi: 0}))
    sec_users = Section("brukere", say(language, "Brukere fram mot 2050",
                                       "Brukarar fram mot 2050"), items=tuple(charts))

    sec_cap = _capacity_section(sel, base, scenario, cap_u, cap_s, need_u, need_s, planned,
                                plan, own_places, ids, caption, premise, language)

    # -- coverage today ---------------------------------------------------------------
    b = base.bands
    marked = {sv.SERVICE_LABELS[s] for s in own_users}
    cov = pd.DataFrame({"Tjeneste": b["service"].map(lambda s: _label(s, language)),
                        "Aldersgruppe": b["label"], "Brukere": b["users"],
                        "Innbyggere": b["population"], "Dekningsgrad (%)": b["coverage"] * 100,
                        "Brukertall": [sv.OWN_LABEL if sv.SERVICE_LABELS[s] in marked
                                       else "KOSTRA" for s in b["service"]]})
    sec_cov = Section(
        "dekningsgrad", say(language, f"Dekningsgrad i dag ({base.kostra_year})",
                            f"Dekningsgrad i dag ({base.kostra_year})"),
        text=("Brukere per 31.12. delt på innbyggere 1.1. året etter, per aldersgruppe. Antallet "
              "står ved siden av andelen – i små kommuner gir noen få brukere store utslag."
              + (" Der kommunens egne tall er brukt, er totalen fordelt på aldersgruppene "
                 "etter KOSTRA-fordelingen." if marked else ""),),
        items=(Table("dekningsgrad", "Dekningsgrad", cov,
                     {"Brukere": 0, "Innbyggere": 0, "Dekningsgrad (%)": 2},
                     ("12003", "12292", "07459", *own_ids),
                     caption=source_line(sources, ("12003", "12292", "07459"), None, language)
                     + own_line),))

    sec_cmp = comparison_section(store, sel, sources, ("hjemme80", "inst80", "plasser1000"),
                                 language, compare)
    summary = tuple(c.headline for c in charts if c.key != "brukere_langtid") + \
        tuple(t.replace("**", "") for t in sec_cap.text[:1] if sec_cap.items)
    return Report(horizon=horizon, notes=notes, summary=summary,
                  sections=(sec_kf, sec_users, sec_cap, sec_cov, sec_cmp),
                  method=method.paragraphs(), **common)


def _plan_text(plan: dict[int, float]) -> str:
    """«2027: +12, 2029: −8» (places added or closed per year)."""
    return ", ".join(f"{y}: {fmt_int(v, sign=True)}" for y, v in sorted(plan.items()))


def _capacity_section(sel: Selection, base: sv.ServiceBase, scenario: sv.Scenario, cap_u,
                      cap_s, need_u: pd.Series, need_s: pd.Series, planned, plan: dict,
                      own_places: bool, ids, caption: str, premise: str,
                      language: str) -> Section:
    """Places (today's, or as the økonomiplan changes them) against the places needed:
    one sentence, a chart of need and places per year, and a table at 2030/2040/2050."""
    title = say(language, "Institusjonsplasser og behov", "Institusjonsplassar og behov")
    if cap_u is None:
        return Section("kapasitet", title, text=(
            "Ingen tall for institusjonsplasser (tabell 11875) for regionen. "
            + " ".join(n for n in base.notes if "11875" in n) if base.places is None else
            "Plassbehovet kan ikke regnes ut uten langtidsopphold etter alder (tabell 11645).",))
    y0 = base.pop_year
    mark = f" ({sv.OWN_LABEL})" if own_places else f" ({base.places_year})"
    first_u = _first_text(cap_u.first_year_over, y0, language)
    first_s = _first_text(cap_s.first_year_over, y0, language)
    against = say(language, "de planlagte plassene", "dei planlagde plassane") if plan else \
        say(language, "dagens plasser", "dagens plassar")
    plan_part = say(language, f" Økonomiplanen endrer plassene slik: {_plan_text(plan)} "
                              f"({sv.OWN_LABEL}).",
                    f" Økonomiplanen endrar plassane slik: {_plan_text(plan)} "
                    f"({sv.OWN_LABEL}).") if plan else ""
    text = say(language,
               f"{sel.region_name} har {fmt_int(base.places)} disponible institusjonsplasser"
               f"{mark}.{plan_part} Plassbehovet er {OCC_TEXT}. Med uendret dekningsgrad vil "
               f"behovet kunne bli større enn {against} **{first_u}**, {premise}",
               f"{sel.region_name} har {fmt_int(base.places)} disponible institusjonsplassar"
               f"{mark}.{plan_part} Med uendra dekningsgrad vil behovet kunne bli større enn "
               f"{against} **{first_u}**, {premise}") + \
        ("." if cap_s.first_year_over == cap_u.first_year_over
         else f"; i scenarioet **{first_s}**.")
    places_col = say(language, "Planlagte plasser", "Planlagde plassar") if plan else \
        say(language, "Plasser i dag", "Plassar i dag")
    rows = []
    for y in KEY_YEARS:
        if y in cap_u.gaps:
            rows.append({"År": y, places_col: float(planned.loc[y]),
                         "Behov, uendret": cap_u.need[y], "Mangler, uendret": cap_u.gaps[y],
                         "Behov, scenario": cap_s.need[y],
                         "Mangler, scenario": cap_s.gaps[y]})
    cap_table = pd.DataFrame(rows)
    own_ids = ("egne",) if own_places or plan else ()
    src = tuple(dict.fromkeys(("11875", *ids, *own_ids)))
    cap_caption = caption + (" " + say(language, "Plasser: kommunens egne tall.",
                                       "Plassar: kommunens egne tal.") if own_places or plan
                             else f" Plasser: tabell 11875 ({base.places_year}).")
    table = Table("kapasitet", say(language, "Plasser og behov", "Plassar og behov"),
                  cap_table, {c: 0 for c in cap_table.columns if c != "År"}, src,
                  note=say(language, f"«Mangler»: behov minus {places_col.lower()}; negative "
                                     "tall er ledige plasser.",
                           f"«Mangler»: behov minus {places_col.lower()}; negative tal er "
                           "ledige plassar."),
                  caption=cap_caption)
    years = [int(y) for y in need_u.index if int(y) >= y0]
    series = [(say(language, "Plassbehov, uendret", "Plassbehov, uendra"), need_u)]
    if not scenario.unchanged:
        series.append((say(language, "Plassbehov, scenario", "Plassbehov, scenario"), need_s))
    series.append((places_col, planned))
    data = pd.DataFrame([{"label": lab, "year": y, "value": float(v.loc[y])}
                         for lab, v in series for y in years if y in v.index])
    chart = Chart("kapasitet_plan", say(language, f"Plassbehov og plasser, {sel.region_name}",
                                        f"Plassbehov og plassar, {sel.region_name}"),
                  "lines", data, headline=text.replace("**", ""),
                  spec={"ytitle": say(language, "Plasser", "Plassar"), "decimals": 0},
                  sources=src, caption=cap_caption, decimals={"value": 0})
    return Section("kapasitet", title, text=(text,), items=(chart, table))


def _updated(sources, table_id: str) -> str:
    src = sources.get(table_id)
    if src is None or not src.ssb_updated:
        return ""
    from analysis.report import _date
    return f", oppdatert {_date(src.ssb_updated)}"


def comparison_section(store, sel: Selection, sources, keys, language: str,
                       compare: tuple[str, ...] = ()) -> Section:
    """KOSTRA comparison: the latest year of every indicator in one table, one line chart per
    indicator over time, and the long table of all values. ``compare``: the saved comparison
    set, shown as its median (``kostra.set_comparison``)."""
    compare = tuple(compare) if sel.level == "kommune" else ()
    cmp = memo(store, kostra.comparison, sel.region_code, sel.level, compare, kept=True)
    set_text = kostra.set_note(store, compare, sel.region_code) if compare else ""
    inds = [i for i in kostra.INDICATORS if i.key in keys]
    # the columns once as arrays: row filters on the frame itself cost ~1 ms each
    c_ind, c_role, c_label, c_note = (cmp[c].to_numpy(dtype=object) for c in
                                      ("indicator", "role", "label", "note"))
    c_year = cmp["year"].to_numpy()
    c_value, c_count = cmp["value"].to_numpy(dtype=float), cmp["count"].to_numpy(dtype=float)
    has = ~np.isnan(c_value)
    rows, decs = [], {}
    for ind in inds:
        at = c_ind == ind.key
        ok = at & has
        if not ok.any():
            rows.append({"Indikator": f"{ind.title} ({ind.unit})", "År": None})
            continue
        year = int(c_year[ok].max())
        row = {"Indikator": f"{ind.title} ({ind.unit})", "År": year}
        for i in np.flatnonzero(at & (c_year == year)):
            label, value, count = c_label[i], float(c_value[i]), float(c_count[i])
            row[label] = value
            decs[label] = 1
            if not np.isnan(count):
                row[f"{label}, antall"] = count
                col = f"{label}, antall"
                decs[col] = max(decs.get(col, 0), 1 if count % 1 else 0)
        rows.append(row)
    latest = pd.DataFrame(rows)
    items: list = [Table("kostra_siste", say(language, "Siste år med tall", "Siste år med tal"),
                         latest, decs, tuple(i.table_id for i in inds),
                         note="«Antall» er brukere, årsverk eller plasser bak andelen – i små "
                              "kommuner gir noen få personer store utslag."
                              + (f" {set_text}" if set_text else ""))]
    chart_cols = ("label", "code", "year", "value", "count", "status", "note")
    c_all = {c: cmp[c].to_numpy() for c in chart_cols}
    first_role = c_role[0] if len(cmp) else None
    first = c_role == first_role
    noted = np.array([isinstance(n, str) for n in c_note], dtype=bool)
    for ind in inds:
        at = c_ind == ind.key
        n = np.flatnonzero(at & first & noted)
        note = (f"Merknader for {sel.region_name}: " + " ".join(
            f"{int(c_year[i])}: {c_note[i]}" for i in n)) if len(n) else ""
        data = pd.DataFrame({c: v[at] for c, v in c_all.items()})
        headline = ""
        own = at & first & has
        if own.any():
            y = int(c_year[own].max())
            headline = f"{ind.title} {y}: " + ", ".join(
                f"{c_label[i]} {fmt_num(c_value[i], 1)}"
                for i in np.flatnonzero(at & (c_year == y) & has)) + "."
        items.append(Chart(
            f"kostra_{ind.key}", ind.title, "lines", data, headline=headline,
            spec={"ytitle": ind.unit, "has_values": bool((at & has).any())},
            sources=(ind.table_id,), note=note,
            caption=f"Definisjon: {ind.definition} Enhet: {ind.unit}. {ind.polarity} "
                    f"Kilde: {ind.source}{_updated(sources, ind.table_id)}.",
            decimals={"value": 1, "count": 1}))
    title = say(language, "Sammenlignet med KOSTRA-gruppe, fylke og land",
                "Samanlikna med KOSTRA-gruppe, fylke og land") if sel.level == "kommune" \
        else say(language, "KOSTRA-nøkkeltall over tid", "KOSTRA-nøkkeltal over tid")
    if set_text:
        title = say(language, "Sammenlignet med KOSTRA-gruppe, fylke, land og lagret utvalg",
                    "Samanlikna med KOSTRA-gruppe, fylke, land og lagra utval")
    return Section("kostra", title, items=tuple(items))


# -- Bemanning --------------------------------------------------------------------------
def _column_at(df: pd.DataFrame, alternative: str, years, column: str) -> np.ndarray:
    """``column`` of one alternative at ``years`` (each year must be there once)."""
    keep = df["alternative"].to_numpy(dtype=object) == alternative
    row = dict(zip(df["year"].to_numpy()[keep].tolist(), df[column].to_numpy()[keep]))
    return np.array([row[y] for y in years], dtype=float)


def staffing_table(out_u: pd.DataFrame, out_s: pd.DataFrame, alternative: str,
                   n_alt: int, language: str) -> pd.DataFrame:
    """År, årsverk uendret/scenario with range, persons 20–66, shares (%)."""
    ru = sv.with_range(out_u, alternative, "aarsverk", keys=())
    rs = ru if out_s is out_u else sv.with_range(out_s, alternative, "aarsverk", keys=())
    years = ru["year"].astype(int)
    y = years.tolist()
    lo, hi = _band_cols(n_alt, language)
    return pd.DataFrame({
        "År": years.to_numpy(),
        "Årsverk, uendret": ru["aarsverk"].to_numpy(),
        "Årsverk, scenario": rs["aarsverk"].to_numpy(),
        lo: rs["low"].to_numpy(), hi: rs["high"].to_numpy(),
        "Innbyggere 20–66 år": _column_at(out_u, alternative, y, "pop_20_66"),
        "Andel 20–66, uendret (%)": _column_at(out_u, alternative, y, "share") * 100,
        "Andel 20–66, scenario (%)": _column_at(out_s, alternative, y, "share") * 100,
    })


def share_table(base_year: int, local: dict, land: dict, name: str) -> pd.DataFrame:
    """Andel (%) of 20–66 needed: rows per (region, variant), columns base year + key years."""
    rows = []
    for region, variants in ((name, local), ("Hele landet", land)):
        for variant, shares in variants.items():
            if shares:
                rows.append({"Region": region, "Forutsetning": variant,
                             **{str(y): shares[y] * 100 if y in shares else None
                                for y in (base_year, *KEY_YEARS)}})
    return pd.DataFrame(rows)


def _outlook(store, region: str, level: str, ptab, scenario: sv.Scenario):
    base = memo(store, sv.load_base, region, level, kept=True)
    if not base.ok:
        return base, pd.DataFrame(columns=["alternative", "year", "aarsverk", "pop_20_66",
                                           "share"])
    pop = memo(store, sv.population_frame, region, base.pop_year, ptab, kept=True)
    return base, sf.outlook(base, pop, scenario)


def _home_weight_section(base: sv.ServiceBase, pop: pd.DataFrame, alternative: str,
                         horizon: int, ids, caption: str, language: str,
                         computed: dict | None = None) -> Section:
    """The home-service weight is our assumption: årsverk needed at the horizon (uendret)
    with the assumed weight and with half and double of it, as a table and one sentence.
    ``computed``: ``staffing.outlooks`` for those weights (uendret), if already made."""
    eff = sf.home_weight_effect(base, pop, alternative, horizon, computed=computed)
    w0 = sf.HOME_WEIGHT
    title = say(language, "Antakelse: hvor mye en hjemmetjenestemottaker teller",
                "Føresetnad: kor mykje ein heimetenestemottakar tel")
    if w0 not in eff:
        return Section("hjemmevekt", title)
    shown0 = round(eff[w0])
    col = say(language, f"Årsverk {horizon}, uendret", f"Årsverk {horizon}, uendra")
    rows = [{"Vekt": w, "Forhold til antatt vekt": say(language, "antatt", "anteken") if w == w0
             else (f"{fmt_num(w / w0, 1)} ×"), col: v,
             say(language, "Forskjell mot antatt vekt", "Skilnad mot anteken vekt"):
             round(v) - shown0}
            for w, v in sorted(eff.items())]
    lo, hi = sf.HOME_WEIGHT_RANGE
    text = say(
        language,
        f"En mottaker av hjemmetjenester teller som {fmt_num(w0, 1)} institusjonsbeboer når "
        "dagens årsverk fordeles på brukerne. Vekten er vår antakelse, ikke et SSB-tall. Med "
        f"vekt {fmt_num(lo, 1)} trengs {fmt_int(eff.get(lo))} årsverk i {horizon}, med "
        f"{fmt_num(hi, 1)} trengs {fmt_int(eff.get(hi))}, mot {fmt_int(shown0)} med "
        f"{fmt_num(w0, 1)} (uendret dekningsgrad).",
        f"Ein mottakar av heimetenester tel som {fmt_num(w0, 1)} institusjonsbebuar når "
        "dagens årsverk blir fordelte på brukarane. Vekta er vår føresetnad, ikkje eit SSB-tal. "
        f"Med vekt {fmt_num(lo, 1)} trengst {fmt_int(eff.get(lo))} årsverk i {horizon}, med "
        f"{fmt_num(hi, 1)} trengst {fmt_int(eff.get(hi))}, mot {fmt_int(shown0)} med "
        f"{fmt_num(w0, 1)} (uendra dekningsgrad).")
    frame = pd.DataFrame(rows)
    diff = frame.columns[-1]
    return Section("hjemmevekt", title, text=(text,), items=(Table(
        "hjemmevekt", say(language, "Årsverk med ulike vekter", "Årsverk med ulike vekter"),
        frame, {"Vekt": 1, col: 0, diff: 0}, ids, caption=caption),))


def staffing_report(store, selection: Selection, scenario: sv.Scenario = sv.UNCHANGED,
                    language: str = "nb", compare: tuple[str, ...] = ()) -> Report:
    """Everything «Bemanning» shows for ``selection`` and ``scenario``. ``compare``: the
    saved comparison set, added to the KOSTRA comparison as its median."""
    sel = selection
    sources, base, ptab_q, pop, alts = _inputs(store, sel, scenario.own)
    n_alt, ptab = len(alts), ptab_q or "14746"
    intro = say(
        language,
        "Hvor mange årsverk i pleie og omsorg trengs mot 2030, 2040 og 2050 med dagens "
        "dekningsgrad og bemanning per bruker – og hvor stor andel av innbyggerne 20–66 år "
        "ville det kreve, sammenlignet med landet? Endre forutsetningene for å se hva som "
        "hjelper.",
        "Kor mange årsverk i pleie og omsorg trengst mot 2030, 2040 og 2050 med dagens "
        "dekningsgrad og bemanning per brukar – og kor stor del av innbyggjarane 20–66 år "
        "ville det krevje, samanlikna med landet? Endre føresetnadene for å sjå kva som hjelper.")
    common = _common(sel, "bemanning", f"Bemanning – {sel.region_name}", sources, ptab_q,
                     base.kostra_year, language, scenario, intro, n_alt, own=bool(base.own))
    notes = tuple(base.notes) + _own_notes(base)
    if not base.ok or base.aarsverk is None:
        return Report(horizon=sel.horizon, notes=notes, missing=(
            f"Databasen mangler KOSTRA-tall (brukere eller årsverk) eller befolkning for "
            f"{sel.region_name}."), **common)
    # the assumed home-service weight and the two shown beside it, on one projection
    outs_u = sf.outlooks(base, pop, sv.UNCHANGED, (sf.HOME_WEIGHT, *sf.HOME_WEIGHT_RANGE))
    out_u = outs_u[sf.HOME_WEIGHT]
    if out_u.empty or sel.alternative not in set(out_u["alternative"]):
        return Report(horizon=sel.horizon, notes=notes, missing=(
            f"Databasen har ingen befolkningsframskriving for {sel.region_name} "
            f"({tx.alt_caption(sel.alternative)})."), **common)
    out_s = out_u if scenario.unchanged else sf.outlook(base, pop, scenario)
    horizon = min(sel.horizon, int(out_u["year"].max()))
    y0 = base.pop_year
    premise = tx.alt_premise(sel.alternative, language)
    scen_text = tx.describe_scenario(scenario.levers(), language)
    own_aarsverk = scenario.own.aarsverk is not None
    ids = ("12292", "12003", "07459", ptab, *((OWN_SOURCE.id,) if base.own else ()))
    caption = source_line(sources, ids[:4], {
        "12292": f"årsverk {base.aarsverk_year}",
        ptab: f"{tx.alt_caption(sel.alternative, language)}; {tx.range_phrase(n_alt, language)}; "
              f"{scen_text}"}, language) + (
        " " + say(language, "Dagens tall der det står «kommunens egne tall»: kommunens egne "
                            "tall, ikke KOSTRA.",
                  "Dagens tal der det står «kommunens egne tall»: kommunens egne tal, ikkje "
                  "KOSTRA.") if base.own else "")
    alt = sel.alternative
    au = sf.at_years(out_u, alt, (y0, horizon), "aarsverk")
    as_ = sf.at_years(out_s, alt, (y0, horizon), "aarsverk")
    shu = sf.at_years(out_u, alt, (y0, *KEY_YEARS), "share")
    shs = sf.at_years(out_s, alt, (y0, *KEY_YEARS), "share")
    if sel.level != "land":
        _, lu = memo(store, _outlook, "0", "land", ptab_q, sv.UNCHANGED)
        levers = replace(scenario, own=sv.OwnNumbers())  # the country: SSB's numbers
        ls = lu if scenario.unchanged else _outlook(store, "0", "land", ptab_q, levers)[1]
        land_u = sf.at_years(lu, alt, (y0, *KEY_YEARS), "share") if len(lu) else {}
        land_s = sf.at_years(ls, alt, (y0, *KEY_YEARS), "share") if len(ls) else {}
    else:
        land_u, land_s = shu, shs

    # -- key figures ------------------------------------------------------------------
    a_u, a_s, a0 = au.get(horizon), as_.get(horizon), base.aarsverk
    d_u = round(a_u or 0) - round(a0)
    d_s = round(a_s or 0) - round(a_u or 0)
    figs = (
        KeyFigure("aarsverk_i_dag", say(language, "Årsverk i dag", "Årsverk i dag")
                  + (f" ({base.aarsverk_year})" if not own_aarsverk else ""), a0, "årsverk", 0,
                  sources=("egne",) if own_aarsverk else ("12292",),
                  delta_note=sv.OWN_LABEL if own_aarsverk else "",
                  help=f"Årsverk i brukerrettede tjenester i pleie og omsorg ({sv.OWN_LABEL})."
                  if own_aarsverk else
                  "Årsverk i brukerrettede tjenester i pleie og omsorg (KOSTRA 12292)."),
        KeyFigure("aarsverk_uendret", f"Årsverk {horizon}, uendret", a_u, "årsverk", 0, a0,
                  str(base.aarsverk_year), str(horizon), ids,
                  delta_text=f"{fmt_int(d_u, sign=True)} {say(language, 'fra i dag', 'frå i dag')}",
                  delta_arrow=_arrow(d_u),
                  help=("Dagens årsverk × vektede brukere i året / vektede brukere i dag "
                        f"(hjemmetjenestemottaker = {fmt_num(sf.HOME_WEIGHT, 1)} "
                        "institusjonsbruker).")),
        KeyFigure("aarsverk_scenario", f"Årsverk {horizon}, scenario", a_s, "årsverk", 0, a_u,
                  str(horizon), str(horizon), ids,
                  delta_text=f"{fmt_int(d_s, sign=True)} mot {say(language, 'uendret', 'uendra')}",
                  delta_arrow=_arrow(d_s), help=scen_text),
        KeyFigure("andel_20_66", f"Andel 20–66 år {horizon}",
                  None if shu.get(horizon) is None else shu[horizon] * 100, "%", 1,
                  None if shu.get(y0) is None else shu[y0] * 100, str(y0), str(horizon), ids,
                  delta_text=f"{say(language, 'fra', 'frå')} {fmt_share(shu.get(y0), 1)} i {y0}; "
                             f"landet {fmt_share(land_u.get(horizon), 1)}",
                  help=("Andel av innbyggerne 20–66 år som må jobbe i pleie og omsorg: "
                        "årsverk som trengs delt på innbyggere 20–66 år samme år (uendret "
                        "scenario). Deltid gjør at antall personer er høyere enn antall "
                        "årsverk.")),
    )
    sec_kf = Section("nokkeltall", say(language, f"Nøkkeltall {horizon}", f"Nøkkeltal {horizon}"),
                     items=figs)

    # -- årsverk chart ----------------------------------------------------------------
    table = staffing_table(out_u, out_s, alt, n_alt, language)
    lo, hi = _band_cols(n_alt, language)
    headline = tx.expected(say(language, "Behovet for årsverk i pleie og omsorg",
                               "Behovet for årsverk i pleie og omsorg"),
                           tx.change_clause(round(a0), round(a_u or 0),
                                            d_u / round(a0) * 100 if round(a0) else None,
                                            base.aarsverk_year, horizon, language),
                           language, lead=f"I {sel.region_name}") + \
        f" med dagens dekningsgrad og bemanning, {premise}."
    chart_a = Chart("aarsverk", say(language, f"Årsverk i pleie og omsorg, {sel.region_name}",
                                    f"Årsverk i pleie og omsorg, {sel.region_name}"),
                    "scenario_band", table, headline=headline,
                    spec={"unchanged": "Årsverk, uendret", "scenario": "Årsverk, scenario",
                          "low": lo, "high": hi, "ytitle": "Årsverk",
                          "show_scenario": not scenario.unchanged},
                    sources=ids, caption=caption,
                    decimals={"Årsverk, uendret": 0, "Årsverk, scenario": 0, lo: 0, hi: 0,
                              "Innbyggere 20–66 år": 0, "Andel 20–66, uendret (%)": 2,
                              "Andel 20–66, scenario (%)": 2})
    sec_a = Section("aarsverk", say(language, "Årsverk som trengs fram mot 2050",
                                    "Årsverk som trengst fram mot 2050"), items=(chart_a,))

    # -- share of 20–66 ---------------------------------------------------------------
    local = {"Uendret": shu} if scenario.unchanged else {"Uendret": shu, "Scenario": shs}
    land = {} if sel.level == "land" else (
        {"Uendret": land_u} if scenario.unchanged else {"Uendret": land_u, "Scenario": land_s})
    stab = share_table(y0, local, land, sel.region_name)
    share_text = []
    if not land_u and sel.level != "land":
        share_text.append("ℹ️ Landstall mangler i databasen (KOSTRA EAK eller befolkning for "
                          "hele landet).")
    s_h, l_h = shu.get(horizon), land_u.get(horizon)
    land_part = f"; landet {fmt_share(l_h, 1)} i {horizon}" if l_h is not None and land else ""
    share_headline = say(
        language,
        f"I {horizon} vil {fmt_share(s_h, 1)} av innbyggerne 20–66 år i {sel.region_name} kunne "
        f"måtte jobbe i pleie og omsorg med dagens dekningsgrad ({fmt_share(shu.get(y0), 1)} "
        f"i {y0}{land_part}), {premise}.",
        f"I {horizon} vil {fmt_share(s_h, 1)} av innbyggjarane 20–66 år i {sel.region_name} "
        f"kunne måtte jobbe i pleie og omsorg med dagens dekningsgrad "
        f"({fmt_share(shu.get(y0), 1)} i {y0}{land_part}), {premise}.")
    chart_s = Chart("andel_20_66", say(language, "Andel av innbyggerne 20–66 år",
                                       "Del av innbyggjarane 20–66 år"), "bars", stab,
                    headline=share_headline,
                    spec={"name_cols": ("Region", "Forutsetning"), "ytitle": "Prosent"},
                    sources=ids, caption=caption.rstrip(".") + "; hele landet beregnet på samme "
                                                               "måte (KOSTRA EAK).",
                    decimals={c: 2 for c in stab.columns if c.isdigit()})
    sec_s = Section("andel", say(language,
                                 "Andel av innbyggerne 20–66 år som må jobbe i pleie og omsorg",
                                 "Del av innbyggjarane 20–66 år som må jobbe i pleie og omsorg"),
                    text=tuple(share_text), items=(chart_s,))

    # -- KOSTRA: årsverk per 1 000 80+ --------------------------------------------------
    compare = tuple(compare) if sel.level == "kommune" else ()
    cmp = memo(store, kostra.comparison, sel.region_code, sel.level, compare, kept=True)
    ind = next(i for i in kostra.INDICATORS if i.key == "aarsverk1000")
    d = cmp[cmp["indicator"] == "aarsverk1000"]
    kitems: list = []
    if d["value"].notna().any():
        year = int(d.loc[d["value"].notna(), "year"].max())
        latest = d[d["year"] == year]
        for r in latest.itertuples(index=False):
            kitems.append(KeyFigure(
                f"aarsverk1000_{r.code}", f"{r.label} {year}",
                None if pd.isna(r.value) else float(r.value), ind.unit, 1, sources=("12292",),
                value_text="–" if pd.isna(r.value) else None,
                delta_note="" if pd.isna(r.count) else f"{fmt_num(r.count, 1)} årsverk",
                help=(r.note if isinstance(r.note, str) else "Ingen tall.")
                if pd.isna(r.value) else f"{ind.definition} Kilde: {ind.source}."))
        out = latest[["label", "code", "year", "value", "count", "note"]].rename(columns={
            "label": "Region", "code": "KOSTRA-kode", "year": "År",
            "value": "Årsverk per 1 000 80+", "count": "Årsverk", "note": "Merknad"})
        kitems.append(Table("aarsverk1000", "Årsverk per 1 000 innbyggere 80+",
                            out.reset_index(drop=True),
                            {"Årsverk per 1 000 80+": 1, "Årsverk": 1}, ("12292", "07459"),
                            caption=f"Definisjon: {ind.definition} Enhet: {ind.unit}. "
                                    f"Kilde: {ind.source}."))
    sec_k = Section("kostra", say(language, "Årsverk per 1 000 innbyggere 80+ sammenlignet",
                                  "Årsverk per 1 000 innbyggjarar 80+ samanlikna"),
                    text=() if kitems else ("Ingen tall for årsverk per 1 000 innbyggere 80+ i "
                                            "databasen.",), items=tuple(kitems))
    sec_w = _home_weight_section(base, pop, alt, horizon, ids, caption, language, outs_u)
    return Report(horizon=horizon, notes=notes, summary=(headline, share_headline),
                  sections=(sec_kf, sec_a, sec_w, sec_s, sec_k),
                  method=method.paragraphs(),
                  **common)
