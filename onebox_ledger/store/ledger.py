"""The ledger the commands use: a reader and a writer of one ledger on disk, joined where a
write is validated against the whole ledger (``append_many``).

Validation of a write: ``full`` (``append_many``) loads the whole ledger plus the new text
with Beancount's loader (plugins included) and refuses on any error; ``month`` (the close,
``append_month``) parses only the accounts, terms, customers and the month's own new file,
and checks that each new transaction balances, uses open accounts and parses back to
exactly what was generated. The close never reads other months.

``create_ledger(root, title="Acme", currency="EUR", start=date(2026, 1, 1))`` writes an
empty one and returns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beancount.core import data

from .. import seals, yearroll
from ..summaries import History
from .atomic import appended, read_exact, write_atomic
from .errors import LedgerError, describe_error
from .layout import write_new
from .loading import Loaded, load_trusted, paused_gc
from .rolled import history_across
from .summarising import Summaries
from .writing import Writer


class Ledger(Summaries, Writer):
    """A ledger on disk, addressed by its main file."""

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

    def load_archive(self, year: int) -> Loaded:
        """A rolled year's archive (``ledger/archive/YYYY/main.beancount``) loaded alone, as
        bean-check loads it with onebox-ledger's own plugins (errors included)."""
        return load_trusted([(str(self.archive_main(year)), True)])

    def load_history(self) -> Loaded:
        """The books over every year, as they were before any year was rolled forward.

        The open books plus each archive's journal entries (its static files are the open
        books' older ones), without what the rolls wrote (closing and opening entries, their
        seals): the reports over any period read this and give the numbers of the unrolled
        books. Without an archive, the open books alone. Refused when a part has errors.

        The one reader of the archive the reports call: per-month summaries can answer the
        archived years here later, without loading them.
        """
        years = self.archived_years()
        loaded = self.load_valid()
        if not years:
            return loaded
        parts: list[data.Directive] = []
        with paused_gc():
            for year in years:
                archived = self.load_archive(year)
                if archived.errors:
                    raise LedgerError(
                        f"the archive of {year} has {len(archived.errors)} error(s)"
                        f" (bean-check {self.shown(self.archive_main(year))}):"
                        f" {describe_error(archived.errors[0])}"
                    )
                journal = f"{self.archive_main(year).parent / 'ledger' / 'journal'}/"
                parts.extend(
                    e
                    for e in archived.entries
                    if str((e.meta or {}).get("filename", "")).startswith(journal) and _history(e)
                )
            parts.extend(e for e in loaded.entries if _history(e))
            parts.sort(key=data.entry_sortkey)
        return Loaded(parts, [], loaded.options)

    def history(self) -> History | None:
        """The books over every year from month summaries, as `load_history` reads them
        loaded: the open books' summaries (Summaries.history) and, with a year rolled
        forward, each archive's before them, leaving out what the rolls wrote
        (store/rolled.py). None when any is missing or stale: load_history answers."""
        years = self.archived_years()
        if not years:
            return super().history()
        archives = [Ledger(self.archive_main(year)) for year in years]
        return history_across(self, archives)

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


DOCUMENTS = "documents"  # the books' documents folder (option "documents"), beside main.beancount
DOCUMENTS_OPTION = f'option "documents" "{DOCUMENTS}"'


def _history(entry: data.Directive) -> bool:
    """Not written by a year's roll (its closing and opening entries and their seals)."""
    if isinstance(entry, data.Custom) and entry.type in (seals.OPENING, seals.YEAR):
        return False
    return not yearroll.is_roll_entry(entry)


def file_documents(
    ledger: Ledger, files: dict[Path, bytes], path: Path, text: str, header: str, check: str
) -> None:
    """Write each document file (bytes, atomically, inside ``documents/``), then append the
    entries recording them (`text`) to `path`, validated with `check` (the same entries with
    absolute file names: Beancount resolves a document's name against its file's folder,
    which a validated extra text does not have); main.beancount gains
    ``option "documents" "documents"`` when it lacks it, so Fava serves the files. A refused
    change removes the files it wrote (call under lock)."""
    folder = (ledger.root / DOCUMENTS).resolve()
    for target in files:
        if not target.resolve().is_relative_to(folder):
            raise LedgerError(f"{target} is not inside the books' {DOCUMENTS}/ folder")
    main_text = read_exact(ledger.main) or ""
    has_option = any(line.strip() == DOCUMENTS_OPTION for line in main_text.splitlines())
    new = [target for target in files if not target.exists()]
    for target, content in files.items():
        write_atomic(target, content)
    loaded = ledger.load(extra=check)
    if loaded.errors:
        for target in new:
            target.unlink(missing_ok=True)
        raise LedgerError(
            f"refused: the change would make the ledger invalid: {describe_error(loaded.errors[0])}"
        )
    news = {path: appended(read_exact(path), text, header)}
    if not has_option:
        news[ledger.main] = main_text + ("" if main_text.endswith("\n") else "\n")
        news[ledger.main] += (
            f"\n; Issued documents (onebox-ledger invoice show), served by Fava.\n{DOCUMENTS_OPTION}\n"
        )
    ledger.write_files(news)


def create_ledger(root: Path, *, title: str, currency: str, start: Any) -> Ledger:
    """A new, empty ledger in `root` (which must not hold one already)."""
    main = root / "main.beancount"
    if main.exists():
        raise LedgerError(f"{main} already exists; choose an empty directory")
    ledger = Ledger(main)
    write_new(ledger, title=title, currency=currency, start=start)
    return ledger
