"""Observation reports: what would have been protected or blocked, by tenant and type, changing nothing."""

from __future__ import annotations

import json
import textwrap

import pytest

from coatcheck.policy import Policy, loads_policy
from coatcheck.policy.observe import mask_shape, observe
from coatcheck.policy.samples import Sample

POLICY = textwrap.dedent(
    """
    mode: observe
    detection:
      profile: fast
      thresholds:
        EMAIL_ADDRESS: 0.95
    destinations:
      llm:
        default: redact
    decisions:
      block: [US_SSN]
    tenants:
      - name: acme
        mode: enforce
        destinations:
          logs:
            methods:
              EMAIL_ADDRESS: {method: redact, numbered: false}
    """
)

EMAIL_WITH_CONTEXT = "Please email dana.w@example.com today"
EMAIL_NO_CONTEXT = "Reply to dana.w@example.com today"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return loads_policy(POLICY)


def test_report_counts_by_tenant_and_type(policy: Policy) -> None:
    samples = [
        Sample(1, EMAIL_WITH_CONTEXT, id="a"),
        Sample(2, "SSN 536-22-8817 and email jo@example.com", id="b"),
        Sample(3, EMAIL_WITH_CONTEXT, tenant="acme", id="c"),
        Sample(4, {"customer": {"ssn": "536-22-8817"}}, tenant="acme", id="d"),
    ]
    report = observe(policy, samples)
    assert list(report.tenants) == ["base", "acme"]
    base, acme = report.tenants["base"], report.tenants["acme"]
    assert (base.mode, acme.mode) == ("observe", "enforce")
    assert (base.samples, base.decisions["block"], base.decisions["allow"]) == (2, 1, 1)
    assert base.blocked == ["b"]
    assert base.types["EMAIL_ADDRESS"].detected == 2
    assert base.types["US_SSN"].as_dict() == {
        "detected": 1,
        "samples": 1,
        "blocked_samples": 1,
        "methods": {
            "llm": "redact",
            "logs": "redact(numbered=False)",
            "dashboard": "mask",
            "compliance": "encrypt",
            "training": "surrogate",
            "embeddings": "redact(numbered=False)",
        },
    }
    assert acme.types["EMAIL_ADDRESS"].methods["logs"] == "redact(numbered=False)"
    assert acme.blocked == ["d"]  # field named ssn: taken whole as US_SSN


def test_low_confidence_detections_are_listed_masked(policy: Policy) -> None:
    report = observe(policy, [EMAIL_NO_CONTEXT, EMAIL_WITH_CONTEXT], margin=0.15)
    items = [(i.sample, i.type, i.kept) for i in report.low_confidence]
    assert items == [("line 1", "EMAIL_ADDRESS", False), ("line 2", "EMAIL_ADDRESS", True)]
    dropped = report.low_confidence[0]
    assert dropped.score < dropped.threshold == 0.95
    assert dropped.snippet == "Reply to ⟨EMAIL_ADDRESS xxxx.x@xxxxxxx.xxx⟩ today"
    assert report.tenants["base"].types["EMAIL_ADDRESS"].detected == 1  # the dropped one is not counted
    text = json.dumps(report.as_dict(), ensure_ascii=False)
    assert "dana.w" not in text


def test_low_confidence_list_is_limited_but_counted(policy: Policy) -> None:
    report = observe(policy, [EMAIL_NO_CONTEXT] * 5, limit=2)
    assert len(report.low_confidence) == 2
    assert report.low_confidence_total == 5


def test_a_margin_of_zero_lists_nothing_but_exact_ties(policy: Policy) -> None:
    report = observe(policy, [EMAIL_NO_CONTEXT], margin=0.0)
    assert report.low_confidence == []


def test_snippets_mask_every_other_finding_and_cut_between_words() -> None:
    policy = loads_policy("detection:\n  profile: fast\n  thresholds: {EMAIL_ADDRESS: 0.95}\n")
    text = "alpha beta gamma delta epsilon zeta eta theta iota card 4532 0151 1283 0366 reply to dana.w@example.com ok"
    report = observe(policy, [text])
    snippet = report.low_confidence[0].snippet
    assert "dana.w" not in snippet
    assert "4532" not in snippet
    assert "0366" not in snippet
    assert "[CREDIT_CARD]" in snippet
    assert snippet.startswith("…")
    assert snippet[1:].split()[0] in text.split()  # the window starts at a word boundary


@pytest.mark.parametrize(
    ("value", "shape"),
    [("Dana Whitfield", "Xxxx Xxxxxxxxx"), ("536-22-8817", "999-99-9999"), ("a" * 30, "x" * 24 + "…")],
)
def test_mask_shape(value: str, shape: str) -> None:
    assert mask_shape(value) == shape
