"""PERSON rules: titles, cue phrases, first/last-name gazetteers, and linking of repeated mentions.

NER alone misses names in short, lowercase or template-like messages ("Hi Liisa", "my name is john smith") and
rules alone miss names no list has; each confirms and extends the other. Scores say how sure the rule is:

* 0.9  a title or a strong cue ("Dr. Sarah Chen", "my name is ...", "Name: ...", "Regards,\\nX"), or a known
  first name followed by a known last name.
* 0.8  a later mention of a name already found ("Dr. Chen", "Sarah's").
* 0.7  a lone known first name that is not also a common word, or a weak cue ("Hi X", "I'm X").
* 0.55 a name-shaped pair with weaker evidence (two unknown capitalized words).

Beyond single runs: the labels of a dialogue ("Akaho: What a wife.\\nWilliam: ..."), lists of single
capitalized words with a known name among them ("founders: Bártová, Short and Alvarez"), and words listed with a
person already found ("Cocci and Rios").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from itertools import compress

from coatcheck.detect._lexicon import (
    NAME_PARTICLES,
    NOT_NAMES,
    PLACE_NOUNS,
    SUBJECT_VERBS,
    TITLES,
    english_words,
    first_names,
    last_names,
)
from coatcheck.detect._tokens import Tokens, line_start, sentence_start
from coatcheck.detect.addresses import STREET_WORDS
from coatcheck.detect.places import place_at
from coatcheck.detect.types import Entity

__all__ = ["find_persons", "find_rule_entities", "subject_like"]

_RULE = "person_rules"

# Cue phrases, as lowercase token tuples, that end right before a name (commas and newlines between are skipped).
_STRONG_CUES = frozenset(
    {
        ("name", "is"),
        ("name", "was"),
        ("name", ":"),
        ("name", "?"),
        ("name", "'", "s"),
        ("my", "name's"),
        ("name's",),
        ("call", "me"),
        ("known", "as"),
        ("named",),
        ("signed",),
        ("signed", "by"),
        ("regards",),
        ("sincerely",),
        ("yours", "truly"),
        ("patient",),
        ("patient", ":"),
        ("pt", ":"),
        ("attn", ":"),
        ("attn",),
        ("attention", ":"),
        ("dear",),
        ("from", ":"),
        ("to", ":"),
        ("cc", ":"),
        ("contact", ":"),
        ("customer", ":"),
        ("by", ":"),
        ("guardian",),
        ("beneficiary",),
        ("husband",),
        ("wife",),
        ("son",),
        ("daughter",),
        ("partner's", "name"),
        ("spouse",),
        ("caller",),
        ("applicant", ":"),
        ("employee", ":"),
        ("author", ":"),
        ("owner", ":"),
        ("assignee", ":"),
        ("reporter", ":"),
        ("requester", ":"),
        ("recipient", ":"),
        ("sender", ":"),
        ("directed", "by"),
        ("written", "by"),
        ("starring",),
        ("ceo",),
        ("cto",),
        ("cfo",),
        ("founder",),
        ("named", "him"),
        ("named", "her"),
        ("name", "him"),
        ("name", "her"),
    }
    # "my kid Harwin", "her cousin Ana": a relative or friend, then the name
    | {
        (noun,)
        for noun in """kid kids child baby brother sister mother father mom mum dad uncle aunt cousin nephew niece
        grandson granddaughter grandmother grandfather grandma grandpa stepson stepdaughter friend colleague
        coworker co-worker neighbor neighbour roommate flatmate fiance fiancé fiancee fiancée girlfriend
        boyfriend""".split()
    }
)
_WEAK_CUES = frozenset(
    {
        ("hi",),
        ("hello",),
        ("hey",),
        ("i'm",),
        ("im",),
        ("i", "am"),
        ("this", "is"),
        ("it's",),
        ("thanks",),
        ("thank", "you"),
        ("cheers",),
        ("best",),
        ("speak", "to"),
        ("speak", "with"),
        ("talk", "to"),
        ("called",),
        ("follow", "up", "with"),
        ("under",),
    }
    # "commenter Szonja Tot", "singer Ana Lima": a role, then the name
    | {
        (noun,)
        for noun in """commenter producer director singer songwriter actor actress writer novelist author artist
        reporter journalist professor composer guitarist drummer musician poet painter photographer""".split()
    }
)
_MAX_CUE = 3
_CUE_ENDS = frozenset(c[-1] for c in _STRONG_CUES) | {",", "\n"}
_WEAK_ENDS = frozenset(c[-1] for c in _WEAK_CUES)
_ANY_CUE_END = _CUE_ENDS | _WEAK_ENDS
# Nouns after a possessive that make its owner a person ("Ryan's daughter").
_BELONGINGS = frozenset(
    """address phone number email e-mail account wife husband son daughter kid kids child children mother father
    mom mum dad brother sister parents family birthday name car house home apartment card boss manager friend
    girlfriend boyfriend partner doctor lawyer office desk profile password ssn license passport
    song songs novel novels book books album film films movie poem poems lyrics band memoir biography""".split()
)
# Verbs after a lone capitalized word, and words before it, that make it a person ("Joly began", "says X").
_PERSON_VERBS = frozenset(
    """said says told asked replied wrote writes explained began begins thinks believes argued added noted
    emailed mentioned suggested confirmed agreed joined works worked lives lived died married divorced""".split()
)
_SPEECH_BEFORE = frozenset("says said asked told thanked emailed cc commenter producer director".split())
_VOCATIVE_NEXT = frozenset("can could would will please i we you thanks thank do did have are is".split())
_LIST_JOINERS = frozenset({",", "and", "&", "or"})
_QUOTES = frozenset('"“„«')
_PAUSES = frozenset((",", ".", "!", "?", ";", ":", "\n"))
_DETERMINERS = frozenset("the a an this that these those our your my his her their its each every no any".split())
_UNIT_WORDS = frozenset("apt apartment suite ste unit floor room bldg building flat".split())
# Words after which a capitalized run is an organization or a street, not a person.
_ORG_OR_STREET = STREET_WORDS | frozenset(
    """inc llc ltd corp corporation co company gmbh ag plc llp group holdings bank hospital clinic university
    college institute foundation hotel hotels airport school church""".split()
)

_NOT_NAMEY = TITLES | NOT_NAMES | _UNIT_WORDS
_SHORT_TITLES = ("mr", "mrs", "ms", "dr", "prof")
_CUE_LAST = frozenset(cue[-1] for cue in _STRONG_CUES | _WEAK_CUES)


def _cue_before(toks: Tokens, i: int) -> int:
    """2 for a strong cue right before token ``i``, 1 for a weak one, 0 for none."""
    lows = toks.low
    j = i - 1
    while j >= 0 and lows[j] in (",", "\n"):
        j -= 1
    if j < 0 or lows[j] not in _CUE_LAST:
        return 0
    words: list[str] = []
    j = i - 1
    while j >= 0 and len(words) < _MAX_CUE:
        low = lows[j]
        if low not in (",", "\n"):
            words.append(low)
        j -= 1
    words.reverse()
    for n in range(len(words), 0, -1):
        tail = tuple(words[-n:])
        if tail in _STRONG_CUES:
            return 2
        if tail in _WEAK_CUES:
            return 1
    return 0


def _namey(toks: Tokens) -> set[int]:
    """Indices of the capitalized words that could be part of a name."""
    keys = toks.key
    return {
        i
        for i in compress(range(toks.n), toks.cap)
        if len(key := keys[i]) >= 2
        and key not in _NOT_NAMEY
        and key.replace("-", "").replace("'", "").replace("’", "").isalpha()
    }


def _initial(toks: Tokens, i: int) -> int:
    """Length in tokens of a middle initial at ``i`` ("J" or "J."), else 0."""
    text = toks.text[i]
    if len(text) == 1 and text.isupper() and text.isalpha():
        return 2 if i + 1 < toks.n and toks.text[i + 1] == "." else 1
    return 0


def _run(toks: Tokens, namey: set[int], i: int, lower_ok: bool, plain_ok: bool = True) -> list[int]:
    """Indices of the name words of the run starting at ``i`` (initials and particles are skipped).

    ``lower_ok`` admits lowercase words from the name lists; ``plain_ok`` also those that are ordinary words.
    """
    words: list[int] = []
    j = i
    n = toks.n
    lows = toks.low
    firsts, lasts = first_names(), last_names()
    while j < n and len(words) < 4:
        low = lows[j]
        if j in namey or (
            lower_ok
            and low.replace("'", "").replace("-", "").isalpha()
            and low not in NOT_NAMES
            and (low in firsts or low in lasts)
            and (plain_ok or low not in english_words())
        ):
            words.append(j)
            if toks.key_end[j] != toks.end[j]:  # possessive ends the name
                break
            j += 1
        elif words and (k := _initial(toks, j)) and j + k in namey:
            j += k
        elif (
            words
            and low in NAME_PARTICLES
            and (j + 1 in namey or (lows[j + 1 : j + 2] and lows[j + 1] in NAME_PARTICLES and j + 2 in namey))
        ):
            j += 1  # "van", "van de", "de la"
        else:
            break
    return words


def _pair_score(toks: Tokens, words: list[int], at_start: bool) -> float:
    """Score a run of capitalized words from the name lists alone (no cue)."""
    firsts, lasts, common = first_names(), last_names(), english_words()
    text, keys = toks.text, toks.key
    head = words[0]
    upper = text[head].isupper() and len(text[head]) > 1
    f_key = keys[head]
    f_known = f_key in firsts
    f_word = f_key in common or len(f_key) < 3
    if len(words) == 1:
        if upper or not f_known or f_word or toks.key_end[head] - toks.start[head] < 3:
            return 0.0
        if at_start and not subject_like(toks, head + 1):
            return 0.0  # "Taylor series", "Loki retention"
        return 0.7
    if _place_word(toks, words[0]) or _place_word(toks, words[-1]):
        return 0.0  # "Amsterdam Noord-Holland", "Öntésmajor Hungary"
    if not upper and any(keys[w] not in lasts for w in words[1:] if text[w].isupper() and len(text[w]) > 1):
        return 0.0  # "Lyxor FTSE"
    tail = [keys[w] for w in words[1:]]
    last = tail[-1]
    l_known = last in lasts or last in firsts
    l_word = last in common
    if upper:
        return 0.8 if f_known and l_known and not (f_word and l_word) else 0.0
    if any(t in common and t not in lasts and t not in firsts for t in tail[:-1]):
        return 0.0
    f_pts = 2 if f_known and not f_word else 1 if f_known or not f_word else 0
    l_pts = 2 if l_known and not l_word else 1 if l_known or not l_word else 0
    if at_start and f_word and not f_known:
        f_pts = 0
    if f_pts and words[-1] - words[0] > len(words) - 1 and _initial(toks, words[0] + 1):
        return 0.85  # "Fiamma R Nucci", "Jennifer B Eiffel": a middle initial
    total = f_pts + l_pts
    if f_pts == 0 or l_pts == 0:
        return 0.0
    return {4: 0.9, 3: 0.85}.get(total, 0.55)


def subject_like(toks: Tokens, j: int) -> bool:
    """Whether token ``j`` can follow a person who is the subject: a verb, an auxiliary, punctuation."""
    if j >= toks.n:
        return True
    first = toks.text[j][0]
    if not first.isalpha() or not first.islower():
        return True
    low = toks.low[j]
    return low in SUBJECT_VERBS or (low.endswith("ed") and len(low) > 4)


def _place_word(toks: Tokens, w: int) -> bool:
    """A known place that is not also a known given name."""
    hit = place_at(toks, w)
    if hit is None or hit[0] != w + 1:
        return False
    key = toks.key[w]
    return key not in first_names() and key not in last_names()


def _is_place(toks: Tokens, w: int) -> bool:
    """A known place, whatever else the word may be."""
    hit = place_at(toks, w)
    return hit is not None and hit[0] == w + 1


def _score_run(toks: Tokens, i: int, words: list[int], cue: int) -> float:
    """Score of the name run ``words`` starting at ``i`` given the cue before it."""
    if cue == 2:
        return 0.9  # no score from the lists is higher
    at_start = sentence_start(toks, i)
    score = _pair_score(toks, words, at_start)
    text, lows = toks.text, toks.low
    n = toks.n
    key = toks.key[i]
    common = english_words()
    upper = text[i].isupper()
    if cue == 1 and not upper and (key not in common or (key in first_names() and score)):
        return max(score, 0.75)
    if cue == 1 and not upper and len(words) == 1 and key in first_names() and (i + 1 >= n or lows[i + 1] in _PAUSES):
        return 0.75  # "Thanks Dean,", "Hi Rose!": a greeting or thanks, then a given name

    last = words[-1]
    if toks.key_end[last] != toks.end[last] and last + 1 < n and lows[last + 1] in _BELONGINGS:
        if key not in common or key in first_names():
            return max(score, 0.8)  # "Hilmija's address", "Ryan's daughter"
    if score or len(words) != 1 or upper:
        return score
    nxt = i + 1 if i + 1 < n else -1
    if (
        at_start
        and nxt >= 0
        and text[nxt] == ","
        and i + 2 < n
        and lows[i + 2] in _VOCATIVE_NEXT
        and (key not in common or key in first_names())
    ):
        return 0.75  # "Sue, can I please speak to your boss?"
    if key not in common and len(key) > 2 and not _place_word(toks, i):
        before = lows[i - 1] if i else ""
        if before in _SPEECH_BEFORE or (nxt >= 0 and lows[nxt] in _PERSON_VERBS):
            return 0.7 if key in last_names() else 0.6  # "says Dolgorukova", "Joly began writing"
    if (
        not at_start
        and key in first_names()
        and key not in NOT_NAMES
        and text[i - 1][0].islower()
        and lows[i - 1] not in _DETERMINERS
        and (i + 1 >= n or not toks.up[i + 1])
    ):
        return 0.6  # "Why is Mark so impulsive?": a capital mid-sentence, between lowercase words
    return score


def _span(toks: Tokens, words: list[int], text: str, score: float, name: str = _RULE) -> Entity:
    start, end = toks.start[words[0]], toks.key_end[words[-1]]
    return Entity("PERSON", start, end, score, name, text[start:end])


def _title_at(toks: Tokens, namey: set[int], i: int) -> int:
    """Index of the first name word after a title at ``i`` ("Dr." / "Mrs"), or -1."""
    low = toks.low[i]
    if low not in TITLES:
        return -1
    j = i + 1
    n = toks.n
    dotted = j < n and toks.text[j] == "."
    if not toks.cap[i] and not (dotted and low in _SHORT_TITLES):
        return -1
    j += dotted
    if i >= 2 and toks.up[i - 1] and toks.text[i - 2][0].isdigit():
        return -1  # "12 Main Dr." is a street
    return j if j in namey else -1


def _candidates(toks: Tokens, namey: set[int]) -> list[int]:
    """Tokens where a name can start: a name-like capitalized word, a title, or a listed name after a cue."""
    lows = toks.low
    n = toks.n
    found = set(namey)
    found.update(compress(range(n), map(TITLES.__contains__, lows)))
    firsts, lasts, common = first_names(), last_names(), english_words()
    for i in compress(range(n), toks.up):
        if i not in found and ((low := lows[i]) in firsts or low in lasts) and low not in NOT_NAMES:
            found.add(i)  # "Will", "May": listed, but taken only after a strong cue
    for i in compress(range(1, n), map(_ANY_CUE_END.__contains__, lows)):
        if i in found or (low := lows[i]) in NOT_NAMES:
            continue
        if lows[i - 1] in _CUE_ENDS:  # a listed name after a strong cue, even in lowercase ("my name is john")
            if low in firsts or low in lasts:
                found.add(i)
        elif low in firsts and low not in common:  # a given name no dictionary holds ("hey it's yusuf")
            found.add(i)
    return sorted(found)


def find_persons(
    text: str,
    toks: Tokens,
    taken: set[int],
    ner: Sequence[Entity] = (),
    places: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
) -> list[Entity]:
    """PERSON entities in ``text`` (tokens ``toks``); tokens whose index is in ``taken`` belong to another rule.

    Args:
        text: the text the tokens index.
        toks: its tokens.
        taken: indices of tokens already claimed by an address or organization rule.
        ner: NER entities for the same text, used to link later mentions of the names they found.
        places: (start, end) of places and organizations found by other means; a name guess with the same
            span is dropped unless a title or strong cue backs it.
    """
    found: list[Entity] = []
    used: set[int] = set(taken)
    soft: set[int] = set()  # skipped after a determiner: still linked to a name found elsewhere
    n = toks.n
    words_text, lows, keys, up = toks.text, toks.low, toks.key, toks.up
    common, firsts = english_words(), first_names()
    namey = _namey(toks)
    pos = 0
    for i in _candidates(toks, namey):
        if i < pos or i in used or not words_text[i][0].isalpha():
            continue
        if lows[i] in TITLES and (start := _title_at(toks, namey, i)) >= 0:
            words = _run(toks, namey, start, lower_ok=False)
            if words:
                found.append(_span(toks, words, text, 0.9))
                used.update(range(i, words[-1] + 1))
                pos = words[-1] + 1
                continue
        if not up[i] and (i == 0 or (lows[i - 1] not in _CUE_ENDS and lows[i - 1] not in _WEAK_ENDS)):
            continue  # a lowercase word is a name only right after a cue ("my name is john", "it's yusuf")
        cue = _cue_before(toks, i) if i else 0
        # after a weak cue, only a given name that is no ordinary word ("hey it's yusuf", not "hi mark the")
        lower_ok = cue == 2 or (cue == 1 and lows[i] in firsts and lows[i] not in common)
        words = _run(toks, namey, i, lower_ok=lower_ok, plain_ok=cue == 2)
        if not words:
            continue
        after = words[-1] + 1
        street_end = keys[words[-1]] in STREET_WORDS and len(words) > 1
        not_person = after < n and ((keys[after] in _ORG_OR_STREET and toks.cap[after]) or lows[after] in PLACE_NOUNS)
        after_determiner = i > 0 and lows[i - 1] in _DETERMINERS
        if cue < 2 and (street_end or not_person or after_determiner):
            full_name = len(words) > 1 and _pair_score(toks, words, False) >= 0.85
            if street_end or not_person or not full_name:  # "a Boris Alcaraz concert" is a person
                used.update(range(i, after + 1))
                if not (street_end or not_person):
                    soft.update(range(i, after + 1))
                pos = after + 1
                continue
        if cue < 2 and len(words) == 1 and keys[i] in common and keys[i] not in firsts:
            pos = after  # a capitalized common word: no rule scores it
            continue
        score = _score_run(toks, i, words, cue)
        if not score and len(words) > 1 and keys[i] in common:
            pos = words[1]  # "Producer Fiamma R Nucci": try again without the leading word
            continue
        span = (toks.start[i], toks.key_end[words[-1]])
        if score and any(e.type == "PERSON" and e.score >= 0.6 and e.start < span[1] and e.end > span[0] for e in ner):
            score = max(score, 0.85 if len(words) > 1 else 0.0)
        if score and cue < 2 and span in places and not (cue == 1 and keys[i] in firsts):
            score = 0.0  # a place, unless a greeting or thanks names a person ("Thanks, Victoria")
        if score:
            found.append(_span(toks, words, text, score))
            used.update(range(i, after))
        pos = after
    found += _speakers(text, toks, namey, taken, found)
    if found:
        starts = toks.start
        strong = {
            key
            for e in found
            if e.score >= 0.85
            for key in keys[bisect_left(starts, e.start) : bisect_left(starts, e.end)]
        }
        found = [
            replace(e, score=0.85) if e.score < 0.85 and " " not in e.text and e.text.lower() in strong else e
            for e in found
        ]  # "Sarah" after "Dr. Sarah Chen"
    return found + _linked(text, toks, namey, used - soft, found, ner)


def _speakers(text: str, toks: Tokens, namey: set[int], taken: set[int], found: list[Entity]) -> list[Entity]:
    """Names that label the lines of a dialogue ("Akaho: What a wife.\\nWilliam: Remember me, Alicia?").

    Field labels look the same ("Reason: chest pain"), so at least one label must be a word no dictionary
    holds; then labels that are given names count too, even when they are also words ("Misty", "Sierra").
    """
    lows, words, keys = toks.low, toks.text, toks.key
    if ":" not in lows:
        return []
    labels = [
        i
        for i in namey
        if i + 1 < toks.n
        and lows[i + 1] == ":"
        and words[i][1:].isalpha()
        and words[i][1:].islower()
        and line_start(toks, i)
        and i not in taken
    ]
    if not labels:
        return []
    quoted = any(i + 2 < toks.n and words[i + 2] in _QUOTES for i in labels)
    if len(labels) < 2 and not quoted:
        return []
    common, firsts = english_words(), first_names()
    if all(keys[i] in common for i in labels):
        return []
    done = {e.start for e in found}
    return [
        _span(toks, [i], text, 0.85)
        for i in sorted(labels)
        if (keys[i] not in common or keys[i] in firsts) and toks.start[i] not in done
    ]


def _linked(
    text: str, toks: Tokens, namey: set[int], used: set[int], found: list[Entity], ner: Sequence[Entity]
) -> list[Entity]:
    """Other mentions of a name part already found ("Dr. Sarah Chen ... Chen ... Sarah's")."""
    parts: set[str] = set()
    weak_parts: set[str] = set()  # from names found with little evidence: uncommon words only
    common = english_words()
    spans = [(e.start, e.end) for e in found if e.score >= 0.7]
    spans += [(e.start, e.end) for e in ner if e.type == "PERSON" and e.score >= 0.6]
    weak = [(e.start, e.end) for e in found if e.score < 0.7]
    if not spans and not weak:
        return _coordinated(text, toks, namey, used, [])
    keys, starts = toks.key, toks.start
    for group, strength in ((spans, parts), (weak, weak_parts)):
        for start, end in group:
            inside = [j for j in range(bisect_left(starts, start), bisect_right(toks.end, end + 2)) if j in namey]
            for j in inside:
                if keys[j] not in common or (len(inside) > 1 and strength is parts):
                    strength.add(keys[j])
    out: list[Entity] = []
    covered = [(e.start, e.end) for e in ner if e.type == "PERSON"] + [(e.start, e.end) for e in found]
    run: list[int] = []
    if parts or weak_parts:
        known = parts | weak_parts
        for i in compress(range(toks.n), map(known.__contains__, keys)):
            tok_start = starts[i]
            if (
                i in used
                or i not in namey
                or any(s <= tok_start < e for s, e in covered)
                or (keys[i] in common and sentence_start(toks, i))
            ):
                continue
            if run and run[-1] != i - 1:
                out.append(_span(toks, run, text, 0.85 if any(keys[j] in parts for j in run) else 0.7))
                run = []
            run.append(i)
    if run:
        out.append(_span(toks, run, text, 0.85 if any(keys[j] in parts for j in run) else 0.7))
    return out + _coordinated(text, toks, namey, used, spans + [(e.start, e.end) for e in out])


def _coordinated(
    text: str, toks: Tokens, namey: set[int], used: set[int], spans: list[tuple[int, int]]
) -> list[Entity]:
    """Capitalized words listed with a person ("Cocci and Rios", "Pista, Gary, Michael")."""
    n = toks.n
    lows, starts, keys = toks.low, toks.start, toks.key
    if not namey or _LIST_JOINERS.isdisjoint(lows):
        return []
    common = english_words()
    listed = [
        i
        for i in sorted(namey)
        if ((i >= 2 and lows[i - 1] in _LIST_JOINERS) or (i + 2 < n and lows[i + 1] in _LIST_JOINERS))
        and i not in used
        and i - 1 not in namey
        and i + 1 not in namey
        and not toks.text[i].isupper()  # "DOB", "SSN": labels, not names
    ]
    if not listed:
        return []
    person = {j for s, e in spans for j in range(bisect_left(starts, s), bisect_left(starts, e))}
    out = _name_lists(text, toks, listed, person)
    eligible = [i for i in listed if keys[i] not in common]
    for _ in range(3):  # a list grows one neighbour per pass
        added = False
        for i in eligible:
            if i in person:
                continue
            prev_ok = i >= 2 and lows[i - 1] in _LIST_JOINERS and i - 2 in person
            next_ok = i + 2 < n and lows[i + 1] in _LIST_JOINERS and i + 2 in person
            if (prev_ok or next_ok) and not _place_word(toks, i):
                person.add(i)
                out.append(_span(toks, [i], text, 0.8))
                added = True
        if not added:
            break
    return out


def _name_lists(text: str, toks: Tokens, listed: list[int], person: set[int]) -> list[Entity]:
    """Lists of single capitalized words, one of them a known name and none an ordinary word or a place
    ("our 3 founders: Bártová, Short and Alvarez"); adds the members to ``person``."""
    lows, keys = toks.low, toks.key
    firsts, lasts, common = first_names(), last_names(), english_words()
    groups: list[list[int]] = []
    for i in listed:
        gap = lows[groups[-1][-1] + 1 : i] if groups else []
        if groups and 1 <= len(gap) <= 2 and all(w in _LIST_JOINERS for w in gap):
            groups[-1].append(i)
        else:
            groups.append([i])
    out: list[Entity] = []
    for group in groups:
        if len(group) < 2 or any(i in person for i in group):
            continue  # a list with a person in it grows from that person
        known = [keys[i] in firsts or keys[i] in lasts for i in group]
        plain = [keys[i] in common for i in group]
        if not any(k and not p for k, p in zip(known, plain, strict=True)):
            continue
        if any(p and not k for k, p in zip(known, plain, strict=True)) or any(_is_place(toks, i) for i in group):
            continue  # an ordinary word or a place in the list ("Paris, London and Berlin")
        person.update(group)
        out += [_span(toks, [i], text, 0.75) for i in group]
    return out


def find_rule_entities(text: str, ner: Sequence[Entity] = ()) -> list[Entity]:
    """Alias of :func:`coatcheck.detect.rules.find_rule_entities` (all rule types, not only PERSON)."""
    from coatcheck.detect.rules import find_rule_entities as run_rules  # rules imports this module

    return run_rules(text, ner)
