"""Import a bank statement as the bank exports it: one line per row, and what became of it.

The file is read whole first (a file in no known layout, or a bad value: one
line, exit 2, nothing written). Then every row gets an outcome, planned under
the write lock (actions.import_statement): ``receipt``, ``onebox-payment`` and
``fee`` are booked, as ``receive``, ``onebox pay`` and a fee entry record them
with ``--ref`` the bank reference; ``recorded`` (already in the books),
``review`` (with the reason), ``unrelated`` and ``skipped`` (pending, cancelled
or refunded at the bank) are listed for a person. Importing the same statement
again books nothing::

    $ onebox-ledger import wise-balance.csv --account Assets:Wise:USD --fees Expenses:Bank-Fees
    line 5  2026-11-02  TRANSFER-1400000000  +317.49 USD  receipt: invoice inv-2026-10-juniper-schools in the text; received 317.49 USD from juniper-schools: 317.49 USD to inv-2026-10-juniper-schools
    line 4  2026-11-06  TRANSFER-1400000001  +192.00 USD  receipt: invoice inv-2026-10-iris-travel in the text; received 192.00 USD from iris-travel: 192.00 USD to inv-2026-10-iris-travel
    line 3  2026-11-14  CARD-1400000002  -35.50 USD  unrelated: money out, not to OneBox ('Notion Labs', 'Card transaction of 35.50 USD issued by Notion Labs')
    line 2  2026-11-25  TRANSFER-1400000003  -1088.22 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-10; bank fee 1.06 USD to Expenses:Bank-Fees
    booked: 2 receipt (in 509.49 USD), 1 onebox-payment (out 1088.22 USD); listed: 1 unrelated (out 35.50 USD)
    balance: 1976.22 USD opening -614.23 USD booked by the bank = 1361.99 USD; the statement's closing balance is 1361.99 USD: reconciled

The balance line appears when the statement shows an opening and a closing
balance (its preamble, or the running balance of its first and last booked
rows): every row the bank booked counts, whatever the import made of it.

A row dated after today is left for review: a statement holds only money that has moved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import click
from beancount.core import data

from .. import actions, beans
from ..clock import today
from ..importers.bank import BOOKED, BankImporter, Planned, one_currency
from ..importers.statements import Statement, layout_names
from ..store import Ledger
from ..values import ZERO, show_money
from . import cli
from .common import AccountType, echo, ledger

OUTCOMES = (
    "receipt", "onebox-payment", "agent", "fee", "booked", "transfer", "recorded", "review",
    "unrelated",
    "skipped",
)  # fmt: skip


@cli.command("import", short_help="Book a bank statement: receipts, OneBox payments, fees.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--layout",
    type=click.Choice(layout_names()),
    help="The bank's layout (default: recognised from the file).",
)
@click.option(
    "--account",
    type=AccountType("--account"),
    metavar="ACCOUNT",
    help="The bank account the statement is of (default: the one for each row's currency).",
)
@click.option(
    "--fees",
    type=AccountType("--fees"),
    metavar="ACCOUNT",
    default=beans.BANK_FEES,
    show_default=True,
    help="The expense account bank fees are booked to (opened with the first fee).",
)
@click.option("--dry-run", is_flag=True, help="Show what the import would book; write nothing.")
@click.option(
    "--no-balance",
    "no_balance",
    is_flag=True,
    help="Book the rows without reaching the statement's closing balance (no assertion).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def import_statement(
    file: Path,
    layout: str | None,
    account: str | None,
    fees: str | None,
    dry_run: bool,
    no_balance: bool,
    fmt: str,
) -> None:
    """Book a bank statement as your bank exports it (Monobank, PrivatBank, DKB, ING, Chase,
    Wise, ISO 20022 camt.053, SWIFT MT940, or onebox-ledger's own CSV).

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
    held = _currencies(book, account) if account else ()
    # a bad file stops here: exit 2, nothing written
    statement = importer.statement(str(file), one_currency(held))
    imported = actions.import_statement(
        book,
        statement,
        dry_run=dry_run,
        account=account,
        fees=fees,
        today=today(),
        balance=not no_balance,
    )
    planned = imported.planned
    if fmt == "json":
        click.echo(json.dumps([item.payload() for item in planned], indent=2, ensure_ascii=False))
        return
    for item in planned:
        echo(f"{_head(item)}  {_outcome(item, dry_run)}")
    echo(_total(planned, dry_run))
    balance = reconcile(statement, importer.currency)
    if balance:
        echo(balance)
    reached = imported.reached
    if reached.refused is not None:  # a dry run: the import would be refused
        echo(f"books: the import would be refused: {reached.refused}")
    elif reached.line:
        echo(reached.line.replace(": asserted", ": would be asserted") if dry_run else reached.line)


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
    line = f"{item.outcome}: {item.reason}" + (f" ({shown})" if shown else "")
    if item.command:
        line += f"; to book it: {item.command}"
    return line


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


def _currencies(book: Ledger, account: str) -> tuple[str, ...]:
    """The currencies bank account `account` holds (its open line in the static files)."""
    for entry in book.static_entries():
        if isinstance(entry, data.Open) and entry.account == account:
            return tuple(entry.currencies or ())
    return ()
