"""The three example policies load, lint clean and decide as their comments say (no detector needed here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coatcheck.detect.types import Entity
from coatcheck.policy import Policy, effective_policy, load_policy
from coatcheck.policy.lint import lint

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
NAMES = ["healthcare-assistant", "fintech-support", "internal-devtool"]


@pytest.fixture(scope="module", params=NAMES)
def example(request: pytest.FixtureRequest) -> Policy:
    return load_policy(EXAMPLES / f"{request.param}.yaml")


def load(name: str) -> Policy:
    return load_policy(EXAMPLES / f"{name}.yaml")


def found(*pairs: tuple[str, float]) -> list[Entity]:
    return [Entity(kind, i * 10, i * 10 + 5, score, "test") for i, (kind, score) in enumerate(pairs)]


def test_examples_are_all_here() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.yaml")) == sorted(NAMES)


def test_example_lints_clean_except_for_observe_tenants(example: Policy) -> None:
    observe_tenants = [t.name for t in example.tenants if t.mode == "observe"]
    assert observe_tenants  # each example shows a tenant measuring before enforcement
    assert lint(example) == [
        f"tenant {name}: mode is observe: data is detected and reported but reaches every destination unchanged"
        for name in observe_tenants
    ]


def test_example_tenants_all_resolve(example: Policy) -> None:
    for tenant in (None, *example.tenant_names()):
        view = effective_policy(example, tenant)
        assert view.detector is not None
        for destination in ("llm", "logs", "embeddings"):
            rules = view.rules_for(destination)
            for secret in ("API_KEY", "PRIVATE_KEY", "PASSWORD", "US_SSN", "CREDIT_CARD"):
                assert rules[secret].method != "keep", (tenant, destination, secret)


# -- healthcare assistant ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "destination", "entity_type", "method"),
    [
        (None, "llm", "MEDICAL_CONDITION", "keep"),  # the model needs the clinical picture
        (None, "llm", "MEDICATION", "keep"),
        (None, "llm", "PERSON", "redact"),
        (None, "llm", "DATE_OF_BIRTH", "generalize(date='year')"),
        (None, "llm", "AGE", "generalize(age_band=5)"),
        (None, "llm", "US_SSN", "redact"),
        (None, "llm", "API_KEY", "redact(numbered=False)"),
        (None, "logs", "PERSON", "redact"),
        (None, "dashboard", "MEDICAL_RECORD_NUMBER", "mask(visible=3)"),
        (None, "dashboard", "US_SSN", "redact(numbered=False)"),
        (None, "dashboard", "ZIP_CODE", "mask"),  # reclassified personal
        (None, "compliance", "MEDICAL_CONDITION", "encrypt"),
        (None, "training", "MEDICAL_RECORD_NUMBER", "drop"),
        (None, "embeddings", "MEDICAL_CONDITION", "redact"),
        ("st-marys", "llm", "MEDICATION", "redact"),
        ("st-marys", "llm", "MEDICAL_CONDITION", "keep"),
        ("st-marys-pediatrics", "llm", "MEDICATION", "redact"),  # inherited from st-marys
    ],
)
def test_healthcare_methods(tenant: str | None, destination: str, entity_type: str, method: str) -> None:
    view = effective_policy(load("healthcare-assistant"), tenant)
    assert str(view.rules_for(destination)[entity_type]) == method


def test_healthcare_thresholds_and_tenants() -> None:
    policy = load("healthcare-assistant")
    base = effective_policy(policy)
    kids = effective_policy(policy, "st-marys-pediatrics")
    assert (base.threshold_for("PERSON"), kids.threshold_for("PERSON")) == (0.45, 0.4)
    assert base.threshold_for("MEDICAL_CONDITION") == 0.4
    assert base.threshold_for("EMAIL_ADDRESS") == 0.5
    assert str(kids.sensitivity("AGE")) == "regulated"
    assert kids.lineage == ("base", "st-marys", "st-marys-pediatrics")
    assert effective_policy(policy, "pilot-clinic").is_observe
    assert (base.retention_request, base.retention_persistent) == (1800, 2190 * 86400)
    assert base.can_reidentify("care_team", "PERSON", "treatment")
    assert not base.can_reidentify("care_team", "PERSON", "marketing")
    assert not base.can_decrypt("care_team", "MEDICAL_CONDITION", "treatment")
    assert base.can_decrypt("privacy_officer", "MEDICAL_CONDITION", "legal_hold")


@pytest.mark.parametrize(
    ("entities", "action", "types"),
    [
        (found(("MEDICAL_CONDITION", 0.9), ("MEDICATION", 0.9)), "allow", ("MEDICAL_CONDITION", "MEDICATION")),
        (found(("PERSON", 0.5), ("MEDICAL_CONDITION", 0.9)), "review", ("PERSON",)),
        (found(("MEDICAL_CONDITION", 0.55)), "review", ("MEDICAL_CONDITION",)),
        (found(("PERSON", 0.9), ("CREDIT_CARD", 0.95)), "block", ("CREDIT_CARD",)),
        (found(("PRIVATE_KEY", 0.99)), "block", ("PRIVATE_KEY",)),
    ],
)
def test_healthcare_decisions(entities: list[Entity], action: str, types: tuple[str, ...]) -> None:
    decision = effective_policy(load("healthcare-assistant")).decide(entities)
    assert (decision.action, decision.entity_types) == (action, types)


# -- fintech support desk ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "destination", "entity_type", "method"),
    [
        (None, "llm", "CREDIT_CARD", "redact(numbered=False)"),  # PCI: never linked, never restored
        (None, "llm", "US_BANK_ACCOUNT", "redact"),
        (None, "llm", "PERSON", "redact"),
        (None, "llm", "SWIFT_BIC", "keep"),  # reclassified public
        (None, "logs", "CREDIT_CARD", "mask(visible=4)"),
        (None, "logs", "US_SSN", "redact(numbered=False)"),
        (None, "compliance", "PASSWORD", "drop"),
        (None, "crm", "PERSON", "keep"),
        (None, "crm", "CREDIT_CARD", "mask(visible=4)"),
        (None, "crm", "PASSWORD", "drop"),
        (None, "crm", "DATE_OF_BIRTH", "mask"),
        ("eu-desk", "llm", "PERSON", "redact(numbered=False)"),
        ("eu-desk", "llm", "LOCATION", "redact"),  # raised to personal
        ("eu-desk-trial", "llm", "PERSON", "redact(numbered=False)"),
    ],
)
def test_fintech_methods(tenant: str | None, destination: str, entity_type: str, method: str) -> None:
    view = effective_policy(load("fintech-support"), tenant)
    assert str(view.rules_for(destination)[entity_type]) == method


@pytest.mark.parametrize(
    ("tenant", "entities", "action", "observe"),
    [
        (None, found(("PASSWORD", 0.9)), "block", False),
        (None, found(("CREDIT_CARD", 0.6)), "review", False),
        (None, found(("CREDIT_CARD", 0.95), ("PERSON", 0.9)), "allow", False),
        (None, found(("IBAN_CODE", 0.65)), "review", False),
        ("eu-desk-trial", found(("PASSWORD", 0.9)), "block", True),
    ],
)
def test_fintech_decisions(tenant: str | None, entities: list[Entity], action: str, observe: bool) -> None:
    decision = effective_policy(load("fintech-support"), tenant).decide(entities)
    assert (decision.action, decision.observe) == (action, observe)


def test_fintech_response_and_access() -> None:
    base = effective_policy(load("fintech-support"))
    assert base.response_action("US_BANK_ACCOUNT") == "block"
    assert base.response_action("URL") == "allow"
    assert base.can_reidentify("fraud_analyst", "CREDIT_CARD", "fraud_investigation")
    assert not base.can_reidentify("fraud_analyst", "US_SSN", "fraud_investigation")
    assert effective_policy(load("fintech-support"), "eu-desk").retention_request == 600


# -- internal developer tool ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "destination", "entity_type", "method"),
    [
        (None, "llm", "API_KEY", "redact(numbered=False)"),
        (None, "llm", "EMAIL_ADDRESS", "redact"),  # internal, but still a placeholder for the model
        (None, "llm", "URL", "keep"),
        (None, "logs", "EMAIL_ADDRESS", "keep"),  # inside the company
        (None, "logs", "CONNECTION_STRING", "redact(numbered=False)"),
        (None, "embeddings", "PRIVATE_KEY", "drop"),
        (None, "compliance", "API_KEY", "hash(prefix='fp_')"),
        (None, "compliance", "JWT", "hash"),
        ("contractors", "logs", "EMAIL_ADDRESS", "mask"),  # raised to personal
        ("contractors", "logs", "IP_ADDRESS", "mask"),
        ("contractors", "llm", "PERSON", "redact(numbered=False)"),
    ],
)
def test_devtool_methods(tenant: str | None, destination: str, entity_type: str, method: str) -> None:
    view = effective_policy(load("internal-devtool"), tenant)
    assert str(view.rules_for(destination)[entity_type]) == method


@pytest.mark.parametrize(
    ("entities", "action", "types"),
    [
        (found(("API_KEY", 0.95)), "block", ("API_KEY",)),
        (found(("CONNECTION_STRING", 0.9), ("EMAIL_ADDRESS", 0.9)), "block", ("CONNECTION_STRING",)),
        (found(("EMAIL_ADDRESS", 0.9), ("IP_ADDRESS", 0.9)), "allow", ("EMAIL_ADDRESS", "IP_ADDRESS")),
    ],
)
def test_devtool_decisions(entities: list[Entity], action: str, types: tuple[str, ...]) -> None:
    decision = effective_policy(load("internal-devtool")).decide(entities)
    assert (decision.action, decision.entity_types) == (action, types)


def test_devtool_fields_and_access() -> None:
    view = effective_policy(load("internal-devtool"))
    rule = view.field_rule(("services", "db", "password"))
    assert rule is not None
    assert rule.entity == "PASSWORD"
    assert view.field_rule(("env", "HOME")) is not None
    assert view.retention_persistent is None
    assert view.can_reidentify("security_oncall", "EMAIL_ADDRESS", "incident_response")
    assert not view.can_reidentify("security_oncall", "API_KEY", "incident_response")
