from __future__ import annotations

import json

import pytest
import yaml

from coatcheck.console._playground import parse_sample
from coatcheck.console._policies import policy_yaml
from coatcheck.errors import InputError
from coatcheck.policy import Policy, effective_policy, loads_policy
from coatcheck.policy.preview import preview

from .conftest import REVIEW_REF, policy_data

SAMPLE = "Hi, this is Sarah Chen, email sarah.chen@example.com, call +1 415-555-0132."


def spans(leaf: dict) -> dict[str, str]:
    return {e["type"]: leaf["text"][e["start"] : e["end"]] for e in leaf["entities"] if e["kept"]}


def test_text_preview(make_session) -> None:
    result = make_session("vic").post("/api/playground", {"input": SAMPLE}).json()
    assert result["kind"] == "text"
    (leaf,) = result["leaves"]
    assert spans(leaf) == {
        "PERSON": "Sarah Chen",
        "EMAIL_ADDRESS": "sarah.chen@example.com",
        "PHONE_NUMBER": "+1 415-555-0132",
    }
    email = next(e for e in leaf["entities"] if e["type"] == "EMAIL_ADDRESS")
    assert email["recognizer"] == "email"
    assert email["context"] == ["email"]
    assert email["threshold"] == 0.5
    assert email["sensitivity"] == "personal"
    assert set(result["outputs"]) == {"llm", "logs", "dashboard", "compliance", "training", "embeddings"}
    llm = result["outputs"]["llm"]
    assert llm["text"] == "Hi, this is [PERSON_1], email [EMAIL_1], call [PHONE_1]."
    assert [llm["text"][r["start"] : r["end"]] for r in llm["replacements"]] == [
        "[PERSON_1]",
        "[EMAIL_1]",
        "[PHONE_1]",
    ]
    assert "sarah.chen@example.com" not in result["outputs"]["training"]["text"]
    assert result["policy"]["source"] == "deployed"
    assert result["decision"]["action"] == "allow"


def test_explain_shows_dropped_candidates(make_session) -> None:
    result = (
        make_session("vic")
        .post("/api/playground", {"input": "card 4532 0151 1283 0366 and ssn 536-22-8817"})
        .json()
    )
    entities = result["leaves"][0]["entities"]
    dropped = [e for e in entities if not e["kept"]]
    assert dropped, "the explain panel lists candidates that did not make it"
    assert {e["dropped"] for e in dropped} <= {
        "validator",
        "below_threshold",
        "overlap",
        "allow_list",
        "type_filter",
    }
    assert all(e["lost_to"] for e in dropped if e["dropped"] == "overlap")
    kept = [e for e in entities if e["kept"]]
    assert [e["type"] for e in kept] == ["CREDIT_CARD", "US_SSN"]
    assert entities[: len(kept)] == kept  # kept ones first


def test_json_record(make_session, policy: Policy) -> None:
    record = {"customer": {"name": "Sarah Chen", "ssn": "536-22-8817"}, "note": "mail sarah.chen@example.com"}
    result = make_session("vic").post("/api/playground", {"input": json.dumps(record)}).json()
    assert result["kind"] == "record"
    paths = {leaf["path"]: spans(leaf) for leaf in result["leaves"]}
    assert paths["customer.ssn"] == {"US_SSN": "536-22-8817"}
    assert paths["note"] == {"EMAIL_ADDRESS": "sarah.chen@example.com"}
    llm = json.loads(result["outputs"]["llm"]["text"])
    assert llm["customer"] == {"name": "[PERSON_1]", "ssn": "[SSN_1]"}
    assert llm["note"] == "mail [EMAIL_1]"
    # the same outputs as `coatcheck policy test` gives (keyless destinations compare exactly)
    expected = preview(effective_policy(policy, None), record)
    for name in ("llm", "logs", "dashboard"):
        assert json.loads(result["outputs"][name]["text"]) == expected.outputs[name]


def test_tenant_block(make_session) -> None:
    session = make_session("vic")
    base = session.post("/api/playground", {"input": "my ssn is 536-22-8817"}).json()
    acme = session.post("/api/playground", {"input": "my ssn is 536-22-8817", "tenant": "acme"}).json()
    assert base["decision"]["action"] == "allow"
    assert acme["decision"]["action"] == "block"
    assert all(out == {"blocked": True} for out in acme["outputs"].values())
    assert acme["policy"]["tenants"] == ["default", "acme"]


def test_review_band_is_flagged(make_session) -> None:
    result = make_session("vic").post("/api/playground", {"input": f"chart {REVIEW_REF} is open"}).json()
    (ref,) = [e for e in result["leaves"][0]["entities"] if e["kept"]]
    assert (ref["type"], ref["score"], ref["review_band"]) == ("MEDICAL_RECORD_NUMBER", 0.55, True)
    assert result["decision"]["action"] == "review"
    assert result["decision"]["types"] == ["MEDICAL_RECORD_NUMBER"]


def test_draft_applies_without_touching_the_deployed_policy(make_session) -> None:
    session = make_session("vic")
    deployed_yaml = session.get("/api/policy").json()["yaml"]
    draft = deployed_yaml.replace("  llm:\n    default: redact", "  llm:\n    default: mask", 1)
    assert draft != deployed_yaml
    tried = session.post("/api/playground", {"input": SAMPLE, "policy": draft}).json()
    assert tried["policy"]["source"] == "draft"
    assert "[PERSON_1]" not in tried["outputs"]["llm"]["text"]
    assert "*" in tried["outputs"]["llm"]["text"]
    again = session.post("/api/playground", {"input": SAMPLE}).json()
    assert again["outputs"]["llm"]["text"].startswith("Hi, this is [PERSON_1]")
    assert session.get("/api/policy").json()["yaml"] == deployed_yaml


def test_invalid_draft_names_the_line(make_session) -> None:
    response = make_session("vic").post(
        "/api/playground",
        {"input": SAMPLE, "policy": "version: 1\ndestinations:\n  llm:\n    default: smudge\n"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["kind"] == "policy"
    assert "draft:4:" in error["message"]
    assert "unknown method 'smudge'" in error["message"]


def test_policy_yaml_round_trips(policy: Policy) -> None:
    text = policy_yaml(policy)
    again = loads_policy(text)
    for tenant in (None, "acme"):
        a, b = effective_policy(policy, tenant), effective_policy(again, tenant)
        assert a.as_dict() == b.as_dict()
    assert "{method: redact, numbered: false}" in text  # method rules are written inline


def test_policy_yaml_hides_deny_values() -> None:
    data = policy_data()
    data["detection"]["deny"] = {"Project Falcon": "ORGANIZATION"}
    text = policy_yaml(Policy.model_validate(data))
    assert "Project Falcon" not in text
    assert text.startswith("# deny-list values are not shown here")
    assert "deny" not in yaml.safe_load(text)["detection"]


def test_turns_keep_the_same_stand_in(make_session) -> None:
    turns = [
        "Hi, this is Sarah Chen, my email is sarah.chen@example.com.",
        "Did you get my email? Sarah Chen again.",
        "Please call Sarah Chen at +1 415-555-0132.",
    ]
    result = (
        make_session("vic").post("/api/turns", {"turns": turns, "destinations": ["llm", "training"]}).json()
    )
    person = next(link for link in result["links"] if link["type"] == "PERSON")
    assert person["turns"] == [0, 1, 2]
    assert person["outputs"]["llm"] == ["[PERSON_1]"]
    assert len(person["outputs"]["training"]) == 1
    assert person["outputs"]["training"][0] != "Sarah Chen"
    assert person["consistent"] == {"llm": True, "training": True}
    for turn in result["turns"]:
        assert "[PERSON_1]" in turn["outputs"]["llm"]["text"]
        assert person["outputs"]["training"][0] in turn["outputs"]["training"]["text"]
    assert "Sarah Chen" not in json.dumps(result["links"])


def test_turns_errors(make_session) -> None:
    session = make_session("vic")
    assert session.post("/api/turns", {"turns": []}).status_code == 400
    assert session.post("/api/turns", {"turns": "one"}).status_code == 400
    unknown = session.post("/api/turns", {"turns": ["x"], "destinations": ["nowhere"]})
    assert unknown.status_code == 422
    assert "unknown destination 'nowhere'" in unknown.json()["error"]["message"]


def test_playground_runs_are_audited_without_values(make_session, config) -> None:
    make_session("vic").post("/api/playground", {"input": SAMPLE})
    (event,) = config.audit.query(action="detect")
    assert event.actor == "console:vic"
    assert event.purpose == "console_playground"
    assert event.entity_counts == {"EMAIL_ADDRESS": 1, "PERSON": 1, "PHONE_NUMBER": 1}
    assert "Sarah" not in json.dumps(event.as_dict())


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("plain text", "auto", "plain text"),
        ('{"a": 1}', "auto", {"a": 1}),
        ("[1, 2]", "auto", [1, 2]),
        ("{not json", "auto", "{not json"),
        ('{"a": 1}', "text", '{"a": 1}'),
        ('"just a string"', "json", '"just a string"'),
    ],
)
def test_parse_sample(raw: str, fmt: str, expected: object) -> None:
    assert parse_sample(raw, fmt) == expected


def test_parse_sample_errors() -> None:
    with pytest.raises(InputError, match="line 1, column 2"):
        parse_sample("{not json", "json")
    with pytest.raises(InputError, match="more than"):
        parse_sample("x" * 100_001)
    with pytest.raises(InputError, match="format must be"):
        parse_sample("x", "xml")


def test_bad_bodies(make_session) -> None:
    session = make_session("vic")
    not_json = session.client.post(
        "/api/playground",
        content=b"{",
        headers={"x-csrf-token": session.csrf, "content-type": "application/json"},
    )
    assert not_json.status_code == 400
    assert session.post("/api/playground", [1, 2]).status_code == 400
    assert (
        session.post("/api/playground", {"input": 5}).json()["error"]["message"]
        == "field 'input' must be a string"
    )
