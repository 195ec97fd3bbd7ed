"""Import a bank statement: customer receipts and payments to OneBox, one line per row.

Nothing is written until every row has been read and checked (a bad file:
exit 2) and planned against the ledger under the write lock
(actions.import_statement; a row the ledger would refuse: exit 1), so a
refused import changes no file. The new rows are then written together, in one
atomic change, as ``receive`` and ``onebox pay`` record them with ``--ref`` the
bank reference: importing the same statement again changes nothing::

    $ onebox-ledger import bank-2026-11.csv
    line 2  2026-11-02  20261102-0001  +200.00 USD  applied: received 200.00 USD from acme-realty: 200.00 to inv-2026-10-acme-realty
    line 8  2026-11-18  20261118-0007  -1500.00 USD  unmatched: money out, not to OneBox ('Office Rent LLC', 'Rent November 2026')
    total: 1 applied (in 200.00 USD); 0 already recorded; 1 unmatched (out 1500.00 USD)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import click

from .. import actions
from ..importers.bank import BankImporter, Planned
from ..values import ZERO
from . import cli
from .common import echo, ledger


@cli.command("import", short_help="Record a bank statement (CSV).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the import would record; write nothing.")
def import_statement(file: Path, dry_run: bool) -> None:
    """Record a bank statement (CSV): customer receipts and payments to OneBox.

    Rows are matched to a customer by an invoice id in the description, the
    counterparty's name or a customer id or name in the description; money out
    to OneBox pays the bill named in the description, else the oldest bills.
    Other rows are listed as unmatched, for you to record. The bank reference
    is each payment's --ref: importing a statement twice changes nothing.

    \b
    Layout (header line, oldest row first):
      Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance

    \b
    Example:
      onebox-ledger import statements/bank-2026-11.csv --dry-run
      onebox-ledger import statements/bank-2026-11.csv
    """
    book = ledger()
    book.check_exists()
    importer = BankImporter(currency=book.operating_currency())
    rows = importer.rows(str(file))  # a bad file stops here: exit 2, nothing written
    ordered = importer.chronological(rows)
    planned = actions.import_statement(book, ordered, source=file.name, dry_run=dry_run)
    for item in planned:
        echo(f"{_head(item)}  {_outcome(item, dry_run)}")
    echo(_total(planned, dry_run))


def _head(item: Planned) -> str:
    row = item.row
    return f"line {row.line}  {row.date}  {row.ref}  {row.amount:+f} {row.currency}"


def _outcome(item: Planned, dry_run: bool) -> str:
    row = item.row
    if item.status == "recorded":
        return f"already recorded ({item.reason})"
    if item.status == "unmatched":
        texts = (" ".join(text.split()) for text in (row.counterparty, row.description))
        shown = ", ".join(repr(text) for text in texts if text)
        return f"unmatched: {item.reason} ({shown})"
    return f"{'would apply' if dry_run else 'applied'}: {item.summary}"


def _total(planned: Sequence[Planned], dry_run: bool) -> str:
    groups = (
        ("to apply" if dry_run else "applied", "new"),
        ("already recorded", "recorded"),
        ("unmatched", "unmatched"),
    )
    parts = []
    for label, status in groups:
        rows = [item.row for item in planned if item.status == status]
        money = _money([(row.amount, row.currency) for row in rows])
        parts.append(f"{len(rows)} {label}{f' ({money})' if money else ''}")
    end = "; dry run, nothing written" if dry_run else ""
    return f"total: {'; '.join(parts)}{end}"


def _money(amounts: Sequence[tuple[Decimal, str]]) -> str:
    """'in 200.00 USD, out 1500.00 USD': money in and out, per currency."""
    sums: dict[tuple[str, str], Decimal] = {}
    for number, currency in amounts:
        key = ("in" if number > 0 else "out", currency)
        sums[key] = sums.get(key, ZERO) + abs(number)
    return ", ".join(f"{way} {total} {cur}" for (way, cur), total in sorted(sums.items()) if total)
