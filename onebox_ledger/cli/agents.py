"""``onebox-ledger agent``: agents who bring customers, their share, and paying them; and the
reports ``report agents`` and ``report statement --agent``.

The rule is onebox_ledger.agents::

    $ onebox-ledger agent add nadia --name "Nadia Koval" --date 2026-11-01
    agent nadia: Nadia Koval
    $ onebox-ledger agent assign acme nadia --rate 10% --from 2026-11-01
    acme (Acme Realty) assigned to nadia: 10% of collected money, every stream, from 2026-11-01
    $ onebox-ledger receive acme "125 USD" --date 2026-12-10
    received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme; commission 12.50 USD to nadia
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import click
from beancount.core import data

from .. import agents as core
from ..actions import agents as actions
from ..reports import Table
from ..values import InputError, Money, Month, parse_decimal, show_value
from . import cli
from .books import _report, report
from .common import (
    AMOUNT,
    DATE,
    FORMATS,
    MONTH,
    REF,
    AccountType,
    DateType,
    IdType,
    TextType,
    _Type,
    echo,
    future_option,
    ledger,
    not_future,
)
from .documents import customer_statement

AGENT = IdType("agent")


class PercentType(_Type[Decimal]):
    """A commission rate: ``10%`` or ``0.10`` -> Decimal('0.10'); above 0, at most 100%."""

    name = "percent"
    metavar = "PERCENT"

    def parse(self, text: str, ctx: click.Context | None) -> Decimal:
        percent = text.endswith("%")
        try:
            value = parse_decimal(text[:-1] if percent else text, "--rate", places=4,
                                  positive=False)  # fmt: skip
        except InputError:
            raise InputError(
                f"--rate {show_value(text)} is not a rate (write it like 10% or 0.10)"
            ) from None
        share = value.scaleb(-2) if percent else value
        if not 0 < share <= 1:
            raise InputError(
                f"--rate {show_value(text)} must be above 0 and at most 100% (10% or 0.10)"
            )
        return share


class StreamsType(_Type[tuple[str, ...]]):
    """``cloud,services`` -> ('cloud', 'services')."""

    name = "streams"
    metavar = "STREAM,..."

    def parse(self, text: str, ctx: click.Context | None) -> tuple[str, ...]:
        return core.parse_streams(text)


@cli.group(short_help="Agents who bring customers: add, assign, pay.")
def agent() -> None:
    """Agents (or sub-partners) who bring customers and earn a share of their money."""


@agent.command("add", short_help="Add an agent.")
@click.argument("agent_id", type=AGENT)
@click.option("--name", required=True, type=TextType("name", limit=200), help="The agent's name.")
@click.option("--date", type=DATE, metavar="YYYY-MM-DD", required=True, help="From when.")
def agent_add(agent_id: str, name: str, date: datetime.date) -> None:
    """Add an agent; their commission is owed on Liabilities:Commission:<Agent>.

    \b
    Example:
      onebox-ledger agent add nadia --name "Nadia Koval" --date 2026-11-01
    """
    echo(actions.agent_add(ledger(), agent_id, name, date).message)


@agent.command("assign", short_help="Give an agent a share of a customer's money.")
@click.argument("customer_id", type=IdType("customer"))
@click.argument("agent_id", type=AGENT)
@click.option("--rate", required=True, type=PercentType(), help="Share: 10% or 0.10.")
@click.option(
    "--basis", type=click.Choice(core.BASES), default="collected", show_default=True,
    help="Earned on money received (collected) or on invoices at each close (invoiced).",
)  # fmt: skip
@click.option(
    "--streams", type=StreamsType(), metavar="STREAM,...",
    help="Only these streams (default: every stream), like cloud,services.",
)  # fmt: skip
@click.option("--from", "start", required=True, type=DateType("--from"), metavar="YYYY-MM-DD")
@click.option("--to", "end", type=DateType("--to"), metavar="YYYY-MM-DD", help="Last day.")
def agent_assign(
    customer_id: str,
    agent_id: str,
    rate: Decimal,
    basis: str,
    streams: tuple[str, ...] | None,
    start: datetime.date,
    end: datetime.date | None,
) -> None:
    """Give AGENT_ID a share of CUSTOMER_ID's money from --from (through --to): at each
    receipt (collected) or on each close's invoices (invoiced), net of VAT.

    \b
    Example:
      onebox-ledger agent assign acme nadia --rate 10% --from 2026-11-01
      onebox-ledger agent assign acme nadia --rate 5% --basis invoiced --streams cloud \\
          --from 2027-01-01 --to 2027-12-31
    """
    written = actions.agent_assign(
        ledger(), customer_id, agent_id, rate=rate, basis=basis, streams=streams, start=start,
        end=end,
    )  # fmt: skip
    echo(written.message)


@agent.command("pay", short_help="Pay an agent's commission from the bank account.")
@click.argument("agent_id", type=AGENT)
@click.argument("amount", metavar="AMOUNT", type=AMOUNT)
@click.option("--date", required=True, type=DATE, metavar="YYYY-MM-DD", help="Date paid.")
@click.option(
    "--account", type=AccountType("--account"), metavar="ACCOUNT",
    help="Bank account it left (default: the bank account of its currency).",
)  # fmt: skip
@click.option("--ref", type=REF, metavar="REF", help="Bank reference; the same again is a no-op.")
@future_option
def agent_pay(
    agent_id: str,
    amount: Money,
    date: datetime.date,
    account: str | None,
    ref: str | None,
    future: bool,
) -> None:
    """Pay AGENT_ID AMOUNT of what the books owe them (more is refused).

    \b
    Example:
      onebox-ledger agent pay nadia "12.50 USD" --date 2027-01-05 --ref BANK-8120
    """
    written = actions.agent_pay(
        ledger(), agent_id, amount, date=not_future(date, future), ref=ref, account=account
    )
    echo(written.message)


@report.command("agents", short_help="What each agent earned, was paid and is owed.")
@click.option("--from", "start", type=DateType("--from"), metavar="YYYY-MM-DD")
@click.option("--to", "end", type=DateType("--to"), metavar="YYYY-MM-DD")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_agents(start: datetime.date | None, end: datetime.date | None, fmt: str) -> None:
    """Per agent: the customers it earned on, the base, earned (less given back) and paid in
    the period, and owed at its end.

    \b
    Example:
      onebox-ledger report agents --from 2026-12-01 --to 2026-12-31 --format csv
    """
    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}")
    _report(lambda entries, cur: core.agents_table(entries, cur, start=start, end=end), fmt)


@report.command("statement", short_help="A customer's statement of account, or an agent's month.")
@click.argument("customer", metavar="[CUSTOMER]", type=IdType("customer"), required=False)
@click.option("--agent", "agent_id", type=AGENT, metavar="AGENT", help="An agent's statement.")
@click.option("--month", type=MONTH, metavar="YYYY-MM", help="The agent's month.")
@click.option("--as-of", "as_of", type=DateType("--as-of"), metavar="YYYY-MM-DD",
              help="The customer's statement: its last day (default today).")  # fmt: skip
@click.option("--from", "start", type=DateType("--from"), metavar="YYYY-MM-DD",
              help="The customer's statement: its first day (default: 1 January).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html", "pdf"]),
              default="table", show_default=True, help="html and pdf: a customer's only.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
              help="A customer's statement: write it to FILE.")  # fmt: skip
def report_statement(
    customer: str | None,
    agent_id: str | None,
    month: Month | None,
    as_of: datetime.date | None,
    start: datetime.date | None,
    fmt: str,
    output: Path | None,
) -> None:
    """A customer's statement of account (CUSTOMER): opening balance, invoices, payments,
    credit notes, credit, closing balance and aging, in the customer's language as html or
    pdf. Or an agent's statement for a month (--agent, --month): each commission (customer,
    the money it followed, base, rate), each payment, and what was owed before and after.

    \b
    Example:
      onebox-ledger report statement acme --as-of 2026-12-31 --format pdf
      onebox-ledger report statement --agent nadia --month 2026-12
    """
    if (customer is None) == (agent_id is None):
        raise click.UsageError("give a CUSTOMER or --agent AGENT (one of them)")
    if customer is not None:
        if month is not None:
            raise click.UsageError(
                "--month is for an agent's statement; a customer's takes --as-of"
            )
        customer_statement(customer, as_of, start, fmt, output)
        return
    if month is None:
        raise click.UsageError("an agent's statement needs --month YYYY-MM")
    if as_of is not None or start is not None or output is not None or fmt in ("html", "pdf"):
        raise click.UsageError("an agent's statement takes --month and --format table|csv|json")

    def build(entries: list[data.Directive], cur: str) -> Table:
        found, _ = core.parse_agents(entries)
        if agent_id not in found.agents:
            raise InputError(f"unknown agent {agent_id!r}")
        return core.statement_table(entries, cur, agent_id, month)

    _report(build, fmt)
