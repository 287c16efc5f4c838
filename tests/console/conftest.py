from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from coatcheck.audit import AuditLog, SQLiteAuditSink
from coatcheck.console import Console, ConsoleConfig, ConsoleUser, create_console_app, hash_token
from coatcheck.keys import Keyring
from coatcheck.policy import Policy
from coatcheck.policy._defaults import DEFAULT_POLICY

TOKENS = {
    "alice": "admin-token-alice-0123456789",
    "rita": "review-token-rita-0123456789",
    "vic": "view-token-vic-0123456789",
}
ROLES = {"alice": "admin", "rita": "reviewer", "vic": "viewer"}
LOCAL = ("127.0.0.1", 50123)


# Test-only recognizers with fixed scores, so review-band tests do not move when built-in scores are tuned.
REVIEW_REF = "PT-QZXKVW"  # score 0.55: kept, and inside the review band
WEAK_REF = "WK-QZXKVW"  # score 0.40: below the threshold


def policy_data() -> dict[str, Any]:
    """The default policy, fast profile, a review band for one test type, one tenant that blocks SSNs."""
    data = copy.deepcopy(DEFAULT_POLICY)
    recognizers = [
        {
            "name": "test_patient_ref",
            "entity": "MEDICAL_RECORD_NUMBER",
            "pattern": r"\bPT-[A-Z]{6}\b",
            "score": 0.55,
        },
        {
            "name": "test_weak_ref",
            "entity": "MEDICAL_RECORD_NUMBER",
            "pattern": r"\bWK-[A-Z]{6}\b",
            "score": 0.4,
        },
    ]
    data["detection"] = {"profile": "fast", "recognizers": recognizers}
    data["decisions"] = {"review": {"low": 0.3, "high": 0.8, "targets": ["MEDICAL_RECORD_NUMBER"]}}
    data["tenants"] = [{"name": "acme", "decisions": {"block": ["US_SSN"]}}]
    return data


@pytest.fixture(scope="session")
def policy() -> Policy:
    return Policy.model_validate(policy_data())


@pytest.fixture
def keys() -> Keyring:
    return Keyring.ephemeral(b"k" * 32)


@pytest.fixture
def audit(tmp_path: Path, keys: Keyring) -> Iterator[AuditLog]:
    log = AuditLog.for_keyring(SQLiteAuditSink(tmp_path / "audit.db"), keys)
    yield log
    log.close()


def users() -> tuple[ConsoleUser, ...]:
    return tuple(ConsoleUser(name, ROLES[name], hash_token(token)) for name, token in TOKENS.items())  # type: ignore[arg-type]


@pytest.fixture
def config(tmp_path: Path, policy: Policy, audit: AuditLog, keys: Keyring) -> ConsoleConfig:
    return ConsoleConfig(
        users=users(), policy=policy, audit=audit, keys=keys, state_dir=tmp_path / "state", cookie_path="/"
    )


@dataclass
class Session:
    client: TestClient
    csrf: str
    console: Console

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(path, json=json, headers={"x-csrf-token": self.csrf}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)


def login_csrf(client: TestClient) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "login form carries a CSRF token"
    return match.group(1)


def log_in(client: TestClient, name: str) -> str:
    csrf = login_csrf(client)
    response = client.post(
        "/login", data={"token": TOKENS[name], "csrf_token": csrf, "next": ""}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = client.get("/playground")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)


@pytest.fixture
def make_session(config: ConsoleConfig) -> Iterator[Callable[..., Session]]:
    clients: list[TestClient] = []
    console = Console(config)

    def make(name: str = "alice") -> Session:
        client = TestClient(create_console_app(console=console), base_url="http://127.0.0.1", client=LOCAL)
        clients.append(client)
        return Session(client, log_in(client, name), console)

    yield make
    for client in clients:
        client.close()
    console.close()
