"""The ``ybt`` command line: typer app, one error boundary, rich rendering. No engines here."""

from __future__ import annotations

import sys

import typer

from yibiaotong import __version__
from yibiaotong.cli import chinese
from yibiaotong.messages import msg

chinese.install()

app = typer.Typer(
    help=msg("app.help"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(msg("app.version", version=__version__))
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help=msg("cli.version_help")
    ),
    debug: bool = typer.Option(False, "--debug", help=msg("app.debug_help")),
) -> None:
    """一表通（ybt）。"""


# Importing the command modules registers their commands on ``app``.
from yibiaotong.cli import (  # noqa: E402, F401 - importing registers the commands
    check_commands,
    commands,
    doctor_commands,
    export_commands,
    report_commands,
)


def main(argv: list[str] | None = None) -> None:
    """Entry point with the one error boundary: Chinese one-liners, tracebacks only with --debug."""
    from yibiaotong.cli.boundary import run

    sys.exit(run(app, sys.argv[1:] if argv is None else argv))
