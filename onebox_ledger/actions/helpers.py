"""What every command shares: lookups that suggest the name meant, the sealed-month and
currency checks, and the two writes (a static file, a month's journal).

``_customer(book, "acm")`` raises ``unknown customer 'acm' (did you mean 'acme'?)``;
``Written`` is what a command wrote, the text empty for a no-op.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

from .. import beans, events, seals
from ..model import Book
from ..store import (
    JOURNAL_HEADER,
    Ledger,
    LedgerError,
    Loaded,
)
from ..values import InputError, Month


def _suggest(value: str, known: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _customer(book: Book, cid: str) -> Any:
    if cid not in book.customers:
        raise InputError(f"unknown customer {cid!r}{_suggest(cid, list(book.customers))}")
    return book.customers[cid]


def _contract(book: Book, cid: str) -> Any:
    if cid not in book.contracts:
        raise InputError(f"unknown contract {cid!r}{_suggest(cid, list(book.contracts))}")
    return book.contracts[cid]


def _not_sealed(ledger: Ledger, date: datetime.date, what: str) -> None:
    refusal = seals.sealed_refusal(date, ledger.last_sealed(), what)
    if refusal is not None:
        raise LedgerError(refusal)


def _check_currency(currency: str, expected: str, who: str) -> None:
    if currency != expected:
        raise InputError(f"{who} is billed in {expected}, not {currency}")


def write_static(
    ledger: Ledger, loaded: Loaded, path: Path, entries: Sequence[data.Directive]
) -> str:
    """Append directives to a static file, with a ``commodity`` directive for each currency
    they are the first to use (in the accounts file), as one validated, atomic change."""
    declared = {e.currency for e in loaded.entries if isinstance(e, data.Commodity)}
    news = events.commodities(entries, declared, min(e.date for e in entries))
    text = beans.format_entries(entries)
    appends = [(ledger.accounts_path, beans.format_entries(news), "")] if news else []
    ledger.append_many([*appends, (path, text, "")])
    return text


def _write_month(ledger: Ledger, date: datetime.date, entries: Sequence[data.Directive]) -> str:
    month = Month.of(date)
    text = beans.format_entries(entries)
    ledger.append_full(ledger.month_path(month), text, JOURNAL_HEADER.format(month=month))
    return text


@dataclass(frozen=True)
class Written:
    """What a command wrote (text is empty for a no-op)."""

    path: Path
    text: str
    message: str
