"""STREET_ADDRESS grammar over tokens.

Street shapes, each optionally followed by units ("Apt 4B", "Suite 200") and a tail of city, state, postal code
and country on the same or the next lines:

* ``742 [N] Evergreen Terrace [SE]``: number, name words, a street suffix (US, UK, Commonwealth).
* ``Via Pasquale Scura 127``, ``87 Rue du Niger``: a street type word first (Romance, Slavic, Turkish...).
* ``Invalidenstrasse 19``, ``Langenhorner Chaussee 76``, ``Rákóczi út 41``: a street type ending or word, then
  the number (German, Nordic, Dutch, Hungarian...).
* ``12 Kloosterhof 167``: a number, name words and a number (a building and a house number).
* ``Kloosterhof 167`` after "address:", "lives at", "located at": name words and a number.
* ``P.O. Box 63``, ``PSC 2322, Box 6025``, ``APO AA 88307``; ``the corner of Main Street and 5th Avenue``.
* A street with no number after "on", "at", "of" when its suffix is unmistakable (``on Maple Street``).
"""

from __future__ import annotations

from collections.abc import Sequence

from coatcheck.detect._lexicon import NOT_NAMES, english_words
from coatcheck.detect._tokens import Tok, is_cap
from coatcheck.detect.places import place_at
from coatcheck.detect.types import Entity

__all__ = ["STREET_WORDS", "find_addresses"]

_RULE = "street_address"

_STRONG_SUFFIX = frozenset(
    """street avenue road boulevard lane drive court terrace parkway highway crescent plaza close mews
    expressway freeway turnpike causeway esplanade promenade st ave av rd blvd ln dr ct pl ter terr pkwy
    hwy cres cir trl sq""".split()
)
_SUFFIX = _STRONG_SUFFIX | frozenset(
    """alley branch bridge brook brooks burg bypass camp canyon cape center centre circle cliff cliffs common
    corner corners course courts cove creek crest crossing curve dale divide estate estates extension fall
    falls ferry field fields flats ford forest forge fork forks fort garden gardens gateway glen glens green
    greens grove groves harbor harbour haven heights hill hills hollow inlet island isle junction junctions
    key knoll knolls lake lakes landing light lights lock locks loop mall manor manors meadow meadows mill mills
    mission motorway mount mountain neck orchard oval overpass park parks pass passage path pike pine pines
    place plain plains point points port prairie radial ramp ranch rapids rest ridge ridges rise river route
    row run shoal shore shores skyway spring springs spur square station stravenue stream summit trace track
    trail tunnel underpass union valley view views village villages ville vista walk wall way ways well wells
    wharf quay vale gate chase hts gdns gr pt mt xing expy fwy tpke plz aly""".split()
)
# Continental street words written after the name, before the number ("Martin Linges veg 149").
_AFTER_WORDS = frozenset(
    """straße strasse str gasse weg platz allee ring damm ufer chaussee steig veg vei vegen veien gate gata gatan
    vägen väg vej gade stræde allé laan straat plein kade út utca u ulica cesta sokak sokağı caddesi cad aqq
    sträte""".split()
)
# Continental street words written before the name ("Via Roma 12", "Rua Augusta 5").
_PREFIX = frozenset(
    """via viale piazza piazzale corso largo vicolo contrada rua rúa avenida avda travessa praça praca estrada
    rodovia alameda calle carrer avinguda paseo passeig plaza camino carretera ronda rue avenue boulevard bd
    chemin allée allee impasse quai route cours ulica ul aleja utca strada str calea bulevardul aleea jalan jl
    bairro r av""".split()
)
# Endings of one-word continental street names ("Invalidenstrasse", "Lumbyholmvej").
_MORPHEMES = (
    "straße",
    "strasse",
    "str",
    "gasse",
    "weg",
    "platz",
    "allee",
    "ring",
    "damm",
    "ufer",
    "steig",
    "stieg",
    "chaussee",
    "pfad",
    "gracht",
    "straat",
    "laan",
    "plein",
    "kade",
    "singel",
    "dreef",
    "vej",
    "gade",
    "vænget",
    "stræde",
    "vägen",
    "gatan",
    "väg",
    "gata",
    "gränd",
    "veien",
    "vegen",
    "stien",
    "braut",
    "stræti",
    "vegur",
    "kuja",
    "katu",
    "tie",
    "polku",
    "raitti",
    "kaari",
    "ulica",
    "cesta",
    "utca",
    "stredet",
    "torget",
    "hof",
    "wijk",
    "straße",
    "steeg",
    "markt",
    "berg",
    "dijk",
    "hagen",
    "stræde",
    "vei",
    "veg",
)
_PARTICLES = frozenset("de da do dos das des du del della di la le les von van der den ter el al y e".split())
_UNITS = frozenset("apt apartment suite ste unit # floor fl flr room rm bldg building flat lot dept".split())
_DIRECTIONS = frozenset("n s e w ne nw se sw north south east west northeast northwest southeast southwest".split())
_REGIONS = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND
    OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP AA AE AP AB BC MB NB NL NS NT NU ON PE QC SK
    YT NSW VIC QLD TAS ACT""".split()
)
_STREET_CUES = frozenset("on at of to along off near".split())
_WEAK_CUES = frozenset({("lives", "on"), ("live", "on"), ("side", "of"), ("is", "on"), ("located", "on")})
_ADDRESS_CUES = frozenset(
    {
        ("address", "is"),
        ("address", ":"),
        ("lives", "at"),
        ("live", "at"),
        ("living", "at"),
        ("located", "at"),
        ("lives", "on"),
        ("live", "on"),
        ("it", "is"),
        ("is", "at"),
        ("moved", "to"),
        ("send", "to"),
        ("sent", "to"),
        ("ship", "to"),
        ("deliver", "to"),
        ("corner", "of"),
        ("address", "to"),
        ("is", "in"),
    }
)
_NOT_STREET_NAME = frozenset("google one hard flash usb disk network shared test".split()) | NOT_NAMES
STREET_WORDS = _SUFFIX | _AFTER_WORDS | _UNITS
_LOWER_STARTS = frozenset({"corner", "#"})


def _number(tok: Tok) -> bool:
    """A house number: ``12``, ``221B``, ``12-14``."""
    t = tok.text
    if t.isdigit():
        return len(t) <= 6
    if len(t) <= 7 and t[:-1].isdigit() and t[-1].isalpha():
        return True
    a, dash, b = t.partition("-")
    return bool(dash) and a.isdigit() and b.isdigit() and len(a) <= 5 and len(b) <= 5


def _postcode(toks: Sequence[Tok], i: int) -> int:
    """Tokens of a postal code at ``i`` (94103, 94103-1234, 5000-047, SW1A 1AA, K1A 0B1), else 0."""
    t = toks[i].text
    if t.isdigit() and 4 <= len(t) <= 6:
        return 1
    a, dash, b = t.partition("-")
    if dash and a.isdigit() and b.isdigit() and len(a) in (4, 5) and len(b) in (3, 4):
        return 1
    nxt = toks[i + 1].text if i + 1 < len(toks) else ""
    if (
        2 <= len(t) <= 4
        and t.isalnum()
        and t.isupper()
        and t[0].isalpha()
        and any(c.isdigit() for c in t)
        and len(nxt) == 3
        and nxt.isalnum()
        and nxt.isupper()
        and nxt[0].isdigit()
    ):
        return 2
    return 0


def _word(toks: Sequence[Tok], k: int, lower_ok: bool) -> int:
    """Tokens taken by one word of a street name at ``k`` (a capitalized word, an ordinal, an initial, an
    abbreviation such as "St." or "Gl."), else 0."""
    tok = toks[k]
    t = tok.text
    if t[:1].isdigit():
        return 1 if t[-2:].lower() in ("st", "nd", "rd", "th") and t[:-2].isdigit() else 0
    if not t[0].isalpha() or tok.low in _NOT_STREET_NAME or tok.low in _UNITS:
        return 0
    if is_cap(tok):
        dotted = k + 2 < len(toks) and toks[k + 1].text == "." and len(t) <= 3 and is_cap(toks[k + 2])
        return 2 if dotted or (len(t) == 1 and k + 1 < len(toks) and toks[k + 1].text == ".") else 1
    if tok.low in _PARTICLES and k > 0 and toks[k - 1].text[:1].isupper():
        return 1
    return 1 if lower_ok and tok.low not in english_words() else 0


def _words(toks: Sequence[Tok], k: int, lower_ok: bool, limit: int = 5) -> tuple[int, int, int]:
    """Street-name words from ``k``: (end, count, end after the last street suffix or 0)."""
    n = len(toks)
    count = 0
    suffix_end = 0
    while k < n and count < limit:
        low = toks[k].low
        if count and (low in _SUFFIX or low in _AFTER_WORDS) and (is_cap(toks[k]) or lower_ok or low in _AFTER_WORDS):
            suffix_end = _dot(toks, k + 1) if len(low) <= 4 else k + 1
            k += 1
            count += 1
            continue
        step = _word(toks, k, lower_ok)
        if not step:
            break
        k += step
        count += 1
    return k, count, suffix_end


def _dot(toks: Sequence[Tok], k: int) -> int:
    return k + 1 if k < len(toks) and toks[k].text == "." else k


def _street(toks: Sequence[Tok], i: int) -> tuple[int, float, bool]:
    """(end, score, has number) of a street starting at ``i``, or (i, 0, False)."""
    n = len(toks)
    j = i
    while j < n and j < i + 2 and _number(toks[j]):
        j += 1
    numbered = j > i
    if j >= n:
        return i, 0.0, False
    # Type word first: "Via Roma 12", "87 Rue du Niger"
    head = toks[j]
    if head.low in _PREFIX and (is_cap(head) or numbered):
        k, count, _ = _words(toks, _dot(toks, j + 1), numbered, 4)
        if count and k < n and _number(toks[k]):
            return k + 1, 0.85, True
        if count and numbered and len(head.low) > 1:
            return k, 0.85, True
    k = j
    if toks[k].low in _DIRECTIONS and is_cap(toks[k]) and k + 1 < n and _word(toks, k + 1, numbered):
        k += 1
    k, count, suffix_end = _words(toks, k, numbered)
    if suffix_end:
        # Words then a suffix: "Evergreen Terrace", "Koepenicker Str. 38", "Martin Linges veg 149"
        end = suffix_end
        if end < n and toks[end].low in _DIRECTIONS and toks[end].text[0].isupper():
            end += 1
        if end < n and _number(toks[end]):
            return end + 1, 0.85, True
        if numbered:
            return end, 0.85, True
        last = toks[end - 1] if toks[end - 1].text != "." else toks[end - 2]
        if last.low in _STRONG_SUFFIX and is_cap(last) and (len(last.low) > 3 or toks[end - 1].text == "."):
            if i > 0 and toks[i - 1].low in _STREET_CUES:
                return end, 0.6, False
        return i, 0.0, False
    if count and k < n:
        last = toks[k - 1]
        if toks[k].text == "." and last.low.endswith(("str", "g", "v")) and k + 1 < n:
            k += 1  # "Eichendorffstr. 41"
        if _number(toks[k]):
            # "Invalidenstrasse 19"; "12 Kloosterhof 167" (building and house number)
            compound = last.low.endswith(_MORPHEMES) and len(last.low) > 6 and last.low not in english_words()
            if compound or numbered:
                return k + 1, 0.8, True
            if any(t.low not in english_words() for t in toks[j:k] if t.text[0].isalpha()):
                return k + 1, 0.0, True  # "Kloosterhof 167": needs an address cue or tail
    return i, 0.0, False


def _box(toks: Sequence[Tok], i: int) -> int:
    """End of a post-office or military box at ``i`` ("P.O. Box 63", "PSC 2322, Box 6025"), else i."""
    n = len(toks)
    low = toks[i].low
    if low in ("p.o", "po") and i + 1 < n:
        j = _dot(toks, i + 1)
        if j + 1 < n and toks[j].low == "box" and toks[j + 1].text.isdigit():
            return j + 2
        return i
    if low in ("psc", "cmr", "unit") and (toks[i].text.isupper() or low == "unit"):
        j = i + 1
        if j < n and toks[j].text.isdigit():
            j += 1
            if j < n and toks[j].text == ",":
                j += 1
            if j + 1 < n and toks[j].low == "box" and toks[j + 1].text.isdigit():
                return j + 2
    if low in ("usns", "usnv", "uss", "uscgc") and toks[i].text.isupper() and i + 1 < n and is_cap(toks[i + 1]):
        return i + 2
    return i


def _skip_seps(toks: Sequence[Tok], i: int) -> tuple[int, int]:
    """Skip commas, dashes and line breaks (not a blank line); returns (index, line breaks crossed)."""
    lines = 0
    n = len(toks)
    while i < n and toks[i].text in (",", "\n", "-", ";", ">"):
        if toks[i].text == "\n":
            lines += 1
            if i + 1 < n and toks[i + 1].text == "\n":
                break
        i += 1
    return i, lines


def _unit(toks: Sequence[Tok], j: int) -> int:
    """End of a unit at ``j`` ("Apt. 4B", "Suite 200", "# 5"), else j."""
    tok = toks[j]
    if tok.low not in _UNITS or not (tok.text[0].isupper() or tok.text == "#" or tok.low in ("apt", "suite")):
        return j
    k = _dot(toks, j + 1)
    if k < len(toks) and toks[k].text == "#":
        k += 1
    if k < len(toks):
        t = toks[k].text
        if (t.isalnum() and any(c.isdigit() for c in t)) or (len(t) == 1 and t.isalpha() and t.isupper()):
            return k + 1
    return j


def _city(toks: Sequence[Tok], j: int, after_unit: bool) -> int:
    """End of a city name at ``j`` when what follows confirms it (region, postcode, country, line end)."""
    n = len(toks)
    k = j
    while (
        k < n
        and k < j + 4
        and toks[k].low.replace("-", "").isalpha()
        and toks[k].low not in _UNITS
        and (is_cap(toks[k]) or (k > j and toks[k].low in _PARTICLES))
    ):
        k += 1
    if k == j:
        return j
    known = place_at(toks, j)
    ends = sorted({k, known[0]} if known and known[0] <= k else {k}, reverse=True)
    ends += [e for e in range(k - 1, j, -1) if e not in ends]
    for end in ends:
        m, lines = _skip_seps(toks, end)
        if m < n and len(toks[m].text) in (2, 3) and toks[m].text.isalpha() and toks[m].text not in _REGIONS:
            m, _ = _skip_seps(toks, m + 1)  # an unknown region code
        if m >= n:
            if after_unit or known:
                return end
            continue
        nxt = toks[m]
        if nxt.text in _REGIONS or _postcode(toks, m) or place_at(toks, m):
            return end
        closed = lines or not nxt.text[0].isalnum() or nxt.text[0].islower()
        if closed and ((after_unit and end == k) or (known and end == known[0])):
            return end
    return j


def _tail(toks: Sequence[Tok], i: int) -> tuple[int, bool]:
    """End of the units, city, region, postal code and country after a street; and whether any was a unit."""
    n = len(toks)
    end = i
    seen: set[str] = set()
    while True:
        j, lines = _skip_seps(toks, end)
        if j >= n or (lines and toks[j - 1].text == "\n" and j >= 2 and toks[j - 2].text == "\n"):
            return end, "unit" in seen
        tok = toks[j]
        if tok.text == "." and j + 1 < n and _unit(toks, j + 1) > j + 1:
            j += 1  # "Rákóczi út 41. Apt. 304"
            tok = toks[j]
        if (k := _unit(toks, j)) > j:
            seen.add("unit")
            end = k
            continue
        if tok.low in ("apo", "fpo", "dpo") and j + 1 < n and toks[j + 1].text in _REGIONS:
            end = j + 2
            continue
        if "region" not in seen and tok.text in _REGIONS and len(tok.text) > 1:
            seen.add("region")
            end = j + 1
            continue
        if "zip" not in seen and (k := _postcode(toks, j)):
            seen.add("zip")
            end = j + k
            continue
        hit = place_at(toks, j)
        if "country" not in seen and hit and hit[1] in ("country", "state", "region"):
            seen.update(("country", "city"))
            end = hit[0]
            continue
        if "city" not in seen and (k := _city(toks, j, "unit" in seen)) > j:
            seen.add("city")
            end = k
            continue
        return end, "unit" in seen


def _corner_street(toks: Sequence[Tok], i: int) -> int:
    """End of one street of an intersection ("Main Street", "5th Ave", "Feldstrasse 61"), else 0."""
    end, score, _ = _street(toks, i)
    if score:
        return end
    end, count, suffix_end = _words(toks, i, False, 4)
    return suffix_end or (end if count else 0)


def _cue_before(toks: Sequence[Tok], i: int) -> bool:
    words = [t.low for t in toks[max(0, i - 3) : i] if t.low not in (",", "\n")]
    pair = tuple(words[-2:])
    return pair in _ADDRESS_CUES or pair in _WEAK_CUES or tuple(words[-1:]) in _ADDRESS_CUES


def find_addresses(text: str, toks: Sequence[Tok]) -> list[Entity]:
    """STREET_ADDRESS entities; see the module docstring for the shapes."""
    out: list[Entity] = []
    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        first = tok.text[0]
        if not (first.isdigit() or first.isupper() or tok.low in _LOWER_STARTS):
            i += 1
            continue
        start = i
        end = _box(toks, i)
        score = 0.85 if end > i else 0.0
        numbered = score > 0
        if not score and tok.low == "corner" and i + 2 < n and toks[i + 1].low == "of":
            a_end = _corner_street(toks, i + 2)
            if a_end and a_end + 1 < n and toks[a_end].low == "and":
                b_end = _corner_street(toks, a_end + 1)
                if b_end:
                    start = i - 1 if i and toks[i - 1].low == "the" else i
                    end, score = b_end, 0.8
        if not score:
            end, score, numbered = _street(toks, i)
        if not score and tok.low in ("apt", "apartment", "suite", "ste") and is_cap(tok) and (k := _unit(toks, i)) > i:
            if i == 0 or toks[i - 1].low in ("\n", ",", ">", ":"):
                end, score, numbered = k, 0.6, True  # a unit line on its own ("Suite 200")
        if not numbered and not score:
            i += 1
            continue
        tail_end, unit = _tail(toks, end)
        if not score:  # name words and a number only: needs an address cue or a unit/postcode after it
            if _cue_before(toks, i) or unit or (tail_end > end and toks[tail_end - 1].text[:1].isdigit()):
                score = 0.75
            else:
                i += 1
                continue
        if tail_end > end:
            score = round(min(0.9, score + 0.05), 2)
            end = tail_end
        if start >= 2 and toks[start - 1].low == "and" and is_cap(toks[start - 2]) and _cue_before(toks, start - 2):
            start -= 2  # an intersection: "at Main and 1719 Kamp St"
        s, e = toks[start].start, toks[end - 1].end
        out.append(Entity("STREET_ADDRESS", s, e, score, _RULE, text[s:e]))
        i = end
    return out
