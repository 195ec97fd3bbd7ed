"""The partner's bank statement as money events: receipts, payments to OneBox, the rest.

The statement is read by ``statements.read_statement`` in a layout of
``layouts.LAYOUTS`` (``BankImporter(layout="dkb")``; ``layout=None`` takes
whichever fits the file; the default is onebox-ledger's own CSV): rows oldest
first, money in > 0, each with a reference that becomes the ``ref:`` of what is
written and makes an import idempotent (the bank's transaction id, or one made
from the row's own fields). The tool's own layout has one header line, ISO
dates, a signed amount with a decimal point, at most cents, optional
thousands commas (the field is then quoted), the account's currency (empty:
the importer's) and the running balance, and each row its own Reference::

    Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance
    2026-11-02,2026-11-02,20261102-0001,ACME REALTY LLC,INVOICE INV-2026-10-ACME-REALTY,200.00,USD,"18,200.00"
    2026-11-09,2026-11-09,20261109-0004,HARBOR CLINIC,Payment August and September,"1,008.00",USD,"19,765.49"
    2026-11-16,2026-11-16,20261116-0006,ONEBOX INC,Partner bill onebox-2026-10,"-1,087.16",USD,"19,343.33"
    2026-11-18,2026-11-18,20261118-0007,Office Rent LLC,Rent November 2026,"-1,500.00",USD,"17,843.33"

Rows are booked oldest first: by date, and same-day rows in the order the
layout declares for the bank (the tool's own layout: oldest first; pass
``order=Order.DESCENDING`` for a file that lists newest first). The order is
declared, never guessed, since same-day rows cannot show it.

A file in no known layout, or any row with a bad value, is refused whole
(:class:`StatementError`, naming file, line, column and value); the balance is
checked as a number but not asserted, because the ledger records only the rows
it can book. Only booked rows are planned: pending, cancelled and refunded rows
(``Row.skipped``) are left out, and :meth:`BankImporter.extract` logs them.

Each row is classified by :func:`classify`, from the most specific evidence
to the least; more than one customer at a level leaves the row unmatched:

- money in, a **customer receipt**: an invoice id in the description
  (``inv-2026-10-acme-realty``, any case), else the counterparty is a
  customer's name or id (case, punctuation and a legal suffix such as LLC,
  GmbH, S.A. ignored: ``ACME REALTY LLC`` is ``Acme Realty``), else the
  description holds a customer's id or name;
- money out, a **payment to OneBox**: the counterparty starts with OneBox
  (``ONEBOX INC``), or the description holds a bill id (``onebox-2026-10``);
- anything else is **unmatched** (rent, fees, refunds, unknown payers) and is
  left for a person to record.

:func:`plan` turns the classified rows, oldest first, into exactly the entries
``onebox-ledger receive`` and ``onebox-ledger onebox pay`` would write, with
the same builders (``events.receive_entry``, ``events.pay_entry``) over the open
items of the existing entries: the one invoice or bill the row names, else the
oldest open ones first::

    2026-11-09 * "Harbor Clinic" "Payment received"
      id: "receive/20261109-0004"
      customer: "harbor-clinic"
      amount: 1008.00 USD
      ref: "20261109-0004"
      Assets:Bank                        1008.00 USD
      Assets:Receivable:Harbor-Clinic    -504.00 USD
        invoice: "inv-2026-08-harbor-clinic"
      Assets:Receivable:Harbor-Clinic    -504.00 USD
        invoice: "inv-2026-09-harbor-clinic"

A row whose ref is already recorded with the same date, customer and amount
is ``recorded`` (nothing to write); one the ledger would refuse (the ref used
with other content, a date in a sealed month, more than is open, an invoice or
bill that is unknown or paid, a currency the customer is not billed in) is
``refused`` with the reason.

:meth:`BankImporter.extract` (beangulp, Fava's import page) returns the new
entries only: rows already recorded give nothing, and unmatched or refused rows
give nothing but a logged warning, since an import page cannot book what the
CLI would refuse. ``onebox-ledger import`` applies the same plan through
``actions.receive`` / ``actions.onebox_pay``, and refuses the whole file if any
row is refused.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import beangulp
from beancount.core import data
from beangulp.importers.csvbase import Order

from .. import beans, events
from ..model import Book, parse_book
from ..openitems import OpenItem, apply_bills, apply_invoices, sorted_bills, sorted_invoices
from ..seals import parse as parse_seals
from ..values import Month, parse_currency
from .layouts import LAYOUTS
from .statements import Row, Statement, StatementError, identify, read_statement

__all__ = ["BankImporter", "Match", "Planned", "Row", "StatementError", "classify", "plan"]

log = logging.getLogger(__name__)

Kind = Literal["receipt", "onebox", "unmatched"]
Status = Literal["new", "recorded", "unmatched", "refused"]

# Any case in the text; the ledger's ids are lowercase (close.py, events.sell_invoice_id).
_INVOICE_RE = re.compile(r"(?<![0-9a-z-])inv-[0-9]{4}-[0-9]{2}(?:-[0-9a-z]+)+(?:\.[0-9]+)?")
_BILL_RE = re.compile(r"(?<![0-9a-z-])onebox-[0-9]{4}-[0-9]{2}(?![0-9a-z-])")
# Legal forms dropped from the end of a name before comparing (dots are removed first).
# fmt: off
_LEGAL = frozenset({
    "ab", "ag", "as", "bv", "co", "corp", "corporation", "company", "gmbh", "inc", "kg",
    "limited", "llc", "llp", "lp", "ltd", "nv", "oy", "plc", "pty", "sa", "sarl", "sas", "sl",
    "spa", "srl",
})
# fmt: on


@dataclass(frozen=True)
class Match:
    """What a row is: a receipt from `customer`, a payment to OneBox, or unmatched (`reason`)."""

    kind: Kind
    reason: str  # how it was recognised, or why it was not
    customer: str | None = None
    invoice: str | None = None  # the one invoice the row names, else oldest open first
    bill: str | None = None  # the one bill the row names, else oldest due first


@dataclass(frozen=True)
class Planned:
    """A row, what it is, and what importing it does."""

    row: Row
    match: Match
    status: Status
    entry: data.Transaction | None = None  # status "new": what receive / onebox pay write
    parts: tuple[tuple[str, Decimal], ...] = ()  # (invoice or bill, amount applied)
    reason: str = ""  # "recorded": the entry id; "unmatched", "refused": why

    @property
    def summary(self) -> str:
        """What the entry does, in the words of ``receive`` and ``onebox pay``."""
        money = f"{abs(self.row.amount)} {self.row.currency}"
        applied = ", ".join(f"{amount} to {item}" for item, amount in self.parts)
        if self.match.kind == "receipt":
            return f"received {money} from {self.match.customer}: {applied}"
        return f"paid {money} to OneBox: {applied}"


# ---------------------------------------------------------------- classification


def _words(text: str) -> list[str]:
    """Casefolded words; dots and apostrophes vanish first ('S.A.' -> 'sa', "O'Neil" -> 'oneil')."""
    folded = text.casefold().replace(".", "").replace("'", "")
    return re.sub(r"[\W_]+", " ", folded).split()


def _core(text: str) -> str:
    """A name without case, punctuation or a trailing legal form: 'ACME REALTY, LLC' -> 'acme realty'."""
    words = _words(text)
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return " ".join(words)


def _mentions(text: str, token: str) -> bool:
    """`token` (lowercase, may hold hyphens) appears in `text` as a whole id, in any case."""
    return re.search(rf"(?<![0-9a-z-]){re.escape(token)}(?![0-9a-z-])", text.casefold()) is not None


def _invoice_owner(token: str, known: dict[str, str | None], book: Book) -> tuple[str, str] | None:
    """(invoice id, customer) for an invoice-like token, trailing words cut off as needed.

    The longest known invoice id the token starts with, else the longest that
    reads as ``inv-<YYYY-MM>[-<DD>]-<customer>[.<n>]`` of a known customer (the
    ids close and sell give).
    """
    parts = token.split("-")
    candidates = ["-".join(parts[:n]) for n in range(len(parts), 3, -1)]
    for candidate in candidates:
        owner = known.get(candidate)
        if owner is not None:
            return candidate, owner
    for candidate in candidates:
        rest = candidate[len("inv-YYYY-MM-") :]
        without_day = re.sub(r"^[0-9]{2}-", "", rest)
        for customer in (rest, without_day, re.sub(r"\.[0-9]+$", "", without_day)):
            if customer in book.customers:
                return candidate, customer
    return None


def _one(found: set[str], why: str, named: str | None = None) -> Match | None:
    if len(found) == 1:
        return Match("receipt", why, customer=next(iter(found)), invoice=named)
    if len(found) > 1:
        return Match("unmatched", f"{why}: several customers ({', '.join(sorted(found))})")
    return None


def classify(row: Row, book: Book, known: Iterable[OpenItem] = ()) -> Match:
    """What a row is, from the ledger's customers (and invoices, to read invoice ids). Pure.

    `known` are the ledger's invoices (openitems.invoices): an invoice id in the
    description names its customer; without them an id still names a customer
    when it reads as ``inv-<month>-<customer>``.
    """
    if row.amount > 0:
        return _receipt(row, book, {i.id: i.customer for i in known})
    if row.amount < 0:
        return _payment(row, book)
    return Match("unmatched", "zero amount")


def _receipt(row: Row, book: Book, known: dict[str, str | None]) -> Match:
    refs = [
        owner
        for token in _INVOICE_RE.findall(row.description.casefold())
        if (owner := _invoice_owner(token, known, book)) is not None
    ]
    if refs:
        ids = sorted({invoice for invoice, _ in refs})
        named = ids[0] if len(ids) == 1 else None
        what = f"invoice {ids[0]}" if len(ids) == 1 else f"invoices {', '.join(ids)}"
        match = _one({customer for _, customer in refs}, f"{what} in the description", named)
        if match is not None:
            return match
    counterparty = _core(row.counterparty)
    if counterparty:
        found = {
            c.id for c in book.customers.values() if counterparty in (_core(c.name), _core(c.id))
        }
        match = _one(found, "counterparty is the customer")
        if match is not None:
            return match
    text = f" {' '.join(_words(row.description))} "
    found = {
        c.id
        for c in book.customers.values()
        if _mentions(row.description, c.id) or (_core(c.name) and f" {_core(c.name)} " in text)
    }
    match = _one(found, "customer named in the description")
    if match is not None:
        return match
    if _is_onebox(row):
        return Match("unmatched", "money in from OneBox (a refund or credit?)")
    return Match("unmatched", "no customer, invoice id or customer name recognised")


def _is_onebox(row: Row) -> bool:
    return "".join(_words(row.counterparty)).startswith("onebox")


def _payment(row: Row, book: Book) -> Match:
    ids = sorted(set(_BILL_RE.findall(row.description.casefold())))
    if ids:
        named = ids[0] if len(ids) == 1 else None
        what = f"bill {ids[0]}" if named else f"bills {', '.join(ids)}"
        return Match("onebox", f"{what} in the description", bill=named)
    if _is_onebox(row):
        return Match("onebox", "counterparty is OneBox")
    refund = _receipt(row, book, {})
    if refund.kind == "receipt":
        return Match("unmatched", f"money out to customer {refund.customer} (a refund?)")
    return Match("unmatched", "money out, not to OneBox")


# ---------------------------------------------------------------- planning


def plan(rows: Sequence[Row], existing: Sequence[data.Directive]) -> list[Planned]:
    """What importing the booked `rows` (in the order given: oldest first) does to a ledger. Pure.

    Rows that are not booked (pending, cancelled, refunded: ``Row.skipped``)
    are left out: the bank has not moved that money.

    Each matched row is checked and built the way ``actions.receive`` and
    ``actions.onebox_pay`` check and build it, against the existing entries plus
    the entries planned for the rows before it. Open amounts count every payment
    already recorded, whatever its date, so a row dated before a recorded payment
    cannot pay the same invoice or bill twice; only items dated on or before the
    row can be paid.
    """
    book, _ = parse_book(existing)
    seals, _ = parse_seals(existing)
    state = _State(book, max(seals, default=None))
    for entry in existing:
        if isinstance(entry, data.Transaction):
            state.add(entry)
    out = []
    for row in (row for row in rows if not row.skipped):
        match = classify(row, book, state.invoices.values())
        if match.kind == "unmatched":
            out.append(Planned(row, match, "unmatched", reason=match.reason))
            continue
        planned = _plan_one(row, match, state)
        if planned.entry is not None:
            state.add(planned.entry)
        out.append(planned)
    return out


@dataclass
class _State:
    """The ledger as the planned rows change it: ids, invoices and bills, kept up to date."""

    book: Book
    sealed: Month | None
    by_id: dict[str, data.Transaction] = field(default_factory=dict)
    invoices: dict[str, OpenItem] = field(default_factory=dict)
    bills: dict[str, OpenItem] = field(default_factory=dict)

    def add(self, entry: data.Transaction) -> None:
        entry_id = beans.entry_id(entry)
        if entry_id:
            self.by_id[entry_id] = entry
        apply_invoices(self.invoices, entry)
        apply_bills(self.bills, entry)

    def open_invoices(self, customer: str, date: datetime.date) -> list[OpenItem]:
        """The customer's invoices issued by `date`, oldest first (as openitems.invoices)."""
        return sorted_invoices(
            i for i in self.invoices.values() if i.customer == customer and i.date <= date
        )

    def open_bills(self, date: datetime.date) -> list[OpenItem]:
        """OneBox bills issued by `date`, by due date (as openitems.bills)."""
        return sorted_bills(i for i in self.bills.values() if i.date <= date)


def _plan_one(row: Row, match: Match, state: _State) -> Planned:
    amount = (abs(row.amount), row.currency)
    kind, other = ("receive", "pay") if match.kind == "receipt" else ("pay", "receive")
    entry_id = events.event_id(kind, row.ref, "", ())

    def refused(reason: str) -> Planned:
        return Planned(row, match, "refused", reason=reason)

    who = state.book.customers[match.customer] if match.customer else None
    if who is not None and who.currency != row.currency:
        return refused(f"customer {who.id!r} is billed in {who.currency}, not {row.currency}")
    found = state.by_id.get(entry_id)
    if found is not None:
        differs = events.reused_ref(
            found, row.ref, date=row.date, customer=match.customer, amount=amount
        )
        if differs:
            return refused(differs)
        return Planned(row, match, "recorded", reason=entry_id)
    if f"{other}/{row.ref}" in state.by_id:
        return refused(f"ref {row.ref!r} is already recorded as {other}/{row.ref}")
    sealed = state.sealed
    if sealed is not None and row.date <= sealed.last:
        return refused(
            f"date {row.date} is in sealed month {Month.of(row.date)}; the books are closed"
            f" through {sealed}"
        )
    try:
        if who is not None:
            mine = state.open_invoices(who.id, row.date)
            parts = events.allocate(
                mine, amount[0], match.invoice, f"customer {who.id!r}", "invoice"
            )
            entry = events.receive_entry(who, amount, row.date, entry_id, row.ref, parts)
        else:
            items = state.open_bills(row.date)
            currencies = {i.currency for i in items if i.open > 0}
            if currencies and row.currency not in currencies:
                return refused(
                    f"OneBox bills are in {', '.join(sorted(currencies))}, not {row.currency}"
                )
            items = [i for i in items if i.currency == row.currency]
            parts = events.allocate(items, amount[0], match.bill, "OneBox bills", "bill")
            entry = events.pay_entry(amount, row.date, entry_id, row.ref, parts)
    except events.Refused as err:
        return refused(str(err))
    applied = tuple((item.id, part) for item, part in parts)
    return Planned(row, match, "new", entry=entry, parts=applied)


# ---------------------------------------------------------------- the importer


class BankImporter(beangulp.Importer):  # type: ignore[misc]  # beangulp is untyped
    """The partner's bank statement, for Fava's import page and ``onebox-ledger import``.

    ``BankImporter("Assets:Bank", "USD")`` reads the tool's own layout;
    ``layout="dkb"`` another one of ``layouts.LAYOUTS``, and ``layout=None``
    whichever fits the file (``statements.read_statement``). `currency` is that
    of rows whose file names none. `order` overrides the layout's order of
    same-day rows (``Order.DESCENDING``: the bank lists newest first).
    onebox-ledger books every payment on ``Assets:Bank``.
    """

    def __init__(
        self,
        account: str = beans.BANK,
        currency: str = "USD",
        *,
        order: Order | None = None,
        layout: str | None = "generic",
    ) -> None:
        if account != beans.BANK:
            raise ValueError(
                f"onebox-ledger books payments on {beans.BANK}, not {account}: use {beans.BANK}"
            )
        if layout is not None and layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; the layouts are {', '.join(LAYOUTS)}")
        self.currency = parse_currency(currency)
        self.order = order
        self.layout = layout

    # ------------------------------------------------------------ beangulp.Importer

    def identify(self, filepath: str) -> bool:
        """True for a file in the importer's layout (any known layout for ``layout=None``)."""
        return identify(Path(filepath), layout=self.layout) is not None

    def account(self, filepath: str) -> str:
        return beans.BANK

    def date(self, filepath: str) -> datetime.date | None:
        """The statement's date: its latest booking date (None for a statement with no rows)."""
        return max((row.date for row in self.rows(filepath)), default=None)

    def filename(self, filepath: str) -> str | None:
        return "bank-statement.csv"

    def extract(self, filepath: str, existing: Sequence[data.Directive]) -> list[data.Directive]:
        """What ``onebox-ledger import`` would write for the new rows, given the existing entries."""
        out: list[data.Directive] = []
        name = Path(filepath).name
        rows = self.rows(filepath)
        for row in rows:
            if row.skipped:
                log.warning(
                    "%s: line %d (ref %s): %s %s %s, not extracted: %s at the bank",
                    name, row.line, row.ref, row.status, row.amount, row.currency, row.status,
                )  # fmt: skip
        for planned in plan(rows, existing):
            row = planned.row
            if planned.entry is not None:
                meta = {**data.new_metadata(filepath, row.line), **planned.entry.meta}
                out.append(planned.entry._replace(meta=meta))
            elif planned.status in ("unmatched", "refused"):
                log.warning(
                    "%s: line %d (ref %s): %s %s %s, not extracted: %s",
                    name,
                    row.line,
                    row.ref,
                    planned.status,
                    row.amount,
                    row.currency,
                    planned.reason,
                )
        return out

    # ------------------------------------------------------------ onebox-ledger

    def statement(self, filepath: str) -> Statement:
        """The statement, read in the importer's layout (StatementError for a bad file)."""
        return read_statement(Path(filepath), layout=self.layout, currency=self.currency)

    def payments(self, filepath: str, existing: Sequence[data.Directive]) -> list[Planned]:
        """The plan of every booked row, oldest first (StatementError for a bad file)."""
        return plan(self.rows(filepath), existing)

    def rows(self, filepath: str) -> list[Row]:
        """Every row, oldest first, each field checked; StatementError on the first bad one."""
        rows = self.statement(filepath).rows
        if self.order is None:
            return rows
        return self.chronological(sorted(rows, key=lambda row: row.line))

    def chronological(self, rows: Sequence[Row]) -> list[Row]:
        """Rows in the statement's own order, oldest first: by date, same-day rows by `order`."""
        ordered = list(rows) if self.order is not Order.DESCENDING else list(reversed(rows))
        return sorted(ordered, key=lambda row: row.date)
