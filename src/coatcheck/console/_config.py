"""Console configuration: who may log in with which role, where state lives, and whether remote hosts may connect."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from coatcheck.errors import InputError

__all__ = ["ROLES", "ConsoleConfig", "ConsoleUser", "Role", "hash_token", "load_console_config"]

Role = Literal["viewer", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "admin")  # each role may do what the ones before it may
ENV_CONFIG = "COATCHECK_CONSOLE_CONFIG"
_HASH_PREFIX = "sha256:"


def hash_token(token: str) -> str:
    """The stored form of a console login token (``sha256:<hex>``); tokens are random, so a digest suffices."""
    return _HASH_PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


def role_at_least(role: str, needed: Role) -> bool:
    """Whether ``role`` includes the rights of ``needed``."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """One person who may log in: a name for the audit trail, a role and the hash of their token."""

    name: str
    role: Role
    token_hash: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise InputError("console user: name must be letters, digits, '.', '-' or '_'")
        if self.role not in ROLES:
            raise InputError(f"console user {self.name}: role must be one of {', '.join(ROLES)}")
        digest = self.token_hash
        if not (digest.startswith(_HASH_PREFIX) and len(digest) == len(_HASH_PREFIX) + 64):
            raise InputError(f"console user {self.name}: token must be 'sha256:<64 hex>' (see hash_token)")


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """Everything the console needs; all of it optional.

    Attributes:
        users: who may log in. With none configured, a loopback-only console writes a one-time admin token
            to ``state_dir/console-token`` (0600) when the login page is first shown.
        allow_remote: serve clients that are not on this machine (off by default: a console shows what the
            gateway sees, so exposing it is a decision, not a default).
        policy: the deployed `coatcheck.policy.Policy` (default: `Policy.default()`); the playground never
            changes it.
        audit: an `coatcheck.audit.AuditLog`; the dashboard and audit pages read it, console actions are
            recorded in it.
        keys: key material for the keyed hash of review values (a `Keyring`); with none, an ephemeral one
            (hashes then do not survive a restart).
        state_dir: where the review queue and the generated token live.
        secret_key: signs the session cookie; random per process when empty (sessions end on restart).
        secure_cookies: send the cookie over HTTPS only (set when served behind TLS).
        session_seconds: how long a login lasts.
        cookie_path: the path the console is mounted at (the cookie is sent nowhere else).
        poll_seconds: how often the dashboard refreshes.
    """

    users: tuple[ConsoleUser, ...] = ()
    allow_remote: bool = False
    policy: Any = None
    audit: Any = None
    keys: Any = None
    state_dir: Path = Path(".coatcheck")
    secret_key: str = field(default="", repr=False)
    secure_cookies: bool = False
    session_seconds: int = 8 * 3600
    cookie_path: str = "/console"
    poll_seconds: float = 5.0

    @classmethod
    def from_env(cls, **overrides: Any) -> ConsoleConfig:
        """The configuration named by ``$COATCHECK_CONSOLE_CONFIG`` (a YAML file), else the defaults."""
        path = os.environ.get(ENV_CONFIG)
        base = load_console_config(path) if path else cls()
        return replace(base, **overrides) if overrides else base


def load_console_config(path: str | os.PathLike[str]) -> ConsoleConfig:
    """Read a console file::

        console:
          allow_remote: false
          secret_key_env: COATCHECK_CONSOLE_SECRET   # optional: keeps sessions valid across restarts
          state_dir: .coatcheck
          secure_cookies: true
          poll_seconds: 5                            # how often the dashboard refreshes
          users:
            - {name: alice, role: admin, token: "sha256:..."}   # coatcheck.console.hash_token(token)

    Raises:
        InputError: unreadable file or a bad field (says which).
    """
    source = os.fspath(path)
    try:
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{source}: cannot read the console file ({type(exc).__name__})") from None
    section = data.get("console") if isinstance(data, Mapping) else None
    if not isinstance(section, Mapping):
        raise InputError(f"{source}: expected a mapping with a 'console' section")
    allowed = {
        "allow_remote", "secret_key_env", "state_dir", "secure_cookies", "users", "session_seconds", "poll_seconds",
    }  # fmt: skip
    unknown = sorted(str(k) for k in set(section) - allowed)
    if unknown:
        raise InputError(
            f"{source}: console: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    users = []
    rows = section.get("users", [])
    if not isinstance(rows, list):
        raise InputError(f"{source}: console.users: a list of {{name, role, token}}")
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping) or set(row) != {"name", "role", "token"}:
            raise InputError(f"{source}: console.users[{index}]: exactly the fields name, role, token")
        try:
            users.append(ConsoleUser(str(row["name"]), row["role"], str(row["token"])))
        except InputError as exc:
            raise InputError(f"{source}: console.users[{index}]: {exc}") from None
    secret = ""
    env = section.get("secret_key_env")
    if env is not None:
        if not isinstance(env, str) or not os.environ.get(env):
            raise InputError(f"{source}: console.secret_key_env: environment variable {env!r} is not set")
        secret = os.environ[env]
    seconds = section.get("session_seconds", 8 * 3600)
    if type(seconds) is not int or seconds <= 0:
        raise InputError(f"{source}: console.session_seconds: a positive number of seconds")
    poll = section.get("poll_seconds", 5.0)
    if type(poll) not in (int, float) or not 1 <= poll <= 3600:
        raise InputError(f"{source}: console.poll_seconds: a number of seconds between 1 and 3600")
    return ConsoleConfig(
        users=tuple(users),
        allow_remote=bool(section.get("allow_remote", False)),
        state_dir=Path(str(section.get("state_dir", ".coatcheck"))),
        secret_key=secret,
        secure_cookies=bool(section.get("secure_cookies", False)),
        session_seconds=seconds,
        poll_seconds=float(poll),
    )
