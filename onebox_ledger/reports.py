"""Reports as data: keep (margins), payables, receivables and MRR, in the operating currency. Pure.

Each report is a :class:`Table`: column names, rows of plain values (str,
Decimal, date, int), total rows and notes (the exchange rates used). The CLI
renders it as a table, CSV or JSON; numbers stay exact Decimals throughout.

Conversion: an amount in another currency is converted with the ledger's
``price`` directive in force on the entry's date (the latest on or before it);
a missing rate is an error naming the currency and date::

    2026-01-01 price EUR 1.08 USD
    report keep: cloud sold 100.00 EUR on 2026-03-31 -> 108.00 USD ("EUR->USD 1.08 on 2026-01-01")

The keep report answers "I sold X: how much do I keep?": per stream, customer
or contract, sold = income recognised (credits to Income:<Stream>), cost =
Expenses:OneBox:<Stream>, kept = sold - cost, kept % = kept / sold. With
5 cloud users at 25.00 USD and a 65% rate: sold 125.00, cost 81.25, kept 43.75 (35.0%).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from beancount.core import data, prices

from . import beans
from .billing import active_boxes, billed_from
from .model import Book
from .openitems import bills, invoices
from .values import ZERO, Month, round_money

CENTS_ZERO = Decimal("0.00")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
SOON_DAYS = 7


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


def cell(value: Any) -> str:
    """A table value as text: exact decimals (``1087.16``, never float), ISO dates, '' for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def payload(table: Table) -> dict[str, Any]:
    """A table as JSON-ready data: rows and totals as objects of text cells (see `cell`)."""
    return {
        "title": table.title,
        "columns": table.columns,
        "rows": [dict(zip(table.columns, map(cell, row), strict=True)) for row in table.rows],
        "totals": [
            dict(zip(table.total_columns or table.columns, map(cell, row), strict=True))
            for row in table.totals
        ],
        "notes": table.notes,
    }


class Converter:
    """Converts amounts to the operating currency with the ledger's price directives."""

    def __init__(self, entries: Sequence[data.Directive], currency: str) -> None:
        self.currency = currency
        self.price_map = prices.build_price_map(entries)  # type: ignore[no-untyped-call]
        self.used: dict[tuple[str, datetime.date], Decimal] = {}

    def __call__(self, number: Decimal, currency: str, date: datetime.date) -> Decimal:
        if currency == self.currency:
            return number
        found = prices.get_price(self.price_map, (currency, self.currency), date)  # type: ignore[no-untyped-call]
        when: datetime.date | None = found[0]
        rate: Decimal | None = found[1]
        if rate is None:
            raise ReportError(
                f"no exchange rate {currency}->{self.currency} on or before {date}"
                f" (add one to ledger/prices.beancount: {date} price {currency} 1.00 {self.currency})"
            )
        assert when is not None
        self.used[(currency, when)] = rate
        return number * rate

    def notes(self) -> list[str]:
        return [
            f"rate {cur}->{self.currency} {rate} of {when}"
            for (cur, when), rate in sorted(self.used.items())
        ]


def _pct(kept: Decimal, sold: Decimal) -> Decimal | None:
    return None if sold == 0 else (kept * 100 / sold).quantize(Decimal("0.1"), ROUND_HALF_UP)


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
    groups: dict[tuple[str, ...], list[Decimal]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if (start and entry.date < start) or (end and entry.date > end):
            continue
        for post in entry.postings:
            account = post.account
            if account.startswith("Income:"):
                index, sign = 0, -1
                stream = account.split(":")[1].lower()
            elif account.startswith("Expenses:OneBox:"):
                index, sign = 1, 1
                stream = account.split(":")[2].lower()
            else:
                continue
            if by == "stream":
                key: tuple[str, ...] = (stream,)
            elif by == "customer":
                key = (str(entry.meta.get("customer", "(none)")),)
            else:
                key = (
                    str(entry.meta.get("contract", "(none)")),
                    str(entry.meta.get("customer", "")),
                    stream,
                )
            value = convert(beans.units(post)[0], beans.units(post)[1], entry.date) * sign
            groups.setdefault(key, [ZERO, ZERO])[index] += value
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
    return table


def payables(entries: Sequence[data.Directive], currency: str, *, as_of: datetime.date) -> Table:
    """Every OneBox bill as of a date: billed, paid, open, due, status; totals by status."""
    table = Table(
        f"OneBox bills as of {as_of}",
        ["bill", "date", "currency", "billed", "paid", "open", "due", "status"],
    )
    totals: dict[tuple[str, str], Decimal] = {}
    for bill in bills(entries, as_of=as_of):
        if bill.open <= 0:
            status = "paid"
        elif bill.due_date < as_of:  # past its due date, or past the end of its grace
            status = "overdue"
        elif bill.in_grace > 0:
            status = "in grace"
        elif (bill.due_date - as_of).days <= SOON_DAYS:
            status = "due within 7 days"
        else:
            status = "open"
        table.rows.append([bill.id, bill.date, bill.currency, round_money(bill.billed),
                           round_money(bill.paid), round_money(bill.open), bill.due_date, status])  # fmt: skip
        key = (status, bill.currency)
        totals[key] = round_money(totals.get(key, ZERO) + bill.open)
    order = ["overdue", "due within 7 days", "in grace", "open", "paid"]
    for (status, cur), amount in sorted(totals.items(), key=lambda kv: order.index(kv[0][0])):
        table.totals.append([status, cur, amount])
    table.total_columns = ["status", "currency", "open"]
    del currency
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
    """Open invoices as of a date (payments after it do not count), aged by days past due."""
    convert = Converter(entries, currency)
    table = Table(
        f"Open invoices as of {as_of}, aged; totals per customer in {currency}",
        ["customer", "invoice", "date", "due", "currency", "open", "days_past_due", "bucket"],
    )
    per_customer: dict[str, dict[str, Decimal]] = {}
    for item in invoices(entries, as_of=as_of):
        if item.open <= 0:
            continue
        days = (as_of - item.due_date).days
        bucket = _bucket(days)
        customer = str(item.customer or "")
        table.rows.append([customer, item.id, item.date, item.due_date, item.currency,
                           round_money(item.open),
                           max(days, 0), bucket])  # fmt: skip
        sums = per_customer.setdefault(customer, dict.fromkeys(BUCKETS, CENTS_ZERO))
        sums[bucket] += round_money(convert(item.open, item.currency, item.date))
    grand = dict.fromkeys(BUCKETS, CENTS_ZERO)
    for customer in sorted(per_customer):
        sums = per_customer[customer]
        table.totals.append([customer, *(sums[b] for b in BUCKETS), sum(sums.values(), ZERO)])
        for b in BUCKETS:
            grand[b] += sums[b]
    table.totals.append(["total", *(grand[b] for b in BUCKETS), sum(grand.values(), ZERO)])
    table.total_columns = ["customer", *BUCKETS, "total"]
    table.notes = convert.notes()
    return table


def mrr(
    book: Book, entries: Sequence[data.Directive], currency: str, *, as_of: datetime.date
) -> Table:
    """Monthly recurring revenue, quantity and active boxes per stream, as of a date.

    Recurring = monthly and annual contracts active on the date (an annual
    contract counts one twelfth of its year, i.e. price x quantity); metered
    contracts count their last billed month; one-time contracts do not count.
    """
    convert = Converter(entries, currency)
    month = Month.of(as_of)
    last_metered: dict[str, Decimal] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date <= as_of:
            cid = entry.meta.get("contract")
            if isinstance(cid, str) and (beans.entry_id(entry) or "").endswith("/invoice"):
                for post in entry.postings:
                    if post.account.startswith(beans.RECEIVABLE):
                        last_metered[cid] = convert(
                            beans.units(post)[0], beans.units(post)[1], entry.date
                        )
    rows: dict[str, list[Any]] = {}
    for contract in book.contracts.values():
        if not contract.active_on(as_of) or contract.billing == "once":
            continue
        row = rows.setdefault(contract.stream, [ZERO, 0, set()])
        if contract.billing == "metered":
            row[0] += last_metered.get(contract.id, ZERO)
        else:
            quantity, price = contract.terms_on(billed_from(contract, as_of))
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
