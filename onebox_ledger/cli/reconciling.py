"""``onebox-ledger onebox reconcile``: OneBox's bill lines against the close's accrual, line by
line (onebox_ledger/reconcile.py states the rule)::

    $ onebox-ledger onebox reconcile onebox-2026-11.csv
    OneBox bill onebox-2026-11, line by line, in USD
    line  status    box      customer  contract    item        expected  billed  difference  reason
    2     match     bx-1001  acme      acme-cloud  cloud-user     81.25   81.25        0.00  as accrued
    ...
"""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from ..actions.reconciling import dispute, reconcile
from ..reconcile import parse_map, table
from ..render import render
from .common import DATE, FORMATS, TextType, echo, future_option, ledger, not_future
from .money import BILL, MEMO, onebox


@onebox.command("reconcile", short_help="Check OneBox's bill line by line against the close.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--bill", type=TextType("--bill", limit=100), metavar="ID",
    help="The bill (default: onebox-<the lines' period>).",
)  # fmt: skip
@click.option(
    "--map", "maps", multiple=True, metavar="COLUMN=NAME",
    help="Our column's name in this export, like amount=Total (repeat, or comma-separate).",
)  # fmt: skip
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option(
    "--record", is_flag=True, help="Book the bill: one adjustment per line (a match at 0.00)."
)
@click.option(
    "--date", type=DATE, metavar="YYYY-MM-DD", help="With --record: the date of OneBox's bill."
)
@future_option
def onebox_reconcile(
    file: Path,
    bill: str | None,
    maps: tuple[str, ...],
    fmt: str,
    record: bool,
    date: datetime.date | None,
    future: bool,
) -> None:
    """Compare OneBox's bill lines (a CSV: period,box,customer_ref,item,quantity,list_price,
    rate,amount,currency) with what the close accrued per contract: match, quantity, rate,
    price, amount, orphan (billed, no contract) or missing (accrued, not billed). The
    differences add up to what `onebox bill` would book; --record books one adjustment per
    line instead (a match at 0.00, so the books hold the whole bill).

    \b
    Example:
      onebox-ledger onebox reconcile bills/onebox-2026-11.csv
      onebox-ledger onebox reconcile export.csv --map amount=Total,customer_ref=Client
      onebox-ledger onebox reconcile bills/onebox-2026-11.csv --record --date 2026-12-03
    """
    done = reconcile(ledger(), file, bill=bill, mapping=parse_map(maps), record=record, date=date)
    click.echo(render(table(done.findings, done.bill, done.currency), fmt), nl=False)
    if done.message:
        echo(done.message)


@onebox.command("dispute", short_help="Dispute a line of OneBox's bill until OneBox credits it.")
@click.argument("bill", metavar="BILL_ID", type=BILL)
@click.argument("line", metavar="LINE", type=click.IntRange(min=1))
@click.option("--memo", required=True, type=MEMO, help="Why, as told to OneBox.")
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date of the dispute.")
@future_option
def onebox_dispute(bill: str, line: int, memo: str, date: datetime.date, future: bool) -> None:
    """Dispute LINE (the bill CSV's line number) of BILL_ID, as `onebox reconcile --record`
    booked it, for its difference: `report payables` keeps that much open as disputed
    (not overdue) until OneBox credits it (`onebox bill BILL_ID AMOUNT --credit`).

    \b
    Example:
      onebox-ledger onebox dispute onebox-2026-11 5 --memo "bx-0977 left" --date 2026-12-05
    """
    written = dispute(ledger(), bill, line, memo=memo, date=not_future(date, future))
    echo(written.message)
