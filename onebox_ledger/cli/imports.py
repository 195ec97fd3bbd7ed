"""Import a bank statement as the bank exports it: one line per row, and what became of it.

The file is read whole first (a file in no known layout, or a bad value: one
line, exit 2, nothing written). Then every row gets an outcome, planned under
the write lock (actions.import_statement): ``receipt``, ``onebox-payment`` and
``fee`` are booked, as ``receive``, ``onebox pay`` and a fee entry record them
with ``--ref`` the bank reference; ``recorded`` (already in the books),
``review`` (with the reason), ``unrelated`` and ``skipped`` (pending, cancelled
or refunded at the bank) are listed for a person. Importing the same statement
again books nothing::

    $ onebox-ledger import bank-2026-11.csv
    line 2  2026-11-02  20261102-0001  +200.00 USD  receipt: invoice inv-2026-10-acme-realty in the text; received 200.00 USD from acme-realty: 200.00 USD to inv-2026-10-acme-realty
    line 8  2026-11-18  20261118-0007  -1500.00 USD  unrelated: money out, not to OneBox ('Office Rent LLC', 'Rent November 2026')
    booked: 1 receipt (in 200.00 USD); listed: 1 unrelated (out 1500.00 USD)
    balance: 18000.00 USD opening -1300.00 USD booked by the bank = 16700.00 USD; the statement's closing balance is 16700.00 USD: reconciled

A row dated after today is left for review: a statement holds only money that has moved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import click

from .. import actions
from ..clock import today
from ..importers.bank import BOOKED, BankImporter, Planned
from ..importers.layouts import LAYOUTS
from ..importers.statements import Statement
from ..values import ZERO, parse_account, show_money
from . import cli
from .common import echo, ledger

OUTCOMES = ("receipt", "onebox-payment", "fee", "recorded", "review", "unrelated", "skipped")


@cli.command("import", short_help="Book a bank statement: receipts, OneBox payments, fees.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--layout",
    type=click.Choice(list(LAYOUTS)),
    help="The bank's layout (default: recognised from the file).",
)
@click.option(
    "--account",
    metavar="ACCOUNT",
    help="The bank account the statement is of (default: the one for each row's currency).",
)
@click.option(
    "--fees",
    metavar="ACCOUNT",
    help="Book bank fees to this expense account (like Expenses:Bank-Fees); else review them.",
)
@click.option("--dry-run", is_flag=True, help="Show what the import would book; write nothing.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def import_statement(
    file: Path,
    layout: str | None,
    account: str | None,
    fees: str | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Book a bank statement as your bank exports it (Monobank, PrivatBank, DKB, ING, Chase,
    Wise, or onebox-ledger's own CSV).

    Each row is a customer receipt (an invoice id in the text, else the
    counterparty or the description naming a customer), a payment to OneBox (a
    bill id, or OneBox as counterparty), a bank fee (with --fees), already
    recorded, for review (with the reason: a row dated after today is one),
    unrelated, or skipped (pending or cancelled at the bank). The first three are
    booked; the rest are listed. The bank reference is each entry's ref:
    importing a statement twice books nothing.

    \b
    Example:
      onebox-ledger import statements/Umsatzanzeige_2026-11.csv --dry-run
      onebox-ledger import statements/wise.csv --account Assets:Wise --fees Expenses:Bank-Fees
      onebox-ledger import statements/bank.csv --dry-run --format json
    """
    book = ledger()
    importer = BankImporter(currency=book.operating_currency(), layout=layout)
    statement = importer.statement(str(file))  # a bad file stops here: exit 2, nothing written
    planned = actions.import_statement(
        book,
        statement.rows,
        dry_run=dry_run,
        account=parse_account(account, "--account") if account else None,
        fees=parse_account(fees, "--fees") if fees else None,
        today=today(),
    )
    if fmt == "json":
        click.echo(json.dumps([item.payload() for item in planned], indent=2, ensure_ascii=False))
        return
    for item in planned:
        echo(f"{_head(item)}  {_outcome(item, dry_run)}")
    echo(_total(planned, dry_run))
    balance = reconcile(statement, importer.currency)
    if balance:
        echo(balance)


def _head(item: Planned) -> str:
    row = item.row
    return (
        f"line {row.line}  {row.date}  {row.ref}  {show_money(row.amount, row.currency, sign=True)}"
    )


def _outcome(item: Planned, dry_run: bool) -> str:
    row = item.row
    if item.entry is not None:
        return f"{item.outcome}: {item.reason}; {item.message}"
    texts = (" ".join(text.split()) for text in (row.counterparty, row.description))
    shown = ", ".join(repr(text) for text in texts if text)
    return f"{item.outcome}: {item.reason}" + (f" ({shown})" if shown else "")


def _total(planned: Sequence[Planned], dry_run: bool) -> str:
    def group(outcomes: Sequence[str]) -> str:
        parts = []
        for outcome in outcomes:
            rows = [item.row for item in planned if item.outcome == outcome]
            if rows:
                money = _money([(row.amount, row.currency) for row in rows])
                parts.append(f"{len(rows)} {outcome}{f' ({money})' if money else ''}")
        return ", ".join(parts) or "none"

    listed = [o for o in OUTCOMES if o not in BOOKED]
    head = "to book" if dry_run else "booked"
    tail = "; dry run, nothing written" if dry_run else ""
    return f"{head}: {group(BOOKED)}; listed: {group(listed)}{tail}"


def _money(amounts: Sequence[tuple[Decimal, str]]) -> str:
    """'in 200.00 USD, out 1500.00 USD': money in and out, per currency."""
    sums: dict[tuple[str, str], Decimal] = {}
    for number, currency in amounts:
        key = ("in" if number > 0 else "out", currency)
        sums[key] = sums.get(key, ZERO) + abs(number)
    return ", ".join(
        f"{way} {show_money(total, cur)}" for (way, cur), total in sorted(sums.items()) if total
    )


def reconcile(statement: Statement, currency: str) -> str | None:
    """Whether the opening balance plus the rows the bank booked reach the closing balance.

    None when the statement carries no opening and closing balance. Rows the
    bank did not book (pending, cancelled) do not count; every booked row does,
    whatever the import makes of it, since the bank moved that money. Amounts are
    in the statement's currency (`currency` when its rows name none).
    """
    opening, closing = statement.opening_balance, statement.closing_balance
    if opening is None or closing is None:
        return None
    cur = statement.currency or currency
    moved = sum((row.amount for row in statement.booked), ZERO)
    reached = opening + moved
    verdict = (
        "reconciled"
        if reached == closing
        else f"differs by {show_money(closing - reached, cur, sign=True)}"
    )
    return (
        f"balance: {show_money(opening, cur)} opening {show_money(moved, cur, sign=True)} booked"
        f" by the bank = {show_money(reached, cur)}; the statement's closing balance is"
        f" {show_money(closing, cur)}: {verdict}"
    )
