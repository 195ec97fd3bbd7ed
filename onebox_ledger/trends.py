"""The OneBox page's numbers from one pass: the report tables, and the same reports month by month. Pure.

The page shows the tables of :func:`reports.overview` (keep per stream and per
customer for a period; receivables, payables and MRR as of a day) and, for each
month of its charts, what the report commands say of that month:

- keep per stream in the month: ``report keep --by stream --from <1st> --to <last>``
  (clipped to the period when the period starts or ends inside the month), its
  "adjustment" row included (what OneBox billed over or under the accrual: cost, no sales);
- MRR per stream at the month's end: ``report mrr --as-of <end>``;
- open receivables per aging bucket at the month's end, and the customers' credit: the
  total row of ``report receivables --as-of <end>`` (current, 1-30, 31-60, 61-90, 90+,
  credit, total). Credit is negative (money held for customers, not yet applied) and is
  part of the total, so the series keeps it: the aging chart draws it below zero and its
  marks net to the report's total (see fava_ext.charts);

where a month's end is its last day, or today for the month not yet ended (or the
period's last day, for a period that ends inside the month). For
the status panel it also takes receivables and payables as of today.

All of it comes from ONE pass over the transactions (:func:`collect`). Each
posting goes where ``reports.scan`` sends it, to the same handlers
(``reports._keep``, ``openitems.add_invoice_posting``, ``add_bill_posting``),
and whenever the pass crosses a month end, the open items as they stand are
handed to the reports' own table builders (``reports.receivables_table``,
``mrr_table``, ``keep_table``, ``payables_table``), so every number is the
report's to the cent. An invoice of the demo, seen at two month ends::

    2026-09-30 * "Harbor Clinic" "..."      invoice inv-2026-09-harbor-clinic, due 2026-10-30
      Assets:Receivable:Harbor-Clinic   504.00 USD
    month end 2026-10-31: 1 day past due     -> 1-30: 504.00
    month end 2026-11-30: 31 days past due   -> 31-60: 504.00

The pass dispatches on ``reports.classify``, as ``reports.scan`` does (which account
goes where), and mirrors which dates count; ``tests/test_trends.py`` checks that the tables it gives are
``reports.overview``'s, cell for cell, so a change to one without the other fails.

Each metered contract's last invoice is kept unconverted, as ``reports.scan`` keeps it:
``reports.mrr_table`` converts only those it counts, so MRR's notes name only the rates
MRR used.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from . import beans, disputes, reports
from .model import Book
from .openitems import (
    OpenItem,
    add_bill_posting,
    add_credit_posting,
    add_invoice_posting,
    item_key,
    sorted_bills,
    sorted_invoices,
)
from .values import Month

MONTHS_SHOWN = 12  # the charts' months when the period is open: the last 12, to today's
MONTHS_MAX = 120  # a longer period shows its last 120 months

Groups = dict[str, dict[tuple[str, ...], list[Decimal]]]  # reports.scan's keep sums, by grouping


def chart_months(
    start: datetime.date | None, end: datetime.date | None, today: datetime.date
) -> list[Month]:
    """The months the charts show: the period's, up to today's month; with no period, the
    last MONTHS_SHOWN months to today's. A period wholly after today shows none."""
    last = Month.of(min(end, today) if end else today)
    first = Month.of(start) if start else last.plus(1 - MONTHS_SHOWN)
    first = max(first, last.plus(1 - MONTHS_MAX))
    return [first.plus(i) for i in range(last.minus(first) + 1)]


@dataclass(frozen=True)
class Overview:
    """What the page shows, from one pass (see the module docs)."""

    tables: dict[str, reports.Table]  # reports.overview's five tables, for the period
    months: list[Month]  # the charts' months, oldest first
    keep: reports.Table  # per month: month, stream, sold, onebox_cost, kept, kept_pct
    mrr: reports.Table  # per month end: month, as_of, stream, mrr, quantity, customers
    aging: reports.Table  # per month end: month, as_of, current, 1-30, ..., 90+, credit, total
    # per month: the receivables' per-customer total rows (customer, buckets..., credit, total)
    aging_customers: dict[str, list[list[Any]]]
    receivables_today: reports.Table  # for the status panel
    payables_today: reports.Table


@dataclass
class _Pass:
    """The state of the pass: open items, keep sums, each contract's last invoice."""

    book: Book
    currency: str
    invoices: dict[str, OpenItem] = field(default_factory=dict)
    bills: dict[str, OpenItem] = field(default_factory=dict)
    credits: dict[str, OpenItem] = field(default_factory=dict)  # customer credit, OneBox prepaid
    metered: frozenset[str] = frozenset()  # the metered contracts' ids
    # the metered contracts' last invoices, unconverted
    last_invoice: dict[str, reports.RawAmount] = field(default_factory=dict)
    # after the first month end: the invoices open at the last one, and those changed since
    tracking: bool = False
    touched: set[str] = field(default_factory=set)
    carried: set[str] = field(default_factory=set)
    disputing: list[data.Directive] = field(default_factory=list)  # disputes.relevant's

    def mrr(self, as_of: datetime.date, convert: reports.Converter) -> reports.Table:
        """MRR as of `as_of` (mrr_table converts the last invoices of the metered contracts it
        counts, and only those)."""
        return reports.mrr_table(
            self.book, self.last_invoice, self.currency, as_of=as_of, convert=convert
        )

    def receivables(
        self, as_of: datetime.date, convert: reports.Converter, items: Iterable[OpenItem]
    ) -> reports.Table:
        credit = [i for i in self.credits.values() if i.kind == "credit"]
        return reports.receivables_table(
            sorted_invoices(items), self.currency, as_of=as_of, convert=convert, credit=credit
        )

    def payables(self, as_of: datetime.date) -> reports.Table:
        prepaid = [i for i in self.credits.values() if i.kind == "prepaid"]
        return reports.payables_table(
            sorted_bills(self.bills.values()), as_of=as_of, prepaid=prepaid,
            disputed=disputes.disputes(self.disputing, as_of),
        )  # fmt: skip

    def month_end(self, as_of: datetime.date, convert: reports.Converter) -> reports.Table:
        """Receivables as of a month end, from the invoices that can be open: at the first,
        every invoice; later, those open at the previous month end and those changed since
        (not every invoice ever issued, month after month)."""
        if self.tracking:
            pool: Iterable[OpenItem] = [self.invoices[key] for key in self.carried | self.touched]
        else:
            pool, self.tracking = self.invoices.values(), True
        items = [item for item in pool if item.billed != item.paid]  # open, without a subtraction
        self.carried = {item.id for item in items}
        self.touched = set()
        return self.receivables(as_of, convert, items)


def _merged_notes(converters: Iterable[reports.Converter], like: reports.Converter) -> list[str]:
    """The rates any of `converters` used, once each, as Converter.notes words them."""
    merged = like.sibling()
    for convert in converters:
        merged.used.update(convert.used)
    return merged.notes()


def collect(
    book: Book,
    entries: Sequence[data.Directive],
    currency: str,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    as_of: datetime.date,
    today: datetime.date,
    months: Sequence[Month],
) -> Overview:
    """The page's tables for [start, end] and `as_of` (reports.overview's), the same reports
    for each of `months` (see the module docs) and receivables and payables as of `today`,
    from one pass over the entries. `as_of` and every month's end must be on or before
    `today` (see chart_months); raises reports.ReportError for a missing exchange rate."""
    keep_convert = reports.Converter(entries, currency)
    metered = frozenset(c.id for c in book.contracts.values() if c.billing == "metered")
    state = _Pass(book, currency, metered=metered, disputing=disputes.relevant(entries))
    period: Groups = {"stream": {}, "customer": {}}
    in_month: dict[tuple[int, int], Groups] = {
        (m.year, m.month): {"stream": {}, "customer": {}} for m in months
    }
    # income and expense outside the streams (exchange results, bad debt): keep's notes
    other: dict[str, Decimal] = {}
    month_other: dict[tuple[int, int], dict[str, Decimal]] = {key: {} for key in in_month}
    month_convert = {key: keep_convert.sibling() for key in in_month}
    ends = {min(m.last, end or m.last, today): m for m in months}
    # the month ends' tables share a converter each: their notes are the series' notes
    aging_convert, mrr_convert = keep_convert.sibling(), keep_convert.sibling()
    at_end: dict[Month, tuple[datetime.date, reports.Table, reports.Table]] = {}
    at_day: dict[datetime.date, tuple[reports.Table, reports.Table, reports.Table]] = {}

    def take(point: datetime.date) -> None:
        """The tables as of `point`, from the open items as they stand after every entry
        dated on or before it."""
        month = ends.get(point)
        if month is not None:
            at_end[month] = (
                point, state.month_end(point, aging_convert), state.mrr(point, mrr_convert)
            )  # fmt: skip
        if point in (as_of, today):
            # the open ones are the rows (receivables_table skips the others): sort only those
            items = [item for item in state.invoices.values() if item.billed != item.paid]
            at_day[point] = (
                state.receivables(point, keep_convert.sibling(), items),
                state.payables(point),
                state.mrr(point, keep_convert.sibling()),
            )

    points = iter(sorted({*ends, as_of, today}))
    point = next(points, None)
    low, high = start or datetime.date.min, end or datetime.date.max
    first_day = months[0].first if months else datetime.date.max
    kinds: dict[str, tuple[int, str]] = {}  # account -> (what it is, its stream)
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        date = entry.date
        while point is not None and date > point:
            take(point)
            point = next(points, None)
        keeping = low <= date <= high
        current = point is not None  # dated on or before today
        if not (keeping or current):
            if date > high:
                break  # entries are sorted by date: nothing after this counts
            continue
        in_chart = keeping and date >= first_day
        month_sums = in_month.get((date.year, date.month)) if in_chart else None
        for post in entry.postings:
            account = post.account
            kind = kinds.get(account)
            if kind is None:
                kind = kinds[account] = reports.classify(account)
            what, stream = kind
            if what <= reports.COST:
                if month_sums is not None:  # a chart month's: added to the period's below
                    convert = month_convert[(date.year, date.month)]
                    reports._keep(month_sums, entry, post, convert, stream, what)
                elif keeping:
                    reports._keep(period, entry, post, keep_convert, stream, what)
            elif what == reports.PROFIT:
                if keeping:
                    reports.add_other(other, entry, post, keep_convert)
                if month_sums is not None:
                    reports.add_other(month_other[(date.year, date.month)], entry, post,
                                      keep_convert)  # fmt: skip
            elif current:
                if what == reports.RECEIVABLE:
                    _receivable(state, entry, post)
                elif what == reports.BILL:
                    add_bill_posting(state.bills, entry, post)
                elif what == reports.CREDIT:
                    add_credit_posting(state.credits, entry, post)
    while point is not None:
        take(point)
        point = next(points, None)

    for key, groups in in_month.items():  # the period's sums: the chart months' added in
        for by, sums in groups.items():
            _add(period[by], sums)
        keep_convert.used.update(month_convert[key].used)
    receivables, payables, mrr = at_day[as_of]
    keep_table = reports.keep_table
    tables = {
        **reports.keep_tables(
            period, currency, start=start, end=end, convert=keep_convert, other=other
        ),
        "receivables": receivables,
        "payables": payables,
        "mrr": mrr,
    }
    reports.note_later(tables, entries, end=end, as_of=as_of)
    keep_months = [
        (str(m), keep_table(in_month[(m.year, m.month)]["stream"], currency,
                            start=max(start, m.first) if start else m.first,
                            end=min(end, m.last) if end else m.last,
                            by="stream", convert=month_convert[(m.year, m.month)],
                            other=month_other[(m.year, m.month)]))
        for m in months
    ]  # fmt: skip
    return Overview(
        tables=tables,
        months=list(months),
        keep=_per_month(
            f"What you keep per month and stream, in {currency}",
            [(month, [], table.columns, table.rows, table.totals) for month, table in keep_months],
            _merged_notes(month_convert.values(), keep_convert),
        ),
        mrr=_per_month(
            f"Monthly recurring revenue at each month end, in {currency}",
            [
                (str(m), [at_end[m][0]], ["as_of", *t.columns], t.rows, t.totals)
                for m in months
                for t in [at_end[m][2]]
            ],
            mrr_convert.notes(),
        ),
        aging=_per_month(
            f"Open receivables at each month end, by days past due, in {currency}",
            [(str(m), [at_end[m][0]], *_total_row(at_end[m][1])) for m in months],
            aging_convert.notes(),
        ),
        aging_customers={
            str(m): [row for row in at_end[m][1].totals if row[0] != "total"] for m in months
        },
        receivables_today=at_day[today][0],
        payables_today=at_day[today][1],
    )


def _add(
    into: dict[tuple[str, ...], list[Decimal]], sums: dict[tuple[str, ...], list[Decimal]]
) -> None:
    """Add keep sums (sold, cost per key) into others: exact, as adding the postings one by one."""
    for key, (sold, cost) in sums.items():
        total = into.get(key)
        if total is None:
            into[key] = [sold, cost]
        else:
            total[0] += sold
            total[1] += cost


def _total_row(table: reports.Table) -> tuple[list[str], list[list[Any]], list[list[Any]]]:
    """A receivables table's grand total (its totals row named "total", first cell dropped)
    as (columns, rows, totals) with "as_of" first."""
    columns = table.total_columns or table.columns
    rows = [row[1:] for row in table.totals if row and row[0] == "total"]
    return ["as_of", *columns[1:]], rows, []


def _per_month(
    title: str,
    parts: Sequence[tuple[str, list[Any], list[str], list[list[Any]], list[list[Any]]]],
    notes: list[str],
) -> reports.Table:
    """One table of per-month tables: each row prefixed with its month (and its month end).

    `parts`: (month, prefix, columns, rows, totals); the columns are the same in every part
    (those of the report's table) and are used from the first."""
    columns = ["month", *(parts[0][2] if parts else [])]
    table = reports.Table(title, columns, notes=notes)
    for month, prefix, _, rows, totals in parts:
        table.rows.extend([month, *prefix, *row] for row in rows)
        table.totals.extend([month, *prefix, *row] for row in totals)
    return table


def _receivable(state: _Pass, entry: data.Transaction, post: data.Posting) -> None:
    """A posting to Assets:Receivable:*: its invoice, and each metered contract's last invoice
    (for MRR: reports.scan takes it from the same postings, for every contract)."""
    if state.tracking:
        key = item_key(post, entry, "invoice")
        if key is not None:
            state.touched.add(key)
    add_invoice_posting(state.invoices, entry, post)
    contract = reports.contract_invoiced(entry)
    if contract is not None and contract in state.metered:
        number, currency = beans.units(post)
        state.last_invoice[contract] = (number, currency, entry.date)
