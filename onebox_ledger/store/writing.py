"""Changing a ledger: the write lock, several files as one commit, its recovery, and the
close's history-independent checks before it lands (``append_month``).

Every write is made under an exclusive lock (``ledger/.lock``). One file is
written atomically (atomic.py). Several files (an import whose rows fall in two
months): every new file is staged as a temp file and fsynced, then
``ledger/.commit`` (one ``temp<TAB>target`` line per file) is written
atomically -- the commit point -- then each temp file is renamed over its
target and ``.commit`` is removed. A crash before the commit point leaves the
old ledger; after it, the next command that takes the lock finishes the renames
(``recover``), and until then the seal plugin reports the pending write, so
bean-check and Fava never show a half-written state as valid. Stray temp files
of interrupted writes are removed under the lock.

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
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.parser import parser

from .. import beans, seals
from ..values import ZERO, Month
from .atomic import _fsync_dir, _stage, appended, crash_point, read_exact, write_atomic
from .errors import LedgerError, _where, describe_error
from .layout import STRAYS, Layout
from .loading import MonthView

# What a ``.commit`` line may name: a ledger file, and beside it one of write_atomic's temp files.
_TARGET_RE = re.compile(
    r"main\.beancount|ledger/(?:journal/)?[A-Za-z0-9][A-Za-z0-9._-]*\.beancount"
)


_TEMP_RE = re.compile(r"\.(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*\.beancount)\.[A-Za-z0-9_]+\.tmp")


class Writer(Layout):
    """A ledger changed: under its lock, one file or several as one commit."""

    def __init__(self, main: Path) -> None:
        super().__init__(main)
        self._held = False  # this process holds the write lock

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
        canon: Callable[[data.Directive], str] = seals.canonical,
    ) -> None:
        """Append a close to a month file after the history-independent checks (call under lock).

        The new file must parse back to exactly what was generated (each transaction's every
        field, seals.canonical; any other directive as printed), each new transaction
        must balance on open accounts, and the seal must match what it covers: the
        month's entries in the new file, those elsewhere (`view`), the accounts it opens
        (`new_opens`, appended to the accounts file in the same atomic change) and the chain.
        `canon`: seals.canonical, or the seals.Canon the close hashed its entries with (each
        entry's text is then made once).
        """
        old = read_exact(path)
        new_text = appended(old, text, header)
        before = self.remembered(path) if old is not None else None
        if before is not None:  # the file as it was, parsed by this command: the new text's
            # entries are those, then the appended text's (its lines numbered as in the file)
            start = len(new_text) - len(text)
            tail, errors, options = parser.parse_string(
                text, report_filename=str(path), report_firstline=new_text.count("\n", 0, start) + 1
            )
            # in the parser's order (data.entry_sortkey: date, kind, line)
            parsed = sorted([*before[0], *tail], key=data.entry_sortkey)
            includes = [*before[1], *options["include"]]
        else:
            parsed, errors, options = parser.parse_string(new_text, report_filename=str(path))
            includes = list(options["include"])
        if errors:
            raise LedgerError(
                f"refused: the close does not parse back: {describe_error(errors[0])}"
            )
        new_ids = {beans.entry_id(e) for e in expected if beans.entry_id(e)}
        back = [e for e in parsed if beans.entry_id(e) in new_ids]

        def shown(entry: data.Directive) -> str:
            return (
                canon(entry) if isinstance(entry, data.Transaction) else beans.format_entry(entry)
            )

        if [shown(e) for e in sorted(back, key=_id_key)] != [
            shown(e) for e in sorted((e for e in expected if beans.entry_id(e)), key=_id_key)
        ]:
            raise LedgerError("refused: the close does not read back as generated (please report)")
        every = [*opens, *new_opens, *parsed, *view.elsewhere, *view.before]
        check_postings(parsed, every)
        for seal in seals.parse(parsed)[0].values():
            covered = [e for e in parsed if Month.of(e.date) == seal.month]
            covered += [*view.elsewhere, *view.before, *new_opens]
            meta = seals.seal_meta(seal.entry)
            if seals.digest(seal.month, previous, currency, meta, covered, canon) != seal.digest:
                raise LedgerError(
                    f"refused: the seal of {seal.month} does not match its entries (please report)"
                )
        texts = {path: new_text}
        if new_opens:
            self.refuse_opened_in_month_files([o.account for o in new_opens])
            accounts = self.accounts_path
            texts[accounts] = appended(read_exact(accounts), beans.format_entries(new_opens), "")
        self.write_files(texts)
        self.written(path, parsed, includes)


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
