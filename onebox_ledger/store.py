"""The one place that touches files: layout, loading, the write lock, validation, atomic writes.

Layout of a ledger (``main.beancount`` is what ``--ledger`` points at)::

    main.beancount                      options, plugins, includes
    ledger/accounts.beancount           the chart of accounts
    ledger/terms.beancount              onebox-item, onebox-rate, onebox-payment
    ledger/customers.beancount          onebox-customer (+ its accounts), onebox-contract,
                                        onebox-change, onebox-end
    ledger/prices.beancount             exchange rates for the reports
    ledger/journal/opening.beancount    opening balances (before the first month)
    ledger/journal/YYYY-MM.beancount    the month: money events, usage, the close, its seal

Every write appends new text to files, made under an exclusive lock
(``ledger/.lock``), validated before it lands, and written atomically. One
file: temp file in the same directory, fsync, rename, fsync of the directory;
a crash at any instant leaves the old or the new file. Several files (an
import whose rows fall in two months): every new file is staged as a temp
file and fsynced, then ``ledger/.commit`` (one ``temp<TAB>target`` line per
file) is written atomically -- the commit point -- then each temp file is
renamed over its target and ``.commit`` is removed. A crash before the commit
point leaves the old ledger; after it, the next command that takes the lock
finishes the renames (``Ledger.recover``), and until then the seal plugin
reports the pending write, so bean-check and Fava never show a half-written
state as valid. Stray temp files of interrupted writes are removed under the
lock.

``recover`` renames only what a crash of ours can have left: ``.commit`` must be
a regular UTF-8 file, and every line of it must name a ledger file
(``main.beancount``, ``ledger/*.beancount``, ``ledger/journal/*.beancount``)
and, beside it, one of our temp files (``.<name>.*.tmp``), both regular files
reached without a symbolic link. Any other line (an absolute path, ``..``, a
link out of the ledger, a foreign name, a malformed line) refuses the whole
file: nothing is renamed or removed, and the command stops with one line
naming the line and the problem (exit status 1)::

    ledger/.commit line 1: '../../victim/important.txt' leads out of the ledger (..);
    refused, nothing renamed (check ledger/.commit, then delete it)

A write that fails (a full disk, an I/O error) removes its temp file, leaves
every file as it was and names the file it was writing:
``OSError(ENOSPC, "No space left on device", "ledger/journal/2026-11.beancount")``.

Crash points, for the crash tests only: with ``ONEBOX_CRASH_AT`` set to one of
:data:`CRASH_POINTS`, the process SIGKILLs itself the moment the write reaches
that point (``write:staged``: a single-file write's temp file, ``.commit``'s own
too, is fsynced but not renamed; ``write:renamed``: renamed, directory not yet fsynced;
``commit:staged``: every file of a multi-file write staged, no ``.commit``;
``commit:written``: ``.commit`` in place, nothing renamed; ``rename:N``: the Nth
rename done; ``commit:done``: all renamed, ``.commit`` removed). Unset (always,
outside tests), it costs one dictionary lookup per write.

Validation of a write: ``full`` loads the whole ledger plus the new text with
Beancount's loader (plugins included) and refuses on any error; ``month`` (the
close) parses only the accounts, terms, customers and the month's own new
file, and checks that each new transaction balances, uses open accounts and
parses back to exactly what was generated. The close never reads other months.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import gc
import glob
import os
import re
import signal
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from beancount import loader
from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking, parser

from . import beans, events, seals
from .model import Book, parse_book
from .values import ZERO, Month

COMMIT = ".commit"  # in ledger/: the staged renames of an interrupted multi-file write
# Temp files of writes a crash interrupted (write_atomic's names), removed under the lock.
STRAYS = (
    (".", ".main.beancount.*.tmp"),
    ("ledger", ".*.beancount.*.tmp"),
    ("ledger", f".{COMMIT}.*.tmp"),
    ("ledger/journal", ".*.beancount.*.tmp"),
)

# What a ``.commit`` line may name: a ledger file, and beside it one of write_atomic's temp files.
_TARGET_RE = re.compile(
    r"main\.beancount|ledger/(?:journal/)?[A-Za-z0-9][A-Za-z0-9._-]*\.beancount"
)
_TEMP_RE = re.compile(r"\.(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*\.beancount)\.[A-Za-z0-9_]+\.tmp")

CRASH_ENV = "ONEBOX_CRASH_AT"
CRASH_POINTS = (
    "write:staged", "write:renamed", "commit:staged", "commit:written", "rename:1", "rename:2",
    "commit:done",
)  # fmt: skip

JOURNAL_HEADER = (
    "; {month}: written by onebox-ledger. The close seals this month; edit nothing by hand.\n"
)


MONTH_FILE = re.compile(r"([0-9]{4})-([0-9]{2})\.beancount")
# The close's inputs: read from the static files only, never from a month file.
INPUTS = frozenset(
    {"onebox-item", "onebox-rate", "onebox-payment", "onebox-customer", "onebox-contract",
     "onebox-change", "onebox-end"}
)  # fmt: skip


class LedgerError(Exception):
    """The ledger's state refuses the command (exit status 1); the message is one line."""


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


def _where(entry: data.Directive) -> str:
    meta = entry.meta or {}
    return f"{meta.get('filename', '<ledger>')}:{meta.get('lineno', 0)}"


def describe_error(error: Any) -> str:
    """A Beancount or model error as one line: 'file:line: message'."""
    source = error.source or {}
    filename = source.get("filename", "<ledger>")
    message = " ".join(str(error.message).split())
    return f"{filename}:{source.get('lineno', 0)}: {message}"


class Ledger:
    """A ledger on disk, addressed by its main file."""

    def __init__(self, main: Path) -> None:
        try:
            self.main = main.resolve()
        except (RuntimeError, OSError) as err:  # a loop of symbolic links (RuntimeError in 3.11)
            raise LedgerError(
                f"ledger {main} leads into a loop of symbolic links;"
                " point --ledger at the real main.beancount"
            ) from err
        self.root = self.main.parent
        self.dir = self.root / "ledger"
        self.journal = self.dir / "journal"
        self._held = False  # this process holds the write lock
        # files read by this command, by (path, inode, size, mtime): see `parse` (a write
        # renames a new file into place: a new inode)
        self._parsed: dict[tuple[Path, int, int, int], tuple[list[data.Directive], list[str]]] = {}
        self._scans: dict[tuple[Path, int, int, int], MonthScan] = {}

    # ------------------------------------------------------------ paths

    @property
    def commit_path(self) -> Path:
        """``ledger/.commit``: present only while a multi-file write is not finished."""
        return self.dir / COMMIT

    @property
    def accounts_path(self) -> Path:
        return self.dir / "accounts.beancount"

    @property
    def terms_path(self) -> Path:
        return self.dir / "terms.beancount"

    @property
    def customers_path(self) -> Path:
        return self.dir / "customers.beancount"

    @property
    def prices_path(self) -> Path:
        return self.dir / "prices.beancount"

    def month_path(self, month: Month) -> Path:
        return self.journal / f"{month}.beancount"

    def journal_months(self) -> list[Month]:
        months = []
        for path in self.journal.glob("*.beancount"):
            try:
                year, month = path.stem.split("-")
                months.append(Month(int(year), int(month)))
            except ValueError:
                continue
        return sorted(months)

    # ------------------------------------------------------------ checks

    def check_exists(self) -> None:
        """Refuse a --ledger that is missing, not a file, or not a onebox-ledger ledger."""
        if not self.main.exists():
            raise LedgerError(
                f"ledger {self.main} does not exist (create one: onebox-ledger init DIR)"
            )
        if not self.main.is_file():
            raise LedgerError(f"ledger {self.main} is not a file")
        try:
            text = self.main.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise LedgerError(
                f"ledger {self.main} is not a Beancount file (not UTF-8 text)"
            ) from None
        _, errors, _ = parser.parse_string(text, report_filename=str(self.main))
        if errors:
            raise LedgerError(
                f"ledger {self.main} is not a Beancount file: {describe_error(errors[0])}"
            )
        if not self.customers_path.is_file() or not self.terms_path.is_file():
            raise LedgerError(
                f"ledger {self.main} is not a onebox-ledger ledger"
                f" (no {self.customers_path.relative_to(self.root)}; create one: onebox-ledger init DIR)"
            )

    # ------------------------------------------------------------ loading

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

    def load_valid(self) -> Loaded:
        """The whole ledger, refused when it already has errors (a pending write is finished first)."""
        self.check_exists()
        self.finish_pending()
        loaded = self.load()
        if loaded.errors:
            raise LedgerError(
                f"the ledger already has {len(loaded.errors)} error(s); fix them first"
                f" (bean-check {self.main.name}): {describe_error(loaded.errors[0])}"
            )
        return loaded

    def parse(self, path: Path) -> list[data.Directive]:
        """One file's entries, parsed (not booked); refused on a syntax error.

        Remembered while the file is unchanged (same inode, size and modification time),
        so a command that looks at a month file several times parses it once.
        """
        try:
            stat_result = path.stat()
        except FileNotFoundError:
            return []
        key = (path, stat_result.st_ino, stat_result.st_size, stat_result.st_mtime_ns)
        cached = self._parsed.get(key)
        if cached is not None:
            return list(cached[0])
        entries, errors, options = parser.parse_file(str(path))
        if errors:
            raise LedgerError(f"{describe_error(errors[0])} (fix the file first)")
        self._parsed[key] = (list(entries), list(options["include"]))
        return list(entries)

    def _includes(self, path: Path) -> list[str]:
        """The include lines of a file (parsed with `parse`)."""
        self.parse(path)
        stat_result = path.stat()
        return self._parsed[
            (path, stat_result.st_ino, stat_result.st_size, stat_result.st_mtime_ns)
        ][1]

    def scan(self, path: Path) -> MonthScan:
        """What the commands need to know of a month file without parsing it, read once per
        command while the file is unchanged (see `parse`); only this summary is kept, not
        the bytes, so memory does not grow with the months."""
        stat_result = path.stat()
        key = (path, stat_result.st_ino, stat_result.st_size, stat_result.st_mtime_ns)
        cached = self._scans.get(key)
        if cached is None:
            text = path.read_bytes()
            cached = self._scans[key] = MonthScan(
                _starts_a_line(text, b"include"), _blocks_holding(text, CREDIT_MARKERS)
            )
        return cached

    def holds_dates(self, path: Path, month: Month, *, before: bool) -> bool:
        """Whether a file has a line starting with a date in `month` (`before`: or in any
        earlier month), read as bytes: a directive starts at the beginning of its line.

        Searched for the one month (a substring search, 4x cheaper than matching every
        line's date, and this runs over every month file at each close); only the first
        close (`before`) looks at every date, with a regular expression.
        """
        text = path.read_bytes()
        key = str(month).encode()
        if _starts_a_line(text, key + b"-"):
            return True
        if not before:
            return False
        return any(
            found < key for found in re.findall(rb"(?:^|\n)([0-9]{4}-[0-9]{2})-[0-9]{2}", text)
        )

    def month_of(self, path: Path) -> Month | None:
        """The month of a journal month file (``ledger/journal/YYYY-MM.beancount``), else None."""
        match = MONTH_FILE.fullmatch(path.name)
        if match is None or path.parent != self.journal:
            return None
        return Month(int(match.group(1)), int(match.group(2)))

    def files(self) -> Files:
        """Every file Beancount's loader reads for this ledger, found as the loader finds them.

        main.beancount, then each ``include`` (globs expanded relative to the
        including file), recursively. Files other than the month files are
        parsed (they are small: accounts, terms, customers, prices, opening, and
        anything a person added); a month file is parsed only if it holds an
        ``include`` line. Refused on a syntax error in a parsed file.
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
                if not self.scan(path).includes:
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

    def credit_entries(self, files: Files) -> list[data.Transaction]:
        """Every transaction that touches customer credit or OneBox prepaid, in any file.

        What the close needs of history (it applies open credit to its invoices): the
        month files are searched as bytes for those accounts and only the entries
        holding them are parsed, so the cost grows with credit events, not months.
        """
        found: list[data.Transaction] = []
        for entries in files.parsed.values():
            found.extend(
                e for e in entries if isinstance(e, data.Transaction) and beans.touches_credit(e)
            )
        for path in files.months.values():
            blocks = self.scan(path).credit
            if blocks:
                parsed, _, _ = parser.parse_string(blocks, report_filename=str(path))
                found.extend(
                    e for e in parsed if isinstance(e, data.Transaction) and beans.touches_credit(e)
                )
        return found

    def open_date(self, static: Sequence[data.Directive], sealed: Month | None) -> datetime.date:
        """The date of an account the tool opens (events.open_date, for this ledger's
        operating currency)."""
        return events.open_date(static, seals.currency_of(self.options()), sealed)

    def seal_before(self, month: Month, files: Files) -> seals.Seal | None:
        """The seal of the latest sealed month before `month` (None: nothing sealed before it)."""
        for other in sorted((m for m in files.months if m < month), reverse=True):
            found, _ = seals.parse(self.parse(files.months[other]))
            if other in found:
                return found[other]
        return None

    def last_sealed(self) -> Month | None:
        """The latest sealed month, reading journal files from the newest back."""
        for month in reversed(self.journal_months()):
            found, _ = seals.parse(self.parse(self.month_path(month)))
            if month in found:
                return month
        return None

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive write lock; a crashed holder's lock is released by the kernel.

        Taking it first finishes a write that a crash interrupted (``recover``).
        The lock file is never followed through a symbolic link (nothing is
        created outside the ledger).
        """
        self.check_exists()
        lock = self.dir / ".lock"
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise LedgerError(
                    f"{self.shown(lock)} is a symbolic link; remove it (the lock is a plain file)"
                ) from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._held = True
            self.recover()
            yield
        finally:
            self._held = False
            os.close(fd)

    def shown(self, path: Path) -> str:
        """`path` as messages name it: relative to the ledger's directory when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def recover(self) -> list[Path]:
        """Finish an interrupted multi-file write and remove stray temp files (call under lock).

        Every line of ``.commit`` is checked before anything is renamed (see the
        module docs); one bad line refuses them all. Returns the files the
        finished write renamed into place (empty when none was pending).
        """
        assert self._held, "recover() runs under the write lock"
        finished: list[Path] = []
        commit = self.commit_path
        text = self._commit_text()
        if text is not None:
            for count, (staged, target) in enumerate(self._commit_plan(text), start=1):
                if staged.exists():
                    os.replace(staged, target)
                    finished.append(target)
                    crash_point(f"rename:{count}")
            for folder in {path.parent for path in finished}:
                _fsync_dir(folder)
            commit.unlink()
            _fsync_dir(self.dir)
            crash_point("commit:done")
        for where, pattern in STRAYS:
            folder = self.root / where
            if folder.resolve() != self.root / where:
                continue  # reached through a link: not ours to clean
            for stray in folder.glob(pattern):
                stray.unlink()
        return finished

    def _commit_text(self) -> str | None:
        """The text of ``.commit`` (None when no write is pending): a regular UTF-8 file."""
        commit = self.commit_path
        try:
            mode = commit.lstat().st_mode
        except FileNotFoundError:
            return None
        where = self.shown(commit)
        if stat.S_ISLNK(mode):
            raise LedgerError(f"{where} is a symbolic link{self._refused()}")
        if not stat.S_ISREG(mode):
            raise LedgerError(f"{where} is not a regular file{self._refused()}")
        try:
            return read_exact(commit)
        except UnicodeDecodeError:
            raise LedgerError(f"{where} is not UTF-8 text{self._refused()}") from None

    def _commit_plan(self, text: str) -> list[tuple[Path, Path]]:
        """The (staged, target) renames of ``.commit``, every line checked first."""
        where = self.shown(self.commit_path)
        if text.strip() == "":
            raise LedgerError(f"{where} is empty{self._refused()}")
        if not text.endswith("\n"):
            raise LedgerError(f"{where} is incomplete (no final newline){self._refused()}")
        plan: list[tuple[Path, Path]] = []
        for number, line in enumerate(text[:-1].split("\n"), start=1):
            problem = self._commit_line_problem(line, plan)
            if problem is not None:
                raise LedgerError(f"{where} line {number}: {problem}{self._refused()}")
        return plan

    def _refused(self) -> str:
        return f"; refused, nothing renamed (check {self.shown(self.commit_path)}, then delete it)"

    def _commit_line_problem(self, line: str, plan: list[tuple[Path, Path]]) -> str | None:
        """Why a ``.commit`` line must not be followed, or None (then its renames join `plan`)."""
        parts = line.split("\t")
        if len(parts) != 2 or not all(parts):
            return f"{_quoted(line)} is not 'staged<TAB>target'"
        staged_name, target_name = parts
        for name in parts:
            if name.startswith("/") or Path(name).is_absolute():
                return f"{_quoted(name)} is an absolute path"
            if ".." in name.split("/"):
                return f"{_quoted(name)} leads out of the ledger (..)"
        if not _TARGET_RE.fullmatch(target_name):
            return (
                f"target {_quoted(target_name)} is not a ledger file"
                " (main.beancount, ledger/*.beancount, ledger/journal/*.beancount)"
            )
        target = self.root / target_name
        staged = self.root / staged_name
        temp = _TEMP_RE.fullmatch(staged.name)
        if staged.parent != target.parent or temp is None or temp["name"] != target.name:
            return (
                f"staged file {_quoted(staged_name)} is not a temp file of its target"
                f" (.{target.name}.*.tmp beside {target_name})"
            )
        if target.parent.resolve() != target.parent:
            return f"{_quoted(self.shown(target.parent))} is reached through a symbolic link"
        for path, what in ((staged, "staged file"), (target, "target")):
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(mode):
                return f"{what} {_quoted(self.shown(path))} is not a regular file"
        if any(target == done for _, done in plan):
            return f"target {_quoted(target_name)} is named twice"
        plan.append((staged, target))
        return None

    def finish_pending(self) -> None:
        """Finish a write a crash interrupted after its commit point, if any (takes the lock)."""
        if not self._held and self.commit_path.exists():
            with self.locked():  # locked() recovers
                pass

    def append_full(self, path: Path, text: str, header: str = "") -> None:
        """Append `text` to `path` after validating the whole ledger with it (call under lock)."""
        self.append_many([(path, text, header)])

    def append_many(self, appends: Sequence[tuple[Path, str, str]]) -> None:
        """Append (path, text, header) to each file, validating the whole ledger once with all
        of them, then write them as one atomic change (call under lock)."""
        loaded = self.load(extra="\n".join(text for _, text, _ in appends))
        if loaded.errors:
            raise LedgerError(
                f"refused: the change would make the ledger invalid: {describe_error(loaded.errors[0])}"
            )
        news: dict[Path, str] = {}
        for path, text, header in appends:
            old = news[path] if path in news else read_exact(path)
            news[path] = appended(old, text, header)
        self.write_files(news)

    def write_files(self, texts: dict[Path, str]) -> None:
        """Replace files with new texts as one atomic change (see the module docs; under lock).

        A new file (a month's first entry) also bumps main.beancount's modification
        time, bytes unchanged: Fava watches the files it loaded, and would not
        notice a new file matching the ``include`` glob until a known file changes.
        A failed write raises OSError naming the file relative to the ledger.
        """
        created = any(not path.exists() for path in texts)
        try:
            if len(texts) == 1:
                [(path, text)] = texts.items()
                write_atomic(path, text)
            else:
                self.commit(texts)
                self.recover()
            if created:
                os.utime(self.main)
        except OSError as err:
            if err.filename is None:
                raise
            raise OSError(err.errno, err.strerror, self.shown(Path(err.filename))) from None

    def commit(self, texts: dict[Path, str]) -> None:
        """Stage the new texts and write ``ledger/.commit``: the commit point; ``recover``
        then renames them into place (under lock)."""
        assert self._held, "commit() runs under the write lock"
        staged: list[tuple[Path, Path]] = []
        # Renamed in this order: the static files (new accounts opened) before the month files
        # (the entries that post to them), so every state between two renames loads as the
        # old ledger plus unused accounts, with no error but the pending write itself.
        order = sorted(texts, key=lambda path: self.month_of(path) is not None)
        try:
            for path in order:
                staged.append((_stage(path, texts[path]), path))
            for folder in {path.parent for path in texts}:
                _fsync_dir(folder)
            crash_point("commit:staged")
            lines = (
                f"{tmp.relative_to(self.root)}\t{path.relative_to(self.root)}\n"
                for tmp, path in staged
            )
            write_atomic(self.commit_path, "".join(lines))
        except BaseException:
            for tmp, _ in staged:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            raise
        crash_point("commit:written")

    def refuse_opened_in_month_files(self, accounts: Sequence[str]) -> None:
        """Refuse, naming file and line, when a month file opens one of `accounts` (written by
        hand: the tool opens accounts in the accounts file, and month files are read as bytes
        only, so an ``open`` there is not seen and the tool's own would be a duplicate)."""
        wanted = {account.encode(): account for account in accounts}
        for month in self.journal_months():
            path = self.month_path(month)
            text = path.read_bytes()
            if not any(account in text for account in wanted):
                continue
            for found in re.finditer(
                rb"(?m)^[0-9]{4}-[0-9]{2}-[0-9]{2}[ \t]+open[ \t]+(\S+)", text
            ):
                if found.group(1) in wanted:
                    line = text.count(b"\n", 0, found.start()) + 1
                    raise LedgerError(
                        f"{path}:{line}:"
                        f" {wanted[found.group(1)]} is opened in a month file; onebox-ledger opens"
                        f" accounts in {self.shown(self.accounts_path)}: move it there"
                    )

    def append_month(
        self,
        path: Path,
        text: str,
        expected: Sequence[data.Directive],
        opens: Sequence[data.Directive],
        header: str,
        *,
        view: MonthView,
        previous: str,
        currency: str,
        new_opens: Sequence[data.Open] = (),
    ) -> None:
        """Append a close to a month file after the history-independent checks (call under lock).

        The new file must parse back to exactly what was generated, each new transaction
        must balance on open accounts, and the seal must match what it covers: the
        month's entries in the new file, those elsewhere (`view`), the accounts it opens
        (`new_opens`, appended to the accounts file in the same atomic change) and the chain.
        """
        old = read_exact(path)
        parsed, errors, _ = parser.parse_string(appended(old, text, header))
        if errors:
            raise LedgerError(
                f"refused: the close does not parse back: {describe_error(errors[0])}"
            )
        new_ids = {beans.entry_id(e) for e in expected if beans.entry_id(e)}
        back = [e for e in parsed if beans.entry_id(e) in new_ids]
        if [beans.format_entry(e) for e in sorted(back, key=_id_key)] != [
            beans.format_entry(e) for e in sorted(
                (e for e in expected if beans.entry_id(e)), key=_id_key
            )
        ]:  # fmt: skip
            raise LedgerError("refused: the close does not read back as generated (please report)")
        every = [*opens, *new_opens, *parsed, *view.elsewhere, *view.before]
        check_postings(parsed, every)
        for seal in seals.parse(parsed)[0].values():
            covered = [e for e in parsed if Month.of(e.date) == seal.month]
            covered += [*view.elsewhere, *view.before, *new_opens]
            meta = seals.seal_meta(seal.entry)
            if seals.digest(seal.month, previous, currency, meta, covered) != seal.digest:
                raise LedgerError(
                    f"refused: the seal of {seal.month} does not match its entries (please report)"
                )
        texts = {path: appended(old, text, header)}
        if new_opens:
            self.refuse_opened_in_month_files([o.account for o in new_opens])
            accounts = self.accounts_path
            texts[accounts] = appended(read_exact(accounts), beans.format_entries(new_opens), "")
        self.write_files(texts)


# The plugins every load runs (in this order), whatever main.beancount's plugin lines say.
TRUSTED_PLUGINS = (("onebox_ledger.plugins.directives", None), ("onebox_ledger.plugins.seal", None))


def load_trusted(sources: list[tuple[str, bool]]) -> Loaded:
    """Beancount's loader (loader._load) with TRUSTED_PLUGINS instead of the files' plugins."""
    with paused_gc():
        entries, errors, options = loader._parse_recursive(sources, None, None)
        entries.sort(key=data.entry_sortkey)
        entries, booking_errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
        errors.extend(booking_errors)
        trusted = dict(options, plugin=list(TRUSTED_PLUGINS), plugin_processing_mode="default")
        entries, errors = loader.run_transformations(entries, errors, trusted, None)
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


def read_exact(path: Path) -> str | None:
    """A file's text exactly as stored (no newline translation: a CR stays a CR), or None."""
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def appended(old: str | None, text: str, header: str) -> str:
    """A file's new text after appending `text`: entries are separated by one blank line."""
    base = header if old is None else old
    separator = "\n" if base and not base.endswith("\n\n") else ""
    return base + separator + text


def _quoted(text: str) -> str:
    """A name from a file, quoted for a message: repr-escaped, cut at 300 characters."""
    return repr(text if len(text) <= 300 else text[:297] + "...")


def _id_key(entry: data.Directive) -> str:
    return beans.entry_id(entry) or ""


def _name(entry: data.Transaction) -> str:
    return beans.entry_id(entry) or f'the transaction of {entry.date} "{entry.narration}"'


def check_postings(entries: Sequence[data.Directive], opens: Sequence[data.Directive]) -> None:
    """Each transaction balances per currency and posts only to accounts open on its date."""
    opened = {e.account: e.date for e in opens if isinstance(e, data.Open)}
    closed = {e.account: e for e in opens if isinstance(e, data.Close)}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        sums: dict[str, Decimal] = {}
        for post in entry.postings:
            start = opened.get(post.account)
            if start is None or start > entry.date:
                raise LedgerError(
                    f"refused: {post.account} is not open on {entry.date} ({_name(entry)})"
                )
            shut = closed.get(post.account)
            if shut is not None and shut.date <= entry.date:
                raise LedgerError(
                    f"refused: {post.account} is closed on {entry.date} (by {_where(shut)})"
                )
            number, currency = beans.units(post)
            lot = beans.lot_of(post)
            if lot is not None:
                number, currency = number * lot.rate, lot.currency
            sums[currency] = sums.get(currency, ZERO) + number
        if any(total != 0 for total in sums.values()):
            raise LedgerError(f"refused: {_name(entry)} does not balance")


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same directory, fsync it, rename, fsync the directory.

    On failure the temp file is gone, `path` holds its old bytes, and the OSError
    names `path` (not the temp file).
    """
    tmp = _stage(path, text)
    crash_point("write:staged")
    try:
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise
    crash_point("write:renamed")
    _fsync_dir(path.parent)


def _stage(path: Path, text: str) -> Path:
    """`text` in a fsynced temp file ``.<name>.*.tmp`` beside `path`, with `path`'s mode.

    The bytes go through os.write and os.fsync themselves, so a full disk (ENOSPC
    from either) is seen here; the temp file is then removed and the OSError
    names `path`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None
    tmp = Path(name)
    try:
        try:
            remaining = memoryview(text.encode("utf-8"))
            while remaining:
                remaining = remaining[os.write(fd, remaining) :]
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    except OSError as err:  # pragma: no cover - some filesystems refuse directory fsync
        if err.errno != errno.EINVAL:
            raise OSError(err.errno, err.strerror, str(folder)) from None
    finally:
        os.close(dir_fd)


def crash_point(name: str) -> None:
    """SIGKILL this process here when ``$ONEBOX_CRASH_AT`` is `name` (crash tests only)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


MAIN_TEMPLATE = """\
; {title}: the books of a OneBox partner, kept by onebox-ledger.
; Check: bean-check main.beancount    Browse: onebox-ledger serve
option "title" {title_q}
option "operating_currency" "{currency}"
option "insert_pythonpath" "TRUE"

plugin "onebox_ledger.plugins.directives"
plugin "onebox_ledger.plugins.seal"

; Fava's "OneBox" page: keep, receivables, payables and MRR (onebox_ledger/fava_ext).
{start} custom "fava-extension" "onebox_ledger.fava_ext"

include "ledger/accounts.beancount"
include "ledger/terms.beancount"
include "ledger/customers.beancount"
include "ledger/prices.beancount"
include "ledger/journal/*.beancount"
"""

FILE_HEADERS = {
    "terms.beancount": "; OneBox terms: onebox-item (list prices), onebox-rate (cost-rate tiers),"
    " onebox-payment (days to pay).\n",
    "customers.beancount": "; Customers and their contracts: onebox-customer, onebox-contract,"
    " onebox-change, onebox-end.\n",
    "prices.beancount": "; Exchange rates used by the reports to convert to the operating currency.\n",
}


def create_ledger(root: Path, *, title: str, currency: str, start: Any) -> Ledger:
    """A new, empty ledger in `root` (which must not hold one already)."""
    main = root / "main.beancount"
    if main.exists():
        raise LedgerError(f"{main} already exists; choose an empty directory")
    ledger = Ledger(main)
    accounts = (
        "; The chart of accounts: the bank, then every account as the first entry posts to it.\n\n"
    )
    accounts += beans.format_entries(
        [
            data.Commodity({}, start, currency),
            data.Open({"bank": True}, start, beans.BANK, [currency], None),
        ]
    )
    files = {
        ledger.accounts_path: accounts,
        ledger.terms_path: FILE_HEADERS["terms.beancount"],
        ledger.customers_path: FILE_HEADERS["customers.beancount"],
        ledger.prices_path: FILE_HEADERS["prices.beancount"],
        ledger.journal
        / "opening.beancount": "; Opening balances, dated on or after the day the accounts open (a close seals them\n; with the month they are dated in).\n",
    }
    for path, text in files.items():
        write_atomic(path, text)
    write_atomic(
        main,
        MAIN_TEMPLATE.format(
            title=title, title_q=beans.quote(title), currency=currency, start=start
        ),
    )
    return ledger
