"""``verify``: regenerate every close from the directives, diff it against the books, check
the seal chain and report late entries in sealed months.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from beancount.core import data

from .. import agents, beans, events, month_end, seals, taxes, yearroll
from ..billing import BillingError
from ..close import (
    CloseError,
    diff_month,
    id_prefix,
    invoice_prefix,
    is_credit_applied,
)
from ..documents import filing
from ..model import Book, parse_book
from ..money import MoneyError, Rates
from ..store import (
    Ledger,
    Loaded,
    booked,
    books_as_parsed,
    checked,
    cores,
    describe_error,
    paused_gc,
    run_forked,
)
from ..values import Month


@dataclass
class Verification:
    sealed: list[Month] = field(default_factory=list)
    generated: int = 0
    errors: list[str] = field(default_factory=list)  # findings: 'file:line: message'
    diffs: list[str] = field(default_factory=list)
    head: tuple[Month, str] | None = None  # the newest seal: month and digest
    late: int = 0  # money booked after its month was sealed (value-date)
    taxed: int = 0  # VAT and single-tax amounts re-derived (taxes.findings)
    commissions: int = 0  # agents' commissions re-derived from the money events
    documents: int = 0  # issued documents whose SHA-256 was checked (documents.filing)
    summarised: list[Month] = field(default_factory=list)  # months whose summary was written

    @property
    def ok(self) -> bool:
        return not self.errors and not self.diffs


def verify(ledger: Ledger, *, head: str | None = None) -> Verification:
    """Check the ledger the way an auditor would, trusting none of its plugin lines.

    Every loaded file's includes, options and plugins, and what changes Fava's pages,
    against the allowlist (integrity.findings, run by the seal plugin); the whole
    ledger loaded with onebox-ledger's own checks (every seal, its chain and
    Beancount's validation, store.load_trusted);
    every generated entry re-derived from the directives and diffed against the
    files; and, with `head`, that the digest an auditor noted is still in the chain.
    """
    ledger.check_exists()
    ledger.finish_pending()
    # parsed; booked here, or beside the re-derivation when booking leaves the entries as
    # parsed (store.books_as_parsed); Beancount's passes, the seal plugin (so
    # integrity.findings) and validation run in `checks`, beside the re-derivation
    # (store.checked): `checks` alone is what bean-check does
    parsed = ledger.load_parsed()
    as_parsed = books_as_parsed(parsed)
    loaded = parsed if as_parsed else booked(parsed)
    operating = ledger.operating_currency()
    root = f"{ledger.root.resolve()}{os.sep}"

    def checks() -> Checked:
        full = checked(booked(parsed) if as_parsed else loaded)
        documents, wrong = filing.findings(full.entries, ledger.read_document, root)
        return [describe_error(e) for e in full.errors], documents, wrong

    def summarise(book: Book, history: list[data.Transaction]) -> Made | None:
        try:
            return ledger.derive_all(loaded.entries, operating, book=book, history=history)
        except Exception:  # books with findings may not summarise; with none,
            return None  # they are made again below, where an error is raised as it is

    with paused_gc():  # millions of short-lived objects beside the loaded ledger
        report, made = _verify(loaded, operating, checks, summarise)
    chain = seals.parse(loaded.entries)[0]
    if chain:
        newest = max(chain)
        report.head = (newest, chain[newest].digest)
    if head is not None and head not in {seal.digest for seal in chain.values()}:
        newest_text = f"{report.head[0]} {report.head[1]}" if report.head else "none"
        report.errors.append(
            f"{ledger.main.name}:0: head {head} is not in the chain (its newest seal is"
            f" {newest_text}): a month sealed since the last audit was removed, or a seal rewritten"
        )
    shown = f"{ledger.root}{os.sep}"
    report.errors = [line.removeprefix(shown) for line in report.errors]
    if report.ok:  # the summaries the reports and verify --quick read, from what was checked
        with ledger.locked():
            if made is None:
                made = ledger.derive_all(loaded.entries, operating)
            ledger.write_summaries(made)
        report.summarised = [month for month, _ in made]
    return report


def verify_all(ledger: Ledger, *, head: str | None = None) -> Verification:
    """`verify` of the open books and of every archived year (``ledger/archive/YYYY``, each
    a ledger checked alone: its chain, digests, re-derived closes), and across them: each
    opening carries the head of the archive before it, and the closing and opening
    entries are re-derived from the archive's entries (yearroll) and diffed."""
    report = verify(ledger, head=head)
    years = ledger.archived_years()
    heads: dict[int, str] = {}
    for year in years:
        archive = Ledger(ledger.archive_main(year))
        sub = verify(archive)
        prefix = ledger.shown(archive.root) + "/"
        report.errors += [prefix + line for line in sub.errors]
        report.diffs += [f"{year}: {line}" for line in sub.diffs]
        report.sealed = sorted({*report.sealed, *sub.sealed})
        report.generated += sub.generated
        report.late += sub.late
        report.taxed += sub.taxed
        report.commissions += sub.commissions
        report.documents += sub.documents
        if sub.head is not None:
            heads[year] = sub.head[1]
        report.diffs += _roll_diff(ledger, year, archive)
    for year in years:
        after = Ledger(ledger.archive_main(year + 1)) if year + 1 in years else ledger
        opening = after.opening()
        where = ledger.shown(after.opening_path)
        if opening is None or opening.month != Month(year, 12):
            report.errors.append(f"{where}:0: no opening carries the archive of {year}")
        elif opening.previous != heads.get(year):
            report.errors.append(
                f"{where}:{opening.entry.meta.get('lineno', 0)}: the opening carries"
                f" {str(opening.previous)[:19]}..., but the archive of {year} ends at"
                f" {str(heads.get(year))[:19]}...; the chain is broken between the years"
            )
    return report


def _roll_diff(ledger: Ledger, year: int, archive: Ledger) -> list[str]:
    """The closing entry of `year` and the next year's opening entries, re-derived from the
    archive's entries and diffed against what is written."""
    loaded = archive.load()
    operating = archive.operating_currency()
    book, _ = parse_book(loaded.entries)
    names = {cid: customer.name for cid, customer in book.customers.items()}
    after = (
        Ledger(ledger.archive_main(year + 1)) if ledger.archive_main(year + 1).is_file() else ledger
    )
    written_open = [
        e
        for e in after.parse(after.opening_path)
        if isinstance(e, data.Transaction)
        and (beans.entry_id(e) or "").startswith(yearroll.open_prefix(year))
    ]
    written_close = [
        e
        for e in loaded.entries
        if isinstance(e, data.Transaction) and beans.entry_id(e) == yearroll.close_id(year)
    ]
    closing = yearroll.closing(loaded.entries, year, operating)
    expected = {
        "closing": [closing] if closing is not None else [],
        "opening": yearroll.opening(loaded.entries, year, operating, names),
    }
    out: list[str] = []
    for what, written in (("closing", written_close), ("opening", written_open)):
        if sorted(map(seals.canonical, written)) == sorted(map(seals.canonical, expected[what])):
            continue
        out.extend(
            difflib.unified_diff(
                beans.format_entries(written).splitlines(),
                beans.format_entries(expected[what]).splitlines(),
                f"{year}'s {what} entries as written",
                f"{year}'s {what} entries as the archive gives them",
                lineterm="",
            )
        )
    return out


Made = list[tuple[Month, bytes]]  # summary files (Summaries.derive_all)
# Beancount's errors (described), the issued documents checked and their findings
Checked = tuple[list[str], int, list[str]]


@dataclass
class _Rederive:
    """What re-deriving the sealed months reads, the same for every part of them."""

    book: Book
    rates: Rates
    credit_entries: list[data.Transaction]
    agents: agents.Agents
    receivables: list[data.Transaction]
    history: list[data.Transaction]
    banks: list[str]
    by_month: dict[Month, list[data.Directive]]

    def months(self, months: Sequence[Month]) -> list[tuple[list[str], int]]:
        """Each month's diff lines (or why it cannot be re-derived) and the number of its
        generated entries, the months in order (history's sums carried from one to the
        next: month_end.Sums)."""
        sums = month_end.Sums(self.book, self.rates.operating, self.banks)
        out: list[tuple[list[str], int]] = []
        for month in months:
            entries = self.by_month.get(month, [])
            try:
                lines = diff_month(
                    self.book, month, entries, self.rates, self.credit_entries, self.agents,
                    receivables=self.receivables, history=self.history, banks=self.banks,
                    before=sums,
                )  # fmt: skip
            except (BillingError, CloseError, MoneyError) as err:  # the terms no longer price it
                out.append(([f"{month}: cannot re-derive the close: {err}"], 0))
                continue
            generated = sum(
                1
                for e in entries
                if (beans.entry_id(e) or "").startswith((id_prefix(month), invoice_prefix(month)))
                and not (isinstance(e, data.Transaction) and is_credit_applied(e))
            )
            out.append((lines, generated))
        return out


# What a run of months carries beside its months, as a share of all the months' entries;
# `parts` gives those runs fewer months. Measured at 1,000 customers x 60 months, the months
# 44 s of CPU in two runs: the taxes and commissions 2.7 s, the summaries 6.5 s, and an entry
# of the later run's months about 15% dearer than one of the first's (22.6 s for 54.5% of the
# entries, 21.8 s for 45.5%): the last run counts for 0.15 + 0.07 more.
FIRST_EXTRA = 0.06  # the taxes and the commissions, with the first run
LAST_EXTRA = 0.22  # the month summaries, with the last, and its dearer months


def parts(
    months: Sequence[Month],
    sizes: Mapping[Month, int],
    count: int,
    first_extra: float = 0.0,
    last_extra: float = 0.0,
) -> list[list[Month]]:
    """`months` in at most `count` runs of consecutive months, each of about the same work:
    its months' entries (`sizes`), and for the first and the last run what they carry beside
    them (`first_extra`, `last_extra`: a share of all the months' entries); every run at least
    one month.

    >>> m = [Month(2026, n) for n in range(1, 7)]
    >>> [[str(x) for x in part] for part in parts(m, {x: 10 * x.month for x in m}, 2)]
    [['2026-01', '2026-02', '2026-03', '2026-04'], ['2026-05', '2026-06']]
    >>> even = {Month(2026, n): 100 for n in range(1, 13)}
    >>> [len(part) for part in parts(list(even), even, 2, last_extra=0.34)]
    [8, 4]
    """
    count = max(1, min(count, len(months)))
    total = sum(sizes.get(month, 0) for month in months) or 1
    load = total * (1 + first_extra + last_extra) / count  # each run's work
    out: list[list[Month]] = [[]]
    done = 0
    for index, month in enumerate(months):
        left = len(months) - index
        if (
            out[-1]
            and len(out) < count
            and (
                done + sizes.get(month, 0) / 2 > load * len(out) - total * first_extra
                or left <= count - len(out)
            )
        ):
            out.append([])
        out[-1].append(month)
        done += sizes.get(month, 0)
    return out


def _verify(
    loaded: Loaded,
    operating: str,
    checks: Callable[[], Checked],
    summarise: Callable[[Book, list[data.Transaction]], Made | None],
) -> tuple[Verification, Made | None]:
    """Beancount's checks and the issued documents' (`checks`), and beside them the
    re-derivation of every sealed month in parts, one a core, with the taxes and commissions
    re-derived (with the first part) and the month summaries (`summarise`, with the last), all
    at once (store.run_forked: the checks here, each part in a forked child)."""
    report = Verification()
    book, book_errors = parse_book(loaded.entries)
    if book_errors:  # the directives plugin reports them among the checks' errors
        report.errors, report.documents, documents_wrong = checks()
        report.errors += documents_wrong
        return report, None
    found, _ = seals.parse(loaded.entries)
    roll, _ = seals.parse_roll(loaded.entries)
    through = roll.opening.month if roll.opening is not None else None  # archived up to it
    found_agents, _ = agents.parse_agents(loaded.entries)
    rates = Rates.of(loaded.entries, operating)
    # one pass over the entries (the command's own, before the work is shared out): the
    # credit entries, history's (month_end.concerns), each month's, the late ones
    credit_entries: list[data.Transaction] = []
    history: list[data.Transaction] = []
    owed: list[data.Transaction] = []  # those posting to a receivable
    by_month: dict[Month, list[data.Directive]] = {}
    receivable = beans.RECEIVABLE + ":"
    for entry in loaded.entries:
        if isinstance(entry, data.Custom):
            by_month.setdefault(Month.of(entry.date), []).append(entry)
        if not isinstance(entry, data.Transaction):
            continue
        by_month.setdefault(Month.of(entry.date), []).append(entry)
        if beans.touches_credit(entry):
            credit_entries.append(entry)
        if month_end.concerns(entry):
            history.append(entry)
        if any(p.account.startswith(receivable) for p in entry.postings):
            owed.append(entry)
        if events.VALUE_DATE in entry.meta:
            report.late += 1
            report.errors.extend(_late_findings(entry, found, through))
    # older_invoices reads the receivables of customers holding credit: of no other customer
    holders = {e.meta.get("customer") for e in credit_entries}
    receivables = [e for e in owed if e.meta.get("customer") in holders]
    banks = month_end.banks_of(loaded.entries)
    rederive = _Rederive(book, rates, credit_entries, found_agents, receivables, history, banks,
                         by_month)  # fmt: skip
    sealed = sorted(found)
    split = parts(sealed, {m: len(by_month.get(m, ())) for m in sealed}, cores(), FIRST_EXTRA,
                  LAST_EXTRA)  # fmt: skip

    def money() -> tuple[int, list[str], int, list[str]]:
        """The taxes re-derived (their findings) and the agents' commissions (their diff)."""
        taxed, wrong = taxes.findings(book, loaded.entries, rates)
        where = [
            f"{e.meta.get('filename', '<ledger>')}:{e.meta.get('lineno', 0)}" for e, _ in wrong
        ]
        commissions, lines = _commission_diff(loaded, book, rates)
        return (
            taxed,
            [f"{w}: {m}" for w, (_, m) in zip(where, wrong, strict=True)],
            commissions,
            lines,
        )

    # Beancount's checks (booking, passes, validation: what bean-check does, the longest
    # task and one that cannot be split) here with a core to itself, and the re-derivation in
    # a forked child a part, beside it at a lower priority (store.run_forked's first_first):
    # they share the other core, then every core once the checks are done. Each child copies
    # the pages of the loaded ledger it reads (reference counts are written), so the taxes
    # and commissions go with the first part of the months and the summaries with the last.
    groups: list[list[Callable[[], object]]] = [
        [functools.partial(rederive.months, part)] for part in split
    ]
    groups[0].append(money)
    groups[-1].append(functools.partial(summarise, book, history))
    tasks: list[Callable[[], object]] = [
        checks,
        *(functools.partial(_each, group) for group in groups),
    ]
    found_checks, *ran = run_forked(tasks, first_first=True)
    grouped = cast(list[list[object]], ran)
    derived = [group[0] for group in grouped]  # each group's part of the months first
    found_money, made = grouped[0][1], grouped[-1][-1]
    loaded_errors, report.documents, wrong_documents = cast(Checked, found_checks)
    report.errors = loaded_errors + report.errors  # the load's first, as bean-check prints them
    for part, results in zip(split, derived, strict=True):
        for month, (lines, generated) in zip(part, cast(list[tuple[list[str], int]], results),
                                              strict=True):  # fmt: skip
            report.sealed.append(month)
            report.diffs.extend(lines)
            report.generated += generated
    report.taxed, tax_errors, report.commissions, commission_diff = cast(
        tuple[int, list[str], int, list[str]], found_money
    )
    report.errors += tax_errors
    report.diffs += commission_diff
    for month, entries in sorted(by_month.items()):
        if month in found:
            continue
        stray = [e for e in entries if (beans.entry_id(e) or "").startswith(id_prefix(month))]
        if stray:
            report.diffs.append(
                f"{month}: {len(stray)} generated entries but the month is not sealed"
            )
    report.errors += wrong_documents
    return report, cast(Made | None, made)


def _each(tasks: Sequence[Callable[[], object]]) -> list[object]:
    return [task() for task in tasks]


def _commission_diff(loaded: Loaded, book: Book, rates: Rates) -> tuple[int, list[str]]:
    """Every agent's commission on a receipt, refund or write-off, re-derived (agents.derive)
    and diffed against the books: (how many re-derived, the diff's lines)."""
    try:
        written, expected = agents.derive(loaded.entries, book, rates)
    except MoneyError as err:
        return 0, [f"commissions: cannot re-derive: {err}"]
    same = [beans.identity(e, rates_by_value=True) for e in written] == [
        beans.identity(e, rates_by_value=True) for e in expected
    ]
    if same:
        return len(expected), []
    return len(expected), list(
        difflib.unified_diff(
            beans.format_entries(written).splitlines(),
            beans.format_entries(expected).splitlines(),
            "commissions as written",
            "commissions as the assignments give them",
            lineterm="",
        )
    )


def _late_findings(
    entry: data.Transaction, sealed: Mapping[Month, seals.Seal], through: Month | None = None
) -> list[str]:
    """A ``value-date`` says the money moved in a month sealed before it was booked: its month
    must be sealed and before the entry's."""
    value = entry.meta[events.VALUE_DATE]
    where = f"{entry.meta.get('filename', '<ledger>')}:{entry.meta.get('lineno', 0)}"
    if not isinstance(value, datetime.date):
        return [f"{where}: value-date {value!r} is not a date"]
    archived = through is not None and Month.of(value) <= through
    if value >= entry.date or not (Month.of(value) in sealed or archived):
        return [
            f"{where}: value-date {value} is not in a month sealed before the entry's date"
            f" {entry.date} (a value-date marks money booked after its month was sealed)"
        ]
    return []
