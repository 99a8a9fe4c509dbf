"""Generated text of the reports, in bokmål (``nb``) or nynorsk (``nn``).

Every sentence about a projection names its premise inside the sentence («etter SSBs
hovedalternativ») so a pasted paragraph keeps it, and uses «ventes»/«vil kunne» (nn:
«er venta»/«vil kunne») rather than stating the future as fact. Counts of alternatives
follow what the store holds («alle ni alternativer» only when nine are loaded).
"""

from __future__ import annotations

import math

from analysis.format import fmt_int, fmt_num, fmt_pct
from analysis.report import say
from data_sources import catalog

NUMBER_WORDS = {2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte", 9: "ni"}
# Nynorsk labels of SSB's alternatives (bokmål labels are in data_sources.catalog).
ALT_LABEL_NN = {"MMMM": "Hovudalternativet", "LLML": "Låg nasjonal vekst",
                "HHMH": "Høg nasjonal vekst", "MMML": "Låg nettoinnvandring",
                "MMMH": "Høg nettoinnvandring", "LHML": "Sterk aldring",
                "HLMH": "Svak aldring", "MMM0": "Inga nettoinnvandring",
                "MM00": "Inga flytting"}


def alt_label(code: str, language: str = "nb") -> str:
    if language == "nn":
        return ALT_LABEL_NN.get(code, code)
    return catalog.alternative_label(code)


def alt_premise(code: str, language: str = "nb") -> str:
    """The premise inside a sentence: «etter SSBs hovedalternativ» / «etter alternativet
    «Lav nasjonal vekst» (LLML) i SSBs framskriving»."""
    if code == "MMMM":
        return say(language, "etter SSBs hovedalternativ", "etter hovudalternativet til SSB")
    return say(language, f"etter alternativet «{alt_label(code, 'nb')}» ({code}) i SSBs "
                         "befolkningsframskriving",
               f"etter alternativet «{alt_label(code, 'nn')}» ({code}) i "
               "befolkningsframskrivinga til SSB")


def alt_caption(code: str, language: str = "nb") -> str:
    """How a source line names the alternative: «hovedalternativet MMMM» / «alternativet
    «Lav nasjonal vekst» (LLML)»."""
    if code == "MMMM":
        return say(language, "hovedalternativet MMMM", "hovudalternativet MMMM")
    return f"alternativet «{alt_label(code, language)}» ({code})"


def range_phrase(n_alternatives: int, language: str = "nb") -> str:
    """«spenn: alle ni alternativer» — the count is the number actually in the store."""
    if n_alternatives <= 1:
        return say(language, "ingen andre alternativer i databasen",
                   "ingen andre alternativ i databasen")
    word = NUMBER_WORDS.get(n_alternatives, str(n_alternatives))
    if n_alternatives == len(catalog.ALTERNATIVE_ORDER):
        return say(language, f"spenn: alle {word} alternativer", f"spenn: alle {word} alternativa")
    return say(language, f"spenn: de {word} alternativene i databasen",
               f"spenn: dei {word} alternativa i databasen")


def alternatives_words(n_alternatives: int, language: str = "nb") -> str:
    """«SSBs ni alternativer» / «de tre alternativene i databasen»."""
    word = NUMBER_WORDS.get(n_alternatives, str(n_alternatives))
    if n_alternatives == len(catalog.ALTERNATIVE_ORDER):
        return say(language, f"SSBs {word} alternativer", f"dei {word} alternativa til SSB")
    if n_alternatives <= 1:
        return say(language, "ett alternativ (de andre er ikke hentet)",
                   "eitt alternativ (dei andre er ikkje henta)")
    return say(language, f"de {word} alternativene som er hentet",
               f"dei {word} alternativa som er henta")


def plural(n: float, language: str, nb: tuple[str, str], nn: tuple[str, str]) -> str:
    one, many = nn if language == "nn" else nb
    return one if abs(n) == 1 else many


def count_text(n: float, language: str = "nb") -> str:
    """«1 person» / «12 personer» (nn «personar»)."""
    n = round(n)
    return f"{fmt_int(n)} {plural(n, language, ('person', 'personer'), ('person', 'personar'))}"


def pct_text(pct: float | None) -> str:
    return "–" if pct is None else fmt_pct(pct, 1, sign=True)


def change_clause(base: float, target: float, pct: float | None, y0: int, y1: int,
                  language: str = "nb", decimals: int = 0) -> str:
    """«å øke fra 2 345 i 2026 til 4 567 i 2040 (+94,8 %)» (after «ventes»); nn «å auke frå
    …»; decline «å gå ned fra …»; no change «å være uendret på …»."""
    a, b = round(base, decimals), round(target, decimals)
    if a == b:
        return say(language, f"å være uendret på {fmt_num(a, decimals)} fra {y0} til {y1}",
                   f"å vere uendra på {fmt_num(a, decimals)} frå {y0} til {y1}")
    up = b > a
    verb = say(language, "øke" if up else "gå ned", "auke" if up else "gå ned")
    fra = say(language, "fra", "frå")
    tail = f" ({pct_text(pct)})" if pct is not None else ""
    return f"å {verb} {fra} {fmt_num(a, decimals)} i {y0} til {fmt_num(b, decimals)} i {y1}{tail}"


def expected(subject: str, clause: str, language: str = "nb", lead: str | None = None) -> str:
    """«<subject> ventes <clause>» (nn «<subject> er venta <clause>»); with ``lead``
    («I Moss») the verb comes second: «I Moss ventes <subject> <clause>»."""
    verb = say(language, "ventes", "er venta")
    if lead:
        if language == "nn":
            return f"{lead} er {subject[0].lower() + subject[1:]} venta {clause}"
        return f"{lead} ventes {subject[0].lower() + subject[1:]} {clause}"
    return f"{subject} {verb} {clause}"


def crossover_label(year: int | None, already: bool, last_year: int,
                    language: str = "nb") -> str:
    """«allerede» (nn «allereie»), «2031» or «ikke innen 2050» (nn «ikkje innan 2050»)."""
    if already:
        return say(language, "allerede", "allereie")
    if year is not None:
        return str(year)
    return say(language, f"ikke innen {last_year}", f"ikkje innan {last_year}")


def isnan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def describe_scenario(settings, language: str = "nb") -> str:
    """«scenario uendret» or «scenario: institusjon −1,0 %/år, …» from the scenario settings
    (``institution_change, home_change, healthy_years, productivity, shift_to_home``)."""
    s = dict(settings or {})
    if not any(s.values()):
        return say(language, "scenario uendret", "scenario uendra")
    parts = []
    if s.get("institution_change"):
        parts.append(f"institusjon {fmt_num(s['institution_change'], 1, sign=True)} %/år")
    if s.get("home_change"):
        parts.append(say(language, "hjemmetjenester", "heimetenester")
                     + f" {fmt_num(s['home_change'], 1, sign=True)} %/år")
    if s.get("healthy_years"):
        parts.append(f"{say(language, 'sunnere aldring', 'sunnare aldring')} "
                     f"{fmt_num(s['healthy_years'], 1)} år")
    if s.get("productivity"):
        parts.append(f"produktivitet {fmt_num(s['productivity'], 2, sign=True)} %/år")
    if s.get("shift_to_home"):
        parts.append(f"omsorgstrapp {fmt_num(s['shift_to_home'], 0)} %")
    if s.get("family_care"):
        parts.append(f"{say(language, 'familieomsorg', 'familieomsorg')} "
                     f"{fmt_num(s['family_care'], 0, sign=True)} %")
    if s.get("standard"):
        parts.append(f"{say(language, 'tjenestestandard', 'tenestestandard')} "
                     f"{fmt_num(s['standard'], 2, sign=True)} %/år")
    return "scenario: " + ", ".join(parts)


# Column headers of exported tables and chart series in nynorsk (menus stay bokmål; what a
# user takes out follows the målform).
COLUMNS_NN = {
    "Framskrevet": "Framskrive", "Lav": "Låg", "Høy": "Høg", "Uendret": "Uendra",
    "Lav (alle alternativer)": "Låg (alle alternativ)",
    "Høy (alle alternativer)": "Høg (alle alternativ)",
    "Brukere": "Brukarar", "Innbyggere": "Innbyggjarar", "Tjeneste": "Teneste",
    "Plasser i dag": "Plassar i dag", "Behov, uendret": "Behov, uendra",
    "Mangler, uendret": "Manglar, uendra", "Mangler, scenario": "Manglar, scenario",
    "Årsverk, uendret": "Årsverk, uendra", "Innbyggere 20–66 år": "Innbyggjarar 20–66 år",
    "Andel 20–66, uendret (%)": "Del 20–66, uendra (%)",
    "Andel 20–66, scenario (%)": "Del 20–66, scenario (%)", "Forutsetning": "Føresetnad",
    "Merknad": "Merknad", "persons": "personar", "year": "år", "age": "alder",
    "sex": "kjønn", "index": "indeks", "group": "gruppe",
}


def column_name(name: str, language: str = "nb") -> str:
    """A column or series name in the målform (bokmål names are the report's own)."""
    if language != "nn":
        return name
    if name in COLUMNS_NN:
        return COLUMNS_NN[name]
    for nb, nn in (("uendret", "uendra"), ("Uendret", "Uendra"), ("alternativer", "alternativ")):
        name = name.replace(nb, nn)
    return name
