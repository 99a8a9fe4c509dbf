"""The catalog: one entry per SSB table we use, and how to query it.

Each ``TableSpec`` says which store table (``kind``) its rows go to, which region variable
it has, and which selection to ask SSB for (all regions, or just some kommuner).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Projection alternatives of SSB's regional projections (14746 = 2026 round, 14288 = 2024).
# ContentsCode -> (four-letter code, label, one-line bokmål explanation).
ALTERNATIVES: dict[str, tuple[str, str, str]] = {
    "Personer": ("MMMM", "Hovedalternativet",
                 "SSBs mest sannsynlige utvikling: middels fruktbarhet, levealder, flytting og innvandring."),
    "Personer1": ("LLML", "Lav nasjonal vekst",
                  "Lav fruktbarhet, lav levealder og lav innvandring: færre innbyggere."),
    "Personer2": ("HHMH", "Høy nasjonal vekst",
                  "Høy fruktbarhet, høy levealder og høy innvandring: flere innbyggere."),
    "Personer3": ("MMML", "Lav nettoinnvandring",
                  "Som hovedalternativet, men færre innvandrere."),
    "Personer4": ("MMMH", "Høy nettoinnvandring",
                  "Som hovedalternativet, men flere innvandrere."),
    "Personer5": ("LHML", "Sterk aldring",
                  "Lav fruktbarhet, høy levealder og lav innvandring: flest eldre i forhold til yngre."),
    "Personer6": ("HLMH", "Svak aldring",
                  "Høy fruktbarhet, lav levealder og høy innvandring: færrest eldre i forhold til yngre."),
    "Personer7": ("MMM0", "Ingen nettoinnvandring",
                  "Som hovedalternativet, men uten inn- og utvandring."),
    "Personer8": ("MM00", "Ingen flytting",
                  "Som hovedalternativet, men uten flytting mellom kommuner og uten innvandring."),
}
ALTERNATIVE_ORDER = [v[0] for v in ALTERNATIVES.values()]
ALT_RE = re.compile(r"\(([LMHK0]{4})\)")


def alternative_code(contents_code: str, label: str | None) -> str:
    """Four-letter alternative code from the ContentsCode label ("... (MMMM)"), else the map."""
    if label:
        m = ALT_RE.search(label)
        if m:
            return m.group(1)
    if contents_code in ALTERNATIVES:
        return ALTERNATIVES[contents_code][0]
    raise ValueError(f"ukjent framskrivingsalternativ {contents_code!r} ({label!r})")


def alternative_label(code: str) -> str:
    for c, label, _ in ALTERNATIVES.values():
        if c == code:
            return label
    return code


def alternative_phrase(code: str) -> str:
    """How captions name an alternative: «hovedalternativet MMMM» or «alternativet «…» (LLML)»."""
    if code == "MMMM":
        return "hovedalternativet MMMM"
    return f"alternativet «{alternative_label(code)}» ({code})"


def alternative_explanation(code: str) -> str:
    for c, _, expl in ALTERNATIVES.values():
        if c == code:
            return expl
    return ""


@dataclass(frozen=True)
class TableSpec:
    key: str
    table_id: str
    kind: str  # projection | population | kostra
    title: str
    region_var: str
    contents: tuple[str, ...] = ()  # ContentsCodes to fetch ("*" when empty)
    region_codelist: str | None = None
    other: dict = field(default_factory=dict)  # other variables -> codes (default "*")
    description: str = ""

    def selection(self, regions: list[str] | None = None) -> list[dict]:
        """Selection in PxWebApi 2 POST form: [{variableCode, valueCodes, codelist?}]."""
        reg = {"variableCode": self.region_var,
               "valueCodes": list(regions) if regions else ["*"]}
        if self.region_codelist:
            reg["codelist"] = self.region_codelist
        sel = [reg]
        for var, codes in self.other.items():
            sel.append({"variableCode": var, "valueCodes": list(codes)})
        sel.append({"variableCode": "ContentsCode",
                    "valueCodes": list(self.contents) if self.contents else ["*"]})
        sel.append({"variableCode": "Tid", "valueCodes": ["*"]})
        return sel


PROJECTION_FALLBACK = "14746"
PROJECTION_SEARCH = "title:Framskrevet folkemengde"

PROJECTION = TableSpec(
    key="projection", table_id=PROJECTION_FALLBACK, kind="projection",
    title="Framskrevet folkemengde 1. januar, etter region, kjønn, alder, statistikkvariabel og år",
    region_var="Region", other={"Kjonn": ["*"], "Alder": ["*"]},
    description="Befolkningsframskrivinger, alle ni alternativer, kommuner/fylker/land.")

HISTORY = TableSpec(
    key="population", table_id="07459", kind="population",
    title="Befolkning, etter region, kjønn, alder, statistikkvariabel og år",
    region_var="Region", region_codelist="agg_KommSummer", contents=("Personer1",),
    other={"Kjonn": ["*"], "Alder": ["*"]},
    description="Folkemengde 1. januar, kommuner summert til dagens inndeling (K-xxxx).")

# The national total of the history comes from the default Region list ("0" = Hele landet).
HISTORY_LAND = TableSpec(
    key="population_land", table_id="07459", kind="population",
    title=HISTORY.title, region_var="Region", contents=("Personer1",),
    other={"Kjonn": ["*"], "Alder": ["*"]})

KOSTRA_REGION = "KOKkommuneregion0000"

KOSTRA_TABLES = {
    "12209": TableSpec(
        key="kostra_12209", table_id="12209", kind="kostra",
        title="Utvalgte nøkkeltall for helse og omsorg", region_var=KOSTRA_REGION,
        contents=("KOShjtj80aarover0001", "KOSsykhjand80aar0000"),
        description="Andel 80+ med hjemmetjenester og med institusjonsopphold."),
    "12292": TableSpec(
        key="kostra_12292", table_id="12292", kind="kostra",
        title="Institusjoner og hjemmetjenester – årsverk og brukere", region_var=KOSTRA_REGION,
        description="Årsverk i brukerrettede tjenester, beboere, hjemmetjenestemottakere."),
    "12003": TableSpec(
        key="kostra_12003", table_id="12003", kind="kostra",
        title="Omsorgstjenester - brukere, etter alder, region, tjenestegrupper", region_var=KOSTRA_REGION,
        other={"KOKalder0000": ["*"], "KOKTenesteGrp0000": ["*"]},
        description="Brukere av omsorgstjenester etter alder og tjenestegruppe."),
    "11875": TableSpec(
        key="kostra_11875", table_id="11875", kind="kostra",
        title="Institusjonsplasser", region_var=KOSTRA_REGION,
        contents=("KOSinstdispplass0000", "KOSsykehjdisppla0000", "KOSinstdemenspla0000",
                  "KOSinsttidsbegrp0000", "KOSinstrehabplas0000"),
        description="Disponible institusjonsplasser."),
    # IPLOS users by finer age and service type: long-term institution residents (TenesteType
    # 21) by 0–49, 50–66, 67–79, 80–89 and 90+, so the model's top bands are 80–89 and 90+.
    # Region = kommune codes (not KOKkommuneregion0000). Variables the spec does not name
    # (e.g. Kjonn, where SSB splits by sex) are fetched whole by the refresh.
    "11645": TableSpec(
        key="kostra_11645", table_id="11645", kind="kostra",
        title="Brukere av omsorgstjenester, etter alder og tjenestetype", region_var="Region",
        contents=("Brukere1",),
        other={"TenesteType": ["21"],
               "Alder": ["Ialt", "00-49", "50-66", "67-79", "80-89", "90+"]},
        description="Beboere med langtidsopphold i institusjon etter alder (2009–)."),
}

# Earlier projection rounds (table id -> round year), for the track record: what each round
# said about today, against what happened (07459). Fetched on request (``refresh --tables
# 12882 13600 14288``), main alternative only, for the region codes valid in the round.
PROJECTION_ROUNDS: dict[str, int] = {"12882": 2020, "13600": 2022, "14288": 2024}
ROUND = TableSpec(
    key="round", table_id="", kind="projection",
    title="Framskrevet folkemengde, eldre framskriving", region_var="Region",
    contents=("Personer",), other={"Kjonn": ["*"], "Alder": ["*"]},
    description="Eldre framskrivingsrunder, hovedalternativet (MMMM).")

KIND_BY_TABLE = {PROJECTION_FALLBACK: "projection", "07459": "population",
                 **{t: "projection" for t in PROJECTION_ROUNDS},
                 **{t: "kostra" for t in KOSTRA_TABLES}}


def spec_for(table_id: str) -> TableSpec | None:
    if table_id == HISTORY.table_id:
        return HISTORY
    if table_id in KOSTRA_TABLES:
        return KOSTRA_TABLES[table_id]
    if KIND_BY_TABLE.get(table_id) == "projection":
        return PROJECTION
    return None


def kind_for(table_id: str, dimension_ids: list[str] | tuple[str, ...]) -> str | None:
    """Which store table a dataset belongs to, by table id or, failing that, by its shape."""
    if table_id in KIND_BY_TABLE:
        return KIND_BY_TABLE[table_id]
    dims = set(dimension_ids)
    if KOSTRA_REGION in dims:
        return "kostra"
    return None
