"""The `coatcheck` command line: one module per command group, each exposing ``register(app)``."""

from __future__ import annotations

import importlib

import typer

__all__ = ["app", "main"]

# Each module here defines `register(app: typer.Typer) -> None`. Heavy imports stay inside the commands so
# `coatcheck --help` is instant.
COMMAND_MODULES: tuple[str, ...] = (
    "audit",
    "demo",
    "detect",
    "eval",
    "keys",
    "policy",
    "protect",
    "risk",
    "scan",
    "serve",
    "stats",
    "vault",
)

app = typer.Typer(
    name="coatcheck",
    help="Find personal data and secrets; protect each value the way its destination needs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold personal data
)

for _module in COMMAND_MODULES:
    importlib.import_module(f"coatcheck.cli.{_module}").register(app)


def main() -> None:
    """Console-script entry point."""
    app()
