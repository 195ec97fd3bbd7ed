"""Summaries on disk: ``ledger/summaries/YYYY-MM.json``, one per sealed month (the format and
the rule: onebox_ledger/summaries.py). Written by the close (from the month before's summary
and the month's own file) and by ``verify`` (from the whole ledger it loaded); read by the
reports (``history``) and by ``verify --quick`` (``quick_findings``), which use one only when
every input file hashes as the summary records.

A month file a summary stands for must hold only entries dated in its month (the first
sealed month: in or before it), and is keyed whole; every file that is not a month file is an
input of every summary, keyed by its text through the month's end (summaries.through), and
read whole by every report.
"""

from __future__ import annotations

import bisect
import glob
import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking, parser

from .. import month_end, seals, summaries
from ..model import Book, parse_book
from ..money import Rates
from ..reports import ReportError
from ..summaries import History, Summary, SummaryError
from ..values import Month
from .atomic import write_atomic
from .loading import FileKey, Files, Reader, _blocks_holding, file_key, seal_marker

SUMMARIES = "summaries"  # ledger/summaries/, beside ledger/journal/


@dataclass
class Found:
    """A ledger's files as the loader finds them: the others parsed, the month files by month."""

    static: dict[Path, list[data.Directive]] = field(default_factory=dict)
    months: dict[Month, Path] = field(default_factory=dict)


@dataclass
class Cuts:
    """A file that is not a month file, as the summaries key it: its blocks (summaries.blocks),
    their dates sorted, and its SHA-256 through each date asked for (summaries.through)."""

    blocks: list[tuple[bytes, bytes]]
    dates: list[bytes]
    digests: dict[bytes, str] = field(default_factory=dict)  # by the last date it holds


@dataclass
class Quick:
    """What ``verify --quick`` found: the sealed months checked (oldest first), their seals'
    digests, and the findings ('file: message')."""

    months: list[Month] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


class Summaries(Reader):
    """Reading and writing the summaries of a ledger."""

    def __init__(self, main: Path) -> None:
        super().__init__(main)
        # the other files' cuts, remembered as Reader.parse remembers a file (by file_key)
        self._cuts: dict[FileKey, Cuts] = {}
        self._read: dict[FileKey, Summary] = {}  # the summaries `chained` read, the same way

    def summary_path(self, month: Month) -> Path:
        return self.dir / SUMMARIES / f"{month}.json"

    def relative(self, path: Path) -> str:
        return os.path.relpath(path, self.root)

    def found(self) -> Found:
        """Every file the loader reads, as Reader.files finds them, without searching the month
        files for anything but an ``include`` (refused: SummaryError)."""
        found = Found()
        stack, seen = [self.main], set()
        while stack:
            path = Path(os.path.normpath(stack.pop(0)))
            if path in seen or not path.is_file():
                continue
            seen.add(path)
            month = self.month_of(path)
            if month is not None:
                found.months[month] = path
                if self.includes_others(path):
                    raise SummaryError(f"{self.relative(path)} includes another file")
                continue
            found.static[path] = self.parse(path)
            for include in self._includes(path):
                pattern = include if os.path.isabs(include) else str(path.parent / include)
                stack.extend(Path(p) for p in sorted(glob.glob(pattern, recursive=True)))
        return found

    def digest(self, found: Found, path: Path, month: Month) -> str:
        """The SHA-256 the summary of `month` keys `path` by: its own month file's whole bytes,
        another file's through the month's end (summaries.through), hashed once for all the
        months between two of its entries' dates (their text through each is the same)."""
        if found.months.get(month) == path:
            return self.whole_digest(path)
        key = file_key(path)
        cuts = self._cuts.get(key)
        if cuts is None:
            parts = summaries.blocks(path.read_bytes())
            cuts = self._cuts[key] = Cuts(parts, sorted({date for date, _ in parts if date}))
        upto = bisect.bisect_right(cuts.dates, month.last.isoformat().encode())
        at = cuts.dates[upto - 1] if upto else b""
        known = cuts.digests.get(at)
        if known is None:
            known = cuts.digests[at] = summaries.sha256(summaries.through(cuts.blocks, month.last))
        return known

    def inputs(self, found: Found, month: Month) -> dict[str, str]:
        """What the summary of `month` is keyed by: every non-month file (through the month's
        end) and its own file (whole)."""
        paths = [*found.static, found.months[month]]
        return {self.relative(p): self.digest(found, p, month) for p in paths}

    def stale_input(self, found: Found, month: Month, inputs: dict[str, str]) -> str | None:
        """The first input of the summary of `month` whose bytes no longer hash as recorded (or
        that is gone), or an input the summary lacks; None when every one matches."""
        expected = {*(self.relative(p) for p in found.static)}
        if month in found.months:
            expected.add(self.relative(found.months[month]))
        for name, digest in sorted(inputs.items()):
            path = Path(os.path.normpath(self.root / name))
            if name not in expected or not path.is_file():
                return name
            if self.digest(found, path, month) != digest:
                return name
        for name in sorted(expected - set(inputs)):
            return name
        return None

    # ------------------------------------------------------------ reading

    def chain(self, found: Found) -> list[Summary]:
        """The summaries usable now: consecutive from the first month file, each keyed by the
        files as they are and by the one before. Empty when there is none; SummaryError
        when one exists that is stale (the reports then load the whole ledger)."""
        return [summaries.loaded(header, body) for _, header, body in self._chained(found)]

    def chained(self, found: Found, month: Month) -> Summary | None:
        """The summary of `month` when the chain holds through it (as `chain` checks it, the
        later summaries not read, the earlier ones' headers only: a body is read and checked
        against its header only for `month`), else None; SummaryError when one before it is
        stale."""
        for other, header, body in self._chained(found, body_of=month):
            if other == month:
                summary = summaries.loaded(header, body)
                self._read[file_key(self.summary_path(month))] = summary
                return summary
            if other > month:
                break
        return None

    def _chained(
        self, found: Found, body_of: Month | None = None
    ) -> Iterator[tuple[Month, summaries.Header, bytes]]:
        """Each summary's month, header and body, consecutive from the first month file, as
        long as they are written, each checked against the files as they are and the one
        before (SummaryError when it is stale); a body is decoded only by who asks. With
        `body_of`, only that month's body is read (the others' are b"": their headers chain
        the keys, and what reads only that month's body needs no other)."""
        previous = summaries.FIRST
        for month in sorted(found.months):
            path = self.summary_path(month)
            if not path.is_file():
                return
            if body_of is None or month == body_of:
                header, body = summaries.read_header(path.read_bytes())
            else:
                with path.open("rb") as file:
                    header, body = summaries.header_of(file.readline().removesuffix(b"\n")), b""
            stale = self.stale_input(found, month, header.inputs)
            if header.month != month or header.previous != previous or stale is not None:
                raise SummaryError(f"{month}'s summary is stale ({stale or 'its chain'} changed)")
            yield month, header, body
            previous = header.key

    def history(self) -> History | None:
        """The books as the reports read them from summaries (summaries.History), or None when
        there is no usable summary: none written, one stale, or anything after the last
        summary that a full load would judge otherwise (an entry dated in a summarised month,
        a booking error, an unbalanced transaction, an account never opened)."""
        try:
            found = self.found()
            chain = self.chain(found)
            if not chain:
                return None
            return self._history(found, chain)
        except (SummaryError, OSError):
            return None

    def _history(self, found: Found, chain: list[Summary]) -> History | None:
        last = chain[-1].month.last
        static = [e for entries in found.static.values() for e in entries]
        later: list[data.Directive] = [e for e in static if e.date > last]
        for month, path in sorted(found.months.items()):
            if month <= chain[-1].month:
                continue
            entries = self.parse(path)
            if any(e.date <= last for e in entries):
                return None  # a full load's seal check refuses it
            later.extend(entries)
        later.sort(key=data.entry_sortkey)
        _, _, options = parser.parse_file(str(self.main))
        booked, errors = booking.book(later, options)  # type: ignore[no-untyped-call]
        if errors:
            return None
        kept = summaries.directives_of(chain)
        directives = [e for e in (*static, *kept, *booked) if not isinstance(e, data.Transaction)]
        opened = {e.account for e in directives if isinstance(e, data.Open)}
        transactions = [e for e in booked if isinstance(e, data.Transaction)]
        if any(p.account not in opened for e in transactions for p in e.postings):
            return None
        if validation.validate_check_transaction_balances(transactions, options):  # type: ignore[no-untyped-call]
            return None
        statics = [e for e in static if isinstance(e, data.Transaction)]
        first = chain[0].month

        def month_entries(summary: Summary) -> list[data.Transaction]:
            own = self.parse(found.months[summary.month])
            return sorted(
                (
                    e
                    for e in (*statics, *own)
                    if isinstance(e, data.Transaction)
                    and e.date <= summary.month.last
                    and (summary.month == first or e.date >= summary.month.first)
                ),
                key=data.entry_sortkey,
            )

        currency = seals.currency_of(options) or "USD"
        return History(chain, month_entries, transactions, directives, currency)

    # ------------------------------------------------------------ the close's history

    def month_end_history(
        self, files: Files, month: Month, book: Book, operating: str, banks: Collection[str]
    ) -> tuple[list[data.Transaction], month_end.Sums]:
        """What the close of `month` needs of history for its month end: history's sums
        (month_end.Sums) and the entries after them, sorted by date.

        From the summary of the month before, when it keeps the sums (as on its first day)
        and the chain of summaries holds (every month file and every other file hashing as
        its summary records, each summary chained to the one before): then only the month
        files from the month before on are searched as bytes and parsed, and of the other
        files only the entries dated from the month before. Otherwise, or when one of those
        month files holds an entry dated before the month before, every file is searched
        (Reader.month_end_entries) and the sums start from nothing: the same entries result.
        """
        sums = self._carried_sums(month, book, operating, banks)
        if sums is not None:
            since = sums.since
            recent = [path for other, path in sorted(files.months.items()) if other >= month.prev()]
            later = self._gathered_months(recent, self.balances, month_end.concerns)
            if all(e.date >= since for e in later):
                static = [
                    e
                    for entries in files.parsed.values()
                    for e in entries
                    if isinstance(e, data.Transaction) and e.date >= since and month_end.concerns(e)
                ]
                return sorted([*static, *later], key=lambda e: e.date), sums
        history = self.month_end_entries(files)
        return sorted(history, key=lambda e: e.date), month_end.Sums(book, operating, banks)

    def _carried_sums(
        self, month: Month, book: Book, operating: str, banks: Collection[str]
    ) -> month_end.Sums | None:
        """The sums the summary of the month before `month` keeps, when the chain of summaries
        holds through it (`chain`), else None."""
        try:
            before = self.chained(self.found(), month.prev())
            raw = before.carried() if before is not None else None
        except (SummaryError, OSError):
            return None
        if raw is None:
            return None
        sums = month_end.Sums.of_carried(book, operating, banks, raw)
        return sums if sums is not None and sums.since == month.prev().first else None

    # ------------------------------------------------------------ writing

    def write_summary(self, summary: Summary) -> None:
        self.write_summaries([(summary.month, summaries.dump(summary))])

    def summarise_all(self, entries: Sequence[data.Directive], currency: str) -> list[Month]:
        """Write the summary of every sealed month from the whole ledger's entries (loaded
        and valid), consecutive from the first; returns the months written. A month whose
        file holds an entry dated in another month ends the run (its summary and the later
        ones are not written; the reports then load the whole ledger). Call under lock."""
        made = self.derive_all(entries, currency)
        self.write_summaries(made)
        return [month for month, _ in made]

    def write_summaries(self, made: Sequence[tuple[Month, bytes]]) -> None:
        """Write summaries made by `derive_all`. Call under lock."""
        for month, text in made:
            write_atomic(self.summary_path(month), text)

    def derive_all(
        self,
        entries: Sequence[data.Directive],
        currency: str,
        *,
        book: Book | None = None,
        history: Sequence[data.Transaction] | None = None,
    ) -> list[tuple[Month, bytes]]:
        """The summary files `summarise_all` writes, each with its month, written nowhere
        (``verify`` makes them beside its re-derivation, in a forked child, and writes them
        when it finds nothing). `book` (model.parse_book of `entries`) and `history` (their
        transactions month_end.concerns, in order) when the caller has them."""
        found = self.found()
        sealed, _ = seals.parse(entries)
        if not sealed:
            return []
        rates = Rates.of(entries, currency)
        if book is None:
            book, _ = parse_book(entries)
        sums = month_end.Sums(book, currency, month_end.banks_of(entries))
        if history is None:
            history = [  # the loader's order: by date
                e for e in entries if isinstance(e, data.Transaction) and month_end.concerns(e)
            ]
        by_month: dict[Month, list[data.Directive]] = {}
        first = min(sealed)
        file_months = {os.path.normpath(p): m for m, p in found.months.items()}
        of_file: dict[str, Month | None] = {}
        spills: set[Month] = set()  # month files holding an entry dated in another month
        for entry in entries:
            month = max(Month.of(entry.date), first)
            by_month.setdefault(month, []).append(entry)
            name = entry.meta.get("filename", "")
            if name not in of_file:
                of_file[name] = file_months.get(os.path.normpath(name))
            held = of_file[name]
            if held is not None and held != month:
                spills.add(held)
        made: list[tuple[Month, bytes]] = []
        previous: Summary | None = None
        settled: set[str] = set()
        for month in sorted(found.months):
            if month not in sealed or (previous is not None and month != previous.month.next()):
                break
            dated = by_month.get(month, [])
            if month in spills or not all(seals.complete(e) for e in dated):
                break
            sums.advance(history, month.first)
            try:
                summary = summaries.summarise(
                    month, dated, previous, rates=rates, currency=currency,
                    inputs=self.inputs(found, month), seal=sealed[month].digest,
                    own_file=str(found.months[month]), settled_before=settled,
                    month_end=sums.carried(),
                )  # fmt: skip
            except SummaryError:
                break
            made.append((month, summaries.dump(summary)))
            settled.update(summary.settled)
            previous = summary
        return made

    def summarise_closed(
        self, month: Month, first: bool, sums: month_end.Sums | None = None
    ) -> bool:
        """Write the summary of `month`, just sealed, from the summary of the month before and
        the month's own file (the first sealed month: from that file and the other files).
        Its rates are the prices dated on or before the month's end, which its inputs and the
        chain key; it keeps `sums` (history's, on the month's first day: the close's). Not
        written (False) when the month before has no summary still true to its files or when
        the month's file holds an entry dated in another month (``verify`` writes it). Call
        under lock, after the close's write."""
        try:
            found = self.found()
            previous: Summary | None = None
            if not first:
                path = self.summary_path(month.prev())
                if not path.is_file():
                    return False
                previous = self._read.get(file_key(path)) or summaries.load(path.read_bytes())
                if (
                    previous.month != month.prev()
                    or self.stale_input(found, previous.month, previous.inputs) is not None
                ):
                    return False
            own_path = found.months[month]
            own = self.parse(own_path)
            if any(Month.of(e.date) != month and not (first and e.date < month.first) for e in own):
                return False
            sealed, _ = seals.parse(own)
            if month not in sealed or not all(seals.complete(e) for e in own):
                return False
            static = [e for entries in found.static.values() for e in entries]
            dated = sorted(
                (
                    e
                    for e in (*static, *own)
                    if e.date <= month.last and (first or e.date >= month.first)
                ),
                key=data.entry_sortkey,
            )
            currency = seals.currency_of(parser.parse_file(str(self.main))[2]) or "USD"

            def summarise(prices: list[data.Directive]) -> Summary:
                rates = Rates.of([e for e in prices if e.date <= month.last], currency)
                return summaries.summarise(
                    month, dated, previous, rates=rates, currency=currency,
                    inputs=self.inputs(found, month), seal=sealed[month].digest,
                    own_file=str(own_path),
                    settled_before=previous.settled if previous is not None else (),
                    month_end=sums.carried() if sums is not None else None,
                )  # fmt: skip

            # The rates are the prices dated on or before the month's end: those of the files
            # its summary is keyed by, and those of the earlier month files (keyed by the
            # chain), searched as bytes only when a sum needs a rate.
            near = [e for e in (*static, *own) if isinstance(e, data.Price)]
            try:
                summary = summarise([])
            except ReportError:
                summary = None
            if summary is None or summary.rates:
                summary = summarise([*near, *self._month_prices(found, month)])
        except (SummaryError, ReportError, OSError, KeyError):
            return False
        self.write_summary(summary)
        return True

    def _month_prices(self, found: Found, month: Month) -> list[data.Directive]:
        """The ``price`` directives of the month files before `month` (as bytes, then parsed)."""
        out: list[data.Directive] = []
        for other, path in sorted(found.months.items()):
            if other < month:
                text = _blocks_holding(path.read_bytes(), [b" price "])
                if text:
                    parsed, errors, _ = parser.parse_string(text)
                    if errors:
                        raise SummaryError(f"{self.relative(path)}: a price does not parse")
                    out.extend(e for e in parsed if isinstance(e, data.Price))
        return out

    # ------------------------------------------------------------ verify --quick

    def quick_findings(self) -> Quick:
        """``verify --quick``: every sealed month's seal and its chain, read from the month
        files' bytes (the seal directive only), and every input file against its summary's
        SHA-256, without parsing or re-deriving a month."""
        quick = Quick()
        findings = quick.findings
        try:
            found = self.found()
        except SummaryError as err:
            findings.append(f"{self.relative(self.main)}: {err}")
            return quick
        previous_seal, previous_key = seals.FIRST, summaries.FIRST
        # books rolled forward: the first month sealed after the opening follows the head the
        # opening carries (seals.findings), not the start of a chain
        roll, _ = seals.parse_roll([e for entries in found.static.values() for e in entries])
        if roll.opening is not None:
            previous_seal = roll.opening.previous or seals.FIRST
        texts: dict[Month, str] = {}  # each sealed month's seal directive, as text
        for month in sorted(found.months):
            text = _blocks_holding(found.months[month].read_bytes(), [seal_marker(month)])
            if not text:
                break  # the first month not sealed: the chain ends
            texts[month] = text
        # one parse for every seal (the parser's set-up costs more than a seal); one by one
        # only when one of them does not parse, to name it
        parsed, errors, _ = parser.parse_string("\n".join(texts.values()))
        together = {} if errors else seals.parse(parsed)[0]
        for month, text in texts.items():
            path = found.months[month]
            name = self.relative(path)
            seal = together.get(month)
            if seal is None:
                parsed, errors, _ = parser.parse_string(text, report_filename=str(path))
                seal = None if errors else seals.parse(parsed)[0].get(month)
            if seal is None:
                findings.append(f"{name}: {month}'s seal does not parse")
                break
            quick.months.append(month)
            quick.digests.append(seal.digest)
            if seal.previous != previous_seal:
                findings.append(
                    f"{name}: {month}'s seal names previous {seal.previous}, but the seal before"
                    f" it is {previous_seal}: the chain is broken"
                )
            previous_seal = seal.digest
            summary_path = self.summary_path(month)
            where = self.relative(summary_path)
            if not summary_path.is_file():
                findings.append(f"{where}: no summary of {month} (run onebox-ledger verify)")
                previous_key = ""
                continue
            try:
                header, _ = summaries.read_header(summary_path.read_bytes())
            except SummaryError as err:
                findings.append(f"{where}: {err}")
                previous_key = ""
                continue
            stale = self.stale_input(found, month, header.inputs)
            if stale is not None:
                findings.append(
                    f"{stale}: changed since {month} was summarised (its SHA-256 is not the"
                    f" one {where} records); run onebox-ledger verify"
                )
            if header.seal != seal.digest:
                findings.append(
                    f"{name}: {month}'s seal {seal.digest} is not the summarised {header.seal}"
                )
            if header.month != month or (previous_key and header.previous != previous_key):
                findings.append(f"{where}: not chained to the summary of the month before")
            previous_key = header.key
        return quick
