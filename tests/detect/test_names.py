"""PERSON rules: titles, cues, gazetteers, linking; and the rule set staying quiet on PII-free text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coatcheck.detect import names
from coatcheck.detect._tokens import tokenize
from coatcheck.detect.rules import find_rule_entities
from coatcheck.detect.types import Entity

RULE_TYPES = {"PERSON", "LOCATION", "ORGANIZATION", "STREET_ADDRESS", "MEDICAL_CONDITION", "MEDICATION"}


def persons(text: str, ner: tuple[Entity, ...] = ()) -> list[str]:
    return [e.text for e in find_rule_entities(text, ner) if e.type == "PERSON" and e.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # titles: the title is not part of the name
        ("Dr. Sarah Chen will see you now.", ["Sarah Chen"]),
        ("Please ask Mrs O'Brien to call back.", ["O'Brien"]),
        ("Prof. Jean-Luc Picard gave the lecture.", ["Jean-Luc Picard"]),
        ("I'd like to join accounts with ms. Frank", ["Frank"]),
        ("Nurse Ratched changed the dressing.", ["Ratched"]),
        # cue phrases
        ("Hi, my name is Liisa Virtanen and I need help.", ["Liisa Virtanen"]),
        ("my name is john smith", ["john smith"]),
        ("I'm Nikolaj, the new intern.", ["Nikolaj"]),
        ("Hello, this is Keiran from accounts.", ["Keiran"]),
        ("You can call me Zephyrine.", ["Zephyrine"]),
        ("Signed, Maximilian Oberhauser", ["Maximilian Oberhauser"]),
        ("Kind regards,\nAmara Okonkwo", ["Amara Okonkwo"]),
        ("Patient Ingrid Halvorsen was admitted.", ["Ingrid Halvorsen"]),
        ("Name: Tobias Brandstetter\nPhone: hidden", ["Tobias Brandstetter"]),
        ("What's your last name? Møller", ["Møller"]),
        # gazetteers
        ("Can you forward this to Maria Gonzalez in billing?", ["Maria Gonzalez"]),
        ("The report was reviewed by Lukas Schneider yesterday.", ["Lukas Schneider"]),
        ("Why is Svetlana so quiet today?", ["Svetlana"]),
        ("Producer Fiamma R Nucci explained the plan.", ["Fiamma R Nucci"]),
        ("Sue, can I please speak to your boss?", ["Sue"]),
        ("Here is Hilmija's address.", ["Hilmija"]),
        ('"I\'m glad," says Dolgorukova.', ["Dolgorukova"]),
        # possessive: the span stops before 's
        ("Pedro Alvarez's laptop needs a new battery.", ["Pedro Alvarez"]),
    ],
)
def test_person_rules(text: str, expected: list[str]) -> None:
    assert persons(text) == expected


def test_sarah_chen_is_linked_across_mentions() -> None:
    text = "Dr. Sarah Chen saw the patient. Dr. Chen recommended rest. Sarah will follow up; Chen's notes are here."
    found = [e for e in find_rule_entities(text) if e.type == "PERSON"]
    assert [e.text for e in found] == ["Sarah Chen", "Chen", "Sarah", "Chen"]
    assert all(e.score >= 0.8 for e in found)
    assert text[found[-1].start : found[-1].end] == "Chen"  # possessive trimmed


def test_names_found_by_ner_are_linked_to_later_mentions() -> None:
    text = "Kwabena Mensah joined in May. Later Mensah led the review."
    ner = (Entity("PERSON", 0, 14, 0.9, "spacy_ner", "Kwabena Mensah"),)
    linked = [e for e in find_rule_entities(text, ner) if e.type == "PERSON" and e.start > 14]
    assert [(e.text, e.start) for e in linked] == [("Mensah", text.rindex("Mensah"))]


def test_listed_names_follow_a_known_person() -> None:
    text = "Is there a better song? Cocci and Rios were precision engineers."
    ner = (Entity("PERSON", text.index("Rios"), text.index("Rios") + 4, 0.9, "spacy_ner", "Rios"),)
    assert "Cocci" in persons(text, ner)


@pytest.mark.parametrize(
    "text",
    [
        "Will you restart the server?",
        "May I ask how long the refund takes?",
        "Mark the ticket as resolved.",
        "Grant read access to the reporting service.",
        "Bill the customer at the end of the month.",
        "Chase the vendor about the late invoice.",
        "Hope this helps!",
        "Summer sale starts next week.",
        "Taylor series approximation converges slowly.",
        "Markov chain simulation takes too long.",
        "Jenkins build #4512 failed at the lint stage.",
        "The Princess Royal arrived this morning.",
        "Morgan Stanley research note is attached.",
        "Hi team, the nightly job timed out again.",
        "Thanks, Support Team",
        "Meeting on Monday with the team.",
        "French and German translations are ready.",
    ],
)
def test_common_words_and_brands_are_not_people(text: str) -> None:
    assert persons(text) == []


PII_FREE = [
    "Please restart the server.",
    "Order #A-1234 shipped yesterday and should arrive Tuesday.",
    "Version 2.3.1 fixes the bug in the export dialog.",
    "Meeting on Monday with the team to review the roadmap.",
    "The deploy to staging failed with exit code 137.",
    "Kafka consumer lag is growing on the orders topic.",
    "Docker image size went from 450 MB to 1.2 GB after the upgrade.",
    "Upgrade Python to 3.12 and rerun the test suite.",
    "Our Kubernetes cluster autoscaler is not scaling down idle nodes.",
    "Error: cannot read property 'length' of undefined at line 42.",
    "The dashboard shows NaN for the conversion rate.",
    "I'll be out of office until January 15.",
    "Please review PR 381 before the release freeze.",
    "The iOS app crashes on launch after the 5.2 update.",
    "Chrome shows a certificate warning on the staging site.",
    "The coupon code SAVE20 doesn't work at checkout.",
    "The Pro plan includes unlimited projects and priority support.",
    "Black Friday deals end at midnight.",
    "The Support Team will get back to you within 24 hours.",
    "Patient reports feeling better after rest and fluids.",
    "Vitals stable, no acute distress.",
    "Data Engineering owns the ingestion jobs.",
    "Project Phoenix kicks off next quarter.",
    "Apple Pay and Google Pay are supported at checkout.",
    "GitHub Actions minutes are almost used up.",
    "Claude and GPT models are both available in the playground.",
    "Temperature 0.2 gives more stable answers.",
    "Backups completed successfully at 02:00 UTC.",
    "Windows 11 and Ubuntu 22.04 are supported.",
    "Room 101 is booked for the retro.",
    "Step 3: run the migration on Node 18.",
    "Rose gold version is out of stock.",
    "Frank feedback is welcome in the retro.",
    "Dijkstra algorithm finds the shortest route.",
    "Spotify playlist export is missing songs.",
    "Wells Fargo wire transfers take a day.",
]


@pytest.mark.parametrize("text", PII_FREE)
def test_pii_free_messages_yield_nothing(text: str) -> None:
    found = [(e.type, e.text) for e in find_rule_entities(text) if e.score >= 0.5]
    assert found == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_valid_spans(text: str) -> None:
    for e in find_rule_entities(text):
        assert e.type in RULE_TYPES
        assert 0 <= e.start < e.end <= len(text)
        assert e.text == text[e.start : e.end]
        assert 0.0 < e.score <= 1.0


def test_names_module_reexports_the_rule_entry_point() -> None:
    text = "Dr. Sarah Chen lives at 742 Evergreen Terrace."
    assert names.find_rule_entities(text) == find_rule_entities(text)


def test_entity_repr_hides_the_name() -> None:
    (entity,) = [e for e in find_rule_entities("Dr. Zanzibar Quixote called.") if e.type == "PERSON"]
    assert "Zanzibar" not in repr(entity)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # dialogue labels, when at least one label is no dictionary word
        ("Akaho: What a wife.\\nWilliam: Remember me, Alicia?", ["Akaho", "William", "Alicia"]),
        ('Sydney: "Who are you?"\\nSydney:"I\'m Brian\'s daughter".', ["Sydney", "Sydney", "Brian"]),
        # lists of single names, one of them known
        ("Our 3 founders: Bártová, Short and Alvarez.", ["Bártová", "Short", "Alvarez"]),
        ("Is there a better song? Cocci and Rios were precision engineers.", ["Cocci", "Rios"]),
        # a full name after a determiner; a mention linked past a determiner
        ("Have you been to a Boris Alcaraz concert before?", ["Boris Alcaraz"]),
        ("It may be that Eriksen was influenced by a song sung by Niklas Eriksen.", ["Eriksen", "Niklas Eriksen"]),
        # relatives, roles and "named him" as cues
        ("I would like to remove my kid Harwin from the will.", ["Harwin"]),
        ("as regular RR commenter Marjančo Nose points out", ["Marjančo Nose"]),
        ("She named him Arihiro", ["Arihiro"]),
        # greetings and thanks before a given name that is also a word or a place
        ("Thanks Dean, I've updated your profile.", ["Dean"]),
        ("Please update my address. Thanks, Victoria", ["Victoria"]),
        ("I'm so jealous! said Eser to David", ["Eser", "David"]),
        # lowercase chat after a weak cue; particles inside a name; a first name before the full name
        ("hey it's yusuf, can you send the invoice?", ["yusuf"]),
        ("Agent note: Elizabeth van de Kooij disputes a transaction.", ["Elizabeth van de Kooij"]),
        ("Thilda spent a year at Acme Inc. as the assistant to Thilda Berg.", ["Thilda", "Thilda Berg"]),
    ],
)
def test_more_person_rules(text: str, expected: list[str]) -> None:
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Patient: Chris Gray\\nDOB: 05/09/1948\\nReason: chest pain.",  # field labels are not speakers
        "Author: Ishani Kaur\\nDate: 2024-04-11",
        "hi mark the ticket as done",
        "hi john will you help",  # "will" is a word: the name stops at "john"
        "Mother Ashley White reports fever in child Frank Cole, DOB 1943-11-24.",
        "Jira, Confluence and Slack are down.",
        "Paris, London and Berlin offices are closed.",
    ],
)
def test_labels_lists_and_weak_cues_stay_precise(text: str) -> None:
    found = persons(text)
    assert not {"Reason", "Author", "Date", "mark", "will", "DOB", "Jira", "Paris"} & {
        w for f in found for w in f.split()
    }


def test_tokens_are_parallel_lists_with_offsets() -> None:
    text = "Chen's note:\\nDr. O'Brien met A4 at 12 Main St."
    toks = tokenize(text)
    assert [text[s:e] for s, e in zip(toks.start, toks.end, strict=True)] == toks.text
    assert toks.low[toks.text.index("\\n")] == "\n"  # a JSON-escaped line break
    assert (toks.key[0], text[toks.start[0] : toks.key_end[0]]) == ("chen", "Chen")
    assert toks.cap[toks.text.index("O'Brien")]
    assert not toks.cap[toks.text.index("A4")]
    assert "Chen" not in repr(toks)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_tokens_cover_every_visible_character(text: str) -> None:
    toks = tokenize(text)
    assert [text[s:e] for s, e in zip(toks.start, toks.end, strict=True)] == toks.text
    covered = {i for s, e in zip(toks.start, toks.end, strict=True) for i in range(s, e)}
    assert all(i in covered for i, c in enumerate(text) if not c.isspace() or c == "\n")
    assert toks.up == [w[0].isupper() for w in toks.text]
