"""The example policies on realistic samples: what each destination receives, and what is blocked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coatcheck.keys import Keyring
from coatcheck.policy import Policy, effective_policy, load_policy
from coatcheck.policy.preview import Preview, preview
from coatcheck.policy.samples import read_samples

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def run(policy_name: str, samples_name: str) -> dict[str, Preview]:
    policy = load_policy(EXAMPLES / f"{policy_name}.yaml")
    keys = Keyring.ephemeral(b"\x01" * 32)
    return {
        s.label: preview(effective_policy(policy, s.tenant), s.data, keyring=keys)
        for s in read_samples(EXAMPLES / "samples" / f"{samples_name}.jsonl")
    }


def flat(output: Any) -> str:
    return output if isinstance(output, str) else json.dumps(output)


def assert_absent(result: Preview, destinations: list[str], *values: str) -> None:
    for destination in destinations:
        for value in values:
            assert value not in flat(result.outputs[destination]), (destination, value)


@pytest.fixture(scope="module")
def healthcare() -> dict[str, Preview]:
    return run("healthcare-assistant", "healthcare")


@pytest.fixture(scope="module")
def fintech() -> dict[str, Preview]:
    return run("fintech-support", "fintech")


@pytest.fixture(scope="module")
def devtool() -> dict[str, Preview]:
    return run("internal-devtool", "devtool")


# -- healthcare assistant: the clinical picture reaches the model, the patient does not ----------------


def test_healthcare_visit_note(healthcare: dict[str, Preview]) -> None:
    note = healthcare["visit-note"]
    assert note.decision.action == "allow"
    assert {f.entity.type for f in note.findings} >= {"PERSON", "DATE_OF_BIRTH", "MEDICAL_RECORD_NUMBER"}
    llm = note.outputs["llm"]
    assert "Maria Gonzalez" not in llm
    assert "LH-4471209" not in llm
    assert "1984-03-12" not in llm
    assert "type 2 diabetes" in llm
    assert "metformin 500 mg" in llm
    assert "(DOB 1984, MRN [MRN_1])" in llm  # year only; the MRN is a placeholder
    assert_absent(note, ["logs", "dashboard", "compliance", "embeddings", "training"], "Maria Gonzalez", "LH-4471209")
    assert "type 2 diabetes" not in note.outputs["logs"]
    assert note.outputs["compliance"].count("cc1:") >= 3  # encrypted, reversible for the privacy officer
    assert "MRN )" in note.outputs["training"]  # the record number is dropped from training data


def test_healthcare_blocks_payment_data(healthcare: dict[str, Preview]) -> None:
    billing = healthcare["billing"]
    assert billing.decision.action == "block"
    assert billing.decision.entity_types == ("CREDIT_CARD",)
    assert set(billing.outputs.values()) == {None}


def test_healthcare_question_generalizes_age(healthcare: dict[str, Preview]) -> None:
    question = healthcare["question"]
    assert question.outputs["llm"] == "Can a 40-44 years old patient with hypertension take ibuprofen?"
    # the AGE span is the number alone ("42"), as presidio-evaluator labels it
    assert question.outputs["logs"] == "Can a [AGE_1] years old patient with [CONDITION_1] take [MEDICATION_1]?"


def test_healthcare_pilot_clinic_only_observes(healthcare: dict[str, Preview]) -> None:
    pilot = healthcare["pilot"]
    assert pilot.observe
    assert pilot.tenant == "pilot-clinic"
    assert pilot.outputs["llm"] == "Pull up chart [MRN_1] and email the summary to [EMAIL_1]"


def test_healthcare_chart_record(healthcare: dict[str, Preview]) -> None:
    chart = healthcare["chart"]
    llm, dashboard = chart.outputs["llm"], chart.outputs["dashboard"]
    assert llm["patient"] == {
        "name": "[PERSON_1]",
        "ssn": "[SSN_1]",
        "mrn": "[MRN_1]",
        "insurance": {"member_id": "[MRN_2]"},
    }
    assert llm["encounters"][0]["notes"] == "Asthma follow-up; call [PHONE_1] with results"
    assert dashboard["patient"]["mrn"] == "**-****209"  # mask(visible=3)
    assert dashboard["patient"]["insurance"]["member_id"] == "[MRN_1]"  # the field's own dashboard method
    assert dashboard["patient"]["ssn"] == "[SSN]"


# -- fintech support desk: cards never reach the model, passwords stop the request ---------------------


def test_fintech_double_charge(fintech: dict[str, Preview]) -> None:
    charge = fintech["double-charge"]
    assert charge.decision.action == "allow"
    assert charge.outputs["llm"] == (
        "Please check account [BANK_ACCOUNT_1], my card [CARD] was charged twice. Reach me at [EMAIL_1]"
    )
    assert charge.outputs["logs"] == (
        "Please check account [BANK_ACCOUNT], my card **** **** **** 0366 was charged twice. "
        "Reach me at d****@example.com"
    )
    assert charge.outputs["crm"].endswith("Reach me at dana.w@example.com")  # agents need to reply
    assert_absent(charge, list(charge.outputs), "4532 0151 1283 0366")


def test_fintech_password_blocks_and_trial_tenant_only_observes(fintech: dict[str, Preview]) -> None:
    assert fintech["password"].decision.action == "block"
    assert set(fintech["password"].outputs.values()) == {None}
    trial = fintech["trial"]
    assert (trial.decision.action, trial.observe) == ("block", True)
    assert trial.outputs["crm"] == "my password is  and my email is lena.k@example.com"  # drop


def test_fintech_ticket_record(fintech: dict[str, Preview]) -> None:
    ticket = fintech["ticket"]
    assert ticket.outputs["llm"] == {
        "customer": {"ssn": "[SSN]", "cards": [{"number": "[CARD]"}]},
        "ticket": {"id": "536-22-8817", "body": "Customer asks about a charge; reply to [EMAIL_1]"},
    }
    assert ticket.outputs["crm"]["customer"]["cards"][0]["number"] == "************0366"


def test_fintech_eu_desk_iban(fintech: dict[str, Preview]) -> None:
    iban = fintech["eu-iban"]
    assert iban.outputs["llm"] == "Refund to IBAN [IBAN_1] please, thanks"
    assert iban.outputs["logs"] == "Refund to IBAN [IBAN] please, thanks"


# -- internal developer tool: secrets never leave ------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "types"), [("token", ("API_KEY",)), ("db", ("CONNECTION_STRING",)), ("config", ("PASSWORD",))]
)
def test_devtool_blocks_secrets(devtool: dict[str, Preview], sample: str, types: tuple[str, ...]) -> None:
    result = devtool[sample]
    assert (result.decision.action, result.decision.entity_types) == ("block", types)
    assert set(result.outputs.values()) == {None}


def test_devtool_employee_data_stays_inside(devtool: dict[str, Preview]) -> None:
    logs = devtool["logs"]
    assert logs.outputs["llm"] == "Request from [IP_1] by [EMAIL_1] failed at https://docs.acme.example.com/errors"
    assert logs.outputs["logs"] == (
        "Request from 10.2.3.4 by jane.doe@acme.example.com failed at https://docs.acme.example.com/errors"
    )
    contractor = devtool["contractor"]
    assert contractor.outputs["logs"] == "Ask j****@acme.example.com about the 10.2.*.* timeout"


def test_examples_never_echo_secrets_in_findings(devtool: dict[str, Preview], fintech: dict[str, Preview]) -> None:
    for result in (*devtool.values(), *fintech.values()):
        for finding in result.findings:
            assert "s3cretPass" not in repr(finding)
            assert "hunter2" not in repr(finding)


def test_detector_is_built_once_per_effective_policy() -> None:
    view = effective_policy(load_policy(EXAMPLES / "internal-devtool.yaml"))
    assert view.detector() is view.detector()
    assert view.detector().profile == "fast"


def test_default_policy_uses_the_accurate_detector() -> None:
    assert effective_policy(Policy.default()).profile == "accurate"  # names need NER; safety first
