"""The "Metode" text of the service and staffing pages, as data (rendered by the pages,
checked by tests). Numbers in the text come from the model's constants so text and code
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.format import fmt_num

from . import services, staffing


@dataclass(frozen=True)
class Section:
    heading: str
    text: str  # markdown, bokmål


def sections() -> tuple[Section, ...]:
    bands = ", ".join(b.label for b in services.BANDS)
    hw = fmt_num(staffing.HOME_WEIGHT, 1)
    mw = fmt_num(staffing.MOVED_WEIGHT, 1)
    return (
        Section("Dekningsgrad i dag", (
            "For hver tjeneste regner vi dekningsgraden i hver aldersgruppe: antall brukere "
            "per 31.12. i siste KOSTRA-år (SSB tabell 12003, brukere etter alder og "
            "tjenestegruppe) delt på folkemengden 1.1. året etter (tabell 07459). "
            f"Aldersgruppene er {bands}. Tabell 12003 har ikke egen gruppe for 90 år og over, "
            "så 80 år og over er øverste gruppe. Modellen fanger derfor ikke at andelen over "
            "90 år vokser raskere enn andelen 80–89 år; det trekker behovet noe ned.")),
        Section("Tjenestene", (
            "*Brukere av institusjonstjenester* er tjenestegruppe «Institusjonstenester» i "
            "12003 (langtids- og korttidsopphold). *Beboere med langtidsopphold* er "
            "tjenestetype 21 «langtidsopphold i institusjon» i tabell 11645, etter alder "
            "(0–49, 50–66, 67–79, 80–89 og 90 år og over). Der SSB skjuler små tall i en "
            "aldersgruppe, anslår vi gruppen som differansen mellom totalen og de andre "
            "gruppene, fordelt etter folketallet; det står i en merknad. *Mottakere av "
            "hjemmetjenester* er tjenestegruppe «Heimeteneste» i 12003.")),
        Section("Framskriving", (
            "Framskrevne brukere = Σ over aldersgrupper av dekningsgrad × framskrevet "
            "folkemengde i gruppen (SSB tabell 14746). Vi regner med alle SSBs ni alternativer; "
            "det valgte alternativet vises som linje og spennet mellom laveste og høyeste "
            "alternativ som bånd. Basisåret gjengir dagens tall nøyaktig.")),
        Section("Kapasitet", (
            "Behovet for plasser er antall framskrevne brukere av institusjonstjenester. Det "
            "sammenlignes med dagens disponible institusjonsplasser (tabell 11875). Vi viser "
            "første år behovet er større enn dagens plasser, og hvor mange plasser som mangler "
            "(eller er ledige) i 2030, 2040 og 2050.")),
        Section("Bemanning", (
            "Dagens årsverk i brukerrettede tjenester (tabell 12292) fordeles på vektede "
            f"brukere: en institusjonsbruker teller 1, en hjemmetjenestemottaker {hw}. Vekten er "
            "en forenklet antakelse, ikke et SSB-tall. Årsverk som trengs = dagens årsverk × "
            "vektede brukere i året / vektede brukere i dag, justert for produktivitet. Andelen "
            "av befolkningen 20–66 år som må arbeide i pleie og omsorg er årsverk delt på "
            "antall innbyggere 20–66 år (deltid gjør at antall personer er høyere enn antall "
            "årsverk). Landstallet er regnet på samme måte for hele landet.")),
        Section("Scenarier", (
            "Alle innstillinger står på «uendret» som standard. *Endring i dekningsgrad* "
            "endrer dekningsgraden med valgt prosent per år (rentes rente). *Sunnere aldring* "
            "flytter dagens aldersspesifikke dekningsgrader det valgte antall år eldre innen "
            "2050, innfaset jevnt fra basisåret (en 82-åring i 2050 får da dekningsgraden til "
            "en yngre person i dag; delår interpoleres lineært). *Produktivitet* endrer hvor "
            "mange brukere ett årsverk dekker, per år. *Omsorgstrappen* flytter en andel av "
            "institusjonsbrukerne til hjemmetjenester innen 2050 (innfaset jevnt); de teller "
            f"da som hjemmetjenestemottakere med vekt {mw} i bemanningen.")),
        Section("KOSTRA-grupper", (
            "Tall per 1 000 innbyggere 80+ for en KOSTRA-gruppe deler gruppens tall på "
            "innbyggerne 80+ i alle gruppens kommuner. Mangler noen av kommunene i databasen, "
            "viser vi ingen rate (bare antallet), fordi en rate regnet på et utvalg av "
            "kommunene blir feil. Andelene fra tabell 12209 vises uten antall: 12209 "
            "publiserer ikke antallet bak andelen.")),
        Section("Kommunenummer og manglende tall", (
            "KOSTRA-tall står på kommunenummeret som gjaldt det året. Tall for tidligere "
            "kommunenummer føres over til dagens kommune når nummeret bare er endret. Ved "
            "sammenslåing legges antall sammen bare når alle delene har tall; andeler legges "
            "ikke sammen. Når en kommune er delt (Ålesund og Haram fra 2024), vises ingen tall "
            "for årene før delingen. Tall som mangler eller er skjult av SSB, vises som «–» "
            "med forklaring, aldri som 0.")),
    )


def markdown() -> str:
    return "\n\n".join(f"**{s.heading}.** {s.text}" for s in sections())
