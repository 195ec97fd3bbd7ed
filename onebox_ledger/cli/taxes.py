"""Tax commands: ``partner set|show``, ``customer tax``, ``terms vat``, ``terms onebox-vat``,
``tax pay``, ``report vat`` and ``report single-tax`` (onebox_ledger.taxes for the books,
onebox_ledger.tax_reports for the returns)::

    $ onebox-ledger partner set --name "Muster Cloud GmbH" --country DE --vat-id DE136695976 \\
        --tax vat --rate 19 --date 2026-01-01
    partner Muster Cloud GmbH (DE): VAT, 19% in DE from 2026-01-01
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import click

from .. import actions, tax_reports
from ..clock import today
from ..model import REGIMES, TREATMENTS
from ..taxes import percent
from ..values import MAX_NAME, InputError, Money
from . import cli
from .books import _report, report
from .common import (
    COUNTRY,
    DATE,
    FORMATS,
    AccountType,
    BicType,
    DateType,
    IbanType,
    IdType,
    MoneyType,
    PercentType,
    TextType,
    echo,
    future_option,
    ledger,
    not_future,
)
from .common import REF as REF_TYPE
from .setup import customer, terms


@cli.group(short_help="The partner: name, address, VAT id, IBAN and tax regime.")
def partner() -> None:
    """The partner as it issues invoices: its details and tax regime, dated."""


@partner.command("set", short_help="Set the partner's details and tax regime from a date.")
@click.option("--name", required=True, type=TextType("--name", limit=MAX_NAME), help="Legal name.")
@click.option("--country", required=True, type=COUNTRY, metavar="CC", help="ISO 3166 country.")
@click.option("--vat-id", "vat_id", type=TextType("--vat-id", limit=40), metavar="ID",
              help="VAT id (checked with python-stdnum).")  # fmt: skip
@click.option("--address", type=TextType("--address"), metavar="TEXT", help="Postal address.")
@click.option("--iban", type=IbanType(), help="The IBAN customers pay to.")
@click.option("--bic", type=BicType(), help="Its bank's BIC (printed on invoices; optional).")
@click.option("--tax", required=True, type=click.Choice(REGIMES), help="The tax regime.")
@click.option(
    "--rate", type=PercentType("--rate"), metavar="PERCENT",
    help="vat: the country's standard rate from --date; ua-single-tax: percent of money"
    " received (default 5).",
)  # fmt: skip
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="From when.")
def partner_set(
    name: str, country: str, vat_id: str | None, address: str | None, iban: str | None,
    bic: str | None, tax: str, rate: Decimal | None, date: datetime.date,
) -> None:  # fmt: skip
    """The partner's details and tax regime from --date on: vat (invoices carry VAT by the
    customer's treatment), ua-single-tax (a Ukrainian FOP: --rate % of money received), none.

    \b
    Example:
      onebox-ledger partner set --name "Muster Cloud GmbH" --country DE \\
          --vat-id DE136695976 --tax vat --rate 19 --date 2026-01-01
      onebox-ledger partner set --name "FOP Ivanenko" --country UA --tax ua-single-tax \\
          --rate 5 --date 2026-01-01
    """
    written = actions.partner_set(
        ledger(), name=name, country=country, tax=tax, date=date, vat_id=vat_id,
        address=address, iban=iban, rate=rate, bic=bic,
    )  # fmt: skip
    echo(written.message)


@partner.command("show", short_help="Show the partner's details and regime on a date.")
@click.option("--as-of", "as_of", type=DateType("--as-of"), metavar="YYYY-MM-DD",
              help="Date (default today).")  # fmt: skip
def partner_show(as_of: datetime.date | None) -> None:
    """The partner's details and tax regime in force on a date.

    \b
    Example:
      onebox-ledger partner show --as-of 2026-06-30
    """
    when = as_of or today()
    book, _ = ledger().book()
    found = book.partner(when)
    if found is None:
        raise InputError(f"no partner set on {when} (onebox-ledger partner set ...)")
    echo(f"{found.name} ({found.country}), since {found.date}")
    for label, value in (("VAT id", found.vat_id), ("address", found.address),
                         ("IBAN", found.iban), ("BIC", found.bic)):  # fmt: skip
        if value:
            echo(f"  {label}: {value}")
    if found.tax == "vat":
        rate = book.vat_rate(found.country, when)
        echo(f"  tax: VAT, {percent(rate) if rate is not None else 'no rate'} in {found.country}")
        onebox = book.bill_vat_rate(when)
        if onebox:
            echo(f"  OneBox's bills: VAT {percent(onebox)}")
    elif found.tax == "ua-single-tax":
        echo(f"  tax: single tax, {percent(found.rate or Decimal(0))} of money received")
    else:
        echo("  tax: none")


@customer.command("tax", short_help="Set a customer's VAT treatment from a date.")
@click.argument("customer_id", type=IdType("customer"))
@click.option("--tax", required=True, type=click.Choice(TREATMENTS), help="The treatment.")
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="From when.")
def customer_tax(customer_id: str, tax: str, date: datetime.date) -> None:
    """The customer's VAT treatment from --date on: standard, reverse-charge (an EU business
    with a VAT id) or exempt (outside the EU).

    \b
    Example:
      onebox-ledger customer tax paris-immo --tax standard --date 2026-07-01
    """
    echo(actions.customer_tax(ledger(), customer_id, tax, date).message)


@terms.command("vat", short_help="Set a country's standard VAT rate from a date.")
@click.argument("country", type=COUNTRY)
@click.argument("rate", type=PercentType("rate"))
@click.option("--date", type=DATE, metavar="YYYY-MM-DD", help="From when (default today).")
def terms_vat(country: str, rate: Decimal, date: datetime.date | None) -> None:
    """COUNTRY's standard VAT RATE (percent) from --date on.

    \b
    Example:
      onebox-ledger terms vat DE 19 --date 2026-01-01
    """
    echo(actions.terms_vat(ledger(), country, rate, date or today()).message)


@terms.command("onebox-vat", short_help="Set the VAT OneBox charges on its bills.")
@click.argument("rate", type=PercentType("rate"))
@click.option("--date", type=DATE, metavar="YYYY-MM-DD", help="From when (default today).")
def terms_onebox_vat(rate: Decimal, date: datetime.date | None) -> None:
    """The VAT RATE (percent) OneBox charges on its bills from --date on; a VAT-registered
    partner reclaims it (Assets:VAT:Input).

    \b
    Example:
      onebox-ledger terms onebox-vat 19 --date 2026-01-01
    """
    echo(actions.terms_onebox_vat(ledger(), rate, date or today()).message)


@cli.group(short_help="Taxes paid to the tax office.")
def tax() -> None:
    """Taxes paid to the tax office."""


@tax.command("pay", short_help="Pay the single tax or VAT from a bank account.")
@click.argument("kind", type=click.Choice(["single", "vat"]))
@click.argument("amount", type=MoneyType("amount"))
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date paid.")
@click.option("--account", type=AccountType("--account"), help="The bank account paid from.")
@click.option("--ref", type=REF_TYPE, help="Bank reference; the same ref again is a no-op.")
@click.option(
    "--through", type=DateType("--through"), metavar="YYYY-MM-DD",
    help="vat: the last day of the return paid (default: the end of the month before --date).",
)  # fmt: skip
@future_option
def tax_pay(
    kind: str, amount: Money, date: datetime.date, account: str | None, ref: str | None,
    through: datetime.date | None, future: bool,
) -> None:  # fmt: skip
    """Pay KIND (single: Liabilities:Tax:Single; vat: Liabilities:VAT:Output) AMOUNT from a bank
    account; a date in a sealed month is booked on the first open day. Paying VAT settles a
    return: the input VAT booked through --through is set against the output VAT.

    \b
    Example:
      onebox-ledger tax pay single "2400.00 UAH" --date 2026-04-20
    """
    written = actions.tax_pay(
        ledger(),
        kind,
        amount,
        date=not_future(date, future),
        ref=ref,
        account=account,
        through=through,
    )
    echo(written.message)


@report.command("vat", short_help="The VAT return: output, reverse charge, input, payable.")
@click.option("--from", "start", required=True, type=DateType("--from"), metavar="YYYY-MM-DD")
@click.option("--to", "end", required=True, type=DateType("--to"), metavar="YYYY-MM-DD")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_vat(start: datetime.date, end: datetime.date, fmt: str) -> None:
    """Output VAT per rate with its net, reverse-charge net per customer VAT id, exempt
    supplies, input VAT, payable.

    \b
    Example:
      onebox-ledger report vat --from 2026-01-01 --to 2026-03-31
    """
    if start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}")
    _report(lambda entries, cur: tax_reports.vat(entries, cur, start=start, end=end), fmt)


@report.command("single-tax", short_help="The single tax: received, accrued, paid, owed.")
@click.option("--quarter", required=True, metavar="YYYY-QN", help="The quarter, like 2026-Q1.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_single_tax(quarter: str, fmt: str) -> None:
    """Per month of the quarter: money received, single tax accrued, paid, owed.

    \b
    Example:
      onebox-ledger report single-tax --quarter 2026-Q1
    """
    try:
        months = tax_reports.quarter_months(quarter)
    except ValueError as err:
        raise InputError(str(err)) from None
    _report(lambda entries, cur: tax_reports.single_tax(entries, cur, months), fmt)
