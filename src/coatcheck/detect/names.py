"""PERSON rules: titles, cue phrases, first/last-name gazetteers, and linking of repeated mentions.

NER alone misses names in short, lowercase or template-like messages ("Hi Liisa", "my name is john smith") and
rules alone miss names no list has; each confirms and extends the other. Scores say how sure the rule is:

* 0.9  a title or a strong cue ("Dr. Sarah Chen", "my name is ...", "Name: ...", "Regards,\\nX"), or a known
  first name followed by a known last name.
* 0.8  a later mention of a name already found ("Dr. Chen", "Sarah's").
* 0.7  a lone known first name that is not also a common word, or a weak cue ("Hi X", "I'm X").
* 0.55 a name-shaped pair with weaker evidence (two unknown capitalized words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

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
from coatcheck.detect._tokens import Tok, is_cap, sentence_start
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
)
_MAX_CUE = 3
_CUE_ENDS = frozenset(c[-1] for c in _STRONG_CUES) | {",", "\n"}
# Nouns after a possessive that make its owner a person ("Ryan's daughter").
_BELONGINGS = frozenset(
    """address phone number email e-mail account wife husband son daughter kid kids child children mother father
    mom mum dad brother sister parents family birthday name car house home apartment card boss manager friend
    girlfriend boyfriend partner doctor lawyer office desk profile password ssn license passport""".split()
)
# Verbs after a lone capitalized word, and words before it, that make it a person ("Joly began", "says X").
_PERSON_VERBS = frozenset(
    """said says told asked replied wrote writes explained began begins thinks believes argued added noted
    emailed mentioned suggested confirmed agreed joined works worked lives lived died married divorced""".split()
)
_SPEECH_BEFORE = frozenset("says said asked told thanked emailed cc commenter producer director".split())
_VOCATIVE_NEXT = frozenset("can could would will please i we you thanks thank do did have are is".split())
_LIST_JOINERS = frozenset({",", "and", "&", "or"})
_DETERMINERS = frozenset("the a an this that these those our your my his her their its each every no any".split())
_UNIT_WORDS = frozenset("apt apartment suite ste unit floor room bldg building flat".split())
# Words after which a capitalized run is an organization or a street, not a person.
_ORG_OR_STREET = STREET_WORDS | frozenset(
    """inc llc ltd corp corporation co company gmbh ag plc llp group holdings bank hospital clinic university
    college institute foundation hotel hotels airport school church""".split()
)


def _cue_before(toks: Sequence[Tok], i: int) -> int:
    """2 for a strong cue right before token ``i``, 1 for a weak one, 0 for none."""
    words: list[str] = []
    j = i - 1
    while j >= 0 and len(words) < _MAX_CUE:
        low = toks[j].low
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


def _namey(tok: Tok) -> bool:
    """A capitalized word that could be part of a name."""
    key = tok.key
    return (
        is_cap(tok)
        and len(key) >= 2
        and key not in TITLES
        and key not in NOT_NAMES
        and key not in _UNIT_WORDS
        and key.replace("-", "").replace("'", "").replace("’", "").isalpha()
    )


def _initial(toks: Sequence[Tok], i: int) -> int:
    """Length in tokens of a middle initial at ``i`` ("J" or "J."), else 0."""
    text = toks[i].text
    if len(text) == 1 and text.isupper() and text.isalpha():
        return 2 if i + 1 < len(toks) and toks[i + 1].text == "." else 1
    return 0


def _run(toks: Sequence[Tok], i: int, lower_ok: bool) -> list[int]:
    """Indices of the name words of the run starting at ``i`` (initials and particles are skipped)."""
    words: list[int] = []
    j = i
    n = len(toks)
    firsts, lasts = first_names(), last_names()
    while j < n and len(words) < 4:
        tok = toks[j]
        plain = tok.low.replace("'", "").replace("-", "").isalpha()
        if _namey(tok) or (lower_ok and plain and tok.low not in NOT_NAMES and (tok.low in firsts or tok.low in lasts)):
            words.append(j)
            if tok.key_end != tok.end:  # possessive ends the name
                break
            j += 1
        elif words and (k := _initial(toks, j)) and j + k < n and _namey(toks[j + k]):
            j += k
        elif words and tok.low in NAME_PARTICLES and j + 1 < n and _namey(toks[j + 1]):
            j += 1
        else:
            break
    return words


def _pair_score(toks: Sequence[Tok], words: list[int], at_start: bool) -> float:
    """Score a run of capitalized words from the name lists alone (no cue)."""
    firsts, lasts, common = first_names(), last_names(), english_words()
    head = toks[words[0]]
    upper = head.text.isupper() and len(head.text) > 1
    f_key = head.key
    f_known = f_key in firsts
    f_word = f_key in common or len(f_key) < 3
    if len(words) == 1:
        if upper or not f_known or f_word or head.key_end - head.start < 3:
            return 0.0
        if at_start and not subject_like(toks, words[0] + 1):
            return 0.0  # "Taylor series", "Loki retention"
        return 0.7
    if any(_place_word(toks, w) for w in (words[0], words[-1])):
        return 0.0  # "Amsterdam Noord-Holland", "Öntésmajor Hungary"
    lasts_caps = [toks[w] for w in words[1:] if toks[w].text.isupper() and len(toks[w].text) > 1]
    if not upper and any(t.key not in lasts for t in lasts_caps):
        return 0.0  # "Lyxor FTSE"
    tail = [toks[w].key for w in words[1:]]
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


def subject_like(toks: Sequence[Tok], j: int) -> bool:
    """Whether token ``j`` can follow a person who is the subject: a verb, an auxiliary, punctuation."""
    if j >= len(toks):
        return True
    nxt = toks[j]
    if not nxt.text[0].isalpha() or not nxt.text[0].islower():
        return True
    return nxt.low in SUBJECT_VERBS or (nxt.low.endswith("ed") and len(nxt.low) > 4)


def _place_word(toks: Sequence[Tok], w: int) -> bool:
    """A known place that is not also a known given name."""
    hit = place_at(toks, w)
    key = toks[w].key
    return hit is not None and hit[0] == w + 1 and key not in first_names() and key not in last_names()


def _score_run(toks: Sequence[Tok], i: int, words: list[int], cue: int) -> float:
    """Score of the name run ``words`` starting at ``i`` given the cue before it."""
    at_start = sentence_start(toks, i)
    score = _pair_score(toks, words, at_start)
    head = toks[i]
    key = head.key
    common = english_words()
    if cue == 2:
        return max(score, 0.9)
    if cue == 1 and not head.text.isupper() and (key not in common or (key in first_names() and score)):
        return max(score, 0.75)
    last = toks[words[-1]]
    if last.key_end != last.end and words[-1] + 1 < len(toks) and toks[words[-1] + 1].low in _BELONGINGS:
        if key not in common or key in first_names():
            return max(score, 0.8)  # "Hilmija's address", "Ryan's daughter"
    if score or len(words) != 1 or head.text.isupper():
        return score
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if (
        at_start
        and nxt is not None
        and nxt.text == ","
        and i + 2 < len(toks)
        and toks[i + 2].low in _VOCATIVE_NEXT
        and (key not in common or key in first_names())
    ):
        return 0.75  # "Sue, can I please speak to your boss?"
    if key not in common and len(key) > 2 and not _place_word(toks, i):
        before = toks[i - 1].low if i else ""
        if before in _SPEECH_BEFORE or (nxt is not None and nxt.low in _PERSON_VERBS):
            return 0.7 if key in last_names() else 0.6  # "says Dolgorukova", "Joly began writing"
    if (
        not score
        and len(words) == 1
        and not at_start
        and key in first_names()
        and key not in NOT_NAMES
        and not head.text.isupper()
        and toks[i - 1].text[:1].islower()
        and toks[i - 1].low not in _DETERMINERS
        and (i + 1 >= len(toks) or not toks[i + 1].text[:1].isupper())
    ):
        return 0.6  # "Why is Mark so impulsive?": a capital mid-sentence, between lowercase words
    return score


def _span(toks: Sequence[Tok], words: list[int], text: str, score: float, name: str = _RULE) -> Entity:
    start, end = toks[words[0]].start, toks[words[-1]].key_end
    return Entity("PERSON", start, end, score, name, text[start:end])


def _title_at(toks: Sequence[Tok], i: int) -> int:
    """Index of the first name word after a title at ``i`` ("Dr." / "Mrs"), or -1."""
    if toks[i].low not in TITLES:
        return -1
    j = i + 1
    dotted = j < len(toks) and toks[j].text == "."
    if not is_cap(toks[i]) and not (dotted and toks[i].low in ("mr", "mrs", "ms", "dr", "prof")):
        return -1
    j += dotted
    if i >= 2 and toks[i - 1].text[:1].isupper() and toks[i - 2].text[:1].isdigit():
        return -1  # "12 Main Dr." is a street
    return j if j < len(toks) and _namey(toks[j]) else -1


def find_persons(
    text: str,
    toks: Sequence[Tok],
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
    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        if i in used or not (tok.text[0].isalpha()):
            i += 1
            continue
        start = _title_at(toks, i)
        if start >= 0:
            words = _run(toks, start, lower_ok=False)
            if words:
                found.append(_span(toks, words, text, 0.9))
                used.update(range(i, words[-1] + 1))
                i = words[-1] + 1
                continue
        if not tok.text[0].isupper() and (i == 0 or toks[i - 1].low not in _CUE_ENDS):
            i += 1  # a lowercase word is a name only right after a strong cue ("my name is john")
            continue
        cue = _cue_before(toks, i) if i else 0
        words = _run(toks, i, lower_ok=cue == 2)
        if not words:
            i += 1
            continue
        after = words[-1] + 1
        street_end = toks[words[-1]].key in STREET_WORDS and len(words) > 1
        follower = toks[after] if after < n else None
        not_person = follower is not None and (
            (follower.key in _ORG_OR_STREET and is_cap(follower)) or follower.low in PLACE_NOUNS
        )
        after_determiner = i > 0 and toks[i - 1].low in _DETERMINERS
        if cue < 2 and (street_end or not_person or after_determiner):
            used.update(range(i, after + 1))
            i = after + 1
            continue
        score = _score_run(toks, i, words, cue)
        if not score and len(words) > 1 and toks[i].key in english_words():
            i = words[1]  # "Producer Fiamma R Nucci": try again without the leading word
            continue
        span = (toks[i].start, toks[words[-1]].key_end)
        if score and any(e.type == "PERSON" and e.score >= 0.6 and e.start < span[1] and e.end > span[0] for e in ner):
            score = max(score, 0.85 if len(words) > 1 else 0.0)
        if score and cue < 2 and span in places:
            score = 0.0
        if score:
            found.append(_span(toks, words, text, score))
            used.update(range(i, after))
        i = after
    strong = {t.key for e in found if e.score >= 0.85 for t in toks if e.start <= t.start < e.end}
    found = [
        replace(e, score=0.85) if e.score < 0.85 and " " not in e.text and e.text.lower() in strong else e
        for e in found
    ]  # "Sarah" after "Dr. Sarah Chen"
    return found + _linked(text, toks, used, found, ner)


def _linked(text: str, toks: Sequence[Tok], used: set[int], found: list[Entity], ner: Sequence[Entity]) -> list[Entity]:
    """Later mentions of a name part already found ("Dr. Sarah Chen ... Chen ... Sarah's")."""
    parts: set[str] = set()
    common = english_words()
    spans = [(e.start, e.end) for e in found if e.score >= 0.7]
    spans += [(e.start, e.end) for e in ner if e.type == "PERSON" and e.score >= 0.6]
    if not spans:
        return []
    for start, end in spans:
        inside = [t for t in toks if t.start >= start and t.end <= end + 2 and _namey(t)]
        for t in inside:
            if t.key not in common or len(inside) > 1:
                parts.add(t.key)
    out: list[Entity] = []
    covered = [(e.start, e.end) for e in ner if e.type == "PERSON"] + [(s, e) for s, e in spans]
    run: list[int] = []
    for i, tok in enumerate(toks):
        hit = (
            i not in used
            and tok.key in parts
            and _namey(tok)
            and not any(s <= tok.start < e for s, e in covered)
            and not (tok.key in common and sentence_start(toks, i))
        )
        if hit and (not run or run[-1] == i - 1):
            run.append(i)
            continue
        if run:
            out.append(_span(toks, run, text, 0.85))
        run = [i] if hit else []
    if run:
        out.append(_span(toks, run, text, 0.85))
    return out + _coordinated(text, toks, used, spans + [(e.start, e.end) for e in out])


def _coordinated(text: str, toks: Sequence[Tok], used: set[int], spans: list[tuple[int, int]]) -> list[Entity]:
    """Unknown capitalized words listed with a person ("Cocci and Rios", "Pista, Gary, Michael")."""
    common = english_words()
    person = {i for i, t in enumerate(toks) if any(s <= t.start < e for s, e in spans)}
    out: list[Entity] = []
    for _ in range(3):  # a list grows one neighbour per pass
        added = False
        for i, tok in enumerate(toks):
            if i in person or i in used or not _namey(tok) or tok.key in common or _place_word(toks, i):
                continue
            prev_ok = i >= 2 and toks[i - 1].low in _LIST_JOINERS and i - 2 in person
            next_ok = i + 2 < len(toks) and toks[i + 1].low in _LIST_JOINERS and i + 2 in person
            if (prev_ok or next_ok) and not (i + 1 < len(toks) and _namey(toks[i + 1])):
                person.add(i)
                out.append(_span(toks, [i], text, 0.8))
                added = True
        if not added:
            break
    return out


def find_rule_entities(text: str, ner: Sequence[Entity] = ()) -> list[Entity]:
    """Alias of :func:`coatcheck.detect.rules.find_rule_entities` (all rule types, not only PERSON)."""
    from coatcheck.detect.rules import find_rule_entities as run_rules  # rules imports this module

    return run_rules(text, ner)
