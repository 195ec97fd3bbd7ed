"""Commands that set the ledger up: init, terms, customer, contract, usage."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from .. import actions, beans
from ..beans import STREAMS
from ..clock import today
from ..model import BILLINGS, DOWNGRADES, TIMINGS, UNEARNED
from ..store import create_ledger
from ..values import (
    MAX_DAYS,
    MAX_NAME,
    InputError,
    Money,
    Month,
    make_text,
    parse_amount,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_id,
    parse_month,
    show_money,
)
from . import cli
from .common import date_or_today, echo, ledger, whole


@cli.command(short_help="Create a new ledger in DIRECTORY.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Fill it with the demo partner, all months closed.")
@click.option("--title", default="OneBox partner", show_default=True, help="The ledger's title.")
@click.option(
    "--currency",
    default="USD",
    show_default=True,
    metavar="CURRENCY",
    help="The operating currency.",
)
@click.option(
    "--start",
    metavar="YYYY-MM-DD",
    help="Date the accounts open (default: 1 January of this year).",
)
@click.option(
    "--customers", default="10", show_default=True, metavar="N", help="Demo: number of customers."
)
@click.option(
    "--months", default="10", show_default=True, metavar="N", help="Demo: months to close."
)
@click.option("--seed", default="1", show_default=True, metavar="N", help="Demo: random seed.")
@click.option(
    "--check-each-step",
    is_flag=True,
    help="Demo: write every step through the commands' full validation (slow; same bytes).",
)
def init(
    directory: Path,
    demo: bool,
    title: str,
    currency: str,
    start: str | None,
    customers: str,
    months: str,
    seed: str,
    check_each_step: bool,
) -> None:
    """Create a new ledger in DIRECTORY (no terms: close refuses until they exist).

    Then cd into DIRECTORY and set OneBox's terms, starting with an item's list
    price (terms item), its cost rates (terms rate) and payment days (terms payment).

    \b
    Example:
      onebox-ledger init books --start 2026-01-01 && cd books
      onebox-ledger init demo --demo
    """
    title = make_text(title, "title", limit=MAX_NAME)
    currency = parse_currency(currency)
    if demo:
        from ..demo import build_demo

        count = whole(customers, "--customers")
        span = whole(months, "--months")
        rng = whole(seed, "--seed", 0)
        if span > 600:
            raise InputError(f"--months {span} is more than 50 years; at most 600")
        with click.progressbar(length=span, label="closing months", file=sys.stderr) as bar:
            made = build_demo(
                directory, customers=count, months=span, seed=rng,
                fast=not check_each_step, progress=lambda _month: bar.update(1),
            )  # fmt: skip
        echo(f"demo ledger in {made.main}: {count} customers, {span} months closed")
        return
    opened = parse_date(start, "--start") if start else today().replace(month=1, day=1)
    made = create_ledger(directory, title=title, currency=currency, start=opened)
    echo(
        f"new ledger in {made.main}; next: cd {shlex.quote(str(directory))} &&"
        f' onebox-ledger terms item cloud-user "25 {currency}" --date {opened}'
    )


@cli.group(short_help="OneBox terms: list prices, cost rates, payment days.")
def terms() -> None:
    """OneBox terms: item list prices, cost-rate tiers, payment days."""


@terms.command("item", short_help="Set an item's OneBox list price.")
@click.argument("item", metavar="ITEM_ID")
@click.argument("price", metavar="AMOUNT")
@click.option(
    "--per", metavar="N", help="Metered item: units in one billed block (the data tariff: 1000)."
)
@click.option("--date", metavar="YYYY-MM-DD", help="From when the price holds (default today).")
def terms_item(item: str, price: str, per: str | None, date: str | None) -> None:
    """OneBox list price AMOUNT ("25.00 USD") of ITEM_ID per unit-month, or per block of
    --per metered units.

    \b
    Example:
      onebox-ledger terms item cloud-user "25 USD" --date 2026-01-01
      onebox-ledger terms item data-records "1.99 USD" --per 1000 --date 2026-01-01
    """
    name = parse_id(item, "item")
    per_units = parse_decimal(per, "--per", places=0) if per is not None else None
    written = actions.terms_item(
        ledger(), name, parse_amount(price, "price"), date_or_today(date), per_units
    )
    echo(written.message)


@terms.command("rate", short_help="Set the cost rate from a number of active boxes.")
@click.argument("boxes")
@click.argument("rate")
@click.option("--date", metavar="YYYY-MM-DD", help="From when the tier holds (default today).")
def terms_rate(boxes: str, rate: str, date: str | None) -> None:
    """Partner cost RATE (share of list price) from BOXES active boxes on.

    \b
    Example:
      onebox-ledger terms rate 1 0.65 --date 2026-01-01
      onebox-ledger terms rate 10 0.60 --date 2026-01-01
    """
    written = actions.terms_rate(
        ledger(), whole(boxes, "boxes"), parse_decimal(rate, "rate", places=4), date_or_today(date)
    )
    echo(written.message)


@terms.command("payment", short_help="Set the days OneBox bills are due after month end.")
@click.argument("days")
@click.option("--date", metavar="YYYY-MM-DD", help="From when the terms hold (default today).")
def terms_payment(days: str, date: str | None) -> None:
    """OneBox bills are due DAYS (0 to 3650) after the end of the month they bill.

    \b
    Example:
      onebox-ledger terms payment 30 --date 2026-01-01
    """
    written = actions.terms_payment(ledger(), whole(days, "days", 0, MAX_DAYS), date_or_today(date))
    echo(written.message)


@terms.command("show", short_help="Show the terms in force on a date.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date (default today).")
def terms_show(as_of: str | None) -> None:
    """The terms in force on a date.

    \b
    Example:
      onebox-ledger terms show --as-of 2026-06-30
    """
    when = date_or_today(as_of, "--as-of")
    book, _ = ledger().book()
    echo(f"OneBox terms as of {when}")
    for name in sorted(book.items):
        item = book.item(name, when)
        if item is not None:
            unit = f"per {item.per:f} units (metered)" if item.per else "per unit-month"
            listed = show_money(beans.number(item.price), item.price.currency)
            echo(f"  item {name}: {listed} {unit}, since {item.date}")
    for boxes, rate in sorted(book.rate_table(when).items()):
        echo(f"  rate from {boxes} box(es): {rate}")
    days = book.payment_days(when)
    echo(f"  payment: {days} days after month end" if days is not None else "  payment: not set")


@cli.command("price", short_help="Record an exchange rate for the reports.")
@click.argument("currency")
@click.argument("rate")
@click.option("--date", metavar="YYYY-MM-DD", help="Date of the rate (default today).")
def price(currency: str, rate: str, date: str | None) -> None:
    """Record an exchange rate: 1 CURRENCY = RATE ("1.08 USD") in the operating currency (for
    reports).

    \b
    Example:
      onebox-ledger price EUR "1.08 USD" --date 2026-11-30
    """
    number, quote = rate.split()[0] if rate.split() else rate, rate.split()[1:] or [""]
    amount = Money(parse_decimal(number, "rate", places=6), parse_currency(quote[0]))
    written = actions.price(ledger(), parse_currency(currency), amount, date_or_today(date))
    echo(written.message)


@cli.group(short_help="Customers of the partner.")
def customer() -> None:
    """Customers of the partner."""


@customer.command("add", short_help="Add a customer and open its accounts.")
@click.argument("customer_id")
@click.option("--name", required=True, help="The customer's name as it appears on invoices.")
@click.option(
    "--currency",
    metavar="CURRENCY",
    help="Currency the customer is billed in (default: operating currency).",
)
@click.option(
    "--payment",
    default="30",
    show_default=True,
    metavar="DAYS",
    help="Days the customer has to pay (0 to 3650).",
)
@click.option(
    "--date", metavar="YYYY-MM-DD", help="Date the customer and its accounts start (default today)."
)
def customer_add(
    customer_id: str, name: str, currency: str | None, payment: str, date: str | None
) -> None:
    """Add a customer; opens its receivable and deferred-revenue accounts.

    \b
    Example:
      onebox-ledger customer add acme --name "Acme Realty" --date 2026-01-01
      onebox-ledger customer add berlin-immo --name "Berlin Immo GmbH" --currency EUR
    """
    book = ledger()
    written = actions.customer_add(
        book,
        parse_id(customer_id, "customer"),
        make_text(name, "name", limit=MAX_NAME),
        parse_currency(currency) if currency else book.operating_currency(),
        whole(payment, "--payment", 0, MAX_DAYS),
        date_or_today(date),
    )
    echo(written.message)


@customer.command("list", short_help="List every customer with its currency and contracts.")
def customer_list() -> None:
    """Every customer with its currency and contracts.

    \b
    Example:
      onebox-ledger customer list
    """
    book, _ = ledger().book()
    for cid, who in sorted(book.customers.items()):
        contracts = sorted(c.id for c in book.contracts.values() if c.customer == cid)
        echo(
            f"{cid}  {who.name}  {who.currency}  since {who.date}  contracts: {', '.join(contracts) or '-'}"
        )


@cli.group(short_help="Contracts: what a customer buys, at what price, from when.")
def contract() -> None:
    """Contracts: what a customer buys, at what price, from when."""


@contract.command("add", short_help="Add a contract: what a customer buys, from when.")
@click.argument("contract_id")
@click.option("--customer", "customer_id", required=True, metavar="ID", help="The customer id.")
@click.option("--stream", required=True, type=click.Choice(STREAMS), help="Revenue stream.")
@click.option(
    "--price",
    required=True,
    metavar="AMOUNT",
    help='Price per unit and month (per block if metered), "25.00 USD".',
)
@click.option(
    "--quantity", default="1", show_default=True, metavar="N", help="Units (users, seats, apps)."
)
@click.option("--start", required=True, metavar="YYYY-MM-DD", help="First day of service.")
@click.option("--billing", default="monthly", show_default=True, type=click.Choice(BILLINGS))
@click.option(
    "--item", metavar="ID", help="The OneBox item each unit consumes (none for services)."
)
@click.option("--end", metavar="YYYY-MM-DD", help="Last day of service.")
@click.option(
    "--timing",
    type=click.Choice(TIMINGS),
    default="arrears",
    show_default=True,
    help="Monthly: invoice at the close (arrears) or on the 1st (advance: onebox-ledger invoice).",
)
def contract_add(
    contract_id: str,
    customer_id: str,
    stream: str,
    price: str,
    quantity: str,
    start: str,
    billing: str,
    item: str | None,
    end: str | None,
    timing: str,
) -> None:
    """Add a contract.

    A monthly contract billed in advance (--timing advance) is invoiced on the first
    of each month by `onebox-ledger invoice`; the close recognises the days served and
    carries what changed during the month to the next invoice.

    \b
    Example:
      onebox-ledger contract add acme-cloud --customer acme --stream cloud \\
          --price "25 USD" --quantity 5 --start 2026-11-01 --item cloud-user
    """
    written = actions.contract_add(
        ledger(),
        parse_id(contract_id, "contract"),
        customer=parse_id(customer_id, "customer"),
        stream=stream,
        price=parse_amount(price, "price"),
        quantity=whole(quantity, "quantity"),
        start=parse_date(start, "--start"),
        billing=billing,
        item=parse_id(item, "item") if item else None,
        end=parse_date(end, "--end") if end else None,
        timing=timing,
    )
    echo(written.message)


@contract.command("change", short_help="Change a contract's quantity or price from a date.")
@click.argument("contract_id")
@click.option("--date", required=True, metavar="YYYY-MM-DD", help="First day of the new terms.")
@click.option("--quantity", metavar="N", help="New quantity.")
@click.option("--price", metavar="AMOUNT", help='New price per unit, "27.00 USD".')
@click.option(
    "--downgrade",
    type=click.Choice(DOWNGRADES),
    default="credit",
    show_default=True,
    help="Annual: lower terms credited for the rest of the year, or billed from the anniversary.",
)
def contract_change(
    contract_id: str, date: str, quantity: str | None, price: str | None, downgrade: str
) -> None:
    """Change a contract's quantity or price from a date on (prorated by day).

    \b
    Example:
      onebox-ledger contract change acme-cloud --date 2026-11-15 --quantity 8
    """
    written = actions.contract_change(
        ledger(),
        parse_id(contract_id, "contract"),
        parse_date(date, "--date"),
        whole(quantity, "quantity") if quantity is not None else None,
        parse_amount(price, "price") if price is not None else None,
        downgrade,
    )
    echo(written.message)


@contract.command("end", short_help="End a contract on its last day of service.")
@click.argument("contract_id")
@click.option("--date", required=True, metavar="YYYY-MM-DD", help="Last day of service.")
@click.option(
    "--unearned",
    type=click.Choice(UNEARNED),
    default="recognise",
    show_default=True,
    help="Annual, ended before its year: the days paid for and not served, income or credit.",
)
def contract_end(contract_id: str, date: str, unearned: str) -> None:
    """End a contract: --date is its last day of service.

    An annual contract ended before its year is over costs OneBox until DATE; what the
    customer paid for the days after it is recognised as income (the default) or
    credited to the customer (--unearned credit).

    \b
    Example:
      onebox-ledger contract end acme-cloud --date 2026-12-31
      onebox-ledger contract end delta-cloud --date 2026-07-15 --unearned credit
    """
    written = actions.contract_end(
        ledger(), parse_id(contract_id, "contract"), parse_date(date, "--date"), unearned
    )
    echo(written.message)


@contract.command("list", short_help="List the contracts active on a date.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date (default today).")
def contract_list(as_of: str | None) -> None:
    """Contracts active on a date, with their quantity and price then.

    \b
    Example:
      onebox-ledger contract list --as-of 2026-06-30
    """
    when = date_or_today(as_of, "--as-of")
    book, _ = ledger().book()
    for cid, c in sorted(book.contracts.items()):
        if not c.active_on(when):
            continue
        quantity, price = c.terms_on(when)
        end = f" to {c.end}" if c.end else ""
        echo(
            f"{cid}  {c.customer}  {c.stream}  {c.billing}"
            f"  {quantity} x {show_money(beans.number(price), price.currency)}"
            f"  item {c.item or '-'}  from {c.start}{end}"
        )


@cli.command(short_help="Record a metered contract's usage for a month.")
@click.argument("contract_id")
@click.argument("quantity")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month used.")
def usage(contract_id: str, quantity: str, month: str) -> None:
    """Record a metered contract's usage for a month (data tariff: records).

    \b
    Example:
      onebox-ledger usage acme-data 1500 --month 2026-11
    """
    units = parse_decimal(quantity, "quantity", places=0, positive=False)
    period: Month = parse_month(month)
    written = actions.usage(ledger(), parse_id(contract_id, "contract"), units, period)
    echo(written.message)
