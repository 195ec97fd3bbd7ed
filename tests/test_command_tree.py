"""Every command, found by walking Click's command tree, so a new one cannot forget:

- it refuses a missing ledger with the one line every command gives (no silent success);
- its summary in a command list is a whole sentence, never cut by Click with '...';
- its options say what to type: ``--date YYYY-MM-DD``, ``--month YYYY-MM``, ``--price AMOUNT``,
  ``--customer ID``; TEXT only for free text (``--memo``, ``--name``, ``--title``); a command
  that takes an amount shows its format (``"25.00 USD"``) in its help.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from onebox_ledger.cli import cli

MISSING = "ledger {main} does not exist (create one: onebox-ledger init DIR)"


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command and group under `group`, depth first, in Click's order."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    return command


EVERY = list(walk(cli))
LEAVES = [path for path in EVERY if not isinstance(command_at(path), click.Group)]

# The arguments each command needs to get as far as reading the ledger: valid ones, so the
# only thing wrong is the missing ledger. `init` makes a ledger and reads none.
NEEDS_NO_LEDGER = {("init",)}
STATEMENT = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
ARGS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("agent", "add"): ("nadia", "--name", "Nadia Koval", "--date", "2026-11-01"),
    ("agent", "assign"): ("acme", "nadia", "--rate", "10%", "--from", "2026-11-01"),
    ("agent", "pay"): ("nadia", "12.50 USD", "--date", "2026-12-10"),
    ("apply-credit",): ("acme", "--date", "2026-12-05"),
    ("bank", "add"): ("Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-01-01"),
    ("bank", "opening"): ("Assets:Bank", "100 USD"),
    ("close",): ("2026-11",),
    ("contract", "add"): ("acme-cloud", "--customer", "acme", "--stream", "cloud", "--price",
                          "25 USD", "--start", "2026-11-01", "--item", "cloud-user"),
    ("contract", "change"): ("acme-cloud", "--date", "2026-12-01", "--quantity", "8"),
    ("contract", "end"): ("acme-cloud", "--date", "2026-12-31"),
    ("contract", "list"): (),
    ("credit-note",): ("inv-2026-11-acme", "25 USD", "--date", "2026-12-05", "--memo", "Outage"),
    ("customer", "add"): ("acme", "--name", "Acme Realty", "--date", "2026-11-01"),
    ("customer", "list"): (),
    ("customer", "tax"): ("acme", "--tax", "exempt", "--date", "2026-11-01"),
    ("partner", "set"): ("--name", "Muster GmbH", "--country", "DE", "--vat-id", "DE136695976",
                         "--tax", "vat", "--rate", "19", "--date", "2026-01-01"),
    ("partner", "show"): (),
    ("import",): ("{top}/statement.csv",),
    ("invoice", "issue"): ("2026-12",),
    ("invoice", "remind"): ("inv-2026-11-acme", "--as-of", "2027-01-20"),
    ("invoice", "show"): ("inv-2026-11-acme",),
    ("onebox", "bill"): ("onebox-2026-11", "81.26 USD", "--date", "2026-12-02"),
    ("onebox", "grace"): ("onebox-2026-11", "--until", "2027-02-28", "--date", "2026-12-10"),
    ("onebox", "dispute"): ("onebox-2026-11", "5", "--memo", "bx-0977", "--date", "2026-12-05"),
    ("onebox", "reconcile"): ("{top}/statement.csv",),
    ("onebox", "pay"): ("81.25 USD", "--date", "2026-12-10"),
    ("price",): ("EUR", "1.08 USD", "--date", "2026-11-30"),
    ("quote",): ("--item", "cloud-user", "--quantity", "5", "--price", "25 USD"),
    ("receive",): ("acme", "125 USD", "--date", "2026-12-10"),
    ("refund",): ("acme", "10 USD", "--date", "2026-12-10"),
    ("report", "dunning"): ("--as-of", "2027-01-20"),
    ("report", "keep"): (),
    ("report", "mrr"): (),
    ("report", "payables"): (),
    ("report", "receivables"): (),
    ("report", "agents"): (),
    ("report", "statement"): ("--agent", "nadia", "--month", "2026-12"),
    ("report", "single-tax"): ("--quarter", "2026-Q1"),
    ("report", "vat"): ("--from", "2026-01-01", "--to", "2026-03-31"),
    ("rule", "add"): ("Office Rent", "Expenses:Rent", "--direction", "out"),
    ("rule", "list"): (),
    ("sell",): ("acme", "2000 USD", "--date", "2026-12-05", "--memo", "Implementation"),
    ("serve",): ("--port", "{port}"),  # a port in use: were the check gone, no server starts
    ("tax", "pay"): ("single", "2400 UAH", "--date", "2026-04-20"),
    ("terms", "dunning"): ("7", "21", "45", "--date", "2026-01-01"),
    ("terms", "item"): ("cloud-user", "25 USD", "--date", "2026-01-01"),
    ("terms", "payment"): ("30", "--date", "2026-01-01"),
    ("terms", "rate"): ("1", "0.65", "--date", "2026-01-01"),
    ("terms", "onebox-vat"): ("19", "--date", "2026-01-01"),
    ("terms", "show"): (),
    ("terms", "vat"): ("DE", "19", "--date", "2026-01-01"),
    ("upgrade",): (),
    ("usage",): ("acme-data", "1500", "--month", "2026-11"),
    ("verify",): (),
    ("write-off",): ("inv-2026-11-acme", "--date", "2026-12-05"),
    ("year", "close"): ("2026",),
}  # fmt: skip


def test_every_command_is_in_the_catalogue():
    """A new command fails here until ARGS says how to run it (or it reads no ledger)."""
    assert sorted(set(LEAVES) - NEEDS_NO_LEDGER) == sorted(ARGS)


@pytest.mark.parametrize("path", sorted(ARGS), ids=" ".join)
def test_every_command_that_reads_a_ledger_refuses_a_missing_one(
    path: tuple[str, ...], tmp_path: Path, run, refused, snapshot
):
    (tmp_path / "statement.csv").write_text(STATEMENT, encoding="utf-8")
    main = tmp_path / "nowhere" / "main.beancount"
    before = snapshot(tmp_path)

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [arg.format(top=tmp_path, port=port) for arg in ARGS[path]]
        result = run(main, *path, *args)

    assert refused(result, 1) == MISSING.format(main=main)
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("path", EVERY, ids=" ".join)
def test_every_summary_is_a_whole_sentence_at_any_width(path: tuple[str, ...]):
    """Click cuts a summary made from the docstring to the room left by the longest command
    name ('Record a customer's payment: Assets:Bank <-...'); a short_help is shown whole."""
    command = command_at(path)
    for limit in (20, 45, 80):
        summary = command.get_short_help_str(limit)
        assert summary.endswith(".") and not summary.endswith(".."), (limit, summary)
        assert summary[0].isupper(), summary


@pytest.mark.parametrize(
    "group",
    [path for path in [(), *EVERY] if isinstance(command_at(path), click.Group)],
    ids=" ".join,
)
def test_a_command_list_on_a_narrow_terminal_shows_each_summary_whole(group: tuple[str, ...]):
    result = CliRunner().invoke(cli, [*group, "--help"], terminal_width=50, catch_exceptions=False)
    summaries: list[str] = []
    for line in result.stdout.split("Commands:\n", 1)[1].splitlines():
        if re.match(r"^  [a-z]", line):  # a command and the start of its summary
            summaries.append(line.split(None, 1)[1])
        elif line.strip():  # the summary, wrapped
            summaries[-1] += " " + line.strip()
    listed = command_at(group)
    assert isinstance(listed, click.Group)
    assert len(summaries) == len(listed.list_commands(click.Context(listed)))
    for summary in summaries:
        assert summary.endswith(".") and not summary.endswith(".."), summary


DATES = {"--date", "--as-of", "--from", "--to", "--until", "--start", "--end"}
AMOUNTS = {"--price", "--once", "--paid"}
IDS = {"--customer", "--invoice", "--bill", "--item"}
FREE_TEXT = {"--memo", "--name", "--title", "--address"}
EXAMPLE_AMOUNT = re.compile(r'"[0-9]+\.[0-9]{2} [A-Z]{3}"')  # "25.00 USD"


def _metavar(param: click.Parameter, command: click.Command) -> str:
    return param.make_metavar(click.Context(command))


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_every_option_says_what_to_type(path: tuple[str, ...]):
    command = command_at(path)
    for param in command.params:
        if not isinstance(param, click.Option) or param.is_flag or param.name == "help":
            continue
        name = max(param.opts, key=len)
        shown = _metavar(param, command)
        if name in DATES:
            assert shown == "YYYY-MM-DD", (name, shown)
        elif name == "--month":
            assert shown == "YYYY-MM", (name, shown)
        elif name in AMOUNTS:
            assert shown == "AMOUNT", (name, shown)
        elif name in IDS:
            assert shown == "ID", (name, shown)
        else:
            assert shown != "TEXT" or name in FREE_TEXT, (name, shown)


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_amounts_and_months_as_arguments_say_what_to_type(path: tuple[str, ...]):
    """An AMOUNT shows its format ("25.00 USD") in the command's help; a month is YYYY-MM."""
    command = command_at(path)
    shown = {_metavar(param, command) for param in command.params}
    if "AMOUNT" in shown:
        help_text = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False).stdout
        assert EXAMPLE_AMOUNT.search(" ".join(help_text.split())), help_text
    for param in command.params:
        if isinstance(param, click.Argument) and param.name in ("amount", "price"):
            assert _metavar(param, command) == "AMOUNT"
        if isinstance(param, click.Argument) and param.name == "month":
            assert _metavar(param, command) == "YYYY-MM"


MONEY_EVENTS = [("sell",), ("receive",), ("refund",), ("credit-note",), ("write-off",),
                ("onebox", "pay"), ("onebox", "bill"), ("onebox", "grace"), ("onebox", "reconcile"),
                ("onebox", "dispute"), ("agent", "pay"), ("apply-credit",), ("tax", "pay")]  # fmt: skip


def test_the_money_events_and_only_they_take_future():
    """--future is the way to date money after today; its help says so on each command."""
    taking = [path for path in LEAVES if any(p.name == "future" for p in command_at(path).params)]
    assert sorted(taking) == sorted(MONEY_EVENTS)
    for path in MONEY_EVENTS:
        help_text = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False).stdout
        assert (
            "--future Record it although --date is after today (without it: refused, exit 2)."
            in " ".join(help_text.split())
        ), path


# ---------------------------------------------------------------- imported when asked for


def _modules(command: click.Command) -> set[str]:
    """The cli modules that define `command` or anything under it (a group without a callback
    by its class's module)."""
    owner = command.callback.__module__ if command.callback else type(command).__module__
    found = {owner.rsplit(".", 1)[-1]} if owner.startswith("onebox_ledger.cli.") else set()
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            found |= _modules(sub)
    return found


def _defined_in(command: click.Command) -> str:
    owner = command.callback.__module__ if command.callback else type(command).__module__
    return owner.rsplit(".", 1)[-1]


def test_each_command_names_the_modules_that_register_it():
    from onebox_ledger import cli as package

    package.register_all()
    registered = {name: _modules(command) for name, command in cli.commands.items()}
    assert {name: set(modules) for name, modules in package.COMMANDS.items()} == registered
    for name, modules in package.COMMANDS.items():
        assert modules[0] == _defined_in(cli.commands[name]), name


def _imported_by(*argv: str) -> set[str]:
    """The onebox_ledger and beangulp modules a fresh process holds after running argv."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from onebox_ledger.cli import cli\n"
        f"try:\n    cli.main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith(('onebox_ledger', 'beangulp')))), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_the_close_imports_neither_the_bank_importers_nor_the_documents(tmp_path: Path):
    imported = _imported_by("--ledger", str(tmp_path / "none.beancount"), "close", "2026-01")
    assert "onebox_ledger.cli.books" in imported
    assert "onebox_ledger.actions.closing" in imported
    for absent in (
        "beangulp",
        "onebox_ledger.importers",
        "onebox_ledger.actions.bank_statements",
        "onebox_ledger.cli.imports",
        "onebox_ledger.cli.documents",
        "onebox_ledger.documents.pdf",
    ):
        assert absent not in imported, absent
    # the import command does import them
    imported = _imported_by("--ledger", str(tmp_path / "none.beancount"), "import", "x.csv")
    assert {"beangulp", "onebox_ledger.importers", "onebox_ledger.cli.imports"} <= imported


def test_every_action_is_the_one_its_section_defines():
    import importlib

    from onebox_ledger import actions

    sections = actions._SECTIONS  # type: ignore[attr-defined]
    assert sorted(actions.__all__) == sorted(n for names in sections.values() for n in names)
    for section, names in sections.items():
        module = importlib.import_module(f"onebox_ledger.actions.{section}")
        for name in names:
            assert getattr(actions, name) is getattr(module, name), name
    assert actions.agents is importlib.import_module("onebox_ledger.actions.agents")
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        actions.nothing  # noqa: B018
