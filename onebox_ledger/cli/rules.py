"""``onebox-ledger rule``: where the bank rows that are no customer's, OneBox's or fee go.

The rule itself is onebox_ledger.rules; ``import`` books the rows a rule
matches (outcome ``booked``) and lists the others with the ``rule add``
command that would book them::

    $ onebox-ledger rule add "Office Rent" Expenses:Rent --field counterparty --direction out
    rule: money out whose counterparty holds 'Office Rent' goes to Expenses:Rent from 2026-11-01
    $ onebox-ledger rule list
    date        pattern      field         direction  account
    2026-11-01  Office Rent  counterparty  out        Expenses:Rent
"""

from __future__ import annotations

import datetime
from typing import cast

import click

from .. import actions, rules
from ..values import InputError
from . import cli
from .common import DATE, AccountType, _Type, echo, ledger


class PatternType(_Type[str]):
    """The words a row's text holds (rules.check_pattern)."""

    name = "pattern"
    metavar = "PATTERN"

    def parse(self, text: str, ctx: click.Context | None) -> str:
        try:
            return rules.check_pattern(text)
        except rules.RuleError as err:
            raise InputError(str(err)) from None


@cli.group(short_help="Rules for the bank rows that are no customer's, OneBox's or fee.")
def rule() -> None:
    """Rules: where import books the bank rows that are neither a customer's payment, a
    payment to OneBox nor a bank fee (rent, taxes, the owner's money, interest)."""


@rule.command("add", short_help="Book the bank rows whose text holds PATTERN to ACCOUNT.")
@click.argument("pattern", type=PatternType())
@click.argument("account", type=AccountType("ACCOUNT"))
@click.option(
    "--field",
    type=click.Choice(rules.FIELDS),
    default="text",
    show_default=True,
    help="Where the pattern is looked for: the counterparty and description, or the"
    " counterparty only.",
)
@click.option(
    "--direction",
    type=click.Choice(rules.DIRECTIONS),
    default="any",
    show_default=True,
    help="Money in, out, or either.",
)
@click.option(
    "--date",
    type=DATE,
    help="From when the rule holds (default: the first day after the sealed months, else"
    " the ledger's first day).",
)
def rule_add(
    pattern: str, account: str, field: str, direction: str, date: datetime.date | None
) -> None:
    """Book the bank rows whose text holds PATTERN (any case, spaces as one) to ACCOUNT: an
    expense, a tax liability, income, the owner's equity; never an account onebox-ledger
    books itself. A later rule with the same pattern, field and direction replaces it.

    \b
    Example:
      onebox-ledger rule add "Office Rent" Expenses:Rent --field counterparty --direction out
      onebox-ledger rule add "Єдиний податок" Liabilities:Tax:Single --direction out
      onebox-ledger rule add "Zinsen" Income:Interest --direction in
    """
    books = ledger()
    when = date or books.open_date(books.static_entries(), books.last_sealed())
    made = rules.Rule(
        when,
        pattern,
        account,
        cast(rules.Field, field),
        cast(rules.Direction, direction),
    )
    echo(actions.rule_add(books, made).message)


@rule.command("list", short_help="List the rules.")
@click.option("--as-of", "as_of", type=DATE, help="Only those in force that day.")
def rule_list(as_of: datetime.date | None) -> None:
    """The rules, oldest first (with --as-of, the ones in force that day).

    \b
    Example:
      onebox-ledger rule list
    """
    found = actions.rule_list(ledger(), as_of)
    if not found:
        echo('no rules (add one: onebox-ledger rule add "Office Rent" Expenses:Rent)')
        return
    rows = [("date", "pattern", "field", "direction", "account")]
    rows += [(str(r.date), r.pattern, r.field, r.direction, r.account) for r in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        echo("  ".join([*cells, row[4]]))
