"""Where a ledger's files are, what a new one holds, and whether a path is one.

Layout of a ledger (``main.beancount`` is what ``--ledger`` points at)::

    main.beancount                      options, plugins, includes
    ledger/accounts.beancount           the chart of accounts
    ledger/terms.beancount              onebox-item, onebox-rate, onebox-payment
    ledger/customers.beancount          onebox-customer (+ its accounts), onebox-contract,
                                        onebox-change, onebox-end
    ledger/prices.beancount             exchange rates for the reports
    ledger/journal/opening.beancount    opening balances (before the first month)
    ledger/journal/YYYY-MM.beancount    the month: money events, usage, the close, its seal

``Layout(main).month_path(Month(2026, 11))`` is ``ledger/journal/2026-11.beancount``;
``write_new`` writes the files of a new ledger (``create_ledger``, in ledger.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import parser

from .. import beans
from ..values import Month
from .atomic import write_atomic
from .errors import LedgerError, describe_error

COMMIT = ".commit"  # in ledger/: the staged renames of an interrupted multi-file write


# Temp files of writes a crash interrupted (write_atomic's names), removed under the lock.
STRAYS = (
    (".", ".main.beancount.*.tmp"),
    ("ledger", ".*.beancount.*.tmp"),
    ("ledger", f".{COMMIT}.*.tmp"),
    ("ledger/journal", ".*.beancount.*.tmp"),
)


JOURNAL_HEADER = (
    "; {month}: written by onebox-ledger. The close seals this month; edit nothing by hand.\n"
)


MONTH_FILE = re.compile(r"([0-9]{4})-([0-9]{2})\.beancount")


class Layout:
    """A ledger's paths, addressed by its main file; nothing here reads an entry."""

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

    def remembered(self, path: Path) -> tuple[list[data.Directive], list[str]] | None:
        """What a file parses to (its entries and include lines) when a reader parsed it as it
        is now in this command (Reader.parse), else None; nothing here."""
        return None

    def written(self, path: Path, entries: list[data.Directive], includes: list[str]) -> None:
        """A file just written, with what it parses to: a reader remembers it (Reader.parse),
        so the command does not parse it again; nothing here."""

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

    @property
    def archive(self) -> Path:
        """``ledger/archive/``: the years rolled forward, one ledger folder each (YYYY/)."""
        return self.dir / "archive"

    def archive_main(self, year: int) -> Path:
        """``ledger/archive/YYYY/main.beancount``: the main file of a rolled year's archive."""
        return self.archive / str(year) / "main.beancount"

    def archived_years(self) -> list[int]:
        """The years rolled forward: each folder ``ledger/archive/YYYY/`` holding a main file."""
        if not self.archive.is_dir():
            return []
        return sorted(
            int(path.name)
            for path in self.archive.iterdir()
            if re.fullmatch(r"[0-9]{4}", path.name) and (path / "main.beancount").is_file()
        )

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

    def month_of(self, path: Path) -> Month | None:
        """The month of a journal month file (``ledger/journal/YYYY-MM.beancount``), else None."""
        match = MONTH_FILE.fullmatch(path.name)
        if match is None or path.parent != self.journal:
            return None
        return Month(int(match.group(1)), int(match.group(2)))

    def shown(self, path: Path) -> str:
        """`path` as messages name it: relative to the ledger's directory when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

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


def write_new(layout: Layout, *, title: str, currency: str, start: Any) -> None:
    """The files of a new, empty ledger at `layout` (create_ledger checks none is there)."""
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
        layout.accounts_path: accounts,
        layout.terms_path: FILE_HEADERS["terms.beancount"],
        layout.customers_path: FILE_HEADERS["customers.beancount"],
        layout.prices_path: FILE_HEADERS["prices.beancount"],
        layout.journal
        / "opening.beancount": "; Opening balances, dated on or after the day the accounts open (a close seals them\n; with the month they are dated in).\n",
    }
    for path, text in files.items():
        write_atomic(path, text)
    write_atomic(
        layout.main,
        MAIN_TEMPLATE.format(
            title=title, title_q=beans.quote(title), currency=currency, start=start
        ),
    )
