"""The single error boundary of the CLI: every failure becomes one Chinese line and an exit code."""

from __future__ import annotations

import sys

import typer
from typer._click.exceptions import ClickException

from yibiaotong.errors import YbtError
from yibiaotong.messages import msg

EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def run(app: typer.Typer, argv: list[str]) -> int:
    debug = "--debug" in argv
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="ybt", standalone_mode=False)
    except typer.Exit as stop:
        return int(stop.exit_code)
    except typer.Abort:
        _say(msg("error.interrupted"))
        return 130
    except ClickException as error:
        _say(msg("cli.usage_error", detail=error.format_message()))
        return EXIT_USAGE
    except YbtError as error:
        if debug:
            raise
        _say(f"{msg('error.prefix')}：{error}")
        return error.exit_code
    except KeyboardInterrupt:
        _say(msg("error.interrupted"))
        return 130
    except Exception as error:  # the boundary: anything unexpected becomes one line
        if debug:
            raise
        _say(msg("error.unexpected", kind=type(error).__name__))
        return EXIT_INTERNAL
    return int(result) if isinstance(result, int) else EXIT_OK


def _say(text: str) -> None:
    print(text, file=sys.stderr)
