"""The "Metode" text of the service and staffing pages, as data (rendered by the pages,
checked by tests). Numbers in the text come from the model's constants so text and code
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.format import fmt_int, fmt_num

from . import services, staffing


@dataclass(frozen=True)
class Section:
    heading: str
    text: str  # markdown, bokmål


def sections() -> tuple[Section, ...]:
    bands = ", ".join(b.label for b in services.BANDS)
    hw = fmt_num(staffing.HOME_WEIGHT, 1)
    mw = fmt_num(staffing.MOVED_WEIGHT, 1)
    lo, hi = (fmt_num(w, 1) for w in staffing.HOME_WEIGHT_RANGE)
    return (
        Section("Dekningsgrad i dag", (
            "For hver tjeneste regner vi dekningsgraden i hver aldersgruppe: antall brukere "
            "per 31.12. i siste KOSTRA-år delt på folkemengden 1.1. året etter (tabell 07459). "
            f"Aldersgruppene er {bands}; 90 år og over er egen gruppe fordi den vokser "
            "raskest. For langtidsopphold har SSB tall for 80–89 og 90 år og over (tabell "
            "11645). Tabell 12003 (institusjonstjenester og hjemmetjenester) har bare 80 år og "
            "over; der fordeler vi brukerne 80+ på 80–89 og 90+ etter folketallet, det vil si "
            "med samme dekningsgrad i begge gruppene. For disse tjenestene fanger modellen "
            "derfor ikke at 90-åringer oftere trenger tjenester enn 80-åringer; det trekker "
            "behovet noe ned.")),
        Section("Tjenestene", (
            "*Brukere av institusjonstjenester* er tjenestegruppe «Institusjonstenester» i "
            "12003 (langtids- og korttidsopphold). *Beboere med langtidsopphold* er "
            "tjenestetype 21 «langtidsopphold i institusjon» i tabell 11645, etter alder "
            "(0–49, 50–66, 67–79, 80–89 og 90 år og over). Der SSB skjuler små tall i en "
            "aldersgruppe, anslår vi gruppen som differansen mellom totalen og de andre "
            "gruppene, fordelt etter folketallet; det står i en merknad. *Beboere med "
            "korttidsopphold* og *beboere i bolig med heldøgns bemanning* er fra tabell 12292, "
            "som ikke har alder; vi antar at korttidsbeboerne har samme aldersfordeling som "
            "langtidsbeboerne, og beboerne i bolig med heldøgns bemanning samme som "
            "mottakerne av hjemmetjenester (vår antakelse). *Heldøgns omsorg* er "
            "langtidsopphold i institusjon pluss bolig med heldøgns bemanning, slik det telles "
            "i kommunal planlegging. *Mottakere av hjemmetjenester* er tjenestegruppe "
            "«Heimeteneste» i 12003.")),
        Section("Små kommuner", (
            f"I regioner med under {fmt_int(services.SMALL_POPULATION)} innbyggere er "
            f"dekningsgraden gjennomsnittet av de siste {services.SMOOTH_YEARS} KOSTRA-årene "
            "(summen av brukerne delt på summen av innbyggerne i hver aldersgruppe), fordi "
            "noen få brukere mer eller mindre ett år ellers gir store tilfeldige utslag. "
            "Dagens antall brukere i modellen er da dekningsgraden ganger innbyggerne i dag, "
            "og kan avvike litt fra KOSTRA-tallet for siste år; det står i en merknad. "
            "Antallet står alltid ved siden av andelen.")),
        Section("Framskriving", (
            "Framskrevne brukere = Σ over aldersgrupper av dekningsgrad × framskrevet "
            "folkemengde i gruppen (SSB tabell 14746). Vi regner med alle SSBs ni alternativer; "
            "det valgte alternativet vises som linje og spennet mellom laveste og høyeste "
            "alternativ som bånd. Basisåret gjengir dagens tall nøyaktig.")),
        Section("Kapasitet", (
            "Behovet for plasser er beboere med langtids- og korttidsopphold per 31.12. delt "
            f"på et antatt belegg på {fmt_int(services.OCCUPANCY * 100)} % (vår antakelse). "
            "Det sammenlignes med dagens disponible institusjonsplasser (tabell 11875) eller, "
            "når kommunen har lagt inn økonomiplanen, med plassene slik planen endrer dem år "
            "for år. Alle institusjonsbrukere (også korttidsopphold over året og brukere "
            "0–66 år) sammenlignes aldri med plasser. Vi viser første år behovet er større "
            "enn plassene, og hvor mange plasser som mangler (eller er ledige) i 2030, 2040 "
            "og 2050, regnet av de avrundede tallene som vises.")),
        Section("Kommunens egne tall", (
            "En planlegger kan legge inn dagens brukere, plasser og årsverk fra kommunens "
            "egne systemer. De erstatter KOSTRA-tallet i modellen: en tjenestes totale antall "
            "brukere fordeles på aldersgruppene etter KOSTRA-fordelingen, og dekningsgraden "
            "regnes av det. Tallene merkes «kommunens egne tall» overalt der de brukes, og "
            "følger med i lenken og i filene.")),
        Section("Bemanning", (
            "Dagens årsverk i brukerrettede tjenester (tabell 12292) fordeles på vektede "
            f"brukere: en institusjonsbruker teller 1, en hjemmetjenestemottaker {hw}. Vekten er "
            "en forenklet antakelse, ikke et SSB-tall. Årsverk som trengs = dagens årsverk × "
            "vektede brukere i året / vektede brukere i dag, justert for tjenestestandard og "
            "produktivitet. Som i SSBs HELSEMOD er årsverk = årsverk per bruker × brukere per "
            "innbygger i hver aldersgruppe × innbyggere; forskjellen er at vi ikke har "
            "årsverk per bruker for hver tjeneste og derfor bruker vekten over. Med vekt "
            f"{lo} eller {hi} i stedet for {hw} blir resultatet et annet. Andelen "
            "av befolkningen 20–66 år som må arbeide i pleie og omsorg er årsverk delt på "
            "antall innbyggere 20–66 år (deltid gjør at antall personer er høyere enn antall "
            "årsverk). Landstallet er regnet på samme måte for hele landet.")),
        Section("Scenarier", (
            "Alle innstillinger står på «uendret» som standard. *Endring i dekningsgrad* "
            "endrer dekningsgraden med valgt prosent per år (rentes rente). *Sunnere aldring* "
            "flytter dagens aldersspesifikke dekningsgrader det valgte antall år eldre innen "
            "2050, innfaset jevnt fra basisåret (en 82-åring i 2050 får da dekningsgraden til "
            "en yngre person i dag; delår interpoleres lineært). Standardverdien er 0: Syse og "
            "Hjemås (SSB) finner at økt levetid ikke har gitt klart lavere tjenestebruk det "
            "siste tiåret, og at det i snitt blir færre pårørende per eldre, så verken "
            "friskere aldring eller mer familieomsorg kan ventes å redusere behovet (Michael "
            "2024; 21: 39–51, doi:10.5617/michael.10950). Et annet antall år er brukerens "
            "antakelse. *Produktivitet* endrer hvor "
            "mange brukere ett årsverk dekker, per år. *Tjenestestandard* endrer antall "
            "årsverk per bruker per år; SSBs framskrivingsmodell HELSEMOD bruker +0,5 % per år "
            "i sitt basisalternativ, og knappen «SSBs tjenestestandard» setter det. "
            "*Omsorgstrappen* flytter en andel av "
            "institusjonsbrukerne til hjemmetjenester innen 2050 (innfaset jevnt); de teller "
            f"da som hjemmetjenestemottakere med vekt {mw} i bemanningen. *Familieomsorg* "
            "lar familien ta over omsorgen for en andel av brukerne 67 år og eldre innen "
            "2050 (innfaset jevnt; negativ verdi: mindre familieomsorg), slik SSBs HELSEMOD "
            "har familieomsorg som egen forutsetning. Standardverdien er 0 av samme grunn "
            "som for sunnere aldring (Syse og Hjemås 2024: færre pårørende per eldre); en "
            "annen verdi er brukerens antakelse.")),
        Section("Hvor godt treffer framskrivingene?", (
            "Vi sammenligner SSBs tidligere framskrivinger (2020: tabell 12882, 2022: 13600, "
            "2024: 14288; hovedalternativet) med folketallet som faktisk ble registrert "
            "(tabell 07459), for alle innbyggere og for 80 år og over. Avviket er framskrevet "
            "minus registrert, i prosent av registrert; positivt avvik betyr at framskrivingen "
            "var for høy. SSB har selv funnet at avviket etter fem år var under 5 prosent i 8 "
            "av 10 kommuner, og at avvikene i prosent er størst i små kommuner (SSB, "
            "«Hvor godt treffer befolkningsframskrivingene for kommunene?», Økonomiske "
            "analyser 4/2014). I en liten kommune bør framskrivingen derfor leses som et "
            "spenn, ikke som ett tall.")),
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


def paragraph(s: Section) -> str:
    """«**Heading.** text» (no full stop after a heading that ends in «?»)."""
    return f"**{s.heading}{'' if s.heading.endswith('?') else '.'}** {s.text}"


def paragraphs() -> tuple[str, ...]:
    return tuple(paragraph(s) for s in sections())


def markdown() -> str:
    return "\n\n".join(paragraphs())
