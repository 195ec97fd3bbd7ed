"""Money events: sell, receive, onebox pay, onebox grace."""

from __future__ import annotations

import click

from .. import actions
from ..beans import STREAMS
from ..values import make_text, parse_amount, parse_date, parse_id, parse_ref
from . import cli
from .common import echo, ledger


@cli.command(short_help="Invoice a one-time sale (implementation, hours).")
@click.argument("customer_id")
@click.argument("amount")
@click.option("--stream", default="services", show_default=True, type=click.Choice(STREAMS))
@click.option("--date", required=True, help="Invoice date.")
@click.option("--memo", required=True, help="What was sold, as it appears on the invoice.")
@click.option("--ref", help="Your reference; the same ref again is a no-op.")
def sell(customer_id: str, amount: str, stream: str, date: str, memo: str, ref: str | None) -> None:
    """Invoice a one-time sale (implementation, hours): 100% the partner's.

    \b
    Example:
      onebox-ledger sell acme "2000 USD" --date 2026-11-05 --memo "Implementation" --ref INV-104
    """
    written = actions.sell(
        ledger(),
        parse_id(customer_id, "customer"),
        parse_amount(amount),
        stream=stream,
        date=parse_date(date),
        memo=make_text(memo, "memo"),
        ref=parse_ref(ref) if ref is not None else None,
    )
    echo(written.message)


@cli.command(short_help="Record a customer's payment.")
@click.argument("customer_id")
@click.argument("amount")
@click.option("--date", required=True, help="Date the money arrived.")
@click.option("--invoice", help="Apply to this invoice (default: oldest open invoices first).")
@click.option("--ref", help="Bank reference; the same ref again is a no-op.")
def receive(customer_id: str, amount: str, date: str, invoice: str | None, ref: str | None) -> None:
    """Record a customer's payment: Assets:Bank <- Assets:Receivable:<Customer>.

    \b
    Example:
      onebox-ledger receive acme "125 USD" --date 2026-12-10 --invoice inv-2026-11-acme
    """
    written = actions.receive(
        ledger(),
        parse_id(customer_id, "customer"),
        parse_amount(amount),
        date=parse_date(date),
        invoice=make_text(invoice, "--invoice", limit=100) if invoice is not None else None,
        ref=parse_ref(ref) if ref is not None else None,
    )
    echo(written.message)


@cli.group()
def onebox() -> None:
    """What the partner owes OneBox: pay bills, record grace periods."""


@onebox.command("pay")
@click.argument("amount")
@click.option("--date", required=True, help="Date of the payment.")
@click.option("--bill", help="Pay this bill (default: oldest due bills first).")
@click.option("--ref", help="Bank reference; the same ref again is a no-op.")
def onebox_pay(amount: str, date: str, bill: str | None, ref: str | None) -> None:
    """Pay OneBox: Liabilities:OneBox:Payable (or :Grace) <- Assets:Bank.

    \b
    Example:
      onebox-ledger onebox pay "81.25 USD" --date 2026-12-20 --bill onebox-2026-11
    """
    written = actions.onebox_pay(
        ledger(),
        parse_amount(amount),
        date=parse_date(date),
        bill=make_text(bill, "--bill", limit=100) if bill is not None else None,
        ref=parse_ref(ref) if ref is not None else None,
    )
    echo(written.message)


@onebox.command("grace", short_help="Defer a OneBox bill under a grace period.")
@click.argument("bill")
@click.option("--until", required=True, help="The new due date OneBox agreed to.")
@click.option("--date", required=True, help="Date of the agreement.")
def onebox_grace(bill: str, until: str, date: str) -> None:
    """Defer a bill under a grace period: its open amount moves to Liabilities:OneBox:Grace.

    \b
    Example:
      onebox-ledger onebox grace onebox-2026-11 --until 2027-02-28 --date 2026-12-28
    """
    written = actions.onebox_grace(
        ledger(),
        make_text(bill, "bill", limit=100),
        until=parse_date(until, "--until"),
        date=parse_date(date),
    )
    echo(written.message)
