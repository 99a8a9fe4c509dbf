"""Links that reproduce a view: read and write the URL parameters that define it.

``parse(params, ...)`` turns the query parameters of a shared link into a ``LinkState``
(region, alternative, horizon, scenario settings, målform, data version) and a bokmål note
for every parameter it could not use as given — an unknown or malformed kommune number,
an old kommune number (mapped to today's kommune through ``region_changes`` when the change
is unambiguous), an unknown alternative, year, scenario value or målform. It never
switches silently. ``to_params(state)`` writes the parameters back (defaults left out).

Parameters: ``region`` (kommune/fylke number, ``0`` = Hele landet), ``alt``, ``aar``,
``inst``/``hjem``/``sunn``/``prod``/``trapp``/``std``/``fam`` (scenario), ``maal`` (``nb``/``nn``),
``proj`` (projection round) and ``kostra`` (KOSTRA year) naming the data version;
``sml`` (the saved comparison set: kommune numbers separated by commas); the
kommune's own numbers ``egen_lang``/``egen_kort``/``egen_bolig``/``egen_hjem`` (users),
``egen_plass`` (places), ``egen_aarsv`` (årsverk) and ``plan`` (places the økonomiplan adds
or closes: ``plan=2027:12,2029:-8``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from analysis.format import fmt_int

HORIZONS = (2030, 2040, 2050)
DEFAULTS = {"region": "0301", "alternative": "MMMM", "horizon": 2040, "language": "nb"}
SCENARIO_PARAMS = {"institution_change": "inst", "home_change": "hjem",
                   "healthy_years": "sunn", "productivity": "prod", "shift_to_home": "trapp",
                   "standard": "std", "family_care": "fam"}
MAX_SHOWN = 30
# The kommune's own numbers: setting → parameter (users per service, places, årsverk).
OWN_PARAMS = {"langtid": "egen_lang", "korttid": "egen_kort", "bolig": "egen_bolig",
              "hjemme": "egen_hjem", "places": "egen_plass", "aarsverk": "egen_aarsv"}
OWN_MAX = 1_000_000  # more than any kommune has (Oslo: some 30 000 home-service users)
PLAN_YEARS = (2000, 2050)
PLAN_MAX = 10_000  # places added or closed in one year
PLAN_ENTRIES = 30


@dataclass(frozen=True)
class LinkState:
    region: str
    alternative: str
    horizon: int
    scenario: Mapping[str, float] = field(default_factory=dict)
    language: str = "nb"
    proj_round: str | None = None
    kostra_year: int | None = None
    notes: tuple[str, ...] = ()
    compare: tuple[str, ...] = ()  # the saved comparison set (kommune codes)
    own: Mapping[str, float] = field(default_factory=dict)  # OWN_PARAMS keys
    plan: tuple[tuple[int, float], ...] = ()


def shown(value: str) -> str:
    """A parameter value as it may be quoted in a message: control characters removed,
    at most 30 characters, in «»."""
    v = re.sub(r"[\x00-\x1f\x7f]", "", str(value))
    v = v if len(v) <= MAX_SHOWN else v[:MAX_SHOWN] + "…"
    return f"«{v}»"


def successors(code: str, changes: pd.DataFrame, current: Mapping[str, str]) -> list[str]:
    """Today's codes an old kommune number went to, following renumberings, merges and
    splits over time (``changes``: rows old_code, new_code, change_date)."""
    out, todo, seen = [], [code], set()
    ch = changes.sort_values("change_date") if len(changes) else changes
    while todo:
        c = todo.pop(0)
        if c in seen:
            continue
        seen.add(c)
        nxt = ch[ch["old_code"] == c]["new_code"].tolist() if len(ch) else []
        nxt = [n for n in nxt if n != c]
        if not nxt:
            if c in current and c != code:
                out.append(c)
            continue
        todo += nxt
    return sorted(set(out))


def _region(raw: str | None, names: Mapping[str, str], changes: pd.DataFrame,
            default: str) -> tuple[str, list[str]]:
    if raw is None:
        return default, []
    code = str(raw).strip()
    notes = []
    if code in names:
        if code != raw:
            notes.append(f"Regionnummeret {shown(raw)} i lenken er lest som {code} "
                         f"({names[code]}).")
        return code, notes
    dname = names.get(default, default)
    if not re.fullmatch(r"\d{1,4}", code):
        return default, [f"Lenken har et ugyldig kommunenummer {shown(raw)}. Viser "
                         f"{dname} i stedet; velg kommune i menyen."]
    succ = successors(code, changes, names)
    old = changes.loc[changes["old_code"] == code, "old_name"] if len(changes) else []
    old_name = str(old.iloc[0]) if len(old) and old.iloc[0] else ""
    label = f"{code} {old_name}".strip()
    if len(succ) == 1:
        new = succ[0]
        return new, [f"Kommunenummeret {label} i lenken er ikke lenger i bruk; kommunen har "
                     f"i dag nummer {new} ({names[new]}). Viser {new} {names[new]}."]
    if len(succ) > 1:
        parts = " og ".join(f"{c} {names[c]}" for c in succ)
        same = [c for c in succ if old_name and names[c] == old_name.split(" (")[0]]
        pick = same[0] if len(same) == 1 else default
        return pick, [f"Kommunenummeret {label} i lenken er delt mellom {parts}. Viser "
                      f"{pick} {names.get(pick, pick)}; velg en annen i menyen om du "
                      "mente den."]
    return default, [f"Fant ingen kommune, fylke eller region med nummer {shown(raw)}. Viser "
                     f"{dname} i stedet; velg kommune i menyen."]


def _number(raw: str) -> float | None:
    try:
        v = float(str(raw).strip().replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None


def parse_own(params: Mapping[str, str]) -> tuple[dict[str, float], list[str]]:
    """The kommune's own numbers in a link ({setting: value}) and a bokmål note for each
    value that is not a whole number from 0 to 1 000 000 (årsverk may have decimals)."""
    out, notes = {}, []
    for key, p in OWN_PARAMS.items():
        raw = params.get(p)
        if raw is None or str(raw).strip() == "":
            continue
        v = _number(raw)
        whole = key != "aarsverk"
        if v is None or v < 0 or v > OWN_MAX or (whole and v != int(v)):
            notes.append(f"Egne tall: {p}={shown(raw)} i lenken er ikke "
                         + ("et helt tall" if whole else "et tall")
                         + f" fra 0 til {fmt_int(OWN_MAX)}"
                         + "; KOSTRA-tallet brukes.")
            continue
        out[key] = float(v)
    return out, notes


def parse_plan(raw: str | None) -> tuple[tuple[tuple[int, float], ...], list[str]]:
    """Places the økonomiplan adds (+) or closes (−) per year, from «2027:12, 2029:-8»
    (also «2027: +12; 2029: −8»); a bokmål note for each entry that cannot be used. Entries
    for the same year are summed."""
    if raw is None or not str(raw).strip():
        return (), []
    plan: dict[int, float] = {}
    notes = []
    parts = [p for p in re.split(r"[,;]", str(raw)) if p.strip()]
    if len(parts) > PLAN_ENTRIES:
        notes.append(f"Økonomiplanen i lenken har mer enn {PLAN_ENTRIES} år; bare de første "
                     "er brukt.")
    for part in parts[:PLAN_ENTRIES]:
        m = re.fullmatch(r"\s*(\d{4})\s*:\s*([+\-\u2212]?\s*\d+)\s*", part)
        y = int(m.group(1)) if m else None
        v = _number(m.group(2).replace(" ", "")) if m else None
        if m is None or v is None or not PLAN_YEARS[0] <= y <= PLAN_YEARS[1] \
                or abs(v) > PLAN_MAX:
            notes.append(f"Økonomiplanen: {shown(part.strip())} kan ikke brukes (skriv år:plasser, "
                         f"f.eks. 2027:12 eller 2029:-8; år {PLAN_YEARS[0]}–{PLAN_YEARS[1]}, "
                         f"høyst {fmt_int(PLAN_MAX)} plasser per år).")
            continue
        if v:
            plan[y] = plan.get(y, 0.0) + float(v)
    return tuple(sorted((y, v) for y, v in plan.items() if v)), notes


def plan_text(plan) -> str:
    """A plan as the link and the form write it: «2027:12,2029:-8»."""
    return ",".join(f"{y}:{int(v)}" for y, v in plan)


def parse(params: Mapping[str, str], names: Mapping[str, str], changes: pd.DataFrame,
          alternatives: list[str], scenario_options: Mapping[str, list[float]],
          scenario_labels: Mapping[str, str] | None = None,
          default_region: str | None = None) -> LinkState:
    """The view a link describes, with a bokmål note for every parameter not used as given.

    ``names``: today's region codes → names; ``changes``: the store's ``region_changes``;
    ``alternatives``: valid alternative codes; ``scenario_options``: valid values per
    scenario setting (the slider steps). ``default_region``: shown when the link's region
    cannot be used (default Oslo, else Hele landet, else the first region in ``names``).
    """
    notes: list[str] = []
    default = default_region or next((c for c in (DEFAULTS["region"], "0") if c in names),
                                     next(iter(names), DEFAULTS["region"]))
    region, n = _region(params.get("region"), names, changes, default)
    notes += n
    alt = params.get("alt")
    if alt is None:
        alt = DEFAULTS["alternative"]
    elif alt.strip().upper() in alternatives:
        alt = alt.strip().upper()
    else:
        notes.append(f"Ukjent framskrivingsalternativ {shown(alt)} i lenken. Viser "
                     "hovedalternativet (MMMM).")
        alt = DEFAULTS["alternative"]
    year = params.get("aar")
    horizon = DEFAULTS["horizon"]
    if year is not None:
        y = _number(year)
        if y is not None and int(y) in HORIZONS and y == int(y):
            horizon = int(y)
        else:
            notes.append(f"Framskrivingsåret {shown(year)} i lenken finnes ikke (velg 2030, "
                         f"2040 eller 2050). Viser {horizon}.")
    scenario = {}
    labels = scenario_labels or {}
    for key, p in SCENARIO_PARAMS.items():
        raw = params.get(p)
        if raw is None:
            continue
        v = _number(raw)
        opts = scenario_options[key]
        label = labels.get(key, p)
        if v is None:
            notes.append(f"Scenarioverdien {p}={shown(raw)} i lenken er ikke et tall; "
                         f"«{label}» står på 0.")
            continue
        near = min(opts, key=lambda o: abs(o - v))
        if abs(near - v) > 1e-9:
            notes.append(f"Scenarioverdien {p}={shown(raw)} i lenken er utenfor valgene for "
                         f"«{label}» ({opts[0]:g} til {opts[-1]:g}); bruker {near:g}.")
        if near:
            scenario[key] = float(near)
    lang = params.get("maal", "nb")
    if lang not in ("nb", "nn"):
        notes.append(f"Ukjent målform {shown(lang)} i lenken (nb eller nn). Viser bokmål.")
        lang = "nb"
    proj = params.get("proj")
    proj = proj if proj is not None and re.fullmatch(r"\d{4}", proj) else None
    kostra = params.get("kostra")
    kostra_year = int(kostra) if kostra is not None and re.fullmatch(r"\d{4}", kostra) else None
    compare, n = _compare_set(params.get("sml"), names)
    notes += n
    own, n = parse_own(params)
    plan, m = parse_plan(params.get("plan"))
    return LinkState(region, alt, horizon, scenario, lang, proj, kostra_year,
                     tuple(notes + n + m), compare, own, plan)


MAX_COMPARE = 400  # more than the country's kommuner; a longer list is not a real set


def _compare_set(raw: str | None, names: Mapping[str, str]) -> tuple[tuple[str, ...], list[str]]:
    """The comparison set of a link (``sml``): known kommune numbers in the link's order,
    duplicates dropped, and a note naming what was left out."""
    if raw is None or not raw.strip():
        return (), []
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) > MAX_COMPARE:
        return (), [f"Sammenligningsutvalget i lenken har {len(parts)} oppføringer (høyst "
                    f"{MAX_COMPARE}); det er ikke brukt."]
    codes = list(dict.fromkeys(p for p in parts if re.fullmatch(r"\d{4}", p) and p in names))
    bad = [p for p in dict.fromkeys(parts) if p and p not in codes]
    notes = []
    if bad:
        listed = ", ".join(shown(b) for b in bad[:5]) + (" med flere" if len(bad) > 5 else "")
        notes.append(f"Sammenligningsutvalget i lenken har ukjente kommunenummer ({listed}); "
                     "de er utelatt." + ("" if codes else " Utvalget er tomt."))
    return tuple(codes), notes


def to_params(state: LinkState) -> dict[str, str]:
    """URL parameters of a view (scenario settings at 0 and bokmål are left out)."""
    out = {"region": state.region, "alt": state.alternative, "aar": str(state.horizon)}
    for key, p in SCENARIO_PARAMS.items():
        v = state.scenario.get(key, 0.0)
        if v:
            out[p] = f"{v:g}"
    if state.language != "nb":
        out["maal"] = state.language
    if state.proj_round:
        out["proj"] = str(state.proj_round)
    if state.kostra_year:
        out["kostra"] = str(state.kostra_year)
    if state.compare:
        out["sml"] = ",".join(state.compare)
    for key, p in OWN_PARAMS.items():
        if state.own.get(key) is not None:
            out[p] = f"{state.own[key]:g}"
    if state.plan:
        out["plan"] = plan_text(state.plan)
    return out


def version_note(link_proj: str | None, link_kostra: int | None, proj: str | None,
                 kostra: int | None) -> str:
    """One line when the store holds newer data than the link names; else empty."""
    parts = []
    if link_proj and proj and link_proj != proj:
        parts.append(f"befolkningsframskrivingen {link_proj} (databasen har nå {proj})")
    if link_kostra and kostra and link_kostra != kostra:
        parts.append(f"KOSTRA {link_kostra} (databasen har nå {kostra})")
    if not parts:
        return ""
    return "Lenken ble laget med " + " og ".join(parts) + "."
