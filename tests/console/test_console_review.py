from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coatcheck.console import Console, ReviewStore, mask_context
from coatcheck.console._masking import shape, value_hash
from coatcheck.console._review import NewItem
from coatcheck.detect.types import Entity
from coatcheck.errors import InputError
from coatcheck.policy import effective_policy

from .conftest import REVIEW_REF, WEAK_REF

ZIP_TEXT = "Ship it to Sarah Chen, zip 94103, she wrote from sarah.chen@example.com today"


def entity_of(text: str, value: str, kind: str, score: float = 0.6) -> Entity:
    start = text.index(value)
    return Entity(kind, start, start + len(value), score, "test", value)


def test_mask_context_hides_the_value_and_its_neighbours() -> None:
    text = ZIP_TEXT
    target = entity_of(text, "94103", "ZIP_CODE")
    others = [target, entity_of(text, "sarah.chen@example.com", "EMAIL_ADDRESS", 1.0)]
    masked = mask_context(text, target, others)
    assert masked.item == "#####"
    shown = masked.before + masked.item + masked.after
    assert "[EMAIL]" in shown
    for secret in ("94103", "Sarah", "Chen", "sarah.chen"):
        assert secret not in shown
    assert "zip" in masked.before  # context words stay readable
    assert "Ship it to" in masked.before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sarah Chen", "Xxxxx Xxxx"),
        ("536-22-8817", "###-##-####"),
        ("a.b@ex.io", "x.x@xx.xx"),
        ("Zoë 7", "Xxx #"),
    ],
)
def test_shape(value: str, expected: str) -> None:
    assert shape(value) == expected


def test_capitalized_names_in_context_are_shaped() -> None:
    text = "ask Will and Mark about the ssn 123-45-6789 please, will you mark it"
    target = entity_of(text, "123-45-6789", "US_SSN")
    masked = mask_context(text, target, [target])
    shown = masked.before + masked.item + masked.after
    assert "Will" not in shown
    assert "Mark" not in shown
    assert "will you mark it" in shown
    assert "ssn" in shown


_WORDS = st.sampled_from(
    ["the", "call", "me", "at", "zip", "card", "is", "my", "and", "please", "ssn", "email"]
)
_VALUES = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@.-", min_size=4, max_size=20
)


@settings(max_examples=80, deadline=None)
@given(
    before=st.lists(_WORDS, max_size=12), after=st.lists(_WORDS, max_size=12), value=_VALUES, other=_VALUES
)
def test_masked_context_never_contains_a_detected_value(before, after, value, other) -> None:
    """Whatever surrounds it, neither the item nor another detection appears in the stored context."""
    head = " ".join(before)
    text = f"{head} {value} {' '.join(after)} {other} end"
    start = len(head) + 1
    target = Entity("US_SSN", start, start + len(value), 0.6, "t", value)
    o_start = text.rindex(other)
    neighbour = Entity("EMAIL_ADDRESS", o_start, o_start + len(other), 1.0, "t", other)
    masked = mask_context(text, target, [target, neighbour])
    shown = masked.before + masked.item + masked.after
    words = " ".join(before + after)
    assert value not in shown or value in words  # only where the context itself spells it
    assert other not in shown or other in words
    assert masked.item == shape(value)
    if o_start + len(other) < start + len(value) + 48:  # the neighbour lies inside the context window
        assert "[EMAIL]" in masked.after


def test_value_hash_is_keyed_and_normalized() -> None:
    a = value_hash(b"a" * 32, "PERSON", "Sarah  Chen")
    assert a == value_hash(b"a" * 32, "PERSON", " sarah chen ")
    assert a != value_hash(b"b" * 32, "PERSON", "Sarah Chen")
    assert a != value_hash(b"a" * 32, "LOCATION", "Sarah Chen")
    assert len(a) == 64


def test_enqueue_stores_no_value(make_session, config) -> None:
    console: Console = make_session("rita").console
    text = ZIP_TEXT
    target = entity_of(text, "94103", "ZIP_CODE")
    email = entity_of(text, "sarah.chen@example.com", "EMAIL_ADDRESS", 1.0)
    item_id = console.enqueue_review(tenant=None, text=text, entity=target, others=[target, email])
    assert item_id is not None
    console.reviews.close()
    raw = Path(config.state_dir, "console.sqlite3").read_bytes()
    for wal in Path(config.state_dir).glob("console.sqlite3-*"):
        raw += wal.read_bytes()
    for secret in (b"94103", b"Sarah", b"sarah.chen"):
        assert secret not in raw


def test_enqueue_deduplicates_and_skips_decided_values(make_session) -> None:
    console: Console = make_session("rita").console
    target = entity_of(ZIP_TEXT, "94103", "ZIP_CODE")
    first = console.enqueue_review(tenant="acme", text=ZIP_TEXT, entity=target)
    assert first is not None
    assert console.enqueue_review(tenant="acme", text=ZIP_TEXT, entity=target) is None  # already pending
    assert console.enqueue_review(tenant=None, text=ZIP_TEXT, entity=target) is not None  # another tenant
    console.reviews.decide(first, "false_positive", "rita")
    assert console.enqueue_review(tenant="acme", text=ZIP_TEXT, entity=target) is None  # already decided
    assert console.review_list("acme", "ZIP_CODE", "94103") == "allow"
    assert console.review_list("acme", "ZIP_CODE", "94104") is None


def test_enqueue_reviews_picks_the_review_band(make_session, policy) -> None:
    console: Console = make_session("rita").console
    effective = effective_policy(policy, None)
    texts = [f"call +1 415-555-0132 about chart {REVIEW_REF}", "nothing here"]
    found = effective.detector().detect_batch(texts)
    assert console.enqueue_reviews(effective, texts, found, request_id="req-1") == 1
    (item,) = console.reviews.items()
    assert (item.entity_type, item.request_id, item.source) == ("MEDICAL_RECORD_NUMBER", "req-1", "gateway")
    assert (item.before, item.item) == ("call [PHONE] about chart ", "XX-XXXXXX")


def test_review_flow_over_http(make_session, config) -> None:
    reviewer = make_session("rita")
    queued = reviewer.post("/api/playground/queue", {"input": f"Sarah Chen has chart {REVIEW_REF}"}).json()
    assert queued == {"queued": 1, "in_band": 1}
    listing = reviewer.get("/api/review").json()
    (item,) = listing["items"]
    assert item["entity_type"] == "MEDICAL_RECORD_NUMBER"
    assert item["item"] == "XX-XXXXXX"
    assert REVIEW_REF not in json.dumps(listing)
    assert "Sarah" not in json.dumps(listing)
    assert len(item["value_hash"]) == 12
    decided = reviewer.post(f"/api/review/{item['id']}", {"verdict": "false_positive"}).json()
    assert decided["status"] == "false_positive"
    assert decided["reviewer"] == "rita"
    again = reviewer.post(f"/api/review/{item['id']}", {"verdict": "correct"})
    assert again.status_code == 400
    assert "already decided" in again.json()["error"]["message"]
    stats = reviewer.get("/api/review?status=all").json()["stats"]
    assert stats["by_type"]["MEDICAL_RECORD_NUMBER"] == {"pending": 0, "correct": 0, "false_positive": 1}
    assert stats["lists"] == {"default": {"allow": 1, "deny": 0}}
    events = [e for e in config.audit.query(action="review") if e.purpose == "review_false_positive"]
    assert [(e.actor, e.tenant, dict(e.entity_counts), e.decision) for e in events] == [
        ("console:rita", "default", {"MEDICAL_RECORD_NUMBER": 1}, "allow")
    ]
    # the false positive is no longer reported by the playground, and says why
    result = reviewer.post("/api/playground", {"input": f"chart {REVIEW_REF} is open"}).json()
    (ref,) = [e for e in result["leaves"][0]["entities"] if e["reviewed"]]
    assert (ref["kept"], ref["dropped"], ref["reviewed"]) == (False, "allow_list", "allow")
    assert result["outputs"]["llm"]["text"] == f"chart {REVIEW_REF} is open"
    assert result["decision"]["action"] == "allow"


def test_confirmed_values_are_kept_below_threshold(make_session) -> None:
    session = make_session("rita")
    console: Console = session.console
    text = f"order {WEAK_REF} shipped"
    before = session.post("/api/playground", {"input": text}).json()
    (weak,) = before["leaves"][0]["entities"]
    assert (weak["kept"], weak["dropped"]) == (False, "below_threshold")
    item = console.enqueue_review(
        tenant=None, text=text, entity=entity_of(text, WEAK_REF, "MEDICAL_RECORD_NUMBER", 0.4)
    )
    console.reviews.decide(item, "correct", "rita")
    after = session.post("/api/playground", {"input": text}).json()
    kept = [e for e in after["leaves"][0]["entities"] if e["kept"]]
    assert [(e["type"], e["reviewed"]) for e in kept] == [("MEDICAL_RECORD_NUMBER", "deny")]
    assert after["outputs"]["llm"]["text"] == "order [MRN_1] shipped"


def test_decide_errors(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "r.sqlite3")
    with pytest.raises(InputError, match="does not exist"):
        store.decide(7, "correct", "rita")
    item = store.enqueue(NewItem("t", "PERSON", 0.5, "r", "a ", "Xxx", " b", "0" * 64))
    with pytest.raises(InputError, match="verdict must be"):
        store.decide(item, "maybe", "rita")
    decided = store.decide(item, "correct", "rita")
    assert (decided.id, decided.status, decided.reviewer) == (item, "correct", "rita")
    store.close()
    rows = sqlite3.connect(tmp_path / "r.sqlite3").execute("SELECT kind FROM review_lists").fetchall()
    assert rows == [("deny",)]


def test_review_api_errors(make_session) -> None:
    session = make_session("rita")
    assert session.get("/api/review?status=nope").status_code == 400
    assert session.post("/api/review/999", {"verdict": "correct"}).status_code == 400
