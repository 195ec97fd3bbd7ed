"""Reports as data: keep (margins), payables, receivables and MRR, in the operating currency. Pure.

Each report is a :class:`Table`: column names, rows of plain values (str,
Decimal, date, int), total rows and notes (the exchange rates used). The CLI
renders it as a table, CSV or JSON (render.py); numbers stay exact Decimals throughout.

Every report reads the entries in one pass (:func:`scan`: each posting goes to
what needs it, by account) and then builds its table (``keep_table``,
``receivables_table``, ...). Fava's OneBox page asks for all of them at once
(:func:`overview`): one pass, five tables, the same cells as the commands.

Currencies: income and OneBox cost are booked in the operating currency (see
onebox_ledger.money), so keep sums them as they stand. Open items in another
currency (receivables, payables, credit) and the metered invoices MRR counts are
converted with the ledger's ``price`` in force on the report's date (the latest
on or before it), and the note names each rate used; a missing rate is an error
naming the currency and date::

    2026-10-01 price EUR 1.08 USD
    report receivables --as-of 2026-10-31: inv-2026-10-berlin-immo 92.00 EUR -> 99.36 USD
    note: rate EUR->USD 1.08 of 2026-10-01

The rates are money.Rates' (the commands' own), and so is the error's wording.

A report as of a date notes the transactions dated after it, which it leaves out.

The keep report answers "I sold X: how much do I keep?": per stream, customer
or contract, sold = income recognised (credits to Income:<Stream>), cost =
Expenses:OneBox:<Stream>, kept = sold - cost, kept % = kept / sold. With
5 cloud users at 25.00 USD and a 65% rate: sold 125.00, cost 81.25, kept 43.75 (35.0%).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from beancount.core import data

from . import beans, disputes, money
from .billing import active_boxes, terms_billed_on
from .model import Book
from .openitems import (
    BILL_ACCOUNTS,
    RECEIVABLE_PREFIX,
    OpenItem,
    add_bill_posting,
    add_credit_posting,
    add_invoice_posting,
    sorted_bills,
    sorted_invoices,
)
from .taxes import SINGLE_TAX
from .values import ZERO, Month, round_money, show_money

COMMISSION = "Expenses:Commission"  # agents' commission (agents.py books it; keep shows it)

CENTS_ZERO = Decimal("0.00")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
SOON_DAYS = 7
UNNAMED = "(none)"  # keep's key for an entry that names no customer (or no contract)
RawAmount = tuple[Decimal, str, datetime.date]  # number, currency, date: not yet converted


class ReportError(Exception):
    """The report cannot be computed (a missing exchange rate); one line."""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    totals: list[list[Any]] = field(default_factory=list)
    total_columns: list[str] | None = None  # when totals have columns of their own
    notes: list[str] = field(default_factory=list)


class Converter:
    """Converts amounts to the operating currency at the ledger's rates (money.Rates), and
    records each rate it used, for its table's notes."""

    def __init__(
        self,
        entries: Sequence[data.Directive],
        currency: str,
        *,
        rates: money.Rates | None = None,
    ) -> None:
        self.currency = currency
        self.rates = rates if rates is not None else money.Rates.of(entries, currency)
        self.used: dict[tuple[str, datetime.date], Decimal] = {}

    def sibling(self) -> Converter:
        """The same rates, with its own record of the rates used (for another table's notes)."""
        return Converter([], self.currency, rates=self.rates)

    def __call__(self, number: Decimal, currency: str, date: datetime.date) -> Decimal:
        if currency == self.currency:
            return number
        try:
            when, rate = self.rates.need_dated(currency, date)
        except money.MoneyError as err:
            raise ReportError(str(err)) from None
        self.used[(currency, when)] = rate
        return number * rate

    def notes(self) -> list[str]:
        return [
            f"rate {cur}->{self.currency} {rate} of {when}"
            for (cur, when), rate in sorted(self.used.items())
        ]


def _pct(kept: Decimal, sold: Decimal) -> Decimal | None:
    return None if sold == 0 else (kept * 100 / sold).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Scan:
    """What one pass over the entries collects (see `scan`)."""

    keep: dict[str, dict[tuple[str, ...], list[Decimal]]]  # by -> key -> [sold, cost]
    invoices: dict[str, OpenItem] = field(default_factory=dict)
    bills: dict[str, OpenItem] = field(default_factory=dict)
    credits: dict[str, OpenItem] = field(default_factory=dict)  # customer credit, OneBox prepaid
    # contract -> its last invoice, unconverted (MRR converts the metered ones it counts)
    last_invoice: dict[str, RawAmount] = field(default_factory=dict)
    other: dict[str, Decimal] = field(default_factory=dict)  # other income and expense accounts
    later: int = 0  # transactions dated after `after` (see `scan`), which the report leaves out
    last: datetime.date | None = None  # the date of the latest of them


INCOME_PREFIX = "Income:"
COST_PREFIX = "Expenses:OneBox:"
EXPENSES_PREFIX = "Expenses:"
STREAM_INCOME = frozenset(beans.income_account(stream) for stream in beans.STREAMS)

# What a posting's account is to the reports (SOLD and COST first: `kind <= COST` is keep's).
SOLD, COST, PROFIT, RECEIVABLE, BILL, CREDIT, OTHER = range(7)


def classify(account: str) -> tuple[int, str]:
    """What the reports do with a posting to `account`: keep (SOLD or COST, with its stream:
    ``Income:Cloud`` -> (SOLD, "Cloud")), other income or expense (PROFIT), an invoice
    (RECEIVABLE), a bill (BILL), customer credit or OneBox prepaid (CREDIT), or nothing
    (OTHER). :func:`scan` and trends.collect both dispatch on it."""
    if account in STREAM_INCOME:
        return SOLD, account.split(":")[1]
    if account.startswith(COST_PREFIX):
        return COST, account.split(":")[2]
    if account.startswith((INCOME_PREFIX, EXPENSES_PREFIX)):
        return PROFIT, ""
    if account.startswith(RECEIVABLE_PREFIX):
        return RECEIVABLE, ""
    if account in BILL_ACCOUNTS:
        return BILL, ""
    if beans.credit_kind(account) is not None:
        return CREDIT, ""
    return OTHER, ""


def contract_invoiced(entry: data.Transaction) -> str | None:
    """The contract whose invoice `entry` is (a generated ``.../invoice`` entry naming a
    contract), else None: MRR counts a metered contract's last one."""
    contract = entry.meta.get("contract")
    if isinstance(contract, str) and (beans.entry_id(entry) or "").endswith("/invoice"):
        return contract
    return None


def add_other(
    sums: dict[str, Decimal], entry: data.Transaction, post: data.Posting, convert: Converter
) -> None:
    """An income or expense posting outside the streams, in the operating currency, added to
    its account's sum (keep's notes: exchange results, bad debt)."""
    number, currency = beans.units(post)
    value = number if currency == convert.currency else convert(number, currency, entry.date)
    sums[post.account] = sums.get(post.account, ZERO) + value


def scan(
    entries: Sequence[data.Directive],
    *,
    keep_by: Sequence[str] = (),
    keep_convert: Converter | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    as_of: datetime.date | None = None,
    want_invoices: bool = False,
    want_bills: bool = False,
    want_credits: bool = False,
    want_last_invoices: bool = False,
    after: datetime.date | None = None,
    base: Scan | None = None,
) -> Scan:
    """One pass over the transactions, each posting sent to what the reports need of it.

    keep: income and OneBox cost dated in [start, end], per grouping in `keep_by`;
    invoices, bills and the last invoice of each contract (for MRR): entries
    dated on or before `as_of`; `later` and `last`: how many transactions are dated
    after `after` (the report's as-of or last day), and the latest date. The reports
    below call it for one table; the Fava page calls it once for all of them.
    """
    result = Scan({by: {} for by in keep_by})
    if base is not None:  # continue from a sealed month's end (summaries.py)
        result.invoices, result.bills = base.invoices, base.bills
        result.credits, result.last_invoice = base.credits, base.last_invoice
    keeping_any = keep_convert is not None and bool(keep_by)
    kinds: dict[str, tuple[int, str]] = {}  # account -> classify(account)
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        date = entry.date
        if after is not None and date > after:
            result.later += 1
            if result.last is None or date > result.last:
                result.last = date
        keeping = keeping_any and not ((start and date < start) or (end and date > end))
        current = as_of is None or date <= as_of
        for post in entry.postings:
            kind = kinds.get(post.account)
            if kind is None:
                kind = kinds[post.account] = classify(post.account)
            what, stream = kind
            if what <= COST:
                if keeping:
                    assert keep_convert is not None
                    _keep(result.keep, entry, post, keep_convert, stream, what)
            elif what == PROFIT:
                if keeping:
                    assert keep_convert is not None
                    add_other(result.other, entry, post, keep_convert)
            elif what == RECEIVABLE:
                if not current:
                    continue
                if want_invoices:
                    add_invoice_posting(result.invoices, entry, post)
                if want_last_invoices:
                    contract = contract_invoiced(entry)
                    if contract is not None:
                        number, currency = beans.units(post)
                        result.last_invoice[contract] = (number, currency, date)
            elif what == BILL and current and want_bills:
                add_bill_posting(result.bills, entry, post)
            elif what == CREDIT and current and want_credits:
                add_credit_posting(result.credits, entry, post)
    return result


def _keep(
    groups: dict[str, dict[tuple[str, ...], list[Decimal]]],
    entry: data.Transaction,
    post: data.Posting,
    convert: Converter,
    stream: str,
    index: int,  # SOLD (0): income, a credit; COST (1): OneBox cost, a debit
) -> None:
    number, currency = beans.units(post)
    value = number if currency == convert.currency else convert(number, currency, entry.date)
    if index == 0:
        value = -value
    stream = stream.lower()
    for by, sums in groups.items():
        if by == "stream":
            key: tuple[str, ...] = (stream,)
        elif by == "customer":
            key = (str(entry.meta.get("customer", UNNAMED)),)
        else:
            key = (
                str(entry.meta.get("contract", UNNAMED)),
                str(entry.meta.get("customer", "")),
                stream,
            )
        sums_of_key = sums.get(key)
        if sums_of_key is None:
            sums_of_key = sums[key] = [ZERO, ZERO]
        sums_of_key[index] += value


def keep(
    entries: Sequence[data.Directive],
    currency: str,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    by: str,
) -> Table:
    """Sold, OneBox cost, kept and kept % per stream, customer or contract, in [start, end]."""
    convert = Converter(entries, currency)
    sums = scan(entries, keep_by=(by,), keep_convert=convert, start=start, end=end, after=end)
    table = keep_table(
        sums.keep[by], currency, start=start, end=end, by=by, convert=convert, other=sums.other
    )
    return _note_later(table, sums, end)


def _note_later(table: Table, found: Scan, cutoff: datetime.date | None) -> Table:
    """Say that transactions dated after the report's date exist and are left out: a receipt
    recorded ahead (``receive --future``) is otherwise invisible in a report as of today."""
    if cutoff is not None:
        _later_note(table, found.later, found.last, cutoff)
    return table


def _later_note(
    table: Table, later: int, last: datetime.date | None, cutoff: datetime.date
) -> None:
    if later:
        many = later != 1
        table.notes.append(
            f"{later} transaction{'s' if many else ''} dated after {cutoff}"
            f" {'are' if many else 'is'} not counted (the last on {last})"
        )


def note_later(
    tables: dict[str, Table],
    entries: Sequence[data.Directive],
    *,
    end: datetime.date | None,
    as_of: datetime.date,
) -> None:
    """The note of `_note_later` for an overview's tables (see `overview`), counting from the newest entry
    back (entries are sorted by date): as cheap as the few entries after `as_of` usually are."""
    later, last = 0, None
    for entry in reversed(entries):
        if entry.date <= as_of:
            break
        if isinstance(entry, data.Transaction):
            later += 1
            last = last or entry.date
    for name, table in tables.items():
        # keep covers [start, end]: what is after as_of is in it unless the period has ended
        if not name.startswith("keep") or end == as_of:
            _later_note(table, later, last, as_of)


KEEP_COSTS = ("single tax", "commission", "bad debt")  # keep's cost rows below its total


def is_total_label(text: str) -> bool:
    """Whether `text` labels one of a table's totals rows (total, keep's cost rows and what is
    kept after them): the page words it, whatever the column."""
    return text == "total" or text in KEEP_COSTS or text.startswith("kept after ")


def keep_table(
    groups: dict[tuple[str, ...], list[Decimal]],
    currency: str,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    by: str,
    convert: Converter,
    other: dict[str, Decimal] | None = None,
) -> Table:
    """`other`: income and expense outside the streams (exchange results, bad debt), noted with
    the net income they leave, so the notes reconcile the table with an income statement."""
    columns = [by] + (["customer", "stream"] if by == "contract" else [])
    table = Table(
        f"What you keep, {start or 'start'} to {end or 'end'}, in {currency}",
        [*columns, "sold", "onebox_cost", "kept", "kept_pct"],
    )
    total_sold = total_cost = ZERO
    for key in sorted(groups):
        sold, cost = (round_money(v) for v in groups[key])
        table.rows.append([*key, sold, cost, sold - cost, _pct(sold - cost, sold)])
        total_sold += sold
        total_cost += cost
    pad = [""] * (len(columns) - 1)
    table.totals.append(["total", *pad, total_sold, total_cost, total_sold - total_cost,
                         _pct(total_sold - total_cost, total_sold)])  # fmt: skip
    table.notes = convert.notes()
    outside = {account: round_money(-value) for account, value in (other or {}).items() if value}
    # a FOP's single tax, an agent's commission and what was sold but never paid (written
    # off) are costs of what is sold: each its own row, then what is kept after them (the
    # last row is always what the partner keeps)
    tax = -outside.pop(SINGLE_TAX, ZERO)
    commission = -outside.pop(COMMISSION, ZERO)
    bad = -outside.pop(beans.BAD_DEBT, ZERO)
    costs = [("single tax", "tax", tax), ("commission", "commission", commission),
             ("bad debt", "bad debt", bad)]  # fmt: skip
    after = [short for _, short, value in costs if value]
    for row, _, value in costs:
        if value:
            table.totals.append([row, *pad, None, None, -value, None])
    if after:
        kept = total_sold - total_cost - tax - commission - bad
        named = " and ".join(after) if len(after) < 3 else f"{after[0]}, {after[1]} and {after[2]}"
        table.totals.append([f"kept after {named}", *pad, total_sold, total_cost,
                             kept, _pct(kept, total_sold)])  # fmt: skip
    if outside:
        net = total_sold - total_cost - tax - commission - bad + sum(outside.values(), ZERO)
        listed = ", ".join(
            f"{account} {show_money(value, currency)}" for account, value in sorted(outside.items())
        )
        table.notes.append(f"outside the streams: {listed}; net income {show_money(net, currency)}")
    return table


def payables(entries: Sequence[data.Directive], currency: str, *, as_of: datetime.date) -> Table:
    """Every OneBox bill as of a date: accrued by the close, billed by OneBox, paid, open, due,
    status; OneBox prepaid; totals by status."""
    found = scan(entries, as_of=as_of, want_bills=True, want_credits=True, after=as_of)
    prepaid = [i for i in found.credits.values() if i.kind == "prepaid"]
    table = payables_table(
        sorted_bills(found.bills.values()), as_of=as_of, prepaid=prepaid,
        disputed=disputes.disputes(entries, as_of),
    )  # fmt: skip
    return _note_later(table, found, as_of)


PAYABLE_ORDER = (
    "overdue", "due within 7 days", "in grace", "open", "disputed", "paid", "prepaid",
)  # fmt: skip


def bill_status(bill: OpenItem, as_of: datetime.date) -> str:
    if bill.open <= 0:
        return "paid"
    if bill.due_date < as_of:  # past its due date, or past the end of its grace
        return "overdue"
    if bill.in_grace > 0:
        return "in grace"
    if (bill.due_date - as_of).days <= SOON_DAYS:
        return "due within 7 days"
    return "open"


def payables_table(
    items: Sequence[OpenItem],
    *,
    as_of: datetime.date,
    prepaid: Sequence[OpenItem] = (),
    disputed: Sequence[disputes.Dispute] = (),
) -> Table:
    """`disputed`: the disputes of bill lines (disputes.py); a bill whose whole open amount is
    disputed is ``disputed``, not overdue, and each dispute still open is noted."""
    held = disputes.open_by_bill(disputed)
    table = Table(
        f"OneBox bills as of {as_of}",
        ["bill", "date", "currency", "accrued", "billed", "difference", "paid", "open", "due",
         "status"],
    )  # fmt: skip
    totals: dict[tuple[str, str], Decimal] = {}
    for bill in items:
        status = bill_status(bill, as_of)
        if 0 < bill.open <= held.get(bill.id, ZERO):
            status = "disputed"
        table.rows.append([bill.id, bill.date, bill.currency, round_money(bill.accrued),
                           round_money(bill.billed), round_money(bill.billed - bill.accrued),
                           round_money(bill.paid), round_money(bill.open), bill.due_date, status])  # fmt: skip
        key = (status, bill.currency)
        totals[key] = round_money(totals.get(key, ZERO) + bill.open)
    for item in prepaid:
        if item.open <= 0:
            continue
        table.rows.append([item.id, item.date, item.currency, None, None, None,
                           round_money(item.billed), round_money(-item.open), None, "prepaid"])  # fmt: skip
        key = ("prepaid", item.currency)
        totals[key] = round_money(totals.get(key, ZERO) - item.open)
    for (status, cur), amount in sorted(
        totals.items(), key=lambda kv: PAYABLE_ORDER.index(kv[0][0])
    ):
        table.totals.append([status, cur, amount])
    table.total_columns = ["status", "currency", "open"]
    table.notes.extend(
        f"disputed since {d.date}: {d.bill} {d.line}, {show_money(*d.open)}"
        f"{'' if d.open == d.amount else f' of {show_money(*d.amount)}'} ({d.memo}); open until"
        " OneBox credits it (onebox bill BILL AMOUNT --credit)"
        for d in disputed if d.open.number
    )  # fmt: skip
    return table


def _bucket(days: int) -> str:
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"


def receivables(entries: Sequence[data.Directive], currency: str, *, as_of: datetime.date) -> Table:
    """Open invoices as of a date (payments after it do not count), aged by days past due, and
    the customers' credit; totals per customer in the operating currency at the as-of rate."""
    found = scan(entries, as_of=as_of, want_invoices=True, want_credits=True, after=as_of)
    convert = Converter(entries, currency)
    credit = [i for i in found.credits.values() if i.kind == "credit"]
    table = receivables_table(
        sorted_invoices(found.invoices.values()), currency, as_of=as_of, convert=convert,
        credit=credit,
    )  # fmt: skip
    return _note_later(table, found, as_of)


def receivables_table(
    items: Sequence[OpenItem],
    currency: str,
    *,
    as_of: datetime.date,
    convert: Converter,
    credit: Sequence[OpenItem] = (),
) -> Table:
    """Foreign amounts are valued at the rate in force on `as_of` (IAS 21's closing rate); a
    note gives their book value at the invoices' own rates and the unrealized difference."""
    table = Table(
        f"Open invoices and customer credit as of {as_of}, aged; totals per customer in"
        f" {currency} at the rate of {as_of}",
        ["customer", "invoice", "date", "due", "currency", "open", "days_past_due", "bucket"],
    )
    per_customer: dict[str, dict[str, Decimal]] = {}
    book = closing = ZERO
    for item in items:
        if item.open <= 0:
            continue
        days = (as_of - item.due_date).days
        bucket = _bucket(days)
        customer = str(item.customer or "")
        table.rows.append([customer, item.id, item.date, item.due_date, item.currency,
                           round_money(item.open),
                           max(days, 0), bucket])  # fmt: skip
        sums = per_customer.setdefault(customer, dict.fromkeys((*BUCKETS, "credit"), CENTS_ZERO))
        value = round_money(convert(item.open, item.currency, as_of))
        sums[bucket] += value
        if item.currency != currency:
            closing += value
            book += money.in_operating(item.open, item.lot) if item.lot else value
    for item in sorted_invoices(credit):
        if item.open <= 0:
            continue
        customer = str(item.customer or "")
        table.rows.append([customer, item.id, item.date, None, item.currency,
                           round_money(-item.open), None, "credit"])  # fmt: skip
        sums = per_customer.setdefault(customer, dict.fromkeys((*BUCKETS, "credit"), CENTS_ZERO))
        value = round_money(convert(item.open, item.currency, as_of))
        sums["credit"] -= value
        if item.currency != currency:
            closing -= value
            book -= money.in_operating(item.open, item.lot) if item.lot else value
    columns = (*BUCKETS, "credit")
    grand = dict.fromkeys(columns, CENTS_ZERO)
    for customer in sorted(per_customer):
        sums = per_customer[customer]
        table.totals.append([customer, *(sums[b] for b in columns), sum(sums.values(), ZERO)])
        for b in columns:
            grand[b] += sums[b]
    table.totals.append(["total", *(grand[b] for b in columns), sum(grand.values(), ZERO)])
    table.total_columns = ["customer", *columns, "total"]
    table.notes = convert.notes()
    if closing != book:
        table.notes.append(
            f"foreign amounts: {book} {currency} at their own rates, {closing} {currency} at"
            f" the rate of {as_of}: an unrealized difference of {closing - book:+} {currency}"
            " (each close books it at its month's end, reversed the next day)"
        )
    return table


def mrr(
    book: Book, entries: Sequence[data.Directive], currency: str, *, as_of: datetime.date
) -> Table:
    """Monthly recurring revenue, quantity and active boxes per stream, as of a date.

    Recurring = monthly and annual contracts active on the date, at the terms they
    bill for it (an annual contract counts one twelfth of the yearly value it bills,
    i.e. price x quantity, a change during the year from its day); metered
    contracts count their last billed month; one-time contracts do not count.
    """
    convert = Converter(entries, currency)
    found = scan(entries, as_of=as_of, want_last_invoices=True, after=as_of)
    table = mrr_table(book, found.last_invoice, currency, as_of=as_of, convert=convert)
    return _note_later(table, found, as_of)


def mrr_table(
    book: Book,
    last_invoice: Mapping[str, RawAmount],
    currency: str,
    *,
    as_of: datetime.date,
    convert: Converter,
) -> Table:
    """`last_invoice`: each contract's last invoice, unconverted; only those of the metered
    contracts counted are converted, so the notes name only the rates MRR used. A recurring
    contract counts the terms it bills for `as_of` (an annual one's change from its day)."""
    month = Month.of(as_of)
    rows: dict[str, list[Any]] = {}
    for contract in book.contracts.values():
        if not contract.active_on(as_of) or contract.billing == "once":
            continue
        row = rows.setdefault(contract.stream, [ZERO, 0, set()])
        if contract.billing == "metered":
            last = last_invoice.get(contract.id)
            if last is not None:
                row[0] += convert(*last)
        else:
            quantity, price = terms_billed_on(contract, as_of)
            row[0] += convert(beans.number(price) * quantity, price.currency, as_of)
            row[1] += quantity
        row[2].add(contract.customer)
    table = Table(
        f"Monthly recurring revenue as of {as_of}, in {currency}",
        ["stream", "mrr", "quantity", "customers"],
    )
    total = ZERO
    for stream in sorted(rows):
        value, quantity, customers = rows[stream]
        table.rows.append([stream, round_money(value), quantity, len(customers)])
        total += round_money(value)
    table.totals.append(["total", total, "", len({c for r in rows.values() for c in r[2]})])
    table.notes = [f"active boxes in {month}: {active_boxes(book, month)}", *convert.notes()]
    return table


def keep_tables(
    groups: Mapping[str, dict[tuple[str, ...], list[Decimal]]],
    currency: str,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    convert: Converter,
    other: dict[str, Decimal],
) -> dict[str, Table]:
    """The overview's keep tables, "keep-stream" and "keep-customer", from keep sums per
    grouping (scan's `keep`)."""
    return {
        f"keep-{by}": keep_table(groups[by], currency, start=start, end=end, by=by,
                                 convert=convert, other=other)
        for by in ("stream", "customer")
    }  # fmt: skip


def overview(
    book: Book,
    entries: Sequence[data.Directive],
    currency: str,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    as_of: datetime.date,
) -> dict[str, Table]:
    """keep per stream and per customer in [start, end], receivables, payables and MRR as of
    `as_of`: the tables of the report commands, from one pass over the entries, each noting
    the transactions dated after its date that it leaves out, as the commands do."""
    keep_convert = Converter(entries, currency)
    receivable_convert, mrr_convert = keep_convert.sibling(), keep_convert.sibling()
    found = scan(
        entries, keep_by=("stream", "customer"), keep_convert=keep_convert, start=start, end=end,
        as_of=as_of, want_invoices=True, want_bills=True, want_credits=True,
        want_last_invoices=True,
    )  # fmt: skip
    invoices = sorted_invoices(found.invoices.values())
    credit = [i for i in found.credits.values() if i.kind == "credit"]
    prepaid = [i for i in found.credits.values() if i.kind == "prepaid"]
    tables = {
        **keep_tables(
            found.keep, currency, start=start, end=end, convert=keep_convert, other=found.other
        ),
        "receivables": receivables_table(
            invoices, currency, as_of=as_of, convert=receivable_convert, credit=credit
        ),
        "payables": payables_table(
            sorted_bills(found.bills.values()),
            as_of=as_of,
            prepaid=prepaid,
            disputed=disputes.disputes(entries, as_of),
        ),
        "mrr": mrr_table(book, found.last_invoice, currency, as_of=as_of, convert=mrr_convert),
    }
    note_later(tables, entries, end=end, as_of=as_of)
    return tables
