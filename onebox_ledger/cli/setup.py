"""Commands that set the ledger up: init, terms, customer, contract, usage."""

from __future__ import annotations

import datetime
import shlex
import sys
from decimal import Decimal
from pathlib import Path

import click

from .. import actions, beans
from ..beans import STREAMS
from ..clock import today
from ..demo import PROFILES as DEMO_PROFILES
from ..model import BILLINGS, DOWNGRADES, TIMINGS, TREATMENTS, UNEARNED
from ..render import render
from ..reports import Table
from ..store import create_ledger
from ..values import MAX_DAYS, MAX_NAME, InputError, Money, Month, show_money
from . import cli
from .common import (
    COUNTRY,
    CURRENCY,
    DATE,
    FORMATS,
    MONTH,
    CurrencyType,
    DateType,
    IdType,
    MoneyType,
    ShareType,
    TextType,
    UnitsType,
    WholeType,
    echo,
    ledger,
)

AS_OF = DateType("--as-of")
LANGUAGES = ("en", "de", "uk", "fr")
CONTRACT = IdType("contract")
PRICE = MoneyType("price")
QUANTITY = WholeType("quantity")


@cli.command(short_help="Create a new ledger in DIRECTORY.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Fill it with the demo partner, all months closed.")
@click.option(
    "--title", type=TextType("title", limit=MAX_NAME), default="OneBox partner",
    show_default=True, help="The ledger's title.",
)  # fmt: skip
@click.option(
    "--currency",
    type=CurrencyType(declared=False),
    default="USD",
    show_default=True,
    metavar="CURRENCY",
    help="The operating currency (ISO 4217).",
)
@click.option(
    "--start",
    type=DateType("--start"),
    metavar="YYYY-MM-DD",
    help="Date the accounts open (default: 1 January of this year).",
)
@click.option(
    "--customers", type=WholeType("--customers"), default="10", show_default=True, metavar="N",
    help="Demo: number of customers.",
)  # fmt: skip
@click.option(
    "--months", type=WholeType("--months"), default="10", show_default=True, metavar="N",
    help="Demo: months to close.",
)  # fmt: skip
@click.option(
    "--seed", type=WholeType("--seed", 0), default="1", show_default=True, metavar="N",
    help="Demo: random seed.",
)  # fmt: skip
@click.option(
    "--profile", type=click.Choice(list(DEMO_PROFILES)), default="default", show_default=True,
    help="Demo: the partner. default: in USD, no tax regime; de: a German GmbH in EUR under"
    " VAT; ua: a Ukrainian FOP in UAH under the single tax.",
)  # fmt: skip
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
    start: datetime.date | None,
    customers: int,
    months: int,
    seed: int,
    profile: str,
    check_each_step: bool,
) -> None:
    """Create a new ledger in DIRECTORY (no terms: close refuses until they exist).

    Then cd into DIRECTORY and set OneBox's terms, starting with an item's list
    price (terms item), its cost rates (terms rate) and payment days (terms payment).

    \b
    Example:
      onebox-ledger init books --start 2026-01-01 && cd books
      onebox-ledger init demo --demo
      onebox-ledger init demo-de --demo --profile de
    """
    if demo:
        from ..demo import build_demo

        count, span, rng = customers, months, seed
        if span > 600:
            raise InputError(f"--months {span} is more than 50 years; at most 600")
        with click.progressbar(length=span, label="closing months", file=sys.stderr) as bar:
            made = build_demo(
                directory, customers=count, months=span, seed=rng,
                fast=not check_each_step, progress=lambda _month: bar.update(1), profile=profile,
            )  # fmt: skip
        named = "" if profile == "default" else f" (profile {profile})"
        echo(f"demo ledger in {made.main}{named}: {count} customers, {span} months closed")
        return
    opened = start or today().replace(month=1, day=1)
    made = create_ledger(directory, title=title, currency=currency, start=opened)
    echo(
        f"new ledger in {made.main}; next: cd {shlex.quote(str(directory))} &&"
        f' onebox-ledger terms item cloud-user "25 {currency}" --date {opened}'
    )


@cli.group(short_help="OneBox terms: list prices, cost rates, payment days.")
def terms() -> None:
    """OneBox terms: item list prices, cost-rate tiers, payment days."""


@terms.command("item", short_help="Set an item's OneBox list price.")
@click.argument("item", metavar="ITEM_ID", type=IdType("item"))
@click.argument("price", metavar="AMOUNT", type=MoneyType("price"))
@click.option(
    "--per", type=WholeType("--per"), metavar="N",
    help="Metered item: units in one billed block (the data tariff: 1000).",
)  # fmt: skip
@click.option(
    "--date", type=DATE, metavar="YYYY-MM-DD", help="From when the price holds (default today)."
)
def terms_item(item: str, price: Money, per: int | None, date: datetime.date | None) -> None:
    """OneBox list price AMOUNT ("25.00 USD") of ITEM_ID per unit-month, or per block of
    --per metered units.

    \b
    Example:
      onebox-ledger terms item cloud-user "25 USD" --date 2026-01-01
      onebox-ledger terms item data-records "1.99 USD" --per 1000 --date 2026-01-01
    """
    written = actions.terms_item(
        ledger(), item, price, date or today(), Decimal(per) if per is not None else None
    )
    echo(written.message)


@terms.command("rate", short_help="Set the cost rate from a number of active boxes.")
@click.argument("boxes", type=WholeType("boxes"))
@click.argument("rate", type=ShareType("rate"))
@click.option(
    "--date", type=DATE, metavar="YYYY-MM-DD", help="From when the tier holds (default today)."
)
def terms_rate(boxes: int, rate: Decimal, date: datetime.date | None) -> None:
    """Partner cost RATE (share of list price: 0.65, or 65%) from BOXES active boxes on.

    \b
    Example:
      onebox-ledger terms rate 1 0.65 --date 2026-01-01
      onebox-ledger terms rate 10 0.60 --date 2026-01-01
    """
    written = actions.terms_rate(ledger(), boxes, rate, date or today())
    echo(written.message)


@terms.command("payment", short_help="Set the days OneBox bills are due after month end.")
@click.argument("days", type=WholeType("days", 0, MAX_DAYS))
@click.option(
    "--date", type=DATE, metavar="YYYY-MM-DD", help="From when the terms hold (default today)."
)
def terms_payment(days: int, date: datetime.date | None) -> None:
    """OneBox bills are due DAYS (0 to 3650) after the end of the month they bill.

    \b
    Example:
      onebox-ledger terms payment 30 --date 2026-01-01
    """
    written = actions.terms_payment(ledger(), days, date or today())
    echo(written.message)


@terms.command("show", short_help="Show the terms in force on a date.")
@click.option("--as-of", "as_of", type=AS_OF, metavar="YYYY-MM-DD", help="Date (default today).")
def terms_show(as_of: datetime.date | None) -> None:
    """The terms in force on a date.

    \b
    Example:
      onebox-ledger terms show --as-of 2026-06-30
    """
    when = as_of or today()
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
@click.argument("currency", type=CURRENCY)
@click.argument("rate", metavar="RATE", type=MoneyType("rate", places=6))
@click.option("--date", type=DATE, metavar="YYYY-MM-DD", help="Date of the rate (default today).")
def price(currency: str, rate: Money, date: datetime.date | None) -> None:
    """Record an exchange rate: 1 CURRENCY = RATE ("1.08 USD") in the operating currency (for
    reports).

    \b
    Example:
      onebox-ledger price EUR "1.08 USD" --date 2026-11-30
    """
    written = actions.price(ledger(), currency, rate, date or today())
    echo(written.message)


@cli.group(short_help="Customers of the partner.")
def customer() -> None:
    """Customers of the partner."""


@customer.command("add", short_help="Add a customer and open its accounts.")
@click.argument("customer_id", type=IdType("customer"))
@click.option(
    "--name", required=True, type=TextType("name", limit=MAX_NAME),
    help="The customer's name as it appears on invoices.",
)  # fmt: skip
@click.option(
    "--currency",
    type=CURRENCY,
    metavar="CURRENCY",
    help="Currency the customer is billed in (ISO 4217; default: operating currency).",
)
@click.option(
    "--payment",
    type=WholeType("--payment", 0, MAX_DAYS),
    default="30",
    show_default=True,
    metavar="DAYS",
    help="Days the customer has to pay (0 to 3650).",
)
@click.option(
    "--date", type=DATE, metavar="YYYY-MM-DD",
    help="Date the customer and its accounts start (default today).",
)  # fmt: skip
@click.option(
    "--country", type=COUNTRY, metavar="CC",
    help="ISO 3166 country (default: the partner's): gives the VAT treatment.",
)  # fmt: skip
@click.option(
    "--vat-id",
    "vat_id",
    type=TextType("--vat-id", limit=40),
    metavar="ID",
    help="The customer's VAT id (checked; an EU business's gives reverse charge).",
)
@click.option(
    "--tax",
    type=click.Choice(TREATMENTS),
    help="VAT treatment, when not what country and VAT id give.",
)
@click.option(
    "--address", type=TextType("--address"), metavar="TEXT", help="Postal address, for invoices."
)
@click.option("--language", type=click.Choice(LANGUAGES), help="Language of its documents.")
def customer_add(
    customer_id: str,
    name: str,
    currency: str | None,
    payment: int,
    date: datetime.date | None,
    country: str | None,
    vat_id: str | None,
    tax: str | None,
    address: str | None,
    language: str | None,
) -> None:
    """Add a customer; opens its receivable and deferred-revenue accounts.

    Under VAT (partner set --tax vat) the treatment follows from --country and --vat-id:
    the partner's country -> standard; another EU state with a VAT id -> reverse-charge;
    outside the EU -> exempt. --tax overrides it.

    \b
    Example:
      onebox-ledger customer add acme --name "Acme Realty" --date 2026-01-01
      onebox-ledger customer add berlin-immo --name "Berlin Immo GmbH" --currency EUR
      onebox-ledger customer add paris-immo --name "Paris Immo SARL" --currency EUR \\
          --country FR --vat-id FR40303265045
    """
    book = ledger()
    written = actions.customer_add(
        book, customer_id, name, currency or book.operating_currency(), payment, date or today(),
        country=country, vat_id=vat_id, tax=tax, address=address, language=language,
    )  # fmt: skip
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
@click.argument("contract_id", type=CONTRACT)
@click.option(
    "--customer", "customer_id", required=True, type=IdType("customer"), metavar="ID",
    help="The customer id.",
)  # fmt: skip
@click.option("--stream", required=True, type=click.Choice(STREAMS), help="Revenue stream.")
@click.option(
    "--price",
    required=True,
    type=PRICE,
    metavar="AMOUNT",
    help='Price per unit and month (per block if metered), "25.00 USD".',
)
@click.option(
    "--quantity", type=QUANTITY, default="1", show_default=True, metavar="N",
    help="Units (users, seats, apps).",
)  # fmt: skip
@click.option(
    "--start", required=True, type=DateType("--start"), metavar="YYYY-MM-DD",
    help="First day of service.",
)  # fmt: skip
@click.option("--billing", default="monthly", show_default=True, type=click.Choice(BILLINGS))
@click.option(
    "--item", type=IdType("item"), metavar="ID",
    help="The OneBox item each unit consumes (none for services).",
)  # fmt: skip
@click.option("--end", type=DateType("--end"), metavar="YYYY-MM-DD", help="Last day of service.")
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
    price: Money,
    quantity: int,
    start: datetime.date,
    billing: str,
    item: str | None,
    end: datetime.date | None,
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
        ledger(), contract_id, customer=customer_id, stream=stream, price=price,
        quantity=quantity, start=start, billing=billing, item=item, end=end, timing=timing,
    )  # fmt: skip
    echo(written.message)


@contract.command("change", short_help="Change a contract's quantity or price from a date.")
@click.argument("contract_id", type=CONTRACT)
@click.option(
    "--date", required=True, type=DateType("--date"), metavar="YYYY-MM-DD",
    help="First day of the new terms.",
)  # fmt: skip
@click.option("--quantity", type=QUANTITY, metavar="N", help="New quantity.")
@click.option("--price", type=PRICE, metavar="AMOUNT", help='New price per unit, "27.00 USD".')
@click.option(
    "--downgrade",
    type=click.Choice(DOWNGRADES),
    default="credit",
    show_default=True,
    help="Annual: lower terms credited for the rest of the year, or billed from the anniversary.",
)
def contract_change(
    contract_id: str,
    date: datetime.date,
    quantity: int | None,
    price: Money | None,
    downgrade: str,
) -> None:
    """Change a contract's quantity or price from a date on (prorated by day).

    \b
    Example:
      onebox-ledger contract change acme-cloud --date 2026-11-15 --quantity 8
    """
    written = actions.contract_change(ledger(), contract_id, date, quantity, price, downgrade)
    echo(written.message)


@contract.command("end", short_help="End a contract on its last day of service.")
@click.argument("contract_id", type=CONTRACT)
@click.option(
    "--date", required=True, type=DateType("--date"), metavar="YYYY-MM-DD",
    help="Last day of service.",
)  # fmt: skip
@click.option(
    "--unearned",
    type=click.Choice(UNEARNED),
    default="recognise",
    show_default=True,
    help="Annual, ended before its year: the days paid for and not served, income or credit.",
)
def contract_end(contract_id: str, date: datetime.date, unearned: str) -> None:
    """End a contract: --date is its last day of service.

    An annual contract ended before its year is over costs OneBox until DATE; what the
    customer paid for the days after it is recognised as income (the default) or
    credited to the customer (--unearned credit).

    \b
    Example:
      onebox-ledger contract end acme-cloud --date 2026-12-31
      onebox-ledger contract end delta-cloud --date 2026-07-15 --unearned credit
    """
    written = actions.contract_end(ledger(), contract_id, date, unearned)
    echo(written.message)


@contract.command("list", short_help="List the contracts with their terms and status.")
@click.option("--as-of", "as_of", type=AS_OF, metavar="YYYY-MM-DD", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def contract_list(as_of: datetime.date | None, fmt: str) -> None:
    """Every contract started by a date, with its quantity and price then, and its status:
    active, or ended (its last day, or a one-off's month, is past). A metered contract's
    quantity is its usage (onebox-ledger usage), so it shows as metered.

    \b
    Example:
      onebox-ledger contract list --as-of 2026-06-30
    """
    when = as_of or today()
    book, _ = ledger().book()
    rows: list[list[object]] = []
    for cid, c in sorted(book.contracts.items()):
        if c.start > when:
            continue
        last = c.end or (Month.of(c.start).last if c.billing == "once" else None)
        quantity, price = c.terms_on(min(when, last) if last else when)
        rows.append(
            [
                cid, c.customer, c.stream, c.billing,
                "metered" if c.billing == "metered" else str(quantity),
                show_money(beans.number(price), price.currency),
                c.item or "-", c.start, last, "ended" if last and last < when else "active",
            ]
        )  # fmt: skip
    columns = ["contract", "customer", "stream", "billing", "quantity", "price", "item", "from",
               "to", "status"]  # fmt: skip
    click.echo(render(Table(f"Contracts as of {when}", columns, rows), fmt), nl=False)


@cli.command(short_help="Record a metered contract's usage for a month.")
@click.argument("contract_id", type=CONTRACT)
@click.argument("quantity", metavar="UNITS", type=UnitsType())
@click.option("--month", required=True, type=MONTH, metavar="YYYY-MM", help="The month used.")
def usage(contract_id: str, quantity: Decimal, month: Month) -> None:
    """Record a metered contract's usage for a month (data tariff: records).

    \b
    Example:
      onebox-ledger usage acme-data 1500 --month 2026-11
    """
    written = actions.usage(ledger(), contract_id, quantity, month)
    echo(written.message)
