"""Every command, found by walking Click's command tree, so a new one cannot forget:

- it refuses a missing ledger with the one line every command gives (no silent success).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

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
    ("bank", "add"): ("Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-01-01"),
    ("close",): ("2026-11",),
    ("contract", "add"): ("acme-cloud", "--customer", "acme", "--stream", "cloud", "--price",
                          "25 USD", "--start", "2026-11-01", "--item", "cloud-user"),
    ("contract", "change"): ("acme-cloud", "--date", "2026-12-01", "--quantity", "8"),
    ("contract", "end"): ("acme-cloud", "--date", "2026-12-31"),
    ("contract", "list"): (),
    ("credit-note",): ("inv-2026-11-acme", "25 USD", "--date", "2026-12-05", "--memo", "Outage"),
    ("customer", "add"): ("acme", "--name", "Acme Realty", "--date", "2026-11-01"),
    ("customer", "list"): (),
    ("import",): ("{top}/statement.csv",),
    ("invoice",): ("2026-12",),
    ("onebox", "bill"): ("onebox-2026-11", "81.26 USD", "--date", "2026-12-02"),
    ("onebox", "grace"): ("onebox-2026-11", "--until", "2027-02-28", "--date", "2026-12-10"),
    ("onebox", "pay"): ("81.25 USD", "--date", "2026-12-10"),
    ("price",): ("EUR", "1.08 USD", "--date", "2026-11-30"),
    ("quote",): ("--item", "cloud-user", "--quantity", "5", "--price", "25 USD"),
    ("receive",): ("acme", "125 USD", "--date", "2026-12-10"),
    ("refund",): ("acme", "10 USD", "--date", "2026-12-10"),
    ("report", "keep"): (),
    ("report", "mrr"): (),
    ("report", "payables"): (),
    ("report", "receivables"): (),
    ("sell",): ("acme", "2000 USD", "--date", "2026-12-05", "--memo", "Implementation"),
    ("serve",): ("--port", "{port}"),  # a port in use: were the check gone, no server starts
    ("terms", "item"): ("cloud-user", "25 USD", "--date", "2026-01-01"),
    ("terms", "payment"): ("30", "--date", "2026-01-01"),
    ("terms", "rate"): ("1", "0.65", "--date", "2026-01-01"),
    ("terms", "show"): (),
    ("upgrade",): (),
    ("usage",): ("acme-data", "1500", "--month", "2026-11"),
    ("verify",): (),
    ("write-off",): ("inv-2026-11-acme", "--date", "2026-12-05"),
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
