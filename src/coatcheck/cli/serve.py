"""`coatcheck serve`: the OpenAI- and Anthropic-compatible gateway (redact -> model -> restore)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8899,
    upstream: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL (https://api.openai.com); default: demo model.")
    ] = None,
    anthropic_upstream: Annotated[
        str | None, typer.Option(help="Base URL for /v1/messages (default: --upstream).")
    ] = None,
    policy: Annotated[Path | None, typer.Option(help="Policy file (default: the built-in safe policy).")] = None,
    tenants: Annotated[
        Path | None, typer.Option(help="Tenants file: API key hashes -> tenant (default: one open tenant).")
    ] = None,
    key_file: Annotated[Path | None, typer.Option(help="Keyring file (default: ephemeral keys).")] = None,
    audit: Annotated[Path | None, typer.Option(help="Audit log: a .jsonl file or an SQLite database.")] = None,
    max_body: Annotated[int, typer.Option(help="Largest request body accepted, in bytes.")] = 4 * 1024 * 1024,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (use --key-file with more than one).")] = 1,
    hash_key: Annotated[
        str | None, typer.Option(help="Print the stored form of an API key for a tenants file, then exit.")
    ] = None,
) -> None:
    """Serve the gateway: point an SDK's base URL at it and the model only ever sees placeholders."""
    from coatcheck.errors import CoatcheckError
    from coatcheck.gateway import hash_api_key
    from coatcheck.gateway._observe import configure_logging
    from coatcheck.gateway._server import ServeOptions, build_config, serve

    if hash_key is not None:
        typer.echo(hash_api_key(hash_key))
        return
    configure_logging()
    options = ServeOptions(
        upstream=upstream,
        anthropic_upstream=anthropic_upstream,
        policy=str(policy) if policy else None,
        tenants=str(tenants) if tenants else None,
        key_file=str(key_file) if key_file else None,
        audit=str(audit) if audit else None,
        max_body_bytes=max_body,
    )
    try:
        config = build_config(options)  # also checks every file before any worker starts
    except CoatcheckError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if workers > 1 and key_file is None:
        typer.echo("warning: several workers with ephemeral keys: keyed stand-ins differ per worker", err=True)
    where = f"http://{host}:{port}"
    typer.echo(
        f"coatcheck gateway on {where} -> {upstream or 'built-in demo model'}\n"
        f'  OpenAI SDK:    base_url="{where}/v1"\n  Anthropic SDK: base_url="{where}"\n'
        f"  Console:       {where}/console (first-run admin token: .coatcheck/console-token)",
        err=True,
    )
    serve(config if workers == 1 else options, host, port, workers=workers)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
