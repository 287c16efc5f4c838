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
* ``Jennifer and Dunajska 56``: a capitalized word and "and" before a street, the other street of a corner.
* ``5514 23 Ano Vouves\nBerlin, BE 67687``: a number and name words with no street word, when a unit or a
  postcode follows.

In an address block whose lines are separate findings (JSON-escaped line breaks), the postcode after the country
on the last line is part of the address too (``...\\n Norway 69239``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import compress
from operator import itemgetter

from coatcheck.detect._lexicon import DAYS_MONTHS, FUNCTION_WORDS, NOT_NAMES, english_words
from coatcheck.detect._tokens import Tokens, line_start
from coatcheck.detect.places import country_first_words, place_at
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
    wharf quay vale gate chase hts gdns gr pt mt xing expy fwy tpke plz aly
    burgs centers circles club coves crossroad dam drives extensions flat fords forges harbors islands keys land
    loaf lodge mountains parkways ports rapid roads shoals spurs squares streets throughway trafficway unions
    valleys viaduct walks parade circuit arcade approach grange glade wynd broadway quays concourse laneway
    thoroughfare walkway courtyard crossway colonnade parklands ridgeway pathway roadway""".split()
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
    OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP FM MH PW AA AE AP AB BC MB NB NL NS NT NU ON PE QC SK
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
_NOT_STREET_NAME = frozenset("google one hard flash usb disk network shared test of".split()) | NOT_NAMES
# After a house number, names that are product names or nationalities elsewhere are street names too
# ("017 Jenkins Hills", "12 French Street").
_NOT_NUMBERED_STREET_NAME = frozenset("google one hard flash usb disk network shared test of".split()) | (
    FUNCTION_WORDS | DAYS_MONTHS
)
STREET_WORDS = _SUFFIX | _AFTER_WORDS | _UNITS
_LOWER_STARTS = frozenset({"corner", "#"})
_first = itemgetter(0)
_BOX_WORDS = frozenset("p.o po psc cmr unit usns usnv uss uscgc".split())
# A street needs one of these within a few tokens of where it starts: a number, a street word or type, a unit.
_ANCHOR_WORDS = _SUFFIX | _AFTER_WORDS | _PREFIX | _UNITS | _BOX_WORDS | _LOWER_STARTS
# A dot after these is theirs ("St.", "u."); after a whole word it ends the sentence.
_ABBREVIATIONS = frozenset(
    """st ave av rd blvd ln dr ct pl ter terr pkwy hwy cres cir trl sq hts gdns gr pt mt xing expy fwy tpke plz aly
    str""".split()
) | {w for w in _AFTER_WORDS if len(w) <= 3}
_REACH = 16  # more tokens than the longest street shape spans before its first anchor
_BLOCK_LINES = 5  # line breaks between a street and the country line of the same address block
_ORDINAL_ENDS = ("st", "nd", "rd", "th")
# Tokens a street name can run through before its anchor, and capitalized words that stop it.
_PASS_WORDS = _PARTICLES | {"."}
_STOP_WORDS = _NOT_STREET_NAME | _UNITS
_SEPARATORS = frozenset((",", "\n", "-", ";", ">"))


def _number(t: str) -> bool:
    """A house number: ``12``, ``221B``, ``12-14``."""
    if t.isdigit():
        return len(t) <= 6
    if len(t) <= 7 and t[:-1].isdigit() and t[-1].isalpha():
        return True
    a, dash, b = t.partition("-")
    return bool(dash) and a.isdigit() and b.isdigit() and len(a) <= 5 and len(b) <= 5


def _number_like(t: str) -> bool:
    """A house number or an ordinal ("5th"): the only digit tokens a street uses."""
    return _number(t) or (t[-2:].lower() in _ORDINAL_ENDS and t[:-2].isdigit())


def _postcode(toks: Tokens, i: int) -> int:
    """Tokens of a postal code at ``i`` (94103, 94103-1234, 5000-047, SW1A 1AA, K1A 0B1), else 0."""
    t = toks.text[i]
    if t.isdigit() and 4 <= len(t) <= 6:
        return 1
    a, dash, b = t.partition("-")
    if dash and a.isdigit() and b.isdigit() and len(a) in (4, 5) and len(b) in (3, 4):
        return 1
    if not (2 <= len(t) <= 4 and t.isalnum() and t.isupper() and t[0].isalpha()):
        return 0
    nxt = toks.text[i + 1] if i + 1 < toks.n else ""
    if any(c.isdigit() for c in t) and len(nxt) == 3 and nxt.isalnum() and nxt.isupper() and nxt[0].isdigit():
        return 2
    return 0


def _word(toks: Tokens, k: int, lower_ok: bool) -> int:
    """Tokens taken by one word of a street name at ``k`` (a capitalized word, an ordinal, an initial, an
    abbreviation such as "St." or "Gl."), else 0."""
    t = toks.text[k]
    if t[0].isdigit():
        return 1 if t[-2:].lower() in _ORDINAL_ENDS and t[:-2].isdigit() else 0
    low = toks.low[k]
    if not t[0].isalpha() or low in (_NOT_NUMBERED_STREET_NAME if lower_ok else _NOT_STREET_NAME) or low in _UNITS:
        return 0
    if toks.cap[k]:
        text = toks.text
        if k + 1 < toks.n and text[k + 1] == ".":
            if len(t) == 1 or (len(t) <= 3 and k + 2 < toks.n and toks.cap[k + 2]):
                return 2
        return 1
    if low in _PARTICLES and k > 0 and (toks.up[k - 1] or toks.low[k - 1] in _PREFIX or toks.low[k - 1] in _PARTICLES):
        return 1  # "Rue du Niger", "rue de la Gauchetière"
    return 1 if lower_ok and low not in english_words() else 0


def _words(toks: Tokens, k: int, lower_ok: bool, limit: int = 5) -> tuple[int, int, int]:
    """Street-name words from ``k``: (end, count, end after the last street suffix or 0)."""
    n = toks.n
    lows, cap = toks.low, toks.cap
    count = 0
    suffix_end = 0
    while k < n and count < limit:
        low = lows[k]
        if count and (low in _SUFFIX or low in _AFTER_WORDS) and (cap[k] or lower_ok or low in _AFTER_WORDS):
            suffix_end = _dot(toks, k + 1) if low in _ABBREVIATIONS else k + 1
            k += 1
            count += 1
            continue
        step = _word(toks, k, lower_ok)
        if not step:
            break
        k += step
        count += 1
    return k, count, suffix_end


def _dot(toks: Tokens, k: int) -> int:
    return k + 1 if k < toks.n and toks.text[k] == "." else k


def _street(toks: Tokens, i: int) -> tuple[int, float, bool]:
    """(end, score, has number) of a street starting at ``i``, or (i, 0, False)."""
    n = toks.n
    text, lows, cap = toks.text, toks.low, toks.cap
    j = i
    while j < n and j < i + 2 and _number(text[j]):
        j += 1
    numbered = j > i
    if j >= n:
        return i, 0.0, False
    # Type word first: "Via Roma 12", "87 Rue du Niger"
    head = lows[j]
    if head in _PREFIX and (cap[j] or numbered):
        k, count, _ = _words(toks, _dot(toks, j + 1), numbered, 4)
        if count and k < n and _number(text[k]):
            return k + 1, 0.85, True
        if count and numbered and len(head) > 1:
            return k, 0.85, True
    k = j
    if lows[k] in _DIRECTIONS and cap[k] and k + 1 < n and _word(toks, k + 1, numbered):
        k += 1
    k, count, suffix_end = _words(toks, k, numbered)
    if suffix_end:
        # Words then a suffix: "Evergreen Terrace", "Koepenicker Str. 38", "Martin Linges veg 149"
        end = suffix_end
        if end < n and lows[end] in _DIRECTIONS and toks.up[end]:
            end += 1
        if end < n and _number(text[end]):
            return end + 1, 0.85, True
        if numbered:
            return end, 0.85, True
        last = end - 1 if text[end - 1] != "." else end - 2
        if lows[last] in _STRONG_SUFFIX and cap[last] and (len(lows[last]) > 3 or text[end - 1] == "."):
            if i > 0 and lows[i - 1] in _STREET_CUES:
                return end, 0.6, False
        return i, 0.0, False
    if count and k < n:
        last_low = lows[k - 1]
        if text[k] == "." and last_low.endswith(("str", "g", "v")) and k + 1 < n:
            k += 1  # "Eichendorffstr. 41"
        if _number(text[k]):
            # "Invalidenstrasse 19"; "12 Kloosterhof 167" (building and house number)
            common = english_words()
            compound = last_low.endswith(_MORPHEMES) and len(last_low) > 6 and last_low not in common
            if compound or numbered:
                return k + 1, 0.8, True
            if k + 1 < n and lows[k + 1] in _STRONG_SUFFIX and len(lows[k + 1]) > 3:
                return k + 1, 0.75, True  # "Männiku 63 street"
            if any(lows[t] not in common for t in range(j, k) if text[t][0].isalpha()):
                return k + 1, 0.0, True  # "Kloosterhof 167": needs an address cue or tail
    if numbered and count:
        return k, 0.0, True  # "5514 23 Ano Vouves": needs a unit or postcode after it
    return i, 0.0, False


def _box(toks: Tokens, i: int) -> int:
    """End of a post-office or military box at ``i`` ("P.O. Box 63", "PSC 2322, Box 6025"), else i."""
    n = toks.n
    text, lows = toks.text, toks.low
    low = lows[i]
    if low in ("p.o", "po") and i + 1 < n:
        j = _dot(toks, i + 1)
        if j + 1 < n and lows[j] == "box" and text[j + 1].isdigit():
            return j + 2
        return i
    if low in ("psc", "cmr", "unit") and (text[i].isupper() or low == "unit"):
        j = i + 1
        if j < n and text[j].isdigit():
            j += 1
            if j < n and text[j] == ",":
                j += 1
            if j + 1 < n and lows[j] == "box" and text[j + 1].isdigit():
                return j + 2
    if low in ("usns", "usnv", "uss", "uscgc") and text[i].isupper() and i + 1 < n and toks.cap[i + 1]:
        return i + 2
    return i


def _skip_seps(toks: Tokens, i: int) -> tuple[int, int]:
    """Skip commas, dashes and line breaks (not a blank line); returns (index, line breaks crossed)."""
    lines = 0
    n = toks.n
    text = toks.text
    while i < n and text[i] in _SEPARATORS:
        if text[i] == "\n":
            lines += 1
            if i + 1 < n and text[i + 1] == "\n":
                break
        i += 1
    return i, lines


def _unit(toks: Tokens, j: int) -> int:
    """End of a unit at ``j`` ("Apt. 4B", "Suite 200", "# 5"), else j."""
    low = toks.low[j]
    if low not in _UNITS or not (toks.up[j] or low in ("#", "apt", "suite")):
        return j
    k = _dot(toks, j + 1)
    if k < toks.n and toks.text[k] == "#":
        k += 1
    if k < toks.n:
        t = toks.text[k]
        if (t.isalnum() and any(c.isdigit() for c in t)) or (len(t) == 1 and t.isalpha() and t.isupper()):
            return k + 1
    return j


def _city(toks: Tokens, j: int, after_unit: bool) -> int:
    """End of a city name at ``j`` when what follows confirms it (region, postcode, country, line end)."""
    n = toks.n
    text, lows, cap = toks.text, toks.low, toks.cap
    k = j
    while (
        k < n
        and k < j + 4
        and lows[k].replace("-", "").isalpha()
        and lows[k] not in _UNITS
        and (cap[k] or (k > j and lows[k] in _PARTICLES))
    ):
        k += 1
    if k == j:
        return j
    known = place_at(toks, j)
    ends = sorted({k, known[0]} if known and known[0] <= k else {k}, reverse=True)
    ends += [e for e in range(k - 1, j, -1) if e not in ends]
    for end in ends:
        m, lines = _skip_seps(toks, end)
        if m < n and _region_code(text[m]) and text[m] not in _REGIONS:
            m, _ = _skip_seps(toks, m + 1)  # an unknown region code
        if m >= n:
            if after_unit or known:
                return end
            continue
        nxt = text[m]
        if nxt in _REGIONS or _postcode(toks, m) or place_at(toks, m):
            return end
        closed = lines or not nxt[0].isalnum() or nxt[0].islower()
        if closed and ((after_unit and end == k) or (known and end == known[0])):
            return end
    return j


def _region_code(t: str) -> bool:
    """A short uppercase code after a city: a state, province or county ("BW", "NSW")."""
    return 2 <= len(t) <= 3 and t.isalpha() and t.isupper()


def _tail(toks: Tokens, i: int) -> tuple[int, bool]:
    """End of the units, city, region, postal code and country after a street; and whether any was a unit."""
    n = toks.n
    text, lows = toks.text, toks.low
    end = i
    seen: set[str] = set()
    while True:
        j, lines = _skip_seps(toks, end)
        if j >= n or (lines and text[j - 1] == "\n" and j >= 2 and text[j - 2] == "\n"):
            return end, "unit" in seen
        if text[j] == "." and j + 1 < n and _unit(toks, j + 1) > j + 1:
            j += 1  # "Rákóczi út 41. Apt. 304"
        if (k := _unit(toks, j)) > j:
            seen.add("unit")
            end = k
            continue
        if lows[j] in ("apo", "fpo", "dpo") and j + 1 < n and text[j + 1] in _REGIONS:
            end = j + 2
            continue
        if (
            "region" not in seen
            and (text[j] in _REGIONS or ("city" in seen and _region_code(text[j])))
            and len(text[j]) > 1
        ):
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
        if not lines and not seen and (k := _words(toks, j, False, 4)[2]) > j + 1:
            seen.add("street")  # a second street name on the line ("Industrivej 82 Filemonsen Shore")
            end = k
            continue
        if "city" not in seen and (k := _city(toks, j, "unit" in seen)) > j:
            seen.add("city")
            end = k
            continue
        return end, "unit" in seen


def _corner_street(toks: Tokens, i: int) -> int:
    """End of one street of an intersection ("Main Street", "5th Ave", "Feldstrasse 61"), else 0."""
    end, score, _ = _street(toks, i)
    if score:
        return end
    end, count, suffix_end = _words(toks, i, False, 4)
    return suffix_end or (end if count else 0)


def _joined_street(toks: Tokens, i: int) -> bool:
    """Whether a capitalized word and "and" come right before the street at ``i``: the other street of an
    intersection ("Jennifer and Dunajska 56")."""
    if i < 2 or toks.low[i - 1] != "and" or not toks.cap[i - 2]:
        return False
    x = i - 2
    single = toks.low[x] not in FUNCTION_WORDS and (x == 0 or not toks.up[x - 1])
    return single or _cue_before(toks, x)


def _cue_before(toks: Tokens, i: int) -> bool:
    words = [w for w in toks.low[max(0, i - 3) : i] if w not in (",", "\n")]
    pair = tuple(words[-2:])
    return pair in _ADDRESS_CUES or pair in _WEAK_CUES or tuple(words[-1:]) in _ADDRESS_CUES


def _candidates(toks: Tokens) -> list[int]:
    """Tokens where a street can start: a digit, a capital or a lowercase start word, followed by an anchor (a
    number, a street word, a unit) with only street-name words in between."""
    lows, text, cap, up = toks.low, toks.text, toks.cap, toks.up
    n = toks.n
    # Numbers a street can hold: house numbers and ordinals ("5th"); dates, amounts and ids stop a street.
    numbers = {
        i
        for i in compress(range(n), map(str.isdigit, map(_first, text)))
        if (len(text[i]) <= 6 if text[i].isdigit() else _number_like(text[i]))
    }
    anchors = numbers.union(compress(range(n), map(_ANCHOR_WORDS.__contains__, lows)))
    out: set[int] = set()
    for a in anchors:
        if up[a] or a in numbers or lows[a] in _LOWER_STARTS:
            out.add(a)
        p = a - 1
        while p >= 0 and a - p <= _REACH:  # walk back over the words a street name can hold
            low = lows[p]
            if low in _PASS_WORDS or (cap[p] and low not in _STOP_WORDS):
                if up[p]:
                    out.add(p)
                p -= 1
                continue
            if cap[p] and low in _DIRECTIONS:
                out.add(p)
            break
    return sorted(out)


def find_addresses(text: str, toks: Tokens) -> list[Entity]:
    """STREET_ADDRESS entities; see the module docstring for the shapes."""
    out: list[Entity] = []
    n = toks.n
    lows, cap = toks.low, toks.cap
    pos = 0
    for i in _candidates(toks):
        if i < pos:
            continue
        low = lows[i]
        start = i
        end = _box(toks, i) if low in _BOX_WORDS else i
        score = 0.85 if end > i else 0.0
        numbered = score > 0
        if not score and low == "corner" and i + 2 < n and lows[i + 1] == "of":
            a_end = _corner_street(toks, i + 2)
            if a_end and a_end + 1 < n and lows[a_end] == "and":
                b_end = _corner_street(toks, a_end + 1)
                if b_end:
                    start = i - 1 if i and lows[i - 1] == "the" else i
                    end, score = b_end, 0.8
        if not score:
            end, score, numbered = _street(toks, i)
        if not score and low in ("apt", "apartment", "suite", "ste") and cap[i] and (k := _unit(toks, i)) > i:
            if line_start(toks, i) or lows[i - 1] in (",", ":"):
                end, score, numbered = k, 0.6, True  # a unit line on its own ("Suite 200")
        if not numbered and not score:
            continue
        tail_end, unit = _tail(toks, end)
        joined = _joined_street(toks, start)
        if not score:  # name words and a number only: needs an address cue or a unit/postcode after it
            postcode = tail_end > end and toks.text[tail_end - 1][0].isdigit()
            if toks.text[end - 1][0].isdigit():  # "Kloosterhof 167"
                cue = _cue_before(toks, i) or (joined and _cue_before(toks, start - 2))
            else:  # "5514 23 Ano Vouves", a number first: only with a unit or postcode after it
                cue = False
            if cue or unit or postcode:
                score = 0.75
            else:
                continue
        if tail_end > end:
            score = round(min(0.9, score + 0.05), 2)
            end = tail_end
        if joined:
            start -= 2  # an intersection: "Jennifer and Dunajska 56", "at Main and 1719 Kamp St"
        s, e = toks.start[start], toks.end[end - 1]
        out.append(Entity("STREET_ADDRESS", s, e, score, _RULE, text[s:e]))
        pos = end
    if out:
        out += _block_postcodes(text, toks, out)
    return out


def _block_postcodes(text: str, toks: Tokens, found: list[Entity]) -> list[Entity]:
    """The postcode after the country on the last line of an address block ("...\\n Norway 69239")."""
    out: list[Entity] = []
    lows, starts = toks.low, toks.start
    ends = sorted(e.end for e in found)
    for i in compress(range(toks.n), map(country_first_words().__contains__, lows)):
        hit = place_at(toks, i)
        if hit is None or hit[1] != "country" or not line_start(toks, i):
            continue
        j = hit[0]
        if j + 2 < toks.n and lows[j] == "(" and toks.cap[j + 1] and lows[j + 2] == ")":
            j += 3  # "Cyprus (Greek) 50278"
        k = _postcode(toks, j) if j < toks.n else 0
        if not k or (j + k < toks.n and lows[j + k] != "\n") or any(e.start <= starts[j] < e.end for e in found):
            continue  # no postcode, or one inside an address already found
        before = bisect_right(ends, starts[i]) - 1
        if before < 0 or lows[bisect_left(starts, ends[before]) : i].count("\n") > _BLOCK_LINES:
            continue
        s, e = starts[j], toks.end[j + k - 1]
        out.append(Entity("STREET_ADDRESS", s, e, 0.75, _RULE, text[s:e]))
    return out
