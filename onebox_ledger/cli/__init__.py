"""The onebox-ledger command line: parse arguments, call actions, print. Nothing else.

Every failure a person can cause prints one line on stderr and exits non-zero
with no file changed::

    onebox-ledger: error: unknown customer 'acm' (did you mean 'acme'?)     exit 2 (bad argument)
    onebox-ledger: error: overpayment: 200.00 exceeds the 125.00 open ...   exit 1 (ledger refuses)
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..store import Ledger, LedgerError
from ..values import InputError
from .common import Command

PROG = "onebox-ledger"


class Cli(click.Group):
    """A group whose errors are one line: 'onebox-ledger: error: ...'. Its groups are Cli
    groups, and its commands parse '-100 USD' as a value (common.Command)."""

    command_class = Command
    group_class: type[click.Group] | type[type] | None = type

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        kwargs.setdefault("prog_name", PROG)
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo(f"{PROG}: error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as err:
            message = " ".join(err.format_message().split())
            click.echo(f"{PROG}: error: {message}", err=True)
            sys.exit(err.exit_code)
        except InputError as err:
            click.echo(f"{PROG}: error: {err}", err=True)
            sys.exit(2)
        except LedgerError as err:
            click.echo(f"{PROG}: error: {err}", err=True)
            sys.exit(1)
        except OSError as err:
            click.echo(f"{PROG}: error: {describe_os_error(err)}", err=True)
            sys.exit(1)
        if isinstance(result, int) and result:
            sys.exit(result)
        return result


def describe_os_error(err: OSError) -> str:
    """'No space left on device: ledger/journal/2026-11.beancount': what failed, on which file.

    Writes in store name their file; an error without one was raised while
    printing (click.echo), so it names standard output or standard error.
    """
    reason = err.strerror or str(err)
    if err.filename is not None:
        return f"{reason}: {err.filename}"
    traceback = err.__traceback__
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_globals.get("__name__") == "click.utils" and frame.f_code.co_name == "echo":
            return f"{reason}: standard {'error' if frame.f_locals.get('err') else 'output'}"
        traceback = traceback.tb_next
    return reason


# The modules that define each command (the first) or add subcommands to it (the others).
# A command imports its own modules only, when it is asked for: ``close`` does not import
# the bank importers or the documents (test_command_tree: the table is what the modules
# register).
COMMANDS: dict[str, tuple[str, ...]] = {
    "agent": ("agents",),
    "apply-credit": ("money",),
    "bank": ("money",),
    "close": ("books",),
    "contract": ("setup",),
    "credit-note": ("money",),
    "customer": ("setup", "taxes"),
    "import": ("imports",),
    "init": ("setup",),
    "invoice": ("documents", "books"),
    "onebox": ("money", "reconciling"),
    "partner": ("taxes",),
    "price": ("setup",),
    "quote": ("books",),
    "receive": ("money",),
    "refund": ("money",),
    "report": ("books", "agents", "documents", "taxes"),
    "rule": ("rules",),
    "sell": ("money",),
    "serve": ("serve",),
    "tax": ("taxes",),
    "terms": ("setup", "documents", "taxes"),
    "upgrade": ("books",),
    "usage": ("setup",),
    "verify": ("books",),
    "write-off": ("money",),
    "year": ("years",),
}


class Root(Cli):
    """The top group: each command's modules (COMMANDS) imported when it is asked for."""

    group_class = Cli

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        _register(cmd_name)
        return super().get_command(ctx, cmd_name)


def _register(command: str) -> None:
    """Import the modules that define `command` and its subcommands (COMMANDS)."""
    for module in COMMANDS.get(command, ()):
        importlib.import_module(f"{__name__}.{module}")


def register_all() -> None:
    """Import every command's modules (what a caller listing `cli.commands` needs)."""
    for command in COMMANDS:
        _register(command)


@click.group(cls=Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(dir_okay=True, path_type=Path),
    envvar="ONEBOX_LEDGER",
    metavar="PATH",
    help="The ledger's main file, or its folder (default: $ONEBOX_LEDGER, else the"
    " main.beancount of this folder or of the nearest folder above it).",
)
@click.version_option(package_name="onebox-ledger", prog_name=PROG, message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, ledger_path: Path | None) -> None:
    """The books of a OneBox partner, in plain-text Beancount.

    \b
    Example, the monthly routine:
      onebox-ledger close 2026-11
      onebox-ledger report keep --from 2026-11-01 --to 2026-11-30
      onebox-ledger onebox pay "81.25 USD" --date 2026-12-20
    """
    ctx.obj = Ledger(main_file(ledger_path, Path.cwd()))


MAIN = "main.beancount"


def main_file(given: Path | None, cwd: Path) -> Path:
    """The ledger's main file: --ledger (or $ONEBOX_LEDGER) as given, a folder meaning its
    main.beancount; without one, the main.beancount of `cwd` or of the nearest folder above
    it, as git finds its repository (none found: ``cwd/main.beancount``, which every command
    but init refuses as missing)."""
    if given is not None:
        return given / MAIN if given.is_dir() else given
    for folder in (cwd, *cwd.parents):
        try:
            if (folder / MAIN).is_file():
                return folder / MAIN
        except OSError:  # an unreadable folder on the way up ends the search
            break
    return cwd / MAIN


def main() -> None:
    os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    cli.main()
