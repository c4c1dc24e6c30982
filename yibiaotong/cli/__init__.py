"""The ``ybt`` command line: typer app, one error boundary, rich rendering. No engines here."""

from __future__ import annotations

import typer

from yibiaotong import __version__
from yibiaotong.messages import msg

app = typer.Typer(
    help=msg("app.help"),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(msg("app.version", version=__version__))
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="显示版本号并退出"
    ),
) -> None:
    """一表通（ybt）。"""


def main() -> None:
    app()
