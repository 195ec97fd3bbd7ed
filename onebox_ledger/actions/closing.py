"""Closing a month and issuing its invoices: history-independent (see ``close.py``), checked
as ``bean-check`` would before anything is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from .. import beans, events, month_end, openitems, seals
from ..agents import parse_agents
from ..billing import BillingError
from ..close import (
    CloseError,
    CloseResult,
    carried,
    close_month,
    invoice_lines,
    invoice_month,
    invoice_prefix,
)
from ..model import Book, parse_book, with_rules_1
from ..money import MoneyError, Rates
from ..openitems import credits
from ..store import (
    JOURNAL_HEADER,
    Files,
    Ledger,
    LedgerError,
    describe_error,
    paused_gc,
)
from ..values import ZERO, Month


@dataclass(frozen=True)
class Closed:
    result: CloseResult
    path: Path
    text: str
    dry_run: bool


def _static_book(files: Files) -> tuple[list[data.Directive], Book]:
    """The entries of the static files (not the month files) and their Book; refused on any
    malformed directive."""
    static = [e for entries in files.parsed.values() for e in entries]
    book, errors = parse_book(static)
    if errors:
        raise LedgerError(describe_error(errors[0]))
    return static, book


def close(
    ledger: Ledger, month: Month, *, today: datetime.date, dry_run: bool, force: bool
) -> Closed:
    """Close `month` reading only the static files and the month's own journal file."""
    ledger.check_exists()
    if month.last >= today and not force:
        raise LedgerError(
            f"{month} has not ended yet (today is {today}); close it from"
            f" {month.next().first} on, or pass --force"
        )
    with ledger.locked(), paused_gc():  # parsed entries that stay alive until the write
        files = ledger.files(dated_in=month)
        static, book = _static_book(files)
        if not book.has_terms():
            raise LedgerError(
                "no OneBox terms yet: set a cost rate and payment terms first"
                " (onebox-ledger terms rate 1 0.65; onebox-ledger terms payment 30)"
            )
        path = ledger.month_path(month)
        before = ledger.seal_before(month, files)
        sealed_here = month in seals.parse(ledger.parse(path))[0]
        if not sealed_here:
            _check_order(ledger, book, month)
        if before is not None and before.previous is None:
            raise LedgerError(
                f"{before.month} has a seal of the old, unchained form; run 'onebox-ledger"
                " upgrade' first (it checks the old seals, then chains them)"
            )
        view = ledger.month_view(month, files, first=before is None)
        previous = before.digest if before is not None else seals.FIRST
        currency = seals.currency_of(ledger.options())
        rates = Rates.of(static, ledger.operating_currency())
        credit_entries = ledger.credit_entries(files)
        holders = {str(c.customer) for c in carried(credit_entries, month) if c.kind == "credit"}
        receivables = ledger.receivable_entries(files, holders)
        opened = {e.account for e in static if isinstance(e, data.Open)}
        banks = month_end.banks_of(static)
        # history's sums and the entries after them (every annual invoice among them)
        history, sums = ledger.month_end_history(files, month, book, rates.operating, banks)
        # a year a sealed month invoiced by rules 1 keeps them (model.rules_1_years); the
        # months before this one are sealed (closes go in order), this one if closed again
        book = with_rules_1(
            book, history, lambda m: m < month or (sealed_here and m == month), sums.rules_1
        )
        canon = seals.Canon()  # the seal's digest and the write's checks hash each entry once
        try:
            result = close_month(
                book, month, view.dated, previous=previous, currency=currency, rates=rates,
                credit_entries=credit_entries, before=view.before, opened=opened,
                open_date=ledger.open_date(static, before.month if before else None),
                agents=parse_agents(static, book)[0], receivables=receivables,
                history=history, banks=banks, sums=sums, canon=canon,
            )  # fmt: skip
        except CloseError as err:
            raise LedgerError(str(err)) from None
        except (BillingError, MoneyError) as err:
            raise LedgerError(f"cannot close {month}: {err}") from None
        _check_credit_later(month, result, credit_entries)
        text = beans.format_entries(result.entries) if result.entries else ""
        if text and not dry_run:
            ledger.append_month(
                path, text, result.entries, static, JOURNAL_HEADER.format(month=month),
                view=view, previous=previous, currency=currency, new_opens=result.opens,
                canon=canon,
            )  # fmt: skip
            sums.advance(history, month.first)  # as on the month's first day, for its summary
            ledger.summarise_closed(month, first=before is None, sums=sums)
    return Closed(result, path, text, dry_run)


@dataclass(frozen=True)
class Invoiced:
    month: Month
    entries: list[data.Transaction]
    path: Path
    text: str
    dry_run: bool
    already: bool  # issued before, and nothing changed


def invoice(
    ledger: Ledger, month: Month, *, today: datetime.date, dry_run: bool, force: bool
) -> Invoiced:
    """Issue the advance invoices of `month` on its first day (close.invoice_month).

    Reads, like the close, only the static files and what is dated in the month
    (plus the entries that touch customer credit). Idempotent: issued again, the same
    invoices change nothing; invoices the contracts no longer give are drift, refused.
    """
    ledger.check_exists()
    if month.first > today and not force:
        raise LedgerError(
            f"{month} has not begun (today is {today}); issue its invoices from"
            f" {month.first} on, or pass --force"
        )
    with ledger.locked():
        files = ledger.files(dated_in=month)
        static, book = _static_book(files)
        sealed = ledger.last_sealed()
        path = ledger.month_path(month)
        view = ledger.month_view(month, files, first=sealed is None)
        rates = Rates.of(static, ledger.operating_currency())
        credit_entries = ledger.credit_entries(files)
        try:
            expected = invoice_month(
                book, month, rates, carried(credit_entries, month, invoicing=True),
                written=[e for e in view.dated if isinstance(e, data.Transaction)],
            )  # fmt: skip
        except MoneyError as err:
            raise LedgerError(f"cannot invoice {month}: {err}") from None
        issued = [
            e
            for e in view.dated
            if isinstance(e, data.Transaction)
            and (beans.entry_id(e) or "").startswith(invoice_prefix(month))
        ]
        if issued:  # the credit applied when they were issued stands (close.is_credit_applied)
            written = sorted(beans.format_entry(e) for e in invoice_lines(issued))
            if written != sorted(beans.format_entry(e) for e in invoice_lines(expected)):
                raise LedgerError(
                    f"{month}'s advance invoices are issued but the contracts now give others;"
                    " run 'onebox-ledger verify' to see the drift"
                )
            return Invoiced(month, issued, path, "", dry_run, True)
        if sealed is not None and month <= sealed:
            raise LedgerError(f"{month} is closed; its invoices were issued by its close")
        text = beans.format_entries(expected) if expected else ""
        if text and not dry_run:
            opened = {e.account for e in static if isinstance(e, data.Open)}
            opens = events.opens(expected, opened, ledger.open_date(static, sealed))
            ledger.append_month(
                path, text, expected, static, JOURNAL_HEADER.format(month=month),
                view=view, previous="", currency="", new_opens=opens,
            )  # fmt: skip
    return Invoiced(month, expected, path, text, dry_run, False)


def _check_credit_later(
    month: Month, result: CloseResult, credit_entries: Sequence[data.Transaction]
) -> None:
    """Refuse a close that would apply credit an entry dated after the month already used
    (a refund recorded before the close): the credit would be used twice. What the close
    applies to one credit adds up over its entries (the advance invoices it issues, then
    its own)."""
    every = {item.id: item for item in credits(credit_entries)}
    used: dict[str, Decimal] = {}
    for entry in result.entries:
        if not isinstance(entry, data.Transaction):
            continue
        for post in entry.postings:
            kind = beans.credit_kind(post.account)
            key = None if kind is None else openitems.item_key(post, entry, kind)
            if key is None:
                continue
            used[key] = used.get(key, ZERO) + abs(beans.units(post).number)
            if key in every and used[key] > every[key].open:
                raise LedgerError(
                    f"cannot close {month}: {key} was partly used by an entry dated after"
                    f" {month.last}; record that after the close (remove it, close, record it)"
                )


def _check_order(ledger: Ledger, book: Book, month: Month) -> None:
    sealed = ledger.last_sealed()
    if sealed is not None:
        if month != sealed.next():
            if month < sealed:
                raise LedgerError(
                    f"{month} was never sealed but later months are; restore it from git"
                )
            raise LedgerError(
                f"close {sealed.next()} first: months close in order (last closed: {sealed})"
            )
        return
    starts = [Month.of(c.start) for c in book.contracts.values()]
    starts += [m for m in ledger.journal_months() if m < month]
    first = min(starts, default=month)
    if first < month:
        raise LedgerError(f"close {first} first: months close in order (nothing is closed yet)")
