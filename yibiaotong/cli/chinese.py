"""Make typer's (vendored click's) own help chrome speak Chinese.

Typer and its bundled click print a few fixed English words (Usage, Options, Commands, the help
option's text). Users of ybt read only Chinese, so the CLI swaps those words once at start-up.
"""

from __future__ import annotations

import functools
from typing import Any

import typer.core
import typer.rich_utils

from yibiaotong.messages import msg

_PANEL_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "cli.chrome.arguments",
    "OPTIONS_PANEL_TITLE": "cli.chrome.options",
    "COMMANDS_PANEL_TITLE": "cli.chrome.commands",
    "ERRORS_PANEL_TITLE": "cli.chrome.error",
    "ABORTED_TEXT": "cli.chrome.aborted",
    "DEFAULT_STRING": "cli.chrome.default",
    "REQUIRED_LONG_STRING": "cli.chrome.required",
    "ENVVAR_STRING": "cli.chrome.envvar",
    "RICH_HELP": "cli.chrome.try_help",
}

_CORE_WORDS = {
    "Arguments": "cli.chrome.arguments",
    "Options": "cli.chrome.options",
    "Commands": "cli.chrome.commands",
    "required": "cli.chrome.required_short",
    "default: {default}": "cli.chrome.default_core",
    "env var: {var}": "cli.chrome.envvar_core",
    "Missing command.": "cli.chrome.missing_command",
    "No such command {name!r}.": "cli.chrome.no_such_command",
}


def _translate(text: str) -> str:
    key = _CORE_WORDS.get(text)
    return msg(key) if key else text


@functools.cache
def install() -> None:
    """Swap the English chrome words for Chinese ones (idempotent)."""
    for name, key in _PANEL_CONSTANTS.items():
        setattr(typer.rich_utils, name, msg(key))
    for module in (typer.core, typer.rich_utils):
        setattr(module, "_", _translate)  # noqa: B010 - typed modules reject a plain assignment
    try:  # typer's bundled click; if a future typer moves it, help keeps the English word
        from typer._click import formatting
        from typer._click.core import Command
    except ImportError:
        return
    original_help = Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help(self, ctx)
        if option is not None:
            option.help = msg("cli.chrome.help_option")
        return option

    Command.get_help_option = get_help_option  # type: ignore[method-assign]
    original = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = (
            args.replace("[OPTIONS]", msg("cli.chrome.usage_options"))
            .replace("COMMAND", msg("cli.chrome.usage_command"))
            .replace("[ARGS]", msg("cli.chrome.usage_args"))
        )
        original(self, prog, args, msg("cli.chrome.usage") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
