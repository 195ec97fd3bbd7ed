"""Money events: sell, receive, refund, credit-note, write-off, onebox pay|bill|grace, bank add.

Money is recorded once it has moved: a money event whose --date is after today
is refused (one line, exit 2, nothing written) unless --future is given::

    $ onebox-ledger receive acme "125 USD" --date 2027-01-10      # today: 2026-12-15
    onebox-ledger: error: --date 2027-01-10 is after today (2026-12-15): money is recorded once it has moved; pass --future to record it ahead
"""

from __future__ import annotations

import datetime

import click

from .. import actions
from ..beans import STREAMS
from ..values import InputError, Money
from . import cli
from .common import (
    AMOUNT,
    CURRENCY,
    DATE,
    REF,
    AccountType,
    DateType,
    IbanType,
    IdType,
    MoneyType,
    TextType,
    WholeType,
    echo,
    future_option,
    ledger,
    not_future,
)

ACCOUNT_HELP = "Bank account the money moved on (default: the bank account of its currency)."
REF_HELP = "Bank reference; the same ref again is a no-op."
PAID_HELP = 'What moved on the bank account, when it differs: another currency, "79.50 EUR".'

PAID = MoneyType("--paid")
ACCOUNT = AccountType("--account")
CUSTOMER = IdType("customer")
INVOICE = TextType("invoice", limit=100)
BILL = TextType("bill", limit=100)
MEMO = TextType("memo")


@cli.command(short_help="Invoice a one-time sale (implementation, hours, extra seats).")
@click.argument("customer_id", type=CUSTOMER)
@click.argument(
    "amount", metavar="AMOUNT", type=MoneyType(negative="to reduce an invoice use credit-note")
)
@click.option("--stream", default="services", show_default=True, type=click.Choice(STREAMS))
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Invoice date.")
@click.option(
    "--memo", required=True, type=MEMO, help="What was sold, as it appears on the invoice."
)
@click.option(
    "--item", type=IdType("item"), metavar="ID",
    help="Cloud or data: the OneBox item the sale consumes.",
)  # fmt: skip
@click.option(
    "--quantity", type=WholeType("--quantity"), metavar="N",
    help="Cloud or data: the units of --item it consumes (one month).",
)  # fmt: skip
@click.option(
    "--ref", type=REF, metavar="REF", help="Your reference; the same ref again is a no-op."
)
@future_option
def sell(
    customer_id: str,
    amount: Money,
    stream: str,
    date: datetime.date,
    memo: str,
    item: str | None,
    quantity: int | None,
    ref: str | None,
    future: bool,
) -> None:
    """Invoice a one-time sale of AMOUNT ("2000.00 USD", in the customer's currency).
    Services are 100% the partner's; a cloud or data sale consumes OneBox items (--item,
    --quantity), whose cost is booked on that month's bill.

    \b
    Example:
      onebox-ledger sell acme "2000 USD" --date 2026-11-05 --memo "Implementation" --ref INV-104
      onebox-ledger sell acme "300 USD" --stream cloud --item cloud-user --quantity 12 \\
          --date 2026-11-05 --memo "12 extra seats for November"
    """
    if (item is None) != (quantity is None):
        raise InputError("give --item and --quantity together (the units the sale consumes)")
    written = actions.sell(
        ledger(),
        customer_id,
        amount,
        stream=stream,
        date=not_future(date, future),
        memo=memo,
        ref=ref,
        consumes=(item, quantity) if item is not None and quantity is not None else None,
    )
    echo(written.message)


@cli.command(short_help="Record a customer's payment; what matches nothing open is credit.")
@click.argument("customer_id", type=CUSTOMER)
@click.argument(
    "amount", metavar="AMOUNT", type=MoneyType(negative="to reverse a payment use refund")
)
@click.option(
    "--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date the money arrived."
)
@click.option(
    "--invoice", type=TextType("--invoice", limit=100), metavar="ID",
    help="Apply to this invoice first (default: oldest open invoices).",
)  # fmt: skip
@click.option("--account", type=ACCOUNT, metavar="ACCOUNT", help=ACCOUNT_HELP)
@click.option("--paid", type=PAID, metavar="AMOUNT", help=PAID_HELP)
@click.option("--ref", type=REF, metavar="REF", help=REF_HELP)
@future_option
def receive(
    customer_id: str,
    amount: Money,
    date: datetime.date,
    invoice: str | None,
    account: str | None,
    paid: Money | None,
    ref: str | None,
    future: bool,
) -> None:
    """Record a customer's payment of AMOUNT ("125.00 USD", in the customer's currency).

    It pays the named invoice, then the oldest open ones; what is left is held as
    the customer's credit (Liabilities:Customer-Credit:<Customer>), which the next
    close applies to new invoices. A foreign-currency payment settles each invoice
    at its own rate and books the difference to the day's rate (FX gains or losses).

    \b
    Example:
      onebox-ledger receive acme "125 USD" --date 2026-12-10 --invoice inv-2026-11-acme
      onebox-ledger receive berlin-immo "92 EUR" --date 2026-04-02 --ref BANK-8812
    """
    written = actions.receive(
        ledger(), customer_id, amount, date=not_future(date, future), invoice=invoice, ref=ref,
        account=account, paid=paid,
    )  # fmt: skip
    echo(written.message)


@cli.command(short_help="Pay a customer's credit back.")
@click.argument("customer_id", type=CUSTOMER)
@click.argument(
    "amount", metavar="AMOUNT", type=MoneyType(negative="to record a payment use receive")
)
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date the money left.")
@click.option("--account", type=ACCOUNT, metavar="ACCOUNT", help=ACCOUNT_HELP)
@click.option("--paid", type=PAID, metavar="AMOUNT", help=PAID_HELP)
@click.option("--ref", type=REF, metavar="REF", help=REF_HELP)
@future_option
def refund(
    customer_id: str,
    amount: Money,
    date: datetime.date,
    account: str | None,
    paid: Money | None,
    ref: str | None,
    future: bool,
) -> None:
    """Pay AMOUNT ("10.00 USD") of a customer's credit back (oldest credit first); no more
    than it holds.

    \b
    Example:
      onebox-ledger refund acme "10 USD" --date 2026-12-20 --ref BANK-7795
    """
    written = actions.refund(
        ledger(), customer_id, amount, date=not_future(date, future), ref=ref, account=account,
        paid=paid,
    )  # fmt: skip
    echo(written.message)


@cli.command("credit-note", short_help="Reduce an invoice and the income of its stream.")
@click.argument("invoice", metavar="INVOICE_ID", type=INVOICE)
@click.argument("amount", metavar="AMOUNT", type=MoneyType(negative="to bill more use sell"))
@click.option(
    "--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date of the credit note."
)
@click.option("--memo", required=True, type=MEMO, help="Why, as it appears on the credit note.")
@click.option(
    "--stream", type=click.Choice(STREAMS), help="The stream (when the invoice bills several)."
)
@click.option(
    "--ref", type=REF, metavar="REF", help="Your reference; the same ref again is a no-op."
)
@future_option
def credit_note(
    invoice: str,
    amount: Money,
    date: datetime.date,
    memo: str,
    stream: str | None,
    ref: str | None,
    future: bool,
) -> None:
    """Issue a credit note of AMOUNT ("25.00 USD") on INVOICE_ID: its open amount and its
    stream's income fall (at the invoice's own exchange rate); beyond what is open, the
    customer gets credit.

    \b
    Example:
      onebox-ledger credit-note inv-2026-11-acme "25 USD" --date 2026-12-05 --memo "Outage, 6 days"
    """
    written = actions.credit_note(
        ledger(), invoice, amount, date=not_future(date, future), memo=memo, stream=stream,
        ref=ref,
    )  # fmt: skip
    echo(written.message)


@cli.command("write-off", short_help="Write off what is still open on an invoice.")
@click.argument("invoice", metavar="INVOICE_ID", type=INVOICE)
@click.option(
    "--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date of the write-off."
)
@click.option("--memo", type=MEMO, default="uncollectable", show_default=True, help="Why.")
@future_option
def write_off(invoice: str, date: datetime.date, memo: str, future: bool) -> None:
    """Move what is still open on INVOICE_ID to Expenses:Bad-Debt (once; again is a no-op).

    \b
    Example:
      onebox-ledger write-off inv-2026-06-everest --date 2026-09-05 --memo "customer closed"
    """
    written = actions.write_off(ledger(), invoice, date=not_future(date, future), memo=memo)
    echo(written.message)


@cli.command("apply-credit", short_help="Set a customer's credit against its open invoices.")
@click.argument("customer_id", type=CUSTOMER)
@click.option("--invoice", type=INVOICE, metavar="ID", help="Only this invoice (default: every"
              " open one, oldest first).")  # fmt: skip
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date applied.")
@future_option
def apply_credit(customer_id: str, invoice: str | None, date: datetime.date, future: bool) -> None:
    """Set CUSTOMER_ID's credit against its open invoices issued by --date, oldest credit and
    oldest invoice first, one entry per invoice (each part at its own exchange rate). The
    close does it for every customer holding credit; this does it now.

    \b
    Example:
      onebox-ledger apply-credit acme --date 2026-12-05
    """
    written = actions.apply_credit(
        ledger(), customer_id, date=not_future(date, future), invoice=invoice
    )
    echo(written.message)


@cli.group(short_help="The partner's bank accounts, one per currency.")
def bank() -> None:
    """The partner's bank accounts, one per currency."""


@bank.command("add", short_help="Open a bank account for money in one currency.")
@click.argument("account", type=AccountType("account"))
@click.option(
    "--currency", required=True, type=CURRENCY, metavar="CURRENCY",
    help="The one currency the account holds.",
)  # fmt: skip
@click.option(
    "--date",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="The day it opens (default: the ledger's first day, or the day after the last"
    " sealed month).",
)
@click.option(
    "--opening", type=AMOUNT, metavar="AMOUNT",
    help='Its balance on that day, like "1250.00 EUR" (booked against Equity:Opening-Balances).',
)  # fmt: skip
@click.option(
    "--iban", type=IbanType(), help="Its IBAN: a row naming it is money between your accounts."
)
def bank_add(
    account: str,
    currency: str,
    date: datetime.date | None,
    opening: Money | None,
    iban: str | None,
) -> None:
    """Open a bank account (like Assets:Wise:EUR) for money in one currency. Without --date it
    opens as the accounts the tool opens do: on the ledger's first day (init --start), or the
    day after the last sealed month, so money of any open day can move on it. --opening books
    the balance it had that day, so the books' balance can reach the bank's.

    \b
    Example:
      onebox-ledger bank add Assets:Wise:EUR --currency EUR
      onebox-ledger bank add Assets:Monobank:UAH --currency UAH --opening "48000 UAH"
      onebox-ledger bank add Assets:Wise:EUR --currency EUR --iban BE71096123456769
    """
    written = actions.bank_add(ledger(), account, currency, date, opening, iban=iban)
    echo(written.message)


@bank.command("opening", short_help="Book the balance an open bank account held on a day.")
@click.argument("account", type=AccountType("account"))
@click.argument("amount", metavar="AMOUNT", type=AMOUNT)
@click.option(
    "--date",
    type=DATE,
    metavar="YYYY-MM-DD",
    help="The day it held AMOUNT, before any entry of it (default: the day it opened).",
)
def bank_opening(account: str, amount: Money, date: datetime.date | None) -> None:
    """Book the balance AMOUNT ("4000.00 EUR") an open bank account (init's Assets:Bank,
    or one opened by bank add without --opening) held on a day, against
    Equity:Opening-Balances, so the books' balance can reach the bank's. Once per account,
    before any of its entries.

    \b
    Example:
      onebox-ledger bank opening Assets:Bank "4000.00 EUR" --date 2026-11-01
    """
    written = actions.bank_opening(ledger(), account, amount, date)
    echo(written.message)


@cli.group(short_help="What the partner owes OneBox: bills and grace periods.")
def onebox() -> None:
    """What the partner owes OneBox: pay bills, record grace periods."""


@onebox.command("pay", short_help="Pay OneBox's bills from the bank account.")
@click.argument("amount", metavar="AMOUNT", type=AMOUNT)
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date of the payment.")
@click.option(
    "--bill", type=TextType("--bill", limit=100), metavar="ID",
    help="Pay this bill first (default: oldest due bills first).",
)  # fmt: skip
@click.option("--account", type=ACCOUNT, metavar="ACCOUNT", help=ACCOUNT_HELP)
@click.option("--paid", type=PAID, metavar="AMOUNT", help=PAID_HELP)
@click.option("--ref", type=REF, metavar="REF", help=REF_HELP)
@future_option
def onebox_pay(
    amount: Money,
    date: datetime.date,
    bill: str | None,
    account: str | None,
    paid: Money | None,
    ref: str | None,
    future: bool,
) -> None:
    """Pay OneBox AMOUNT ("81.25 USD"): Liabilities:OneBox:Payable (or :Grace) <- Assets:Bank.

    It pays the named bill, then the oldest due ones; what is left is prepaid
    (Assets:Prepaid:OneBox), which the next close applies to the new bill.

    \b
    Example:
      onebox-ledger onebox pay "81.25 USD" --date 2026-12-20 --bill onebox-2026-11
    """
    written = actions.onebox_pay(
        ledger(), amount, date=not_future(date, future), bill=bill, ref=ref, account=account,
        paid=paid,
    )  # fmt: skip
    echo(written.message)


@onebox.command("bill", short_help="Record what OneBox actually billed for a month.")
@click.argument("bill", metavar="BILL_ID", type=BILL)
@click.argument("amount", metavar="AMOUNT", type=AMOUNT)
@click.option(
    "--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date of OneBox's invoice."
)
@click.option(
    "--ref", type=REF, metavar="REF",
    help="OneBox's invoice number; the same ref again is a no-op.",
)  # fmt: skip
@click.option(
    "--credit", is_flag=True,
    help="AMOUNT is what OneBox credits on the bill (settles its disputes, line by line).",
)  # fmt: skip
@future_option
def onebox_bill(
    bill: str, amount: Money, date: datetime.date, ref: str | None, credit: bool, future: bool
) -> None:
    """Record that OneBox billed AMOUNT ("81.26 USD") for BILL_ID: the difference to what the
    close accrued goes to Expenses:OneBox:Adjustment, and the bill is then paid and reported
    at AMOUNT. With --credit, AMOUNT is what OneBox's credit note takes off the bill: it
    settles the bill's disputes (onebox dispute) in line order.

    \b
    Example:
      onebox-ledger onebox bill onebox-2026-11 "81.26 USD" --date 2026-12-02 --ref OB-55121
      onebox-ledger onebox bill onebox-2026-11 "32.50 USD" --credit --date 2026-12-20
    """
    written = actions.onebox_bill(
        ledger(), bill, amount, date=not_future(date, future), ref=ref, credit=credit
    )
    echo(written.message)


@onebox.command("grace", short_help="Defer a OneBox bill under a grace period.")
@click.argument("bill", metavar="BILL_ID", type=BILL)
@click.option(
    "--until", required=True, type=DateType("--until"), metavar="YYYY-MM-DD",
    help="The new due date OneBox agreed to.",
)  # fmt: skip
@click.option(
    "--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date of the agreement."
)
@future_option
def onebox_grace(bill: str, until: datetime.date, date: datetime.date, future: bool) -> None:
    """Defer BILL_ID under a grace period: its open amount moves to Liabilities:OneBox:Grace.

    \b
    Example:
      onebox-ledger onebox grace onebox-2026-11 --until 2027-02-28 --date 2026-12-28
    """
    written = actions.onebox_grace(ledger(), bill, until=until, date=not_future(date, future))
    echo(written.message)
