"""Documents a customer receives: issue an invoice's or credit note's PDF into the books
(``documents/`` and a ``document`` entry with its SHA-256), render one as HTML or XML, a
month's batch, a statement of account, the dunning list and a reminder; ``terms dunning``.

An issued document is never made again: showing it gives the filed bytes, refused when the
file no longer has the recorded SHA-256 (``verify`` names it too).
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from .. import beans, openitems
from ..documents import cii, content, filing, html
from ..documents.content import Document, DocumentError, MissingDetails, Statement
from ..model import Book, parse_book
from ..openitems import OpenItem
from ..store import JOURNAL_HEADER, Ledger, LedgerError, Loaded, file_documents
from ..summaries import SummaryError
from ..values import InputError, Month
from .helpers import Written, _customer, write_static

FORMATS = ("pdf", "html", "xml")


@dataclass(frozen=True)
class Issued:
    id: str
    path: Path  # the filed PDF
    sha256: str
    new: bool  # issued by this command (else: issued before)
    content: bytes


def _load(ledger: Ledger) -> tuple[Loaded, Book]:
    loaded = ledger.load_valid()
    book, _ = parse_book(loaded.entries)
    return loaded, book


def _doc(entries: Sequence[data.Directive], book: Book, doc_id: str) -> Document:
    try:
        return content.document(entries, book, doc_id)
    except MissingDetails as err:
        raise LedgerError(str(err)) from None
    except DocumentError as err:
        raise InputError(str(err)) from None


def render(doc: Document, fmt: str) -> bytes:
    """The document in `fmt`: pdf (PDF/A-3 with the XML embedded), html or xml."""
    if fmt == "xml":
        if doc.currency != "EUR":
            raise InputError(
                f"{doc.id} is in {doc.currency}: the EN 16931 XML is made for EUR invoices"
            )
        return cii.xml(doc)
    if fmt == "html":
        return html.document_html(doc).encode("utf-8")
    from ..documents import pdf  # the PDF stack (fpdf, fonts: about 1 s), loaded when used

    return pdf.document_pdf(doc)


def _issue_date(ledger: Ledger, doc: Document, today: datetime.date) -> datetime.date:
    """The day a document is filed: today (or the document's own date, if later), and never
    inside a sealed month (the first day after it)."""
    date = max(today, doc.date)
    sealed = ledger.last_sealed()
    if sealed is not None and date <= sealed.last:
        date = sealed.last + datetime.timedelta(days=1)
    return date


def issue(
    ledger: Ledger,
    doc_ids: Sequence[str] | None = None,
    *,
    today: datetime.date,
    month: Month | None = None,
) -> list[Issued]:
    """File the PDF of each invoice or credit note not issued yet (`doc_ids`, or every one
    dated in `month`), with its ``document`` entry, as one change; those issued before are
    read back (refused if altered)."""
    with ledger.locked():
        loaded, book = _load(ledger)
        if doc_ids is None:
            assert month is not None
            doc_ids = content.invoice_ids(loaded.entries, str(month))
            doc_ids += content.credit_note_ids(loaded.entries, str(month))
        filed = filing.issued(loaded.entries)
        new = [_doc(loaded.entries, book, d) for d in dict.fromkeys(doc_ids) if d not in filed]
        bodies = dict(zip((doc.id for doc in new), _render_all(new), strict=True))
        done: list[Issued] = []
        by_month: dict[Month, list[tuple[Document, bytes, data.Document, data.Document]]] = {}
        for doc_id in doc_ids:
            if doc_id in filed:
                done.append(_filed(ledger, doc_id, filed[doc_id]))
                continue
            doc = next(d for d in new if d.id == doc_id)
            body = bodies[doc_id]
            target = ledger.root / filing.relative_path(doc)
            sha = filing.digest(body)
            date = _issue_date(ledger, doc, today)
            written = filing.entry(doc, date, sha)
            check = filing.entry(doc, date, sha, absolute=str(target.resolve()))
            by_month.setdefault(Month.of(date), []).append((doc, body, written, check))
            done.append(Issued(doc_id, target, sha, True, body))
        for when, items in sorted(by_month.items()):
            files = {ledger.root / filing.relative_path(doc): body for doc, body, _, _ in items}
            text = beans.format_entries(w for _, _, w, _ in items)
            checked = beans.format_entries(c for _, _, _, c in items)
            file_documents(ledger, files, ledger.month_path(when), text,
                           JOURNAL_HEADER.format(month=when), checked)  # fmt: skip
    return done


PARALLEL_FROM = 8  # documents: below this, one process renders them (a pool costs a fork)


def _render_all(docs: Sequence[Document]) -> list[bytes]:
    """Each document's PDF, on every core when there are many (rendering is pure and
    CPU-bound: about 0.1-0.2 s a document, most of it fonts and the PDF's assembly)."""
    from ..documents import pdf  # the PDF stack, loaded when used

    workers = min(os.cpu_count() or 1, 8)
    if len(docs) < PARALLEL_FROM or workers < 2:
        return [pdf.document_pdf(doc) for doc in docs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(pdf.document_pdf, docs, chunksize=max(1, len(docs) // (workers * 4))))


def _filed(ledger: Ledger, doc_id: str, entry: data.Document) -> Issued:
    body = ledger.read_document(entry.filename)
    path = Path(entry.filename)
    if body is None:
        raise LedgerError(f"document {ledger.shown(path)} of {doc_id} is missing")
    sha = filing.digest(body)
    if sha != entry.meta.get("sha256"):
        raise LedgerError(
            f"document {ledger.shown(path)} of {doc_id} was altered after it was issued"
            " (sha256 differs from the one recorded; onebox-ledger verify names it)"
        )
    return Issued(doc_id, path, sha, False, body)


def show(ledger: Ledger, doc_id: str, fmt: str) -> bytes:
    """An invoice or credit note as html or xml, from the books (nothing written)."""
    loaded, book = _load(ledger)
    return render(_doc(loaded.entries, book, doc_id), fmt)


def month_ids(ledger: Ledger, month: Month) -> list[str]:
    """The invoices and credit notes dated in `month`."""
    loaded = ledger.load_valid()
    ids = content.invoice_ids(loaded.entries, str(month))
    return ids + content.credit_note_ids(loaded.entries, str(month))


def issue_month(ledger: Ledger, month: Month, *, today: datetime.date) -> list[Issued]:
    """Every invoice and credit note dated in `month`, issued (the demo ships these)."""
    return issue(ledger, today=today, month=month)


def statement(
    ledger: Ledger, customer: str, *, as_of: datetime.date, start: datetime.date | None
) -> Statement:
    loaded = ledger.load_history()  # any period: the archived years too
    book, _ = parse_book(loaded.entries)
    _customer(book, customer)
    first = start or datetime.date(as_of.year, 1, 1)
    if first > as_of:
        raise InputError(f"--from {first} is after --as-of {as_of}")
    try:
        return content.statement(loaded.entries, book, customer, as_of, first)
    except DocumentError as err:
        raise LedgerError(str(err)) from None


def dunning(ledger: Ledger, *, as_of: datetime.date) -> tuple[tuple[int, ...], list[content.Chase]]:
    """The reminder levels on `as_of` and the invoices to chase: from the month summaries when
    every one is true to its files (Ledger.history: the open invoices at the end of the last
    month before `as_of`, then the transactions after), else from the books loaded over every
    year (Ledger.load_history: a day in a year rolled forward sees that year's invoices). The
    same list either way."""
    history = ledger.history()
    invoices: Iterable[OpenItem] | None = None
    if history is not None:
        try:
            book, invoices = history.book(), history.scan_as_of(as_of).invoices.values()
        except SummaryError:
            invoices = None
    if invoices is None:
        loaded = ledger.load_history()
        book, _ = parse_book(loaded.entries)
        invoices = openitems.invoices(loaded.entries, as_of)
    levels = book.dunning_levels(as_of)
    return levels, content.dunning(invoices, as_of, levels)


def reminder(ledger: Ledger, invoice: str, *, as_of: datetime.date) -> Document:
    loaded, book = _load(ledger)
    try:
        return content.reminder(loaded.entries, book, invoice, as_of, book.dunning_levels(as_of))
    except MissingDetails as err:
        raise LedgerError(str(err)) from None
    except DocumentError as err:
        raise InputError(str(err)) from None


def terms_dunning(ledger: Ledger, days: Sequence[int], *, date: datetime.date) -> Written:
    """The reminder levels from `date` on: days past due at which each level starts."""
    if not days or list(days) != sorted(set(days)):
        raise InputError(f"dunning days must rise, like 7 21 45, not {' '.join(map(str, days))}")
    with ledger.locked():
        loaded = ledger.load_valid()
        entry = beans.custom(date, "onebox-dunning", [Decimal(d) for d in days])
        text = write_static(ledger, loaded, ledger.terms_path, [entry])
    levels = ", ".join(f"level {n} at {d} days" for n, d in enumerate(days, 1))
    return Written(ledger.terms_path, text, f"dunning from {date}: {levels} past due")
