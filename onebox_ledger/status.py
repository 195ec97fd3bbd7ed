"""The state an accountant checks first, as of today: what is sealed, what is due. Pure.

From the seals (``onebox-close`` directives, :mod:`onebox_ledger.seals`), the
book, today's payables and receivables tables (:mod:`onebox_ledger.reports`)
and the errors of the load that produced the entries::

    2026-10-31 custom "onebox-close" "2026-10" "sha256:4982..."   ; the newest seal
    today 2026-12-15

    sealed: 2026-01..2026-10 (10 months); head 2026-10 sha256:4982...
    last close: 2026-10, its seal dated 2026-10-31
    ended, not closed: 2026-11                    -> onebox-ledger close 2026-11
    OneBox bills due within 7 days or overdue: onebox-2026-10, 1087.16 USD, due 2026-11-30
    invoices past due: 11, 3479.96 USD

What this does NOT know: whether ``onebox-ledger verify`` passes. verify
re-derives every close from the directives, far too costly for a page. What is
known cheaply is reported as such: the number of errors of the load (the seal
plugin's findings among them: digests, chain, pads, when main.beancount names
the plugin) and whether the seal plugin ran at all. The date of the last close
is the date of its seal entry (the month's last day); the ledger does not
record when the command ran, and this does not guess it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from . import reports, seals
from .model import Book
from .values import Month

SEAL_PLUGIN = "onebox_ledger.plugins.seal"


@dataclass(frozen=True)
class Status:
    today: datetime.date
    sealed: list[Month]  # oldest first
    head: seals.Seal | None  # the newest seal: its digest is the chain's head
    unclosed: list[Month]  # ended (before today's month), not sealed, from the first month
    bills: list[dict[str, Any]]  # payables rows: open, due within SOON_DAYS or overdue
    past_due: list[dict[str, Any]]  # receivables rows past their due date, most days first
    past_due_total: Decimal  # in the operating currency, from the receivables totals
    past_due_buckets: dict[str, Decimal]  # bucket -> amount (every bucket but "current")
    errors: int  # errors of the load the page shows
    seal_findings: int  # of which the seal plugin's
    seal_plugin: bool  # whether main.beancount names the seal plugin

    @property
    def gaps(self) -> bool:
        """Months missing between the first and last sealed month."""
        return bool(self.sealed) and len(self.sealed) != self.sealed[-1].minus(self.sealed[0]) + 1


def rows(table: reports.Table) -> list[dict[str, Any]]:
    """A table's rows as {column: value}."""
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def totals(table: reports.Table) -> list[dict[str, Any]]:
    """A table's total rows as {column: value}."""
    columns = table.total_columns or table.columns
    return [dict(zip(columns, row, strict=True)) for row in table.totals]


def first_month(book: Book, sealed: Sequence[Month]) -> Month | None:
    """Where closing starts: the first sealed month, else the first contract's month."""
    if sealed:
        return sealed[0]
    starts = [contract.start for contract in book.contracts.values()]
    return Month.of(min(starts)) if starts else None


def unclosed_months(book: Book, sealed: Sequence[Month], today: datetime.date) -> list[Month]:
    """Months that have ended and are not sealed, from the first month that needs a close."""
    first = first_month(book, sealed)
    if first is None:
        return []
    done = set(sealed)
    last_ended = Month.of(today).prev()
    return [first.plus(i) for i in range(last_ended.minus(first) + 1) if first.plus(i) not in done]


def status(
    book: Book,
    entries: Iterable[data.Directive],
    *,
    payables: reports.Table,
    receivables: reports.Table,
    today: datetime.date,
    errors: Sequence[Any],
    plugins: Sequence[str],
) -> Status:
    """The status panel as of `today`; `payables` and `receivables` are the reports as of
    `today`, `errors` the load's errors, `plugins` the plugin names of main.beancount."""
    by_month, _ = seals.parse(entries)
    sealed = sorted(by_month)
    bills = [
        row
        for row in rows(payables)
        if isinstance(row.get("open"), Decimal)
        and row["open"] > 0
        and isinstance(row.get("due"), datetime.date)
        and (row["due"] - today).days <= reports.SOON_DAYS
    ]
    past_due = sorted(
        (row for row in rows(receivables) if _int(row.get("days_past_due")) > 0),
        key=lambda row: (-_int(row.get("days_past_due")), str(row.get("invoice"))),
    )
    grand = next((row for row in totals(receivables) if row.get("customer") == "total"), {})
    buckets = {
        bucket: grand[bucket]
        for bucket in reports.BUCKETS[1:]
        if isinstance(grand.get(bucket), Decimal)
    }
    return Status(
        today=today,
        sealed=sealed,
        head=by_month[sealed[-1]] if sealed else None,
        unclosed=unclosed_months(book, sealed, today),
        bills=bills,
        past_due=past_due,
        past_due_total=sum(buckets.values(), Decimal("0.00")),
        past_due_buckets=buckets,
        errors=len(errors),
        seal_findings=sum(1 for error in errors if isinstance(error, seals.Finding)),
        seal_plugin=SEAL_PLUGIN in plugins,
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
