"""A generated corpus of hostile import files (JSON-stat 2 and SSB CSV).

``base_files()`` gives the valid files a test store is filled with (Moss 3103: 07459 for
2024, 14746 for 2026–2027, KOSTRA 12209); ``hostile_cases()`` gives the hostile files, each
a ``Case(name, data, expect)`` where ``expect`` is a fragment of the one Norwegian message
the importer must give. Every hostile file must be refused with the store unchanged.
``pad_to`` makes the file that many bytes long (a sparse file on disk: size limit cases).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from data_sources import catalog

AGES = [f"{a:03d}" for a in range(105)] + ["105+"]
ALT_CODES = list(catalog.ALTERNATIVES)  # Personer, Personer1 … Personer8


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: str
    pad_to: int = 0


def _dim(label: str, codes: list[str], labels: list[str] | None = None) -> dict:
    labels = labels or codes
    return {"label": label, "category": {"index": {c: i for i, c in enumerate(codes)},
                                         "label": dict(zip(codes, labels))}}


def _dataset(table_id: str | None, title: str, dims: list[tuple[str, dict]], values,
             **extra) -> dict:
    ds = {"version": "2.0", "class": "dataset", "label": title, "source": "Statistisk sentralbyrå",
          "updated": "2026-02-25T07:00:00Z", "id": [d for d, _ in dims],
          "size": [len(v["category"]["index"]) for _, v in dims],
          "dimension": dict(dims), "value": values}
    if table_id is not None:
        ds["extension"] = {"px": {"tableid": table_id}}
    ds.update(extra)
    return ds


def population(region: str = "K-3103", years=("2024",), ages=AGES, sexes=("1", "2"),
               table_id: str | None = "07459", value=None) -> dict:
    """07459 for one kommune; persons = 100 + age (+ 7 for women), or ``value(i)``."""
    vals = []
    for _ in [region]:
        for s in sexes:
            for a in ages:
                for _y in years:
                    base = 100 + int(a.rstrip("+")) + (7 if s == "2" else 0)
                    vals.append(base if value is None else value(len(vals)))
    return _dataset(table_id, "07459: Befolkning, etter region, kjønn, alder, "
                              "statistikkvariabel og år",
                    [("Region", _dim("region", [region])),
                     ("Kjonn", _dim("kjønn", list(sexes))),
                     ("Alder", _dim("alder", list(ages))),
                     ("ContentsCode", _dim("statistikkvariabel", ["Personer1"], ["Personer"])),
                     ("Tid", _dim("år", list(years)))], vals)


def projection(region: str = "3103", years=("2026", "2027"), alts=ALT_CODES, ages=AGES,
               table_id: str | None = "14746") -> dict:
    labels = [f"{catalog.ALTERNATIVES[c][1]} ({catalog.ALTERNATIVES[c][0]})"
              if c in catalog.ALTERNATIVES else c for c in alts]
    n = 2 * len(ages) * len(alts) * len(years)
    return _dataset(table_id, "14746: Framskrevet folkemengde 1. januar, etter region, kjønn, "
                              "alder, statistikkvariabel og år",
                    [("Region", _dim("region", [region])),
                     ("Kjonn", _dim("kjønn", ["1", "2"])),
                     ("Alder", _dim("alder", list(ages))),
                     ("ContentsCode", _dim("statistikkvariabel", list(alts), labels)),
                     ("Tid", _dim("år", list(years)))], [150 + i % 50 for i in range(n)])


def kostra(region: str = "3103", values=(31.2, 30.5), table_id: str | None = "12209") -> dict:
    return _dataset(table_id, "12209: Utvalgte nøkkeltall for helse og omsorg",
                    [(catalog.KOSTRA_REGION, _dim("region", [region])),
                     ("ContentsCode", _dim("statistikkvariabel", ["KOShjtj80aarover0001"],
                                           ["Andel 80 år og over med hjemmetjenester"])),
                     ("Tid", _dim("år", ["2023", "2024"]))], list(values))


def csv_07459(region: str = "K-3103 Moss", year: str = "2024", ages=range(106),
              title: str = "07459: Befolkning, etter region, alder, statistikkvariabel, år og "
                           "kjønn", cell=None, extra_lines: str = "") -> bytes:
    """SSB's wide CSV (Personer <year> Menn/Kvinner) for one kommune, all ages by default."""
    lines = [f'"{title}"', "", f'"region";"alder";"Personer {year} Menn";'
                               f'"Personer {year} Kvinner"']
    for a in ages:
        label = f"{a} år" + (" eller eldre" if a == 105 else "")
        m, k = (100 + a, 107 + a) if cell is None else cell(a)
        lines.append(f'"{region}";"{label}";{m};{k}')
    return ("\r\n".join(lines) + "\r\n" + extra_lines).encode("utf-8")


def _j(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def base_files() -> list[tuple[str, bytes]]:
    """The valid files a corpus test store holds (Moss)."""
    return [("07459_moss_2024.json", _j(population())),
            ("14746_moss.json", _j(projection())),
            ("12209_moss.json", _j(kostra())),
            ("07459_moss_2023.csv", csv_07459(year="2023"))]


def _mut(obj: dict, fn) -> dict:
    o = copy.deepcopy(obj)
    fn(o)
    return o


def _set_codes(ds: dict, dim: str, codes: list[str]) -> None:
    cat = ds["dimension"][dim]["category"]
    cat["index"] = {c: i for i, c in enumerate(codes)}
    cat["label"] = {c: c for c in codes}
    ds["size"][ds["id"].index(dim)] = len(codes)


def _json_cases() -> list[Case]:
    pop = population()
    proj = projection()
    good = _j(pop)
    deep = 100_000
    c = [
        Case("liste.json", b"[1]", "ikke et objekt"),
        Case("tall.json", b"12", "ikke et objekt"),
        Case("tekst.json", b'"hei"', "ikke et objekt"),
        Case("null.json", b"null", "ikke et objekt"),
        Case("sann.json", b"true", "ikke et objekt"),
        Case("latin1.json", json.dumps(pop, ensure_ascii=False).encode("latin-1"),
             "ikke gyldig UTF-8"),
        Case("utf16.json", json.dumps(pop).encode("utf-16"), "UTF-16"),
        Case("utf16be.json", b"\xfe\xff" + json.dumps(pop).encode("utf-16-be"), "UTF-16"),
        Case("utf16_uten_bom.json", json.dumps(pop).encode("utf-16-le"), "UTF-16"),
        Case("dyp_liste.json", b"[" * deep + b"]" * deep, "nestet for dypt"),
        Case("dypt_objekt.json", b'{"a":' * deep + b"1" + b"}" * deep, "nestet for dypt"),
        Case("avkortet10.json", good[: len(good) // 10], "avkortet JSON"),
        Case("avkortet50.json", good[: len(good) // 2], "avkortet JSON"),
        Case("avkortet99.json", good[:-1], "avkortet JSON"),
        Case("hale.json", good + b"xyz", "ugyldig JSON"),
        Case("enkeltfnutter.json", b"{'class': 'dataset'}", "ugyldig JSON"),
        Case("nan.json", good.replace(b"[100,", b"[NaN,", 1), "NaN"),
        Case("infinity.json", good.replace(b"[100,", b"[Infinity,", 1), "Infinity"),
        Case("minus_infinity.json", good.replace(b"[100,", b"[-Infinity,", 1), "Infinity"),
        Case("e999.json", good.replace(b"[100,", b"[1e999,", 1), "ikke et endelig tall"),
        Case("langt_heltall.json", good.replace(b"[100,", b"[" + b"9" * 5000 + b",", 1),
             "tall som ikke kan leses"),
        Case("hei.json", b'{"hello": 1}', 'mangler "class"'),
        Case("klasse.json", _j(_mut(pop, lambda d: d.update({"class": "collection"}))),
             'mangler "class"'),
    ]
    for key in ("id", "size", "dimension", "value"):
        c.append(Case(f"uten_{key}.json", _j(_mut(pop, lambda d, k=key: d.pop(k))),
                      f'mangler feltet "{key}"'))
    c += [
        Case("id_tekst.json", _j(_mut(pop, lambda d: d.update({"id": "Region"}))), "«id»"),
        Case("id_tall.json", _j(_mut(pop, lambda d: d["id"].__setitem__(0, 7))), "«id»"),
        Case("size_tekst.json", _j(_mut(pop, lambda d: d["size"].__setitem__(0, "1"))),
             "«size»"),
        Case("size_negativ.json", _j(_mut(pop, lambda d: d["size"].__setitem__(0, -1))),
             "«size»"),
        Case("size_desimal.json", _j(_mut(pop, lambda d: d["size"].__setitem__(0, 1.5))),
             "«size»"),
        Case("size_bool.json", _j(_mut(pop, lambda d: d["size"].__setitem__(0, True))),
             "«size»"),
        Case("size_feil.json", _j(_mut(pop, lambda d: d["size"].__setitem__(2, 105))),
             "har 106 kategorier, men size sier 105"),
        Case("size_kort.json", _j(_mut(pop, lambda d: d["size"].pop())), "ulik lengde"),
        Case("id_dobbel.json", _j(_mut(pop, lambda d: (d["id"].__setitem__(1, "Region"),
                                                      d["size"].__setitem__(1, 1)))),
             "samme variabel"),
        Case("dimension_liste.json", _j(_mut(pop, lambda d: d.update({"dimension": []}))),
             "«dimension»"),
        Case("dimensjon_mangler.json", _j(_mut(pop, lambda d: d["dimension"].pop("Alder"))),
             "dimensjonen Alder mangler"),
        Case("dimensjon_liste.json",
             _j(_mut(pop, lambda d: d["dimension"].__setitem__("Alder", [1, 2]))),
             "dimensjonen Alder: ventet et objekt"),
        Case("kategori_tekst.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"].__setitem__("category", "x"))),
             "«category»"),
        Case("etiketter_liste.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"]["category"].__setitem__(
                 "label", ["a"]))), "«category.label»"),
        Case("indeks_hull.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"]["category"]["index"].__setitem__(
                 "000", 500))), "ugyldig indeks"),
        Case("indeks_negativ.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"]["category"]["index"].__setitem__(
                 "000", -1))), "ugyldig indeks"),
        Case("indeks_tekst.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"]["category"].__setitem__(
                 "index", 5))), "ugyldig category.index"),
        Case("indeks_dobbel.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"]["category"].__setitem__(
                 "index", AGES[:-1] + ["000"]))), "samme kode finnes to ganger"),
        Case("indeks_objekter.json",
             _j(_mut(pop, lambda d: d["dimension"]["Alder"]["category"].__setitem__(
                 "index", [{"a": 1}] * 106))), "koder må være tekst"),
        Case("verdier_kort.json", _j(_mut(pop, lambda d: d["value"].pop())),
             "datasettet har 211 verdier, men dimensjonene gir 212"),
        Case("verdi_tekst.json", _j(_mut(pop, lambda d: d["value"].__setitem__(3, "mange"))),
             "verdi nr. 4 er ikke et tall"),
        Case("verdi_liste.json", _j(_mut(pop, lambda d: d["value"].__setitem__(3, [1, 2]))),
             "verdi nr. 4 er ikke et tall"),
        Case("verdi_objekt.json", _j(_mut(pop, lambda d: d["value"].__setitem__(3, {"a": 1}))),
             "verdi nr. 4 er ikke et tall"),
        Case("verdi_nestet.json",
             _j(_mut(pop, lambda d: d.update({"value": [[v] for v in d["value"]]}))),
             "ikke et tall"),
        Case("verdi_tekstfelt.json", _j(_mut(pop, lambda d: d.update({"value": "1,2"}))),
             '"value" må være en liste'),
        Case("glissen_nokkel.json",
             _j(_mut(pop, lambda d: d.update({"value": {"a": 1}}))), "cellenummer"),
        Case("glissen_utenfor.json",
             _j(_mut(pop, lambda d: d.update({"value": {"999999": 1}}))), "utenfor datasettet"),
        Case("glissen_tekstverdi.json",
             _j(_mut(pop, lambda d: d.update({"value": {"0": "x"}}))), "cellenummer"),
        Case("status_lang.json",
             _j(_mut(pop, lambda d: d.update({"status": {"0": "x" * 5000}}))),
             "ukjent statussymbol"),
        Case("status_nokkel.json",
             _j(_mut(pop, lambda d: d.update({"status": {"null": "."}}))), "«status»"),
        Case("status_objekt.json",
             _j(_mut(pop, lambda d: d.update({"status": [{"a": 1}] * 212}))),
             "ukjent statussymbol"),
        # declared sizes far beyond the limit: refused before anything is allocated
        Case("milliard.json", _j(_mut(pop, lambda d: (d["size"].__setitem__(4, 10 ** 9),
                                                      d.update({"value": {}})))),
             "mer enn 5\u00a0000\u00a0000 celler"),
        Case("glissen_18mill.json",
             _j(_mut(pop, lambda d: (d["size"].__setitem__(4, 85_000),
                                     d.update({"value": {"0": 1, "5": 2}})))),
             "mer enn 5\u00a0000\u00a0000 celler"),
        Case("enorm_size.json", _j(_mut(pop, lambda d: d["size"].__setitem__(0, 10 ** 30))),
             "mer enn 5\u00a0000\u00a0000 celler"),
        # a sparse file within the limit: its few cells are a partial new year, never NULL rows
        Case("glissen_moss.json",
             _j(_mut(population(years=("2025",)), lambda d: d.update(
                 {"value": {"0": 5, "1": 6}}))), "filen har bare 2 av 212 celler"),
        Case("glissen_tom.json", _j(_mut(pop, lambda d: d.update({"value": {}}))),
             "ingen rader som kan lagres"),
        Case("alle_null.json", _j(_mut(pop, lambda d: d.update({"value": [None] * 212}))),
             "ingen rader som kan lagres"),
    ]
    # tables and codes
    c += [
        Case("14746_som_99999.json", _j(projection(table_id="99999")), "ukjent tabell 99999"),
        Case("07459_som_99999.json", _j(population(table_id="99999")), "ukjent tabell 99999"),
        Case("12209_som_12345.json", _j(kostra(table_id="12345")), "ukjent tabell 12345"),
        Case("uten_tabell.json", _j(_mut(population(table_id=None),
                                         lambda d: d.update({"label": "Befolkning"}))),
             "finner ikke tabellnummeret"),
        Case("tabell_lang.json", _j(population(table_id="1" * 100_000)), "ukjent tabell «111"),
        Case("tabell_objekt.json", _j(_mut(pop, lambda d: (d["extension"]["px"].update(
            {"tableid": {"a": 1}}), d.update({"label": "Befolkning"})))),
             "finner ikke tabellnummeret"),
        Case("region_lang.json", _j(population(region="K-" + "3" * 100_000)),
             "ugyldig kode «K-333"),
        Case("region_9999.json", _j(population(region="K-9999")), "ukjent regionkode «K-9999»"),
        Case("region_9999_framskr.json", _j(projection(region="9999")),
             "ukjent regionkode «9999»"),
        Case("region_sql.json", _j(projection(region="3103'; DROP TABLE projection;--")),
             "ukjent regionkode"),
        Case("region_kontroll.json", _j(population(region="K-31\n03")), "ugyldig kode"),
        Case("kostra_region.json", _j(kostra(region="XYZ99")), "ukjent regionkode «XYZ99»"),
        Case("alder_9999.json", _j(population(ages=AGES[:-1] + ["9" * 400], value=lambda i: 5)),
             "variabelen Alder: ugyldig kode «999"),
        Case("alder_99999.json", _j(population(ages=AGES[:-1] + ["99999"], value=lambda i: 5)),
             "ukjent alderskode «99999»"),
        Case("alder_106.json", _j(population(ages=AGES[:-1] + ["106"])),
             "ukjent alderskode «106»"),
        Case("alder_negativ.json", _j(population(ages=AGES[:-1] + ["-1"])),
             "ukjent alderskode «-1»"),
        Case("alder_tekst.json", _j(projection(ages=AGES[:-1] + ["gammel"])),
             "ukjent alderskode «gammel»"),
        Case("kjonn_3.json", _j(population(sexes=("1", "3"))), "ukjent kjønnskode «3»"),
        Case("kjonn_0.json", _j(projection() | {"dimension": {
            **projection()["dimension"], "Kjonn": _dim("kjønn", ["0", "2"])}}),
             "ukjent kjønnskode «0»"),
        Case("aar_9999.json", _j(population(years=("9999",))), "året «9999» er utenfor"),
        Case("aar_1800.json", _j(population(years=("1800",))), "året «1800» er utenfor"),
        Case("aar_tekst.json", _j(projection(years=("20x6", "2027"))), "året «20x6»"),
        Case("aar_framskr_2200.json", _j(projection(years=("2026", "2200"))),
             "året «2200» er utenfor"),
        Case("aar_kostra_1900.json", _j(_mut(kostra(), lambda d: _set_codes(
            d, "Tid", ["1900", "2024"]))), "året «1900» er utenfor"),
        Case("alternativ_ukjent.json", _j(projection(alts=["Personer", "Personer99"])),
             "ukjent framskrivingsalternativ «Personer99»"),
        Case("ekstra_variabel.json", _j(_mut(pop, lambda d: (
            d["id"].insert(0, "Sivilstand"), d["size"].insert(0, 1),
            d["dimension"].__setitem__("Sivilstand", _dim("sivilstand", ["G"]))))),
             "har ikke variabelen «Sivilstand»"),
        Case("region_to_ganger.json", _j(_mut(pop, lambda d: (
            _set_codes(d, "Region", ["K-3103", "3103"]),
            d.update({"value": d["value"] * 2})))), "samme celle står flere ganger"),
        Case("bare_fylke.json", _j(population(region="31")), "ingen rader som kan lagres"),
    ]
    # values
    def cell(v):
        return lambda d: d["value"].__setitem__(5, v)
    c += [
        Case("negativ.json", _j(_mut(pop, cell(-1))), "negativt"),
        Case("minus_million.json", _j(_mut(pop, cell(-1_060_000))), "negativt"),
        Case("ti_i_attende.json", _j(_mut(pop, cell(10 ** 18))), "større enn"),
        Case("elleve_millioner.json", _j(_mut(pop, cell(11_000_000))), "større enn"),
        Case("desimal.json", _j(_mut(pop, cell(2.5))), "ikke et helt antall personer"),
        Case("framskr_negativ.json", _j(_mut(proj, lambda d: d["value"].__setitem__(7, -3))),
             "negativt"),
        Case("framskr_stor.json", _j(_mut(proj, lambda d: d["value"].__setitem__(7, 1e18))),
             "større enn"),
        Case("kostra_negativ.json", _j(kostra(values=(-5.0, 30.0))), "negativt"),
        Case("kostra_stor.json", _j(kostra(values=(1e18, 30.0))), "større enn"),
        Case("tall_mangler_status.json", _j(_mut(pop, lambda d: (
            d["value"].__setitem__(5, None), d.update({"status": {"5": ".."}})))),
             "tallet mangler"),
    ]
    # partial files: never a new observed year
    c += [
        Case("bare_80pluss_2025.json", _j(population(years=("2025",), ages=AGES[80:])),
             "filen har bare 52 av 212 celler"),
        Case("bare_menn_2025.json", _j(population(years=("2025",), sexes=("1",))),
             "filen har bare 106 av 212 celler"),
        Case("framskr_ny_region_delvis.json", _j(projection(region="3101", ages=AGES[:10])),
             "filen har bare 20 av 212 celler"),
        Case("ny_region_delvis.json", _j(population(region="K-3101", ages=AGES[67:])),
             "region 3101 i 2024"),
    ]
    return c


def _csv_cases() -> list[Case]:
    good = csv_07459()
    title = "07459: Befolkning"

    def vals(m, k=None):
        return lambda a: (m, 107 + a if k is None else k) if a == 3 else (100 + a, 107 + a)
    c = [
        Case("tom.csv", b"", "filen er tom"),
        Case("blank.csv", b" \r\n\t\r\n", "filen er tom"),
        Case("felt_131073.csv", csv_07459(region="K-3103 " + "M" * 131_073),
             "et felt er lengre enn 131\u00a0072 tegn"),
        Case("felt_100000.csv", csv_07459(region="K-3103 " + "M" * 100_000),
             "et felt har 100\u00a0007 tegn"),
        Case("overskrift_lang.csv", good.replace(b'"alder"', b'"' + b"a" * 5000 + b'"'),
             "et felt har 5\u00a0000 tegn"),
        Case("nul.csv", good.replace(b"Moss", b"Mo\x00ss"), "NUL-tegn"),
        Case("utf16.csv", good.decode("utf-8").encode("utf-16"), "UTF-16"),
        Case("utf16_uten_bom.csv", good.decode("utf-8").encode("utf-16-le"), "NUL-tegn"),
        Case("bare_tittel.csv", b'"07459: Befolkning"\r\n', "finner ingen kolonnerad"),
        Case("bare_kolonner.csv", good.split(b"\r\n\"K-3103")[0], "ingen datarader"),
        Case("felt_mangler.csv", good + b'"K-3103 Moss";"1 \xc3\xa5r";5\r\n',
             "har 3 felt, ventet 4"),
        Case("tekstverdi.csv", csv_07459(cell=vals("mange")), "verdien 'mange'"),
        Case("tabell_99999.csv", good.replace(b"07459:", b"99999:"), "ukjent tabell 99999"),
        Case("uten_tittel.csv", b"\r\n".join(good.split(b"\r\n")[2:]),
             "finner ikke tabellnummeret"),
        Case("negativ.csv", csv_07459(cell=vals(-1)), "negativt"),
        Case("stor.csv", csv_07459(cell=vals("1000000000000000000")), "større enn"),
        Case("eksponent.csv", csv_07459(cell=vals("1e18")), "større enn"),
        Case("inf.csv", csv_07459(cell=vals("inf")), "ikke et endelig tall"),
        Case("infinity.csv", csv_07459(cell=vals("Infinity")), "ikke et endelig tall"),
        Case("minus_inf.csv", csv_07459(cell=vals("-Infinity")), "ikke et endelig tall"),
        Case("nan.csv", csv_07459(cell=vals("NaN")), "verdien 'NaN'"),
        Case("desimal.csv", csv_07459(cell=vals("2,5")), "ikke et helt antall personer"),
        Case("symbol_folketall.csv", csv_07459(cell=vals("..")), "tallet mangler"),
        Case("aar_9999.csv", csv_07459(year="9999"), "året «9999» er utenfor"),
        Case("aar_1850.csv", csv_07459(year="1850"), "året «1850» er utenfor"),
        Case("region_9999.csv", csv_07459(region="K-9999 Ingensteds"),
             "ukjent regionkode «K-9999»"),
        Case("region_tekst.csv", csv_07459(region="Moss"), "ukjent regionkode «Moss»"),
        Case("alder_999.csv", csv_07459(ages=[*range(105), 999]), "ukjent alderskode «999»"),
        Case("alder_lang.csv", csv_07459().replace(b'"5 \xc3\xa5r"', b'"' + b"9" * 900 +
                                                   b' \xc3\xa5r"'),
             "variabelen Alder: ugyldig kode «999"),
        Case("kjonn_ukjent.csv", good.replace(b"Personer 2024 Kvinner", b"Personer 2024 Ukjente"),
             "kolonnen 'Personer 2024 Ukjente' mangler kjønn"),
        Case("dobbel_linje.csv", good + b'"K-3103 Moss";"0 \xc3\xa5r";1;2\r\n',
             "samme kombinasjon av variabler finnes to ganger"),
        Case("ukjent_anfoersel.csv", good.replace(b'"K-3103 Moss";"4', b'"K-3103 Moss;"4', 1),
             "felt"),
        Case("binaer.csv", bytes(range(1, 256)) * 40, "felt"),
        Case("bare_80pluss_2025.csv", csv_07459(year="2025", ages=range(80, 106)),
             "filen har bare 52 av 212 celler"),
        Case("ny_kommune_delvis.csv", csv_07459(region="K-3101 Halden", ages=range(90, 106)),
             "region 3101 i 2024"),
        Case("json_som_csv.json", good, "ugyldig JSON"),
        Case("semikolon_feil.csv", good.replace(b";", b"|"), "finner ingen kolonnerad"),
        Case("kolonner_ulike.csv", good.replace(b"Personer 2024 Kvinner", b"Kvinner"),
             "mangler"),
        Case("mange_kolonner.csv", (f'"{title}"\r\n\r\n' + ";".join(
            f'"Personer {1990 + i % 30} k{i}"' for i in range(60_000)) + "\r\n" +
            ";".join("1" for _ in range(60_000)) + "\r\n").encode(),
             "kolonneraden har 60\u00a0000 kolonner"),
    ]
    # the size limit, checked before reading: a sparse file on disk of 101 MB
    c.append(Case("stor_fil.csv", good, "filen er for stor", pad_to=101 * 1024 * 1024))
    c.append(Case("stor_fil.json", b"{", "filen er for stor", pad_to=150 * 1024 * 1024))
    return c


def hostile_cases() -> list[Case]:
    cases = _json_cases() + _csv_cases()
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases
