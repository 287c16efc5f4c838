"""A malformed policy fails at load with FILE:LINE, the path, what is wrong and what is allowed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import PolicyError
from coatcheck.policy import load_policy, loads_policy, parse_policy

TYPES = ", ".join(sorted(ENTITY_TYPES))
METHODS = "drop, encrypt, generalize, hash, keep, mask, redact, surrogate, tokenize"
CLASSES = "public, internal, personal, sensitive, regulated"

# (case id, policy YAML, the exact error)
MALFORMED = [
    (
        "wrong type: string for a number",
        """
        detection:
          min_score: high
        """,
        "p.yaml:3: detection.min_score: expected a number, got a string",
    ),
    (
        "wrong type: boolean for a number (YAML 'yes')",
        """
        detection:
          thresholds:
            PERSON: yes
        """,
        "p.yaml:4: detection.thresholds.PERSON: expected a number, got a boolean",
    ),
    (
        "wrong type: list for a mapping",
        """
        mode: enforce
        destinations: [llm, logs]
        """,
        "p.yaml:3: destinations: expected a mapping, got a list",
    ),
    (
        "wrong type: a list where a policy belongs",
        """
        - mode: enforce
        """,
        "p.yaml:1: policy: expected a mapping with fields version, description, mode, detection, classification, "
        "destinations, fields, decisions, response, retention, access, tenants, got a list",
    ),
    (
        "unknown field, with a suggestion",
        """
        detection:
          profile: fast
          tresholds:
            PERSON: 0.5
        """,
        "p.yaml:4: detection.tresholds: unknown field 'tresholds' (did you mean 'thresholds'?); "
        "allowed here: profile, min_score, thresholds, allow, deny, recognizers",
    ),
    (
        "unknown method as a default",
        """
        destinations:
          llm:
            default: maks
        """,
        f"p.yaml:4: destinations.llm.default: unknown method 'maks' (did you mean 'mask'?); methods: {METHODS}",
    ),
    (
        "unknown method in a mapping",
        """
        destinations:
          logs:
            methods:
              US_SSN: {method: shred}
        """,
        f"p.yaml:5: destinations.logs.methods.US_SSN.method: unknown method 'shred'; methods: {METHODS}",
    ),
    (
        "unknown method parameter",
        """
        destinations:
          logs:
            methods:
              CREDIT_CARD:
                method: mask
                keep_last: 4
        """,
        "p.yaml:7: destinations.logs.methods.CREDIT_CARD.keep_last: mask: parameter 'keep_last': "
        "Extra inputs are not permitted; parameters of mask: char, visible, direction",
    ),
    (
        "method parameter out of range",
        """
        destinations:
          logs:
            methods:
              CREDIT_CARD: {method: mask, visible: -1}
        """,
        "p.yaml:5: destinations.logs.methods.CREDIT_CARD.visible: mask: parameter 'visible': "
        "Input should be greater than or equal to 0; parameters of mask: char, visible, direction",
    ),
    (
        "method that cannot handle the type",
        """
        destinations:
          dashboard:
            methods:
              PERSON: generalize
        """,
        "p.yaml:5: destinations.dashboard.methods.PERSON: method 'generalize' cannot protect PERSON; "
        "it supports only AGE, DATE_OF_BIRTH, DATE_TIME, IP_ADDRESS, ZIP_CODE",
    ),
    (
        "unknown entity type, with a suggestion",
        """
        classification:
          US_SNN: regulated
        """,
        f"p.yaml:3: classification.US_SNN: unknown entity type 'US_SNN' (did you mean 'US_SSN'?); known types: {TYPES}",
    ),
    (
        "unknown entity type in a recognizer",
        """
        detection:
          recognizers:
            - name: member_id
              entity: MEMBER_ID
              pattern: 'M-\\d{8}'
              score: 0.6
        """,
        f"p.yaml:5: detection.recognizers[0].entity: unknown entity type 'MEMBER_ID'; known types: {TYPES}",
    ),
    (
        "unknown class as a value",
        """
        classification:
          PERSON: secret
        """,
        f"p.yaml:3: classification.PERSON: unknown class 'secret'; classes: {CLASSES}",
    ),
    (
        "unknown class as a rule target",
        """
        decisions:
          block: [PRIVATE_KEY, regulatd]
        """,
        f"p.yaml:3: decisions.block[1]: unknown class 'regulatd' (did you mean 'regulated'?); classes: {CLASSES}",
    ),
    (
        "neither type nor class",
        """
        destinations:
          llm:
            methods:
              Person: keep
        """,
        "p.yaml:5: destinations.llm.methods.Person: 'Person' is neither an entity type (UPPER_SNAKE, e.g. US_SSN) "
        f"nor a class ({CLASSES})",
    ),
    (
        "duplicate tenants",
        """
        tenants:
          - name: acme
          - name: globex
            mode: observe
          - name: acme
            mode: observe
        """,
        "p.yaml:6: tenants[2].name: duplicate tenant 'acme' (already defined by tenants[0])",
    ),
    (
        "duplicate YAML keys",
        """
        mode: enforce
        detection:
          profile: fast
          min_score: 0.5
          profile: accurate
        """,
        "p.yaml:6: duplicate key 'detection.profile' (first defined at line 4)",
    ),
    (
        "duplicate YAML keys: two tenants under one mapping key",
        """
        destinations:
          llm: {default: redact}
          llm: {default: keep}
        """,
        "p.yaml:4: duplicate key 'destinations.llm' (first defined at line 3)",
    ),
    (
        "cycle in inheritance",
        """
        tenants:
          - name: a
            extends: c
          - name: b
            extends: a
          - name: c
            extends: b
        """,
        "p.yaml:4: tenants[0].extends: tenant inheritance cycle: a -> c -> b -> a",
    ),
    (
        "a tenant that extends itself",
        """
        tenants:
          - name: solo
            extends: solo
        """,
        "p.yaml:4: tenants[0].extends: tenant inheritance cycle: solo -> solo",
    ),
    (
        "extends an unknown tenant",
        """
        tenants:
          - name: a
            extends: zz
        """,
        "p.yaml:4: tenants[0].extends: tenant 'a' extends unknown tenant 'zz'; tenants: a",
    ),
    (
        "threshold above 1",
        """
        detection:
          thresholds:
            PERSON: 1.5
        """,
        "p.yaml:4: detection.thresholds.PERSON: score 1.5 is out of range; scores and thresholds lie between 0 and 1",
    ),
    (
        "threshold below 0",
        """
        detection:
          min_score: -0.1
        """,
        "p.yaml:3: detection.min_score: score -0.1 is out of range; scores and thresholds lie between 0 and 1",
    ),
    (
        "recognizer score out of range",
        """
        detection:
          recognizers:
            - name: member_id
              entity: MEDICAL_RECORD_NUMBER
              pattern: 'M-\\d{8}'
              score: 2
        """,
        "p.yaml:7: detection.recognizers[0].score: score 2.0 is out of range; "
        "scores and thresholds lie between 0 and 1",
    ),
    (
        "review thresholds in the wrong order",
        """
        decisions:
          review:
            low: 0.8
            high: 0.4
        """,
        "p.yaml:4: decisions.review.low: review thresholds in the wrong order: low (0.8) must be below high (0.4)",
    ),
    (
        "review thresholds equal",
        """
        decisions:
          review: {low: 0.5, high: 0.5}
        """,
        "p.yaml:3: decisions.review.low: review thresholds in the wrong order: low (0.5) must be below high (0.5)",
    ),
    (
        "required fields missing (each reported)",
        """
        detection:
          recognizers:
            - name: member_id
              entity: MEDICAL_RECORD_NUMBER
        """,
        "p.yaml:4: detection.recognizers[0]: required field 'pattern' is missing\n"
        "p.yaml:4: detection.recognizers[0]: required field 'score' is missing",
    ),
    (
        "pattern that RE2 cannot compile",
        """
        detection:
          recognizers:
            - name: lookbehind
              entity: PERSON
              pattern: '(?<=Dr\\. )\\w+'
              score: 0.5
        """,
        "p.yaml:6: detection.recognizers[0].pattern: pattern does not compile in RE2: invalid perl operator: (?<=",
    ),
    (
        "unknown validator",
        """
        detection:
          recognizers:
            - name: member_id
              entity: MEDICAL_RECORD_NUMBER
              pattern: 'M-\\d{8}'
              score: 0.6
              validator: lunh
        """,
        None,  # checked below: the message lists the validators, which another module owns
    ),
    (
        "recognizer example the pattern does not match",
        """
        detection:
          recognizers:
            - name: member_id
              entity: MEDICAL_RECORD_NUMBER
              pattern: 'M-\\d{8}'
              score: 0.6
              examples:
                - "member «M-1234» called"
        """,
        "p.yaml:9: detection.recognizers[0].examples[0]: recognizer 'member_id': "
        "the pattern does not match the marked value",
    ),
    (
        "recognizer counterexample that matches",
        """
        detection:
          recognizers:
            - name: member_id
              entity: MEDICAL_RECORD_NUMBER
              pattern: 'M-\\d{8}'
              score: 0.6
              counterexamples:
                - "ticket M-12345678"
        """,
        "p.yaml:9: detection.recognizers[0].counterexamples[0]: recognizer 'member_id': a counterexample matches",
    ),
    (
        "two recognizers with one name",
        """
        detection:
          recognizers:
            - {name: member_id, entity: MEDICAL_RECORD_NUMBER, pattern: 'M-\\d{8}', score: 0.6}
            - {name: member_id, entity: MEDICAL_RECORD_NUMBER, pattern: 'N-\\d{8}', score: 0.6}
        """,
        "p.yaml:5: detection.recognizers[1].name: recognizer name 'member_id' is used twice",
    ),
    (
        "invalid mode",
        """
        mode: audit
        """,
        "p.yaml:2: mode: 'audit' is not allowed; choose one of: enforce, observe",
    ),
    (
        "invalid response action",
        """
        response:
          action: scrub
        """,
        "p.yaml:3: response.action: 'scrub' is not allowed; choose one of: redact, mask, block, allow",
    ),
    (
        "invalid duration",
        """
        retention:
          request: 10 minutes
        """,
        "p.yaml:3: retention.request: invalid duration '10 minutes'; write a number of seconds or e.g. 30s, 15m, "
        "12h, 90d",
    ),
    (
        "unsupported version",
        """
        version: 2
        """,
        "p.yaml:2: version: unsupported policy version 2; this coatcheck reads version 1",
    ),
    (
        "invalid field path",
        """
        fields:
          - path: patient..ssn
            entity: US_SSN
        """,
        "p.yaml:3: fields[0].path: invalid segment '' in field path; write keys separated by dots, with [*] after "
        "a list key, * for one key and ** for any number of keys",
    ),
    (
        "field rule naming an unknown destination",
        """
        fields:
          - path: patient.ssn
            destinations:
              slack: redact
        """,
        "p.yaml:5: fields[0].destinations.slack: field rule 'patient.ssn' names unknown destination 'slack'; "
        "destinations: llm, logs, dashboard, compliance, training, embeddings",
    ),
    (
        "access grant without purposes",
        """
        access:
          - role: auditor
            may: [decrypt]
            targets: [regulated]
            purposes: []
        """,
        "p.yaml:6: access[0].purposes: List should have at least 1 item after validation, not 0",
    ),
    (
        "tenant loosening a destination to clear text",
        """
        tenants:
          - name: acme
            destinations:
              llm:
                methods:
                  US_SSN: keep
        """,
        "p.yaml:7: tenants[0].destinations.llm.methods.US_SSN: tenant 'acme' would send US_SSN to 'llm' in clear "
        "(keep) where the base policy protects it (redact); tenants may only make destinations stricter",
    ),
    (
        "tenant lowering a class",
        """
        tenants:
          - name: acme
            classification:
              US_SSN: public
        """,
        "p.yaml:5: tenants[0].classification.US_SSN: tenant 'acme' may only raise the class of US_SSN "
        "(the base policy: regulated), not lower it to public",
    ),
    (
        "tenant redefining an inherited recognizer",
        """
        detection:
          recognizers:
            - {name: member_id, entity: MEDICAL_RECORD_NUMBER, pattern: 'M-\\d{8}', score: 0.6}
        tenants:
          - name: acme
            detection:
              recognizers:
                - {name: member_id, entity: MEDICAL_RECORD_NUMBER, pattern: 'A-\\d{8}', score: 0.6}
        """,
        "p.yaml:9: tenants[0].detection.recognizers[0].name: recognizer 'member_id' is already defined by the base "
        "policy; tenants add recognizers under new names",
    ),
    (
        "YAML merge keys",
        """
        destinations:
          llm: &strict {default: redact}
          logs:
            <<: *strict
        """,
        "p.yaml:5: YAML merge keys (<<) are not supported in a policy; use tenants",
    ),
    (
        "invalid YAML",
        """
        mode: [enforce
        """,
        "p.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'",
    ),
]


def _yaml(text: str) -> str:
    return textwrap.dedent(text)


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in MALFORMED if e], ids=[c for c, _, e in MALFORMED if e]
)
def test_malformed_policy_names_file_line_and_problem(text: str, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        loads_policy(_yaml(text), "p.yaml")
    assert str(caught.value) == expected


def test_unknown_validator_lists_the_real_validators() -> None:
    text = next(t for case, t, _ in MALFORMED if case == "unknown validator")
    with pytest.raises(PolicyError) as caught:
        loads_policy(_yaml(text), "p.yaml")
    message = str(caught.value)
    assert message.startswith(
        "p.yaml:8: detection.recognizers[0].validator: unknown validator 'lunh' (did you mean 'luhn'?); validators: "
    )
    assert "credit_card" in message
    assert "shannon_entropy" not in message  # a helper returning a number is not a validator


def test_error_from_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("mode: enforce\ndetection:\n  min_score: 7\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"^.*policy\.yaml:3: detection\.min_score: score 7\.0 is out of range"):
        load_policy(path)


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"missing\.yaml: cannot read the policy file"):
        load_policy(tmp_path / "missing.yaml")


def test_errors_from_plain_data_name_the_path_without_a_line() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy({"decisions": {"review": {"low": 0.9, "high": 0.1}}}, "inline")
    assert str(caught.value) == (
        "inline: decisions.review.low: review thresholds in the wrong order: low (0.9) must be below high (0.1)"
    )


def test_errors_never_show_allow_or_deny_values() -> None:
    text = """
    detection:
      allow: ["Dana Whitfield", 42]
      deny:
        Sarah Chen: PERSNO
    """
    with pytest.raises(PolicyError) as caught:
        loads_policy(_yaml(text), "p.yaml")
    message = str(caught.value)
    assert "p.yaml:3: detection.allow[1]: expected a string, got a number" in message
    assert "p.yaml:5: detection.deny.<value>: unknown entity type 'PERSNO' (did you mean 'PERSON'?)" in message
    assert "Dana" not in message
    assert "Sarah" not in message


def test_recognizer_examples_are_not_echoed() -> None:
    text = """
    detection:
      recognizers:
        - name: member_id
          entity: MEDICAL_RECORD_NUMBER
          pattern: 'M-\\d{8}'
          score: 0.6
          examples: ["member «M-99» for Jane Roe"]
    """
    with pytest.raises(PolicyError) as caught:
        loads_policy(_yaml(text), "p.yaml")
    assert "M-99" not in str(caught.value)
    assert "Jane" not in str(caught.value)
