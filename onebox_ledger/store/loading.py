"""Reading a ledger: the whole of it as bean-check loads it (``load``, ``load_trusted`` with
onebox-ledger's own plugins), one file parsed and remembered while unchanged (``parse``), and
month files searched as bytes so the close never parses the months it does not need
(``scan``, ``holds_dates``, ``month_view``, ``credit_entries``).

``reader.month_view(Month(2026, 11), reader.files(), first=False)`` holds every entry dated
in November 2026, whichever file it lives in, having parsed only the month files that hold one.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import glob
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from beancount import loader
from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking, parser

from .. import beans, events, month_end, seals
from ..model import Book, parse_book
from ..summaries import sha256
from ..values import Month
from .errors import LedgerError, _where, describe_error
from .layout import Layout

# The close's inputs: read from the static files only, never from a month file.
INPUTS = frozenset(
    {"onebox-item", "onebox-rate", "onebox-payment", "onebox-customer", "onebox-contract",
     "onebox-change", "onebox-end"}
)  # fmt: skip


@dataclass(frozen=True)
class Loaded:
    entries: list[data.Directive]
    errors: list[Any]
    options: dict[str, Any]


@dataclass
class Files:
    """The files of a ledger as the loader reads them: parsed non-month files, month files."""

    parsed: dict[Path, list[data.Directive]] = field(default_factory=dict)
    months: dict[Month, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthView:
    """Every entry dated in a month, wherever it lives; `before`: dated before it (first seal)."""

    month: Month
    own: list[data.Directive]  # dated in the month, in its own file
    elsewhere: list[data.Directive]  # dated in the month, in any other file
    before: list[data.Directive]

    @property
    def dated(self) -> list[data.Directive]:
        return [*self.own, *self.elsewhere]


CREDIT_MARKERS = (beans.CREDIT.encode() + b":", beans.PREPAID.encode())


class MonthScan(NamedTuple):
    """A month file read as bytes: does it include others, and the text of its directives
    that touch customer credit or OneBox prepaid (CREDIT_MARKERS)."""

    includes: bool
    credit: str


def seal_marker(month: Month) -> bytes:
    """How the seal of `month` starts in its month file, as the close writes it."""
    return f'custom "{seals.SEAL}" "{month}"'.encode()


def _starts_a_line(text: bytes, start: bytes) -> bool:
    return text.startswith(start) or b"\n" + start in text


def _blocks_holding(text: bytes, markers: Sequence[bytes]) -> str:
    """The directives of a file (from a line starting with a date up to the next such line)
    that hold one of `markers`, as text to parse on their own."""
    spans: dict[int, int] = {}
    for marker in markers:
        at = text.find(marker)
        while at != -1:
            start = text.rfind(b"\n", 0, at) + 1
            while start > 0 and not text[start : start + 1].isdigit():
                start = text.rfind(b"\n", 0, start - 1) + 1
            end = text.find(b"\n", at)
            while end != -1 and not text[end + 1 : end + 2].isdigit():
                end = text.find(b"\n", end + 1)
            spans[start] = len(text) if end == -1 else end + 1
            at = text.find(marker, at + 1)
    return "\n".join(text[s:e].decode("utf-8") for s, e in sorted(spans.items()))


_RECEIVABLE_NAME = re.compile(re.escape((beans.RECEIVABLE + ":").encode()) + rb"[^\s]+ ")


FileKey = tuple[Path, int, int, int]


def file_key(path: Path) -> FileKey:
    """What a file is remembered by while unchanged in a command: its path, inode, size and
    modification time (a write renames a new file into place: a new inode)."""
    stat_result = path.stat()
    return (path, stat_result.st_ino, stat_result.st_size, stat_result.st_mtime_ns)


class Reader(Layout):
    """A ledger read: loaded whole, or file by file with what was parsed remembered."""

    def __init__(self, main: Path) -> None:
        super().__init__(main)
        # files read by this command, by (path, inode, size, mtime): see `parse` (a write
        # renames a new file into place: a new inode)
        self._parsed: dict[FileKey, tuple[list[data.Directive], list[str]]] = {}
        self._scans: dict[FileKey, MonthScan] = {}
        self._balances: dict[FileKey, str] = {}
        self._digests: dict[FileKey, str] = {}
        # whether a month file has a line starting with a date of a month (`holds_dates`),
        # found by `scan` for the month `files` was asked about while it read the bytes
        self._holds: dict[tuple[FileKey, Month], bool] = {}

    def options(self) -> dict[str, Any]:
        """The options of main.beancount alone (no includes followed)."""
        _, _, options = parser.parse_file(str(self.main))
        return dict(options)

    def operating_currency(self) -> str:
        currencies = self.options().get("operating_currency") or ["USD"]
        return str(currencies[0])

    def load(self, extra: str | None = None) -> Loaded:
        """The whole ledger, plus `extra` text, as bean-check loads it but for the plugin lines.

        Parsed, booked, then Beancount's own passes (documents, pad, balance) and
        validation, with onebox-ledger's two plugins run whatever main.beancount's
        ``plugin`` lines say, and no other plugin: a deleted line cannot switch the
        checks off and a plugin someone added cannot run in a command (``verify``
        reports both). ``loader._parse_recursive`` never uses the pickle cache, which
        misses new files matching an include glob.
        """
        sources: list[tuple[str, bool]] = [(str(self.main), True)]
        if extra:
            sources.append((extra, False))
        return load_trusted(sources)

    def load_booked(self) -> Loaded:
        """`load`'s first half (parsed and booked: store.load_booked); `checked` does the rest."""
        return load_booked([(str(self.main), True)])

    def load_parsed(self) -> Loaded:
        """`load_booked`'s first step (store.load_parsed); store.booked does the second."""
        return load_parsed([(str(self.main), True)])

    def read_document(self, name: str) -> bytes | None:
        """An issued document's bytes (`name`: as a ``document`` entry holds it, absolute),
        or None when it is missing or not a regular file."""
        path = Path(name)
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def parse(self, path: Path) -> list[data.Directive]:
        """One file's entries, parsed (not booked); refused on a syntax error.

        Remembered while the file is unchanged (same inode, size and modification time),
        so a command that looks at a month file several times parses it once.
        """
        try:
            key = file_key(path)
        except FileNotFoundError:
            return []
        cached = self._parsed.get(key)
        if cached is not None:
            return list(cached[0])
        entries, errors, options = parser.parse_file(str(path))
        if errors:
            raise LedgerError(f"{describe_error(errors[0])} (fix the file first)")
        self._parsed[key] = (list(entries), list(options["include"]))
        return list(entries)

    def remembered(self, path: Path) -> tuple[list[data.Directive], list[str]] | None:
        try:
            key = file_key(Path(os.path.normpath(path)))
        except OSError:
            return None
        cached = self._parsed.get(key)
        return None if cached is None else (list(cached[0]), list(cached[1]))

    def written(self, path: Path, entries: list[data.Directive], includes: list[str]) -> None:
        """Remember what a file just written parses to (parsed from its new bytes with its
        name, as `parse` would): the next `parse` of it in this command returns it."""
        self._parsed[file_key(Path(os.path.normpath(path)))] = (list(entries), list(includes))

    def _includes(self, path: Path) -> list[str]:
        """The include lines of a file (parsed with `parse`)."""
        self.parse(path)
        return self._parsed[file_key(path)][1]

    def scan(self, path: Path, dated_in: Month | None = None) -> MonthScan:
        """What the commands need to know of a month file without parsing it, read once per
        command while the file is unchanged (see `parse`); only this summary is kept, not
        the bytes, so memory does not grow with the months. `dated_in`: whether the file
        holds a line dated in that month is remembered too (`holds_dates`)."""
        key = file_key(path)
        cached = self._scans.get(key)
        if cached is None or (dated_in is not None and (key, dated_in) not in self._holds):
            text = path.read_bytes()
            cached = self._scans[key] = MonthScan(
                _starts_a_line(text, b"include"), _blocks_holding(text, CREDIT_MARKERS)
            )
            self._digests[key] = sha256(text)
            if dated_in is not None:
                self._holds[key, dated_in] = _starts_a_line(text, f"{dated_in}-".encode())
        return cached

    def whole_digest(self, path: Path) -> str:
        """A file's SHA-256 ("sha256:..."), remembered as `scan` is (which reads the bytes)."""
        key = file_key(path)
        known = self._digests.get(key)
        if known is None:
            known = self._digests[key] = sha256(path.read_bytes())
        return known

    def includes_others(self, path: Path) -> bool:
        """Whether a month file holds an ``include`` line (`scan`'s first answer, without its
        others when the file was not scanned)."""
        key = file_key(path)
        scanned = self._scans.get(key)
        if scanned is not None:
            return scanned.includes
        return _starts_a_line(path.read_bytes(), b"include")

    def balances(self, path: Path) -> str:
        """The text of a month file's directives the month's end needs (month_end.MARKERS: a
        foreign amount, deferred revenue, a revaluation), found as bytes; remembered as
        `scan` is."""
        key = file_key(path)
        cached = self._balances.get(key)
        if cached is None:
            cached = self._balances[key] = _blocks_holding(path.read_bytes(), month_end.MARKERS)
        return cached

    def holds_dates(self, path: Path, month: Month, *, before: bool) -> bool:
        """Whether a file has a line starting with a date in `month` (`before`: or in any
        earlier month), read as bytes: a directive starts at the beginning of its line.

        Searched for the one month (a substring search, 4x cheaper than matching every
        line's date, and this runs over every month file at each close); only the first
        close (`before`) looks at every date, with a regular expression.
        """
        known = self._holds.get((file_key(path), month))
        if known is not None and (known or not before):
            return known
        text = path.read_bytes()
        key = str(month).encode()
        if _starts_a_line(text, key + b"-"):
            return True
        if not before:
            return False
        return any(
            found < key for found in re.findall(rb"(?:^|\n)([0-9]{4}-[0-9]{2})-[0-9]{2}", text)
        )

    def files(self, dated_in: Month | None = None) -> Files:
        """Every file Beancount's loader reads for this ledger, found as the loader finds them.

        main.beancount, then each ``include`` (globs expanded relative to the
        including file), recursively. Files other than the month files are
        parsed (they are small: accounts, terms, customers, prices, opening, and
        anything a person added); a month file is parsed only if it holds an
        ``include`` line. Refused on a syntax error in a parsed file. `dated_in`: the
        month `month_view` will ask about (each month file's bytes searched for its dates
        while they are read here, not read again then).
        """
        found = Files()
        stack, seen = [self.main], set()
        while stack:
            path = Path(os.path.normpath(stack.pop(0)))
            if path in seen or not path.is_file():
                continue
            seen.add(path)
            month = self.month_of(path)
            if month is not None:
                found.months[month] = path
                if not self.scan(path, dated_in).includes:
                    continue
            entries = self.parse(path)
            if month is None:
                found.parsed[path] = entries
            for include in self._includes(path):
                pattern = include if os.path.isabs(include) else str(path.parent / include)
                stack.extend(Path(p) for p in sorted(glob.glob(pattern, recursive=True)))
        return found

    def static_entries(self) -> list[data.Directive]:
        """The entries of every file but the month files: accounts, terms, customers, prices,
        opening balances, main.beancount and any file a person added."""
        return [e for entries in self.files().parsed.values() for e in entries]

    def book(self) -> tuple[Book, list[data.Directive]]:
        """The Book from every file but the month files, refused on any malformed directive."""
        entries = self.static_entries()
        book, errors = parse_book(entries)
        if errors:
            raise LedgerError(describe_error(errors[0]))
        return book, entries

    def month_view(self, month: Month, files: Files, *, first: bool) -> MonthView:
        """What the close of `month` needs: every entry dated in it, wherever it lives.

        The month's own file is parsed; every other month file is searched, as
        bytes, for a line starting with a date of the month (a directive starts
        at the beginning of its line) and parsed only then. `first` (no month is
        sealed yet): the entries dated before the month too, which its seal covers.
        An onebox-* input in a month file, or a transaction whose amounts Beancount
        would infer (seals.complete), is refused, naming its file and line.
        """
        own: list[data.Directive] = []
        elsewhere: list[data.Directive] = []
        before: list[data.Directive] = []
        for entries in files.parsed.values():
            for entry in entries:
                if month.first <= entry.date <= month.last:
                    elsewhere.append(entry)
                elif first and entry.date < month.first:
                    before.append(entry)
        for other, path in sorted(files.months.items()):
            if (
                other != month
                and not (first and other < month)
                and not self.holds_dates(path, month, before=first)
            ):
                continue
            entries = self.parse(path)
            for entry in entries:
                if month.first <= entry.date <= month.last:
                    (own if other == month else elsewhere).append(entry)
                elif first and entry.date < month.first:
                    before.append(entry)
                if isinstance(entry, data.Custom) and entry.type in INPUTS:
                    raise LedgerError(
                        f'{_where(entry)}: a "{entry.type}" directive in a month file;'
                        f" the close reads it only from {self.customers_path.relative_to(self.root)}"
                        f" or {self.terms_path.relative_to(self.root)}: move it there"
                    )
        for entry in (*own, *elsewhere, *before):
            if not seals.complete(entry):
                raise LedgerError(
                    f"{_where(entry)}: cannot seal {entry.date}: a posting's amount, cost or price"
                    " is left for Beancount to infer; write each in full"
                )
        return MonthView(month, own, elsewhere, before)

    def _gathered(
        self,
        files: Files,
        blocks_of: Callable[[Path], str],
        keep: Callable[[data.Transaction], bool],
    ) -> list[data.Transaction]:
        """The transactions `keep` takes from every non-month file and from the blocks of each
        month file `blocks_of` finds as bytes (only those blocks are parsed): what the close
        needs of history, at a cost that grows with those entries, not with the months."""
        found: list[data.Transaction] = []
        for entries in files.parsed.values():
            found.extend(e for e in entries if isinstance(e, data.Transaction) and keep(e))
        found.extend(self._gathered_months(files.months.values(), blocks_of, keep))
        return found

    def _gathered_months(
        self,
        paths: Iterable[Path],
        blocks_of: Callable[[Path], str],
        keep: Callable[[data.Transaction], bool],
    ) -> list[data.Transaction]:
        """`_gathered`'s transactions of the month files `paths` (of a file this command parsed
        whole, such as the month's own, taken from that parse: the same entries in the same
        order, the parser's)."""
        found: list[data.Transaction] = []
        for path in paths:
            known = self.remembered(path)
            if known is not None:
                found.extend(e for e in known[0] if isinstance(e, data.Transaction) and keep(e))
                continue
            blocks = blocks_of(path)
            if blocks:
                parsed, _, _ = parser.parse_string(blocks, report_filename=str(path))
                found.extend(e for e in parsed if isinstance(e, data.Transaction) and keep(e))
        return found

    def credit_entries(self, files: Files) -> list[data.Transaction]:
        """Every transaction that touches customer credit or OneBox prepaid, in any file (the
        close applies open credit to its invoices)."""
        return self._gathered(files, lambda path: self.scan(path).credit, beans.touches_credit)

    def receivable_entries(
        self, files: Files, customers: Collection[str]
    ) -> list[data.Transaction]:
        """Every transaction posting to the receivable of one of `customers`, in any file: what
        the close needs to set their open credit against their older open invoices. Only asked
        for the customers that hold credit; one pass over each file's receivable postings,
        whatever their number."""
        if not customers:
            return []
        accounts = {beans.receivable_account(c) for c in customers}
        wanted = {f"{account} ".encode() for account in accounts}

        def blocks_of(path: Path) -> str:
            text = path.read_bytes()
            markers = sorted(set(_RECEIVABLE_NAME.findall(text)) & wanted)
            return _blocks_holding(text, markers) if markers else ""

        return self._gathered(
            files, blocks_of, lambda e: any(p.account in accounts for p in e.postings)
        )

    def month_end_entries(self, files: Files) -> list[data.Transaction]:
        """Every transaction the close's month end needs (month_end.concerns: a foreign
        amount, deferred revenue, a revaluation), in any file."""
        return self._gathered(files, self.balances, month_end.concerns)

    def open_date(self, static: Sequence[data.Directive], sealed: Month | None) -> datetime.date:
        """The date of an account the tool opens (events.open_date, for this ledger's
        operating currency)."""
        return events.open_date(static, seals.currency_of(self.options()), sealed)

    def seal_before(self, month: Month, files: Files) -> seals.Seal | None:
        """The seal of the latest sealed month before `month` (None: nothing sealed before it).

        In books rolled forward (seals.OPENING), with no month sealed since: the carried
        head, as the archive's last seal (its month and digest), so the chain goes on."""
        for other in sorted((m for m in files.months if m < month), reverse=True):
            found, _ = seals.parse(self.seal_entries(files.months[other], other))
            if other in found:
                return found[other]
        opening = self.opening()
        if opening is None or opening.month >= month or opening.previous is None:
            return None
        return seals.Seal(opening.month, opening.previous, opening.previous, opening.entry)

    def seal_entries(self, path: Path, month: Month) -> list[data.Directive]:
        """What of a month file `month`'s seal is read from: the seal directive alone, found
        as bytes and parsed (a month file is large, its seal one directive); the whole file
        parsed when its bytes hold the seal's name in any other way, or the directive does
        not parse alone."""
        text = path.read_bytes()
        block = _blocks_holding(text, [seal_marker(month)])
        if block and text.count(seals.SEAL.encode()) == 1:
            parsed, errors, _ = parser.parse_string(block, report_filename=str(path))
            if not errors:
                return list(parsed)
        return self.parse(path)

    @property
    def opening_path(self) -> Path:
        """``ledger/journal/opening.beancount``: opening balances; after a year's roll, the
        year's opening entries and the archive's head (seals.OPENING)."""
        return self.journal / "opening.beancount"

    def opening(self) -> seals.Seal | None:
        """The ``onebox-opening`` of books rolled forward (in opening.beancount), else None."""
        roll, _ = seals.parse_roll(self.parse(self.opening_path))
        return roll.opening

    def last_sealed(self) -> Month | None:
        """The latest sealed month, reading journal files from the newest back (after a year's
        roll with no month sealed since: the archive's last month)."""
        for month in reversed(self.journal_months()):
            found, _ = seals.parse(self.seal_entries(self.month_path(month), month))
            if month in found:
                return month
        opening = self.opening()
        return opening.month if opening is not None else None


# The plugins every load runs (in this order), whatever main.beancount's plugin lines say.
TRUSTED_PLUGINS = (("onebox_ledger.plugins.directives", None), ("onebox_ledger.plugins.seal", None))


def load_trusted(sources: list[tuple[str, bool]]) -> Loaded:
    """Beancount's loader (loader._load) with TRUSTED_PLUGINS instead of the files' plugins."""
    with paused_gc():
        return checked(load_booked(sources))


def load_booked(sources: list[tuple[str, bool]]) -> Loaded:
    """The first half of `load_trusted`: the files parsed, sorted and booked (the amounts
    and lots each transaction states, its errors among them), before Beancount's passes,
    the plugins and validation (`checked`). ``verify`` re-derives the closes from these
    entries while `checked` runs beside it, in a forked child: for sealed months they are
    the entries the passes give (a pad in or before a sealed month is a seal's finding)."""
    return booked(load_parsed(sources))


def load_parsed(sources: list[tuple[str, bool]]) -> Loaded:
    """`load_booked`'s first step: the files parsed (includes followed) and sorted."""
    with paused_gc():
        entries, errors, options = loader._parse_recursive(sources, None, None)
        entries.sort(key=data.entry_sortkey)
    return Loaded(entries, errors, options)


def booked(parsed: Loaded) -> Loaded:
    """`load_booked`'s second step: `parsed` booked by Beancount (booking.book)."""
    with paused_gc():
        entries, booking_errors = booking.book(parsed.entries, parsed.options)  # type: ignore[no-untyped-call]
    return Loaded(entries, [*parsed.errors, *booking_errors], parsed.options)


def books_as_parsed(parsed: Loaded) -> bool:
    """Whether booking leaves `parsed` as it is but for the tolerances it notes in each
    transaction's metadata (``__tolerances__``): every transaction complete (seals.complete:
    nothing to interpolate), no posting held at cost (no lot to match: the tool writes rates
    as prices) and one weight currency a transaction (booking groups postings by it, so
    their order stays). Then ``verify`` re-derives from the parsed entries while Beancount
    books them beside it."""
    for entry in parsed.entries:
        if not isinstance(entry, data.Transaction) or not entry.postings:
            continue
        if not seals.complete(entry):
            return False
        weights = set()
        for post in entry.postings:
            if post.cost is not None:
                return False
            weights.add((post.price or post.units).currency)  # type: ignore[union-attr]
        if len(weights) > 1:
            return False
    return True


def checked(loaded: Loaded) -> Loaded:
    """The second half of `load_trusted`: Beancount's passes (pad, documents, balance), the
    TRUSTED_PLUGINS and Beancount's validation, on entries `load_booked` gave."""
    with paused_gc():
        options = loaded.options
        trusted = dict(options, plugin=list(TRUSTED_PLUGINS), plugin_processing_mode="default")
        entries, errors = loader.run_transformations(loaded.entries, loaded.errors, trusted, None)
        errors.extend(validation.validate(entries, trusted, None, None))  # type: ignore[no-untyped-call]
    return Loaded(entries, errors, options)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block that builds many long-lived objects.

    A load allocates millions of objects that all stay alive; the collector
    would traverse them again and again for nothing (measured: loads 19-31%
    faster with it off, no more memory). It is back on when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
