"""Warnings for valid but risky policies, shown to the reviewer by `policy check`."""

from __future__ import annotations

import textwrap

from coatcheck.policy import Policy, loads_policy
from coatcheck.policy.lint import lint


def test_default_policy_has_no_warnings() -> None:
    assert lint(Policy.default()) == []


def test_clear_text_secrets_and_identifiers_are_flagged_per_destination() -> None:
    policy = loads_policy(
        textwrap.dedent(
            """
            destinations:
              llm:
                default: redact
                methods:
                  API_KEY: keep
                  regulated: keep
              dashboard:
                default: keep
            """
        )
    )
    warnings = lint(policy)
    assert len(warnings) == 1  # dashboard is for people inside: keep there is not flagged
    assert warnings[0].startswith("base: llm receives API_KEY, CONNECTION_STRING, JWT, PASSWORD, PRIVATE_KEY, ")
    assert warnings[0].endswith(" in clear (keep)")
    assert "US_SSN" in warnings[0]
    assert "SWIFT_BIC" not in warnings[0]  # a business code, not a person's identifier


def test_unreachable_review_band_and_observe_tenants_are_flagged() -> None:
    policy = loads_policy(
        textwrap.dedent(
            """
            detection:
              thresholds: {PERSON: 0.8}
            decisions:
              review: {low: 0.3, high: 0.6, targets: [PERSON, EMAIL_ADDRESS]}
            tenants:
              - name: pilot
                mode: observe
            """
        )
    )
    assert lint(policy) == [
        "base: review band [0.3, 0.6) lies below the detection threshold of PERSON: those detections never reach "
        "review",
        "tenant pilot: mode is observe: data is detected and reported but reaches every destination unchanged",
        "tenant pilot: review band [0.3, 0.6) lies below the detection threshold of PERSON: those detections never "
        "reach review",
    ]
