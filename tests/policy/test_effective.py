"""Merging tenants and resolving methods, thresholds, decisions and access: no detector needed."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coatcheck.detect.types import Entity
from coatcheck.entities import ENTITY_TYPES, Sensitivity
from coatcheck.errors import PolicyError, PolicyViolation
from coatcheck.policy import Decision, Policy, effective_policy, load_policy, loads_policy

CREDENTIALS = ["API_KEY", "JWT", "PRIVATE_KEY", "PASSWORD", "CONNECTION_STRING"]
IDENTIFIERS = [
    "US_SSN", "US_ITIN", "US_EIN", "US_PASSPORT", "US_DRIVER_LICENSE", "UK_NHS", "UK_NINO",
    "CREDIT_CARD", "IBAN_CODE", "US_BANK_ACCOUNT", "ABA_ROUTING_NUMBER", "CRYPTO_WALLET",
]  # fmt: skip

POLICY = """
mode: enforce
detection:
  profile: fast
  min_score: 0.55
  thresholds:
    PERSON: 0.7
    regulated: 0.35
  allow: [support@example.com]
classification:
  ZIP_CODE: personal
destinations:
  llm:
    default: redact
    methods:
      public: keep
      internal: keep
      US_SSN: {method: redact, numbered: false}
  logs:
    default: mask
    methods:
      regulated: {method: redact, numbered: false}
      personal: generalize
  crm:
    methods:
      PERSON: keep
fields:
  - path: patient.ssn
    entity: US_SSN
  - path: "**.notes"
    scan: true
decisions:
  block: [PRIVATE_KEY, sensitive]
  review: {low: 0.35, high: 0.6, targets: [PERSON, regulated]}
response:
  action: mask
  targets: [regulated]
retention:
  request: 15m
  persistent: never
access:
  - role: privacy_officer
    may: [decrypt, reidentify]
    targets: [regulated]
    purposes: [legal_hold]
  - role: support
    may: [reidentify]
    targets: [PERSON, EMAIL_ADDRESS]
    purposes: [customer_request]
tenants:
  - name: acme
    mode: observe
    detection:
      thresholds: {PERSON: 0.6}
      allow: [help@acme.example]
      recognizers:
        - {name: acme_member, entity: MEDICAL_RECORD_NUMBER, pattern: 'AM-\\d{6}', score: 0.8}
    classification:
      LOCATION: personal
    destinations:
      llm:
        methods:
          personal: {method: redact, numbered: false}
    decisions:
      block: [CREDIT_CARD]
  - name: acme-eu
    extends: acme
    mode: enforce
    destinations:
      logs:
        default: {method: redact, numbered: false}
    fields:
      - path: patient.ssn
        entity: US_SSN
        destinations: {logs: drop}
    decisions:
      review: {low: 0.5, high: 0.9}
    response: {action: block}
    retention: {request: 5m}
    access: []
"""


@pytest.fixture(scope="module")
def policy() -> Policy:
    return loads_policy(POLICY, "test.yaml")


def entity(kind: str, score: float = 0.9) -> Entity:
    return Entity(kind, 0, 4, score, "test", "xxxx")


# -- defaults ------------------------------------------------------------------------------------------


def test_default_policy_enforces_and_never_sends_secrets_or_identifiers_in_clear() -> None:
    view = effective_policy(load_policy(None))
    assert view.mode == "enforce"
    assert not view.is_observe
    for destination in ("llm", "logs", "embeddings"):
        rules = view.rules_for(destination)
        for name in CREDENTIALS + IDENTIFIERS:
            assert rules[name].method != "keep", (destination, name)
        for name in CREDENTIALS:  # secrets: an unnumbered placeholder, nothing to restore or correlate
            assert str(rules[name]) == "redact(numbered=False)"


def test_default_policy_has_every_builtin_destination_for_every_type() -> None:
    view = effective_policy(Policy.default())
    assert view.destination_names() == ("llm", "logs", "dashboard", "compliance", "training", "embeddings")
    for destination in view.destination_names():
        assert set(view.rules_for(destination)) == set(ENTITY_TYPES)
    assert view.rules_for("llm")["EMAIL_ADDRESS"].method == "redact"
    assert view.rules_for("compliance")["PERSON"].method == "encrypt"


# -- method resolution ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "destination", "entity_type", "expected"),
    [
        (None, "llm", "US_SSN", "redact(numbered=False)"),  # type rule
        (None, "llm", "URL", "keep"),  # class rule (public)
        (None, "llm", "ZIP_CODE", "redact"),  # reclassified personal: no class rule, so the default
        (None, "llm", "PERSON", "redact"),
        (None, "logs", "US_SSN", "redact(numbered=False)"),  # class rule (regulated)
        (None, "logs", "ZIP_CODE", "generalize"),  # personal -> generalize, which handles ZIP codes
        (None, "logs", "PERSON", "mask"),  # generalize cannot protect a name: the rule does not apply to it
        (None, "logs", "URL", "mask"),
        (None, "crm", "PERSON", "keep"),  # a user-defined destination
        (None, "crm", "EMAIL_ADDRESS", "redact"),  # its default, when the file gives none
        (None, "dashboard", "PERSON", "mask"),  # a built-in destination the file does not define
        ("acme", "llm", "PERSON", "redact(numbered=False)"),  # tenant class rule
        ("acme", "llm", "US_SSN", "redact(numbered=False)"),  # base type rule still applies
        ("acme", "llm", "LOCATION", "redact(numbered=False)"),  # raised to personal by the tenant
        ("acme", "llm", "URL", "keep"),
        ("acme-eu", "llm", "PERSON", "redact(numbered=False)"),  # inherited from acme
        ("acme-eu", "logs", "EMAIL_ADDRESS", "redact(numbered=False)"),  # generalize skips it: its own default
        ("acme-eu", "logs", "URL", "redact(numbered=False)"),  # its own default
        ("acme-eu", "logs", "ZIP_CODE", "generalize"),  # parent class rules still beat a default
    ],
)
def test_method_resolution(
    policy: Policy, tenant: str | None, destination: str, entity_type: str, expected: str
) -> None:
    assert str(effective_policy(policy, tenant).rules_for(destination)[entity_type]) == expected


def test_tenant_class_rule_wins_over_parent_type_rule() -> None:
    text = """
    destinations:
      llm:
        methods:
          US_SSN: redact
    tenants:
      - name: strict
        destinations:
          llm:
            methods:
              regulated: drop
    """
    policy = loads_policy(textwrap.dedent(text))
    assert effective_policy(policy).rules_for("llm")["US_SSN"].method == "redact"
    assert effective_policy(policy, "strict").rules_for("llm")["US_SSN"].method == "drop"


def test_methods_for_and_method_table_give_ready_operators(policy: Policy) -> None:
    view = effective_policy(policy)
    spec = view.methods_for("llm")["US_SSN"]
    assert spec.name == "redact"
    assert spec.params.numbered is False  # type: ignore[attr-defined]
    table = view.method_table("llm")
    assert table is view.method_table("llm")  # built once
    assert table.for_type("URL").name == "keep"
    assert table.for_type("NOT_A_TYPE").name == "redact"  # unknown types: the regulated class's method
    assert view.method_for("logs", "NOT_A_TYPE").method == "redact"


def test_unknown_destination_and_tenant_are_policy_errors(policy: Policy) -> None:
    with pytest.raises(PolicyError, match=r"unknown destination 'slack'; destinations: llm, logs, dashboard, "):
        effective_policy(policy).methods_for("slack")
    with pytest.raises(PolicyError, match=r"^unknown tenant 'globex'; tenants in this policy: acme, acme-eu$"):
        effective_policy(policy, "globex")


# -- merging -------------------------------------------------------------------------------------------


def test_tenant_overrides_merge_over_their_parent(policy: Policy) -> None:
    base, acme, eu = (effective_policy(policy, t) for t in (None, "acme", "acme-eu"))
    assert (base.lineage, acme.lineage, eu.lineage) == (("base",), ("base", "acme"), ("base", "acme", "acme-eu"))
    assert (base.mode, acme.mode, eu.mode) == ("enforce", "observe", "enforce")
    assert acme.is_observe
    assert not eu.is_observe
    assert acme.allow == ("support@example.com", "help@acme.example")
    assert [r.name for r in base.recognizers] == []
    assert [r.name for r in eu.recognizers] == ["acme_member"]
    assert acme.sensitivity("LOCATION") == Sensitivity.PERSONAL
    assert base.sensitivity("LOCATION") == Sensitivity.INTERNAL
    assert base.block == ("PRIVATE_KEY", "sensitive")
    assert acme.block == ("PRIVATE_KEY", "sensitive", "CREDIT_CARD")
    assert acme.review == base.review
    assert eu.review is not None
    assert (eu.review.low, eu.review.high, eu.review.targets) == (0.5, 0.9, [])
    assert (acme.response.action, eu.response.action) == ("mask", "block")
    assert eu.response.targets == ["personal", "sensitive", "regulated"]  # a replaced section takes its defaults
    assert (base.retention_request, base.retention_persistent) == (900, None)
    assert (eu.retention_request, eu.retention_persistent) == (300, 90 * 86400)
    assert len(acme.access) == 2
    assert eu.access == ()


def test_thresholds_expand_by_type_then_class_then_min_score(policy: Policy) -> None:
    base, acme = effective_policy(policy), effective_policy(policy, "acme")
    assert base.threshold_for("PERSON") == 0.7
    assert acme.threshold_for("PERSON") == 0.6
    assert base.threshold_for("US_SSN") == 0.35  # class
    assert base.threshold_for("EMAIL_ADDRESS") == 0.55  # min_score
    assert dict(base.thresholds)["US_SSN"] == 0.35
    assert "EMAIL_ADDRESS" not in base.thresholds  # left to default_threshold=min_score
    assert effective_policy(Policy.default()).threshold_for("EMAIL_ADDRESS") == 0.5  # the engine's default


def test_field_rules_merge_by_path(policy: Policy) -> None:
    base, eu = effective_policy(policy), effective_policy(policy, "acme-eu")
    rule = base.field_rule(("patient", "ssn"))
    assert rule is not None
    assert rule.entity == "US_SSN"
    assert rule.destinations == {}
    eu_rule = eu.field_rule(("patient", "ssn"))
    assert eu_rule is not None
    assert eu_rule.destinations["logs"].method == "drop"
    assert [r.path for r in eu.fields] == ["**.notes", "patient.ssn"]
    assert base.field_rule(("visits", 3, "notes")) is not None
    assert base.field_rule(("patient", "name")) is None


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("patient.ssn", ("patient", "ssn"), True),
        ("patient.ssn", ("patient", "ssn", "x"), False),
        ("contacts[*].email", ("contacts", 2, "email"), True),
        ("contacts[].email", ("contacts", 0, "email"), True),
        ("contacts.email", ("contacts", 0, "email"), True),  # list positions never take part
        ("*.email", ("owner", "email"), True),
        ("*.email", ("email",), False),
        ("**.email", ("email",), True),
        ("**.email", ("a", "b", 1, "c", "email"), True),
        ("a.**", ("a",), True),
        ("a.**.z", ("a", "z"), True),
        ("a.**.z", ("a", "b", "y"), False),
    ],
)
def test_field_path_matching(pattern: str, path: tuple[str | int, ...], matches: bool) -> None:
    policy = loads_policy(f"fields:\n  - path: '{pattern}'\n    scan: false\n")
    assert (effective_policy(policy).field_rule(path) is not None) is matches


# -- decisions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "found", "action", "types", "reasons"),
    [
        (None, [], "allow", (), ("nothing detected",)),
        (None, [("EMAIL_ADDRESS", 0.9)], "allow", ("EMAIL_ADDRESS",), ("no block or review rule matched",)),
        (
            None,
            [("PRIVATE_KEY", 0.99), ("EMAIL_ADDRESS", 0.9)],
            "block",
            ("PRIVATE_KEY",),
            ("PRIVATE_KEY (regulated) is blocked by decisions.block: PRIVATE_KEY",),
        ),
        (
            None,
            [("DATE_OF_BIRTH", 0.9), ("US_NPI", 0.9)],
            "block",
            ("DATE_OF_BIRTH", "US_NPI"),
            (
                "DATE_OF_BIRTH (sensitive) is blocked by decisions.block: sensitive",
                "US_NPI (sensitive) is blocked by decisions.block: sensitive",
            ),
        ),
        (
            None,
            [("PERSON", 0.5)],
            "review",
            ("PERSON",),
            ("PERSON score 0.50 lies in the review band [0.35, 0.6)",),
        ),
        (None, [("PERSON", 0.6)], "allow", ("PERSON",), ("no block or review rule matched",)),  # high is exclusive
        (None, [("EMAIL_ADDRESS", 0.4)], "allow", ("EMAIL_ADDRESS",), ("no block or review rule matched",)),
        (
            None,
            [("US_SSN", 0.4), ("PRIVATE_KEY", 0.9)],
            "block",
            ("PRIVATE_KEY",),
            ("PRIVATE_KEY (regulated) is blocked by decisions.block: PRIVATE_KEY",),
        ),
        (
            "acme",
            [("CREDIT_CARD", 0.95)],
            "block",
            ("CREDIT_CARD",),
            ("CREDIT_CARD (regulated) is blocked by decisions.block: CREDIT_CARD",),
        ),
        (None, [("CREDIT_CARD", 0.95)], "allow", ("CREDIT_CARD",), ("no block or review rule matched",)),
        (
            "acme-eu",
            [("EMAIL_ADDRESS", 0.7)],
            "review",
            ("EMAIL_ADDRESS",),
            ("EMAIL_ADDRESS score 0.70 lies in the review band [0.5, 0.9)",),
        ),
        (
            None,
            [("SOMETHING_NEW", 0.9)],  # unknown types count as regulated, not as blocked-sensitive
            "allow",
            ("SOMETHING_NEW",),
            ("no block or review rule matched",),
        ),
    ],
)
def test_decisions(
    policy: Policy,
    tenant: str | None,
    found: list[tuple[str, float]],
    action: str,
    types: tuple[str, ...],
    reasons: tuple[str, ...],
) -> None:
    decision = effective_policy(policy, tenant).decide(entity(t, s) for t, s in found)
    assert (decision.action, decision.entity_types, decision.reasons) == (action, types, reasons)


def test_enforced_block_raises_and_observed_block_does_not(policy: Policy) -> None:
    found = [entity("CREDIT_CARD")]
    observed = effective_policy(policy, "acme").decide(found)
    assert observed.action == "block"
    assert observed.observe
    observed.raise_if_blocked()
    enforced = effective_policy(policy, "acme-eu").decide(found)
    with pytest.raises(PolicyViolation) as caught:
        enforced.raise_if_blocked()
    assert caught.value.entity_types == ("CREDIT_CARD",)
    assert "xxxx" not in str(caught.value)
    Decision("review", ("PERSON",)).raise_if_blocked()


# -- access and responses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "role", "action", "entity_type", "purpose", "allowed"),
    [
        (None, "privacy_officer", "decrypt", "US_SSN", "legal_hold", True),
        (None, "privacy_officer", "reidentify", "MEDICAL_CONDITION", "legal_hold", True),
        (None, "privacy_officer", "decrypt", "US_SSN", "curiosity", False),
        (None, "privacy_officer", "decrypt", "PERSON", "legal_hold", False),  # personal, not regulated
        (None, "support", "reidentify", "PERSON", "customer_request", True),
        (None, "support", "decrypt", "PERSON", "customer_request", False),
        (None, "support", "reidentify", "US_SSN", "customer_request", False),
        (None, "intern", "reidentify", "PERSON", "customer_request", False),
        (None, "privacy_officer", "decrypt", "UNKNOWN_TYPE", "legal_hold", True),  # fail closed: regulated
        ("acme", "support", "reidentify", "PERSON", "customer_request", True),
        ("acme-eu", "support", "reidentify", "PERSON", "customer_request", False),  # access: [] revokes all
    ],
)
def test_access(
    policy: Policy, tenant: str | None, role: str, action: str, entity_type: str, purpose: str, allowed: bool
) -> None:
    view = effective_policy(policy, tenant)
    check = view.can_decrypt if action == "decrypt" else view.can_reidentify
    assert check(role, entity_type, purpose) is allowed


def test_response_action_applies_to_its_targets_only(policy: Policy) -> None:
    base, eu = effective_policy(policy), effective_policy(policy, "acme-eu")
    assert base.response_action("US_SSN") == "mask"
    assert base.response_action("PERSON") == "allow"
    assert eu.response_action("PERSON") == "block"
    assert effective_policy(Policy.default()).response_action("EMAIL_ADDRESS") == "redact"
    assert effective_policy(Policy.default()).response_action("URL") == "allow"


# -- printing ------------------------------------------------------------------------------------------


def test_effective_policy_prints_as_json_without_allow_or_deny_values() -> None:
    policy = loads_policy(
        "detection:\n  allow: [Dana Whitfield]\n  deny:\n    Project Falcon: ORGANIZATION\ntenants:\n  - name: acme\n"
    )
    for tenant in (None, "acme"):
        view = effective_policy(policy, tenant)
        text = json.dumps(view.as_dict())
        assert view.as_dict()["detection"]["deny_values"] == 1
        for shown in (text, repr(view), repr(policy)):
            assert "Dana" not in shown
            assert "Falcon" not in shown


# -- properties ----------------------------------------------------------------------------------------

SELECTORS = st.sampled_from([*sorted(ENTITY_TYPES), "public", "internal", "personal", "sensitive", "regulated"])
SCORES = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(thresholds=st.dictionaries(SELECTORS, SCORES, max_size=8), min_score=st.none() | SCORES)
def test_threshold_precedence_property(thresholds: dict[str, float], min_score: float | None) -> None:
    data: dict[str, object] = {"thresholds": thresholds}
    if min_score is not None:
        data["min_score"] = min_score
    from coatcheck.policy import parse_policy

    view = effective_policy(parse_policy({"detection": data}))
    for name, row in ENTITY_TYPES.items():
        expected = thresholds.get(name, thresholds.get(str(row.sensitivity), min_score))
        assert view.threshold_for(name) == (0.5 if expected is None else expected)


@given(
    layers=st.lists(
        st.dictionaries(SELECTORS, st.sampled_from(["redact", "mask", "drop", "hash"]), max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_a_chain_of_tenants_resolves_to_the_most_derived_matching_rule(layers: list[dict[str, str]]) -> None:
    tenants = [
        {"name": f"t{i}", **({"extends": f"t{i - 1}"} if i else {}), "destinations": {"logs": {"methods": layer}}}
        for i, layer in enumerate(layers)
    ]
    from coatcheck.policy import parse_policy

    view = effective_policy(parse_policy({"tenants": tenants}), f"t{len(layers) - 1}")
    base = effective_policy(Policy.default())
    for name, row in ENTITY_TYPES.items():
        expected = base.rules_for("logs")[name].method
        for layer in layers:  # later (more derived) layers win
            found = layer.get(name, layer.get(str(row.sensitivity)))
            expected = found if found is not None else expected
        assert view.rules_for("logs")[name].method == expected
