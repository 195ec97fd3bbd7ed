"""What a statement is read into, whatever its format: a :class:`Row` a transaction (money in
> 0), the :class:`Statement` of them, the :class:`Format` a reader of its own declares (camt.053,
MT940), and :class:`StatementError` (exit 2, one line) for anything bad.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ...values import InputError
from ..layouts import Status

DESCRIPTION_JOIN = " | "


class StatementError(InputError):
    """The file is not a statement in a known layout, or a value is bad (exit 2); one line."""


@dataclass(frozen=True)
class Row:
    """One transaction of a statement; money in > 0, money out < 0."""

    line: int  # the line of the file where the record starts, for messages
    date: datetime.date  # the booking date: the date of what is written
    value_date: datetime.date | None
    ref: str  # the bank's transaction id, or one made from the row (ref_from_bank False)
    counterparty: str
    description: str
    amount: Decimal  # signed, in cents; a fee charged with the row is included
    currency: str
    balance: Decimal | None  # the account's balance after the row, when the bank shows it
    fee: Decimal | None = None  # a fee charged with the row: positive, same currency
    status: Status = "booked"
    is_fee: bool = False  # the whole row is a bank fee (money out)
    ref_from_bank: bool = True
    time: datetime.time | None = None
    kind: str = ""  # the bank's type of the row: Buchungstext, ACH_CREDIT, an MCC...
    iban: str = ""  # the counterparty's IBAN or account number
    tax_id: str = ""  # the counterparty's tax id (Ukrainian ЄДРПОУ/ІПН)
    account: str = ""  # the partner's own account, for statements of several accounts
    # the operation's own amount and currency where the bank converted it (a card paying 200.00
    # USD from a UAH account: -8310.57 UAH on the account, -200.00 USD the operation)
    op_amount: Decimal | None = None
    op_currency: str = ""

    @property
    def skipped(self) -> bool:
        """Not booked (pending, cancelled, refunded): listed by an import, never booked."""
        return self.status != "booked"


@dataclass(frozen=True)
class Statement:
    """A statement read by :func:`read_statement`: rows oldest first, skipped ones included."""

    layout: str
    rows: list[Row]
    currency: str | None  # the statement's currency when all its rows have one
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    account_hint: str | None  # the IBAN or account number the file names
    encoding: str = "utf-8"

    @property
    def booked(self) -> list[Row]:
        """The rows to book: the booked ones, oldest first."""
        return [row for row in self.rows if not row.skipped]


@dataclass(frozen=True)
class Format:
    """A statement format with a reader of its own (XML, SWIFT), offered beside the CSV layouts.

    `sniff` says from a file's bytes why it is not in the format (None: it is,
    by its content, never its name); `read` reads it (StatementError, one line,
    for anything bad), as :func:`read_statement` does a CSV layout.
    """

    name: str
    title: str
    sniff: Callable[[bytes], str | None]
    read: Callable[[str, bytes], Statement]
