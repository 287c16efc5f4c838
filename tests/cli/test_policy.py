"""`coatcheck policy`: check, schema, explain, test and observe, on the example policies."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from coatcheck.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
FINTECH = str(EXAMPLES / "fintech-support.yaml")
DEVTOOL = str(EXAMPLES / "internal-devtool.yaml")


@pytest.mark.parametrize("name", ["healthcare-assistant", "fintech-support", "internal-devtool"])
def test_check_passes_on_every_example(name: str) -> None:
    result = runner.invoke(app, ["policy", "check", str(EXAMPLES / f"{name}.yaml")], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"ok: {EXAMPLES / name}.yaml is a valid policy" in result.stdout
    assert "base policy" in result.stdout
    policy = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    for tenant in policy["tenants"]:
        assert f"tenant {tenant['name']} (" in result.stdout


def test_check_json_prints_each_effective_policy() -> None:
    result = runner.invoke(app, ["policy", "check", FINTECH, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert [p["tenant"] for p in shown["policies"]] == [None, "eu-desk", "eu-desk-trial"]
    assert shown["policies"][2]["lineage"] == ["base", "eu-desk", "eu-desk-trial"]
    assert shown["policies"][0]["destinations"]["crm"]["CREDIT_CARD"] == "mask(visible=4)"
    assert shown["warnings"] == [
        "tenant eu-desk-trial: mode is observe: data is detected and reported but reaches every destination unchanged"
    ]
    assert "support@northwind-bank.example.com" not in result.stdout  # allow-list values are counted, not shown


def test_check_tenant_only_and_strict_mode() -> None:
    result = runner.invoke(app, ["policy", "check", FINTECH, "--tenant", "eu-desk", "--json"])
    assert [p["tenant"] for p in json.loads(result.stdout)["policies"]] == ["eu-desk"]
    strict = runner.invoke(app, ["policy", "check", FINTECH, "--strict"])
    assert strict.exit_code == 1  # the observe tenant is a warning


def test_check_reports_the_first_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("mode: enforce\ndecisions:\n  review: {low: 0.9, high: 0.2}\n", encoding="utf-8")
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {bad}:3: decisions.review.low: review thresholds in the wrong order: low (0.9) must be below "
        "high (0.2)\n"
    )


def test_schema_validates_the_examples_and_rejects_mistakes() -> None:
    result = runner.invoke(app, ["policy", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in EXAMPLES.glob("*.yaml"):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path.name
    for bad in (
        {"mode": "audit"},
        {"destinations": {"llm": {"default": "maks"}}},
        {"destinations": {"llm": {"methods": {"US_SNN": "redact"}}}},
        {"destinations": {"llm": {"methods": {"CREDIT_CARD": {"method": "mask", "keep_last": 4}}}}},
        {"detection": {"thresholds": {"PERSON": 1.5}}},
        {"classification": {"PERSON": "secret"}},
        {"tenants": [{"name": "Acme Corp"}]},
    ):
        assert list(validator.iter_errors(bad)), bad


def test_explain_says_why_each_candidate_was_kept_or_dropped() -> None:
    text = "Write to support@northwind-bank.example.com or dana.w@example.com about account NW-0012345678"
    result = runner.invoke(app, ["policy", "explain", FINTECH, text, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    by_type = {(e["type"], e["status"]) for e in shown["entities"]}
    assert ("EMAIL_ADDRESS", "dropped: allow-listed") in by_type
    assert ("EMAIL_ADDRESS", "kept") in by_type
    account = next(e for e in shown["entities"] if e["type"] == "US_BANK_ACCOUNT")
    assert account["recognizer"] == "northwind_account"
    assert account["context"] == ["account"]
    assert account["threshold"] == 0.5
    assert account["value"] == "XX-9999999999"  # its shape, not the value
    assert "dana.w" not in result.stdout
    assert "0012345678" not in result.stdout
    assert shown["decision"]["action"] == "allow"


def test_explain_table_and_show_values() -> None:
    text = "call me at dana.w@example.com"
    result = runner.invoke(app, ["policy", "explain", FINTECH, text, "--show-values"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "dana.w@example.com" in result.stdout
    assert "decision: allow" in result.stdout


def test_explain_below_threshold(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("detection:\n  profile: fast\n  thresholds: {EMAIL_ADDRESS: 0.99}\n", encoding="utf-8")
    result = runner.invoke(app, ["policy", "explain", str(policy), "reply to dana.w@example.com", "--json"])
    (entity,) = json.loads(result.stdout)["entities"]
    assert entity["status"] == "dropped: score below the threshold"
    assert entity["score"] < entity["threshold"] == 0.99


def test_test_shows_every_destination_per_sample() -> None:
    samples = str(EXAMPLES / "samples" / "fintech.jsonl")
    result = runner.invoke(app, ["policy", "test", FINTECH, samples, "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["sample"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert set(rows) == {"double-charge", "password", "eu-iban", "trial", "ticket"}
    charge = rows["double-charge"]
    assert charge["decision"]["action"] == "allow"
    assert charge["outputs"]["llm"] == (
        "Please check account [BANK_ACCOUNT_1], my card [CARD] was charged twice. Reach me at [EMAIL_1]"
    )
    assert charge["outputs"]["crm"] == (
        "Please check account **-******5678, my card **** **** **** 0366 was charged twice. Reach me at "
        "dana.w@example.com"
    )
    assert set(charge["outputs"]) == {"llm", "logs", "dashboard", "compliance", "training", "embeddings", "crm"}
    assert rows["password"]["decision"]["action"] == "block"
    assert set(rows["password"]["outputs"].values()) == {None}
    assert rows["trial"]["observe"] is True
    assert rows["trial"]["outputs"]["llm"] == "my password is [PASSWORD] and my email is [EMAIL_1]"
    assert rows["eu-iban"]["tenant"] == "eu-desk"
    assert rows["ticket"]["outputs"]["llm"]["ticket"]["id"] == "536-22-8817"  # scan: false


def test_test_table_and_destination_filter() -> None:
    samples = str(EXAMPLES / "samples" / "fintech.jsonl")
    result = runner.invoke(app, ["policy", "test", FINTECH, samples, "-d", "llm"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "BLOCKED" in result.stdout
    assert "[BANK_ACCOUNT_1]" in result.stdout  # placeholders are printed, not read as markup
    assert "logs" not in result.stdout.split("\n", 3)[1]


def test_test_rejects_an_unknown_destination() -> None:
    samples = str(EXAMPLES / "samples" / "fintech.jsonl")
    result = runner.invoke(app, ["policy", "test", FINTECH, samples, "-d", "slack"])
    assert result.exit_code == 2
    assert "unknown destination 'slack'" in result.stderr


def test_observe_reports_by_tenant_and_type() -> None:
    samples = str(EXAMPLES / "samples" / "devtool.jsonl")
    result = runner.invoke(app, ["policy", "observe", DEVTOOL, samples, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["tenants"]) == ["base", "contractors"]
    base = report["tenants"]["base"]
    assert base["decisions"] == {"allow": 1, "review": 0, "block": 3}
    assert base["blocked"] == ["token", "db", "config"]
    assert base["types"]["API_KEY"]["methods"]["compliance"] == "hash(prefix='fp_')"
    assert report["tenants"]["contractors"]["types"]["EMAIL_ADDRESS"]["methods"]["logs"] == "mask"
    assert "acme_live_Q9x2" not in result.stdout
    assert "s3cretPass" not in result.stdout


def test_observe_table() -> None:
    samples = str(EXAMPLES / "samples" / "devtool.jsonl")
    result = runner.invoke(app, ["policy", "observe", DEVTOOL, samples], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "base (enforce): 4 sample(s); would block 3, review 0, allow 1" in result.stdout
