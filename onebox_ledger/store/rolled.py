"""The books' history across rolled years, read from month summaries (summaries.History).

Each archive (``ledger/archive/YYYY``) is a ledger with its own month summaries, written by
``year close`` and by ``verify`` of the archive (``verify --all``), keyed by the archive's
files as any ledger's are. The open books have theirs. A report over books with a rolled
year reads them all, in order, as the summaries of the unrolled books, leaving out what the
rolls wrote::

    archive 2023: 2023-11 .. 2023-12   December holds the closing entry  (year/2023/close)
    archive 2024: 2024-01 .. 2024-12   January holds 2023's opening      (year/2023/open/...)
    open books:   2025-01 .. 2026-10   January holds 2024's opening      (year/2024/open/...)

What is left out, from the summary holding it: each entry a roll wrote (its id begins with
``year/``), and, in an archive or open books after the first, every transaction dated
before its first month (the year before's, counted by its own archive). Its sums (sold,
cost, other income and expense) are subtracted, its transactions uncounted, and the first
summary of each later part starts on its month's first day. The open items at a part's
start come from the opening entries: they must state exactly the open invoices, credit
and prepaid at the end of the part before (else the load path answers); bills settled
before and each contract's last invoice (MRR) are carried from the part before, as the
opening does not restate them.

Any archive's or the open books' summary missing or stale, a part not following the one
before month by month, or an entry left out that needed an exchange rate: None, and the
reports load every archive (``Ledger.load_history``), as without summaries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from beancount.core import data

from .. import reports, summaries, yearroll
from ..money import Rates
from ..reports import Converter
from ..summaries import History, State, Summary, SummaryError
from ..values import ZERO, Month
from .summarising import Found, Summaries


@dataclass
class Part:
    """One archive (or the open books) as the history reads it: its summaries, corrected."""

    summaries: list[Summary]
    month_entries: Callable[[Summary], list[data.Transaction]]
    left_out: list[data.Transaction]  # what the history leaves out, from its static files


def _left_out(
    statics: Sequence[data.Directive], first: Month, earlier: bool
) -> list[data.Transaction]:
    return [
        e
        for e in statics
        if isinstance(e, data.Transaction)
        and (yearroll.is_roll_entry(e) or (earlier and e.date < first.first))
    ]


def archive_part(ledger: Summaries, earlier: bool) -> Part | None:
    """An archive's summaries, every month file of it summarised; None when one is missing;
    SummaryError when one is stale."""
    found = ledger.found()
    chain = ledger.chain(found)
    if not chain or len(chain) != len(found.months):
        return None
    statics = [e for entries in found.static.values() for e in entries]
    first = chain[0].month
    left_out = _left_out(statics, first, earlier)
    dropped = {id(e) for e in left_out}
    kept = [e for e in statics if isinstance(e, data.Transaction) and id(e) not in dropped]

    def month_entries(summary: Summary) -> list[data.Transaction]:
        own = ledger.parse(found.months[summary.month])
        whole = summary.month == first and not earlier
        return sorted(
            (
                e
                for e in (*kept, *own)
                if isinstance(e, data.Transaction)
                and not yearroll.is_roll_entry(e)
                and e.date <= summary.month.last
                and (whole or e.date >= summary.month.first)
            ),
            key=data.entry_sortkey,
        )

    return Part(chain, month_entries, left_out)


def open_part(history: History, found: Found, earlier: bool) -> Part:
    """The open books' History as a part: its month_entries without what is left out."""
    first = history.summaries[0].month
    statics = [e for entries in found.static.values() for e in entries]
    left_out = _left_out(statics, first, earlier)

    def month_entries(summary: Summary) -> list[data.Transaction]:
        return [
            e
            for e in history.month_entries(summary)
            if not yearroll.is_roll_entry(e) and (not earlier or e.date >= first.first)
        ]

    return Part(list(history.summaries), month_entries, left_out)


def combine(parts: Sequence[Part], history: History) -> History | None:
    """The summaries of every part as one History (the open books' `history` supplies what
    is after its last summary and the directives), or None (see the module docs)."""
    all_summaries: list[Summary] = []
    owners: dict[int, Callable[[Summary], list[data.Transaction]]] = {}
    directives: list[data.Directive] = list(history.directives)
    for part in parts[:-1]:
        directives += summaries.directives_of(part.summaries)
    rates = Rates.of(directives, history.currency)
    before: State | None = None
    for n, part in enumerate(parts):
        if all_summaries and part.summaries[0].month != all_summaries[-1].month.next():
            return None
        if not _leave_out(part, rates, history.currency, first=n == 0):
            return None
        if before is not None:
            start = part.summaries[0]
            start.since, start.previous = start.month.first, all_summaries[-1].key
            if not _carry(before, part):
                return None
        for summary in part.summaries:
            owners[id(summary)] = part.month_entries
        all_summaries += part.summaries
        before = part.summaries[-1].state

    def month_entries(summary: Summary) -> list[data.Transaction]:
        return owners[id(summary)](summary)

    return History(all_summaries, month_entries, history.later, directives, history.currency)


def _leave_out(part: Part, rates: Rates, currency: str, *, first: bool) -> bool:
    """Subtract what is left out from the summaries holding it; False when that cannot be
    done exactly (an entry needing an exchange rate, or none of the part's months)."""
    if not part.left_out:
        return True
    convert = Converter([], currency, rates=rates)
    start = part.summaries[0]
    for entry in part.left_out:
        holder = _holder(part.summaries, entry.date)
        if holder is None or (first and holder is start and entry.date < start.month.first):
            return False
        found = reports.scan([entry], keep_by=summaries.KEEP_BY, keep_convert=convert)
        if convert.used:
            return False
        for by, sums in found.keep.items():
            try:  # the grouping's sums, made once and kept by the summary (KeepSums)
                into = holder.keep[by]
            except KeyError:  # a grouping the summary lacks: no exact subtraction
                return False
            for key, (sold, cost) in sums.items():
                row = into.setdefault(key, [ZERO, ZERO])
                row[0] -= sold
                row[1] -= cost
                if not row[0] and not row[1]:
                    del into[key]
        for account, value in found.other.items():
            holder.other[account] = holder.other.get(account, ZERO) - value
            if not holder.other[account]:
                del holder.other[account]
        holder.transactions -= 1
    return True


def _holder(chain: Sequence[Summary], date: datetime.date) -> Summary | None:
    """The summary whose month holds `date` (the first: anything on or before its month)."""
    for summary in chain:
        if date <= summary.month.last:
            return summary
    return None


def _carry(before: State, part: Part) -> bool:
    """Bills and each contract's last invoice carried into the part from the state before it;
    False when the part's opening does not state the open items of `before` exactly."""
    opened = summaries.scan_from(State(), part.left_out)
    invoices = {k: v for k, v in opened.invoices.items() if v.open != 0}
    credits = {k: v for k, v in opened.credits.items() if v.open != 0}
    if invoices != before.invoices or credits != before.credits:
        return False
    if any(before.bills.get(k) != v for k, v in opened.bills.items()):
        return False
    if any(before.last_invoice.get(k) != v for k, v in opened.last_invoice.items()):
        return False
    for summary in part.summaries:
        state = summary.state
        state.bills = {**before.bills, **state.bills}
        state.last_invoice = {**before.last_invoice, **state.last_invoice}
    return True


def history_across(ledger: Summaries, archives: Sequence[Summaries]) -> History | None:
    """The books over every year from summaries (the module docs), or None."""
    try:
        parts: list[Part] = []
        for n, archive in enumerate(archives):
            part = archive_part(archive, earlier=n > 0)
            if part is None:
                return None
            parts.append(part)
        found = ledger.found()
        history = Summaries.history(ledger)
        if history is None or not history.summaries:
            return None
        parts.append(open_part(history, found, earlier=True))
        return combine(parts, history)
    except (SummaryError, OSError):
        return None
