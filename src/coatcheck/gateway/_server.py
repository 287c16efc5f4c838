"""Running the gateway on uvicorn, with a graceful shutdown that lets in-flight streams finish.

One process serves with `serve`; several worker processes (``workers > 1``) each build the same configuration
from `ServeOptions`, passed to them through the environment (`app_from_env`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import Any

import uvicorn

from coatcheck.errors import InputError
from coatcheck.gateway._app import create_app
from coatcheck.gateway._config import GatewayConfig, load_tenants

__all__ = ["ENV_OPTIONS", "ServeOptions", "app_from_env", "build_config", "serve", "server"]

ENV_OPTIONS = "COATCHECK_SERVE_OPTIONS"


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What `coatcheck serve` was given: file paths and URLs only (secrets stay in files and the environment)."""

    upstream: str | None = None
    anthropic_upstream: str | None = None
    policy: str | None = None
    tenants: str | None = None
    key_file: str | None = None
    audit: str | None = None
    max_body_bytes: int = 4 * 1024 * 1024


def build_config(options: ServeOptions) -> GatewayConfig:
    """Load the policy, tenants, keyring and audit log named by ``options``.

    Raises:
        CoatcheckError: a file is missing or invalid (the message names it).
    """
    from coatcheck.keys import Keyring
    from coatcheck.policy import load_policy

    keys = Keyring.open(options.key_file) if options.key_file else Keyring.ephemeral()
    audit = None
    if options.audit is not None:
        from coatcheck.audit import AuditLog, JsonLinesAuditSink, SQLiteAuditSink

        sink = JsonLinesAuditSink(options.audit) if options.audit.endswith(".jsonl") else SQLiteAuditSink(options.audit)
        audit = AuditLog.for_keyring(sink, keys)
    return GatewayConfig(
        upstream=options.upstream,
        anthropic_upstream=options.anthropic_upstream,
        policy=load_policy(options.policy),
        tenants=load_tenants(options.tenants) if options.tenants else (),
        keys=keys,
        audit=audit,
        max_body_bytes=options.max_body_bytes,
    )


def app_from_env() -> Any:
    """The app factory each worker process calls (``uvicorn --factory``)."""
    from coatcheck.gateway._observe import configure_logging

    configure_logging()
    options = ServeOptions(**json.loads(os.environ[ENV_OPTIONS]))
    return create_app(build_config(options))


_UVICORN: dict[str, Any] = {
    "log_config": None,
    "access_log": False,  # the gateway logs each request itself, without query strings or bodies
    "lifespan": "on",
    "server_header": False,
}


def server(config: GatewayConfig, host: str = "127.0.0.1", port: int = 8899, *, grace: int = 30) -> uvicorn.Server:
    """A uvicorn server for the gateway (not started)."""
    settings = uvicorn.Config(create_app(config), host=host, port=port, timeout_graceful_shutdown=grace, **_UVICORN)
    return uvicorn.Server(settings)


def serve(
    config: GatewayConfig | ServeOptions,
    host: str = "127.0.0.1",
    port: int = 8899,
    *,
    workers: int = 1,
    grace: int = 30,
) -> None:
    """Serve until SIGINT/SIGTERM; on shutdown stop accepting, then wait up to ``grace`` seconds for streams.

    With ``workers > 1`` (``config`` must then be `ServeOptions`), each worker process loads its own copy.
    """
    if workers <= 1:
        if isinstance(config, ServeOptions):
            config = build_config(config)
        server(config, host, port, grace=grace).run()
        return
    if not isinstance(config, ServeOptions):
        raise InputError("several workers need ServeOptions: each process loads the configuration itself")
    os.environ[ENV_OPTIONS] = json.dumps(dataclasses.asdict(config))
    uvicorn.run(
        "coatcheck.gateway._server:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        timeout_graceful_shutdown=grace,
        **_UVICORN,
    )
