"""`preview`: one detection, one decision, one protected version per destination (texts and records)."""

from __future__ import annotations

import textwrap

import pytest

from coatcheck.errors import PolicyError
from coatcheck.keys import Keyring
from coatcheck.policy import Policy, effective_policy, loads_policy
from coatcheck.policy.preview import collect_leaves, preview

POLICY = textwrap.dedent(
    """
    detection:
      profile: fast
      allow: [help@shop.example]
      deny:
        Project Falcon: ORGANIZATION
    destinations:
      llm:
        default: redact
        methods:
          public: keep
          internal: keep
      logs:
        default: mask
        methods:
          US_SSN: {method: redact, numbered: false}
      analytics:
        default: drop
        methods:
          IP_ADDRESS: generalize
    fields:
      - path: order.id
        scan: false
      - path: customer.member
        entity: US_BANK_ACCOUNT
        destinations: {logs: keep}
    decisions:
      block: [PRIVATE_KEY]
    tenants:
      - name: trial
        mode: observe
    """
)

TEXT = "Mail jane.doe@example.com or help@shop.example about SSN 536-22-8817 from 203.0.113.42"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return loads_policy(POLICY)


def test_each_destination_gets_its_own_version_of_a_text(policy: Policy) -> None:
    result = preview(effective_policy(policy), TEXT, destinations=["llm", "logs", "analytics", "compliance"])
    assert [f.entity.type for f in result.findings] == ["EMAIL_ADDRESS", "US_SSN", "IP_ADDRESS"]
    assert result.decision.action == "allow"
    assert result.outputs["llm"] == "Mail [EMAIL_1] or help@shop.example about SSN [SSN_1] from [IP_1]"
    assert result.outputs["logs"] == "Mail j****@example.com or help@shop.example about SSN [SSN] from 203.0.***.**"
    assert result.outputs["analytics"] == "Mail  or help@shop.example about SSN  from 203.0.113.0/24"
    compliance = result.outputs["compliance"]  # built-in: encrypt
    assert "jane.doe" not in compliance
    assert "536-22-8817" not in compliance
    assert "help@shop.example" in compliance


def test_all_destinations_by_default_and_unknown_ones_rejected(policy: Policy) -> None:
    view = effective_policy(policy)
    result = preview(view, "nothing to see at 203.0.113.9")
    assert tuple(result.outputs) == ("llm", "logs", "dashboard", "compliance", "training", "embeddings", "analytics")
    with pytest.raises(PolicyError, match="unknown destination 'slack'"):
        preview(view, TEXT, destinations=["slack"])


def test_deny_list_value_is_always_found(policy: Policy) -> None:
    result = preview(effective_policy(policy), "Status of project falcon?", destinations=["llm", "analytics"])
    assert [(f.entity.type, f.entity.recognizer) for f in result.findings] == [("ORGANIZATION", "deny_list")]
    assert result.outputs["llm"] == "Status of project falcon?"  # internal: kept for the model
    assert result.outputs["analytics"] == "Status of ?"


def test_enforced_block_sends_nothing_and_observe_shows_what_enforce_would_send(policy: Policy) -> None:
    text = "key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    blocked = preview(effective_policy(policy), text)
    assert blocked.decision.action == "block"
    assert set(blocked.outputs.values()) == {None}
    observed = preview(effective_policy(policy, "trial"), text, destinations=["llm"])
    assert observed.observe
    assert observed.decision.action == "block"
    assert observed.decision.observe
    assert observed.outputs["llm"] == "key:\n[PRIVATE_KEY_1]\n"


def test_records_keep_their_shape_and_follow_field_rules(policy: Policy) -> None:
    record = {
        "order": {"id": "536-22-8817", "total": 12.5},
        "customer": {"email": "jane.doe@example.com", "member": 4471209, "note": "SSN 536-22-8817"},
        "items": [{"sku": "A-1", "ssn": 536228817}],
    }
    result = preview(effective_policy(policy), record, destinations=["llm", "logs"])
    paths = [(f.path, f.entity.type) for f in result.findings]
    assert paths == [
        ("customer.email", "EMAIL_ADDRESS"),  # implied by the field name
        ("customer.member", "US_BANK_ACCOUNT"),  # declared by a field rule, although a number
        ("customer.note", "US_SSN"),  # scanned
        ("items[0].ssn", "US_SSN"),
    ]
    llm, logs = result.outputs["llm"], result.outputs["logs"]
    assert llm["order"] == {"id": "536-22-8817", "total": 12.5}  # scan: false
    assert llm["customer"] == {"email": "[EMAIL_1]", "member": "[BANK_ACCOUNT_1]", "note": "SSN [SSN_1]"}
    assert llm["items"] == [{"sku": "A-1", "ssn": "[SSN_1]"}]  # the same SSN, the same placeholder
    assert logs["customer"]["member"] == 4471209  # the field's own method for logs: keep, type kept too
    assert logs["customer"]["note"] == "SSN [SSN]"
    assert record["customer"]["email"] == "jane.doe@example.com"  # the input is never modified


def test_collect_leaves_rejects_what_is_not_a_sample(policy: Policy) -> None:
    from coatcheck.errors import InputError

    with pytest.raises(InputError, match="not int"):
        collect_leaves(effective_policy(policy), 42)


def test_a_given_keyring_is_used(policy: Policy) -> None:
    keys = Keyring.ephemeral(b"k" * 32)
    view = effective_policy(policy)
    one = preview(view, TEXT, destinations=["training"], keyring=keys).outputs["training"]
    two = preview(view, TEXT, destinations=["training"], keyring=keys).outputs["training"]
    assert one == two  # the same key gives the same stand-ins
    assert "jane.doe@example.com" not in one


def test_protector_for_a_destination_uses_the_policy(policy: Policy) -> None:
    from coatcheck.errors import MissingKeyError

    view = effective_policy(policy)
    llm = view.protector("llm")
    assert llm.protect(TEXT).text == "Mail [EMAIL_1] or help@shop.example about SSN [SSN_1] from [IP_1]"
    assert llm.context.ttl == 3600  # request-scoped retention by default
    assert view.protector("llm", persistent=True).context.ttl == 90 * 86400
    with pytest.raises(MissingKeyError):
        view.protector("compliance")  # encrypt needs a keyring
    assert "jane.doe" not in view.protector("compliance", keyring=Keyring.ephemeral()).protect(TEXT).text
