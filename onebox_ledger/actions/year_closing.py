"""``year close YYYY``: roll a sealed year forward into ``ledger/archive/YYYY/`` (yearroll).

What moves where::

    ledger/journal/2026-01..12.beancount  ->  ledger/archive/2026/ledger/journal/ (moved)
    ledger/journal/opening.beancount      ->  ledger/archive/2026/ledger/journal/ (moved)
    ledger/{accounts,terms,customers,prices}.beancount
                                          ->  ledger/archive/2026/ledger/ (copied: the
                                              open books still need them)
    main.beancount                        ->  ledger/archive/2026/main.beancount (copied,
                                              titled "... (archive 2026)")
    new: ledger/archive/2026/ledger/journal/year.beancount   the closing entry, onebox-year
    new: ledger/journal/opening.beancount                    the opening entries, onebox-opening

The archive is a ledger folder of the usual layout, so ``bean-check``, ``onebox-ledger
--ledger ledger/archive/2026 verify`` and Fava open it alone. Nothing is written unless
both the archive and the open books as they will be load with no error (each is checked
in a staging folder first); the archive lands by one rename, then the open books' two
files as one commit, then the year's month files are removed and the month summaries of
the archive and of the open books written (store/rolled.py reads them across the years;
``verify --all`` rewrites them). Interrupted after the
archive landed, ``year close`` again finishes it (the month files left must be
byte-identical to the archive's).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data
from beancount.parser import parser

from .. import beans, billing, seals, yearroll
from ..model import Book, parse_book
from ..store import Ledger, LedgerError, describe_error, load_trusted, paused_gc, write_atomic
from ..values import Month

OPENING_HEADER = (
    "; The opening of {next}: every balance of {year} as it stood after its closing entry, and\n"
    "; the archive's head (ledger/archive/{year}). Written by onebox-ledger year close; edit"
    " nothing by hand.\n"
)
YEAR_HEADER = (
    "; {year}'s closing entry: income and expenses to Equity:Retained-Earnings, and its seal."
    " Written by\n; onebox-ledger year close; edit nothing by hand.\n"
)
STATIC = ("accounts.beancount", "terms.beancount", "customers.beancount", "prices.beancount")
# a document entry's file, relative to its journal file: one level deeper in the archive
_DOCUMENT = re.compile(r'^([0-9]{4}-[0-9]{2}-[0-9]{2} document \S+ ")\.\./\.\./', re.MULTILINE)
_DOCUMENTS_OPTION = re.compile(r'^option "documents" "(?:[^"\\\n]|\\.)*"\n', re.MULTILINE)
_TITLE = re.compile(r'^option "title" "((?:[^"\\\n]|\\.)*)"$', re.MULTILINE)


@dataclass(frozen=True)
class YearClosed:
    year: int
    archive: Path  # the archive's main file
    head: str  # the archive's head, carried by the opening
    moved: int  # month files moved
    closing: data.Transaction | None
    opening: list[data.Transaction]
    finished: bool = False  # True: an interrupted roll was finished, nothing else done


def close_year(ledger: Ledger, year: int) -> YearClosed:
    """Roll `year` forward (see the module docs); refused, nothing written, unless every
    month of it is sealed and every earlier year is rolled."""
    ledger.check_exists()
    ledger.finish_pending()
    with ledger.locked():
        finished = _finish_interrupted(ledger, year)
        if finished is not None:
            _summarise(ledger, year)  # the interrupted roll may not have written them
            return finished
        months = _check(ledger, year)
        loaded = ledger.load_valid()
        operating = ledger.operating_currency()
        currency = seals.currency_of(loaded.options)
        december = Month(year, 12)
        head = seals.parse(ledger.parse(ledger.month_path(december)))[0][december].digest
        book, _ = parse_book(loaded.entries)
        _check_rules_1(book, year)
        names = {cid: customer.name for cid, customer in book.customers.items()}
        closing = yearroll.closing(loaded.entries, year, operating)
        opening = yearroll.opening(loaded.entries, year, operating, names)
        archive_texts = _archive_texts(ledger, year, months, closing, head, currency)
        open_texts = _open_texts(ledger, year, opening, head, currency)
        staging = ledger.archive / f".{year}.staging"
        checking = ledger.archive / f".{year}.checking"
        try:
            for folder in (staging, checking):
                shutil.rmtree(folder, ignore_errors=True)
            _write_tree(staging, archive_texts)
            _refuse_errors(load_trusted([(str(staging / "main.beancount"), True)]), "archive")
            _write_tree(checking, _open_tree(ledger, year, open_texts))
            _link_documents(ledger.root / "documents", checking / "documents")
            _refuse_errors(load_trusted([(str(checking / "main.beancount"), True)]), "open books")
            os.rename(staging, ledger.archive / str(year))
        finally:
            for folder in (staging, checking):
                shutil.rmtree(folder, ignore_errors=True)
        ledger.write_files(open_texts)
        _remove_months(ledger, months)
        _summarise(ledger, year)
    return YearClosed(year, ledger.archive_main(year), head, len(months), closing, opening)


def _check(ledger: Ledger, year: int) -> list[Month]:
    """The month files of `year` to move, after every refusal (see close_year)."""
    opening = ledger.opening()
    if year in ledger.archived_years() or (opening is not None and opening.month.year >= year):
        raise LedgerError(
            f"year {year} is already rolled forward (ledger/archive/{year}); nothing to do"
        )
    journal = ledger.journal_months()
    earlier = [m for m in journal if m.year < year]
    if earlier:
        raise LedgerError(
            f"cannot close year {year}: year {earlier[0].year} is not rolled forward yet"
            f" (run onebox-ledger year close {earlier[0].year} first)"
        )
    sealed = {
        m
        for m in journal
        if m.year == year and m in seals.parse(ledger.parse(ledger.month_path(m)))[0]
    }
    first = Month(year, 1)
    if opening is None and sealed:  # the books' first year may begin after January
        first = min(sealed)
        if not any(m < first for m in journal):
            first = min(first, min((m for m in journal if m.year == year), default=first))
    month = first
    while month <= Month(year, 12):
        if month not in sealed:
            raise LedgerError(
                f"cannot close year {year}: {month} is not sealed (close it first:"
                f" onebox-ledger close {month})"
            )
        month = month.next()
    end = yearroll.year_end(year)
    for path in [ledger.month_path(m) for m in journal if m.year > year]:
        for entry in ledger.parse(path):
            if entry.date <= end:
                raise LedgerError(
                    f"cannot close year {year}: {ledger.shown(path)}:{entry.meta.get('lineno', 0)}"
                    f" holds an entry dated {entry.date}, in the year; move it to its month's file"
                )
    return sorted(m for m in journal if m.year == year)


def _archive_texts(
    ledger: Ledger,
    year: int,
    months: list[Month],
    closing: data.Transaction | None,
    head: str,
    currency: str,
) -> dict[str, str]:
    """The archive's files, by path inside its folder."""
    texts: dict[str, str] = {"main.beancount": _archive_main(ledger, year)}
    for name in STATIC:
        texts[f"ledger/{name}"] = (ledger.dir / name).read_text(encoding="utf-8")
    for month in months:
        texts[f"ledger/journal/{month}.beancount"] = archived_text(ledger.month_path(month))
    if ledger.opening_path.is_file():
        kept, _ = split_opening(ledger, year)
        texts["ledger/journal/opening.beancount"] = _DOCUMENT.sub(r"\1../../../../../", kept)
    end = yearroll.year_end(year)
    opened = {e.account for e in ledger.static_entries() if isinstance(e, data.Open)}
    rolled: list[data.Directive] = []
    if closing is not None:
        rolled += [
            data.Open({"id": f"{yearroll.close_id(year)}/open/{account}"}, end, account, [], None)
            for account in yearroll.accounts_to_open(opened, [closing])
        ]
        rolled.append(closing)
    body = beans.format_entries(rolled) if rolled else ""
    parsed, _, _ = parser.parse_string(body)
    meta = {"previous": head}
    digest = seals.year_digest(year, head, currency, meta, parsed)
    seal = beans.custom(end, seals.YEAR, [str(year), digest], meta)
    texts["ledger/journal/year.beancount"] = (
        YEAR_HEADER.format(year=year) + "\n" + body + "\n" + beans.format_entries([seal])
    )
    return texts


def split_opening(ledger: Ledger, year: int) -> tuple[str, str]:
    """The text of ``opening.beancount`` split in two: what the archive keeps (its entries
    dated in or before `year`, and its comments) and the entries dated after `year` (a bank
    account added in the next year before the roll: its opening balance), which stay in the
    open books. An entry's text runs from its first line to the next entry's."""
    if not ledger.opening_path.is_file():
        return "", ""
    lines = ledger.opening_path.read_text(encoding="utf-8").splitlines(keepends=True)
    entries = sorted(ledger.parse(ledger.opening_path), key=lambda e: int(e.meta["lineno"]))
    starts = [int(e.meta["lineno"]) - 1 for e in entries] + [len(lines)]
    end = yearroll.year_end(year)
    kept, later = lines[: starts[0]], list[str]()
    for entry, start, stop in zip(entries, starts, starts[1:], strict=False):
        (later if entry.date > end else kept).extend(lines[start:stop])
    return "".join(kept), "".join(later)


def archived_text(path: Path) -> str:
    """A journal file as the archive holds it: its document entries' relative paths reach
    the books' ``documents/`` from ``ledger/archive/YYYY/ledger/journal/`` (a document entry
    is not sealed: it changes no number)."""
    return _DOCUMENT.sub(r"\1../../../../../", path.read_text(encoding="utf-8"))


def _archive_main(ledger: Ledger, year: int) -> str:
    text = ledger.main.read_text(encoding="utf-8")

    def titled(match: re.Match[str]) -> str:
        return f'option "title" {beans.quote(_unquote(match.group(1)) + f" (archive {year})")}'

    text = _TITLE.sub(titled, text, count=1)
    # no documents folder of its own: the archived document entries name the books' files
    # (archived_text), and an option naming a folder outside the archive is refused
    return _DOCUMENTS_OPTION.sub("", text)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _open_texts(
    ledger: Ledger,
    year: int,
    opening: list[data.Transaction],
    head: str,
    currency: str,
) -> dict[Path, str]:
    """The open books' new accounts and opening files."""
    end = yearroll.year_end(year)
    opened = {e.account for e in ledger.static_entries() if isinstance(e, data.Open)}
    accounts = _opened_by(ledger, year, opening)
    new_opens = [beans.open_account(end, a) for a in yearroll.accounts_to_open(opened, opening)]
    if new_opens:
        accounts = accounts.rstrip("\n") + "\n\n" + beans.format_entries(new_opens)
    body = beans.format_entries(opening) if opening else ""
    covered: list[data.Directive] = []
    for text in (
        accounts,
        *((ledger.dir / name).read_text(encoding="utf-8") for name in STATIC[1:]),
        body,
    ):
        parsed, _, _ = parser.parse_string(text)
        covered += [e for e in parsed if e.date <= end]
    meta = {"previous": head}
    digest = seals.opening_digest(Month(year, 12), head, currency, meta, covered)
    seal = beans.custom(end, seals.OPENING, [str(Month(year, 12)), digest], meta)
    header = OPENING_HEADER.format(year=year, next=year + 1)
    text = header + "\n" + body + "\n" + beans.format_entries([seal])
    _, later = split_opening(ledger, year)
    if later:
        text += f"\n; Dated after {year}: kept in the open books by the roll.\n\n" + later.lstrip(
            "\n"
        )
    return {ledger.accounts_path: accounts, ledger.opening_path: text}


def _opened_by(ledger: Ledger, year: int, opening: list[data.Transaction]) -> str:
    """The open books' accounts file with every account the opening entries post to opened
    by the year's last day: an account opened in the next year before the roll (``bank add``
    opens Equity:Opening-Balances with a bank's opening balance) opens on that day instead.
    Refused when its open is in another file or in a sealed month (a seal covers it)."""
    end = yearroll.year_end(year)
    text = ledger.accounts_path.read_text(encoding="utf-8")
    wanted = {p.account for e in opening for p in e.postings}
    late = [
        e
        for e in ledger.static_entries()
        if isinstance(e, data.Open) and e.account in wanted and e.date > end
    ]
    sealed = {
        m for m in ledger.journal_months() if m > Month(year, 12)
        and m in seals.parse(ledger.parse(ledger.month_path(m)))[0]
    }  # fmt: skip
    for entry in late:
        line = re.compile(rf"^{entry.date} open {re.escape(entry.account)}(?=[ \n;])", re.M)
        if Month.of(entry.date) in sealed or len(line.findall(text)) != 1:
            where = ledger.shown(Path(str(entry.meta.get("filename"))))
            raise LedgerError(
                f"cannot close year {year}: the opening entries post to {entry.account} on {end},"
                f" but it opens on {entry.date} ({where}:{entry.meta.get('lineno')}); open it on"
                f" {end} or earlier in {ledger.shown(ledger.accounts_path)}, then run year close"
                " again"
            )
        text = line.sub(f"{end} open {entry.account}", text)
    return text


def _open_tree(ledger: Ledger, year: int, texts: dict[Path, str]) -> dict[str, str]:
    """The open books as they will be, by path inside the books' folder (for the check)."""
    tree = {"main.beancount": ledger.main.read_text(encoding="utf-8")}
    for name in STATIC:
        tree[f"ledger/{name}"] = (ledger.dir / name).read_text(encoding="utf-8")
    for month in ledger.journal_months():
        if month.year > year:
            tree[f"ledger/journal/{month}.beancount"] = ledger.month_path(month).read_text(
                encoding="utf-8"
            )
    for path, text in texts.items():
        tree[path.relative_to(ledger.root).as_posix()] = text
    return tree


def _link_documents(source: Path, target: Path) -> None:
    """The issued documents the open books' entries name, inside the checking copy (hard links:
    a symlink out of the books' folder is refused, as serve would refuse it)."""
    if source.is_dir():
        shutil.copytree(source, target, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copy2(source, target)


def _write_tree(root: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)


def _refuse_errors(loaded: object, what: str) -> None:
    errors = getattr(loaded, "errors", [])
    if errors:
        raise LedgerError(
            f"the {what} would not load without errors; nothing written:"
            f" {describe_error(errors[0])}"
        )


def _summarise(ledger: Ledger, year: int) -> None:
    """The month summaries of the archive and of the open books (whose opening changed), so
    reports across the years read summaries (store/rolled.py); written only from books that
    load without an error, as ``verify`` writes them. Call under the books' lock."""
    with paused_gc():
        for books in (Ledger(ledger.archive_main(year)), ledger):
            loaded = books.load()
            if not loaded.errors:
                books.summarise_all(loaded.entries, books.operating_currency())


def _remove_months(ledger: Ledger, months: list[Month]) -> None:
    for month in months:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(ledger.month_path(month))
    fd = os.open(ledger.journal, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.utime(ledger.main)  # Fava watches the files it loaded


def _finish_interrupted(ledger: Ledger, year: int) -> YearClosed | None:
    """A roll interrupted after its archive landed: finish it (see the module docs)."""
    archive = ledger.archive_main(year).parent
    opening = ledger.opening()
    left = [m for m in ledger.journal_months() if m.year == year]
    if not archive.is_dir() or not left:
        return None
    for month in left:
        copy = archive / "ledger" / "journal" / f"{month}.beancount"
        if not copy.is_file() or copy.read_text(encoding="utf-8") != archived_text(
            ledger.month_path(month)
        ):
            raise LedgerError(
                f"year {year} is archived but {ledger.shown(ledger.month_path(month))} differs"
                f" from its archived copy; restore the books from git"
            )
    if opening is None or opening.month != Month(year, 12):
        raise LedgerError(
            f"year {year} is archived but the open books have no opening carrying it; remove"
            f" ledger/archive/{year} and run onebox-ledger year close {year} again"
        )
    _remove_months(ledger, left)
    return YearClosed(
        year, ledger.archive_main(year), opening.previous or "", len(left), None, [], True
    )


def _check_rules_1(book: Book, year: int) -> None:
    """Refuse to roll `year` while a contract year invoiced by rules 1 (model.rules_1_years)
    runs past it: its sealed invoice, the record of its rules, would go to the archive, and
    the open books would re-derive and finish that contract year by rules 2 (verify's drift
    on its later months, its rest recognised twice). Carrying the record into the opening
    entries is not built yet."""
    for contract in sorted(book.contracts.values(), key=lambda c: c.id):
        for month in sorted(contract.rules_1):
            for anniversary, last in billing.contract_years(contract, month):
                if Month.of(anniversary) == month and last.year > year:
                    raise LedgerError(
                        f"cannot roll {year}: {contract.id}'s year from {anniversary} was"
                        f" invoiced by the rules before 2026-12-07 and runs to {last}; rolling"
                        " such a year forward is not supported yet"
                    )
