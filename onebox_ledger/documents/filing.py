"""Documents in the books: where an issued document's file lies, the ``document`` entry that
records it with its SHA-256, and the check ``verify`` runs on every one. Pure (the check is
given a function that reads a file).

Issuing ``inv-2026-11-berlin`` on 2026-12-02 writes
``documents/invoices/2026-11/inv-2026-11-berlin.pdf`` and, to that day's journal::

    2026-12-02 document Assets:Receivable:Berlin "../../documents/invoices/2026-11/inv-2026-11-berlin.pdf"
      id: "document/inv-2026-11-berlin"
      customer: "berlin"
      invoice: "inv-2026-11-berlin"
      sha256: "5f0c..."

so Fava lists it in the customer's receivable journal beside the invoice and serves it (the
books' ``option "documents"`` folder). A document is issued once: showing it again gives the
filed bytes. ``verify`` hashes each filed file again: a file changed by one byte, or gone, is
a finding naming it. A document entry is not sealed (it changes no number), so one deleted
from the journal goes unnoticed by the seal; its file then stays as it was.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable

from beancount.core import data

from .. import beans
from .content import Document

FOLDERS = {"invoice": "invoices", "credit-note": "credit-notes"}
PREFIX = "document/"


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def relative_path(doc: Document) -> str:
    """Where the document's file lies, from the books' folder."""
    return f"documents/{FOLDERS[doc.kind]}/{doc.date:%Y-%m}/{doc.id}.pdf"


def entry(
    doc: Document, date: datetime.date, sha256: str, *, absolute: str | None = None
) -> data.Document:
    """The ``document`` entry recording `doc`, written in ``ledger/journal/`` (its file name is
    relative to that folder; `absolute` gives it whole, for validating the text)."""
    key = "credit-note" if doc.kind == "credit-note" else "invoice"
    meta = beans.meta(id=PREFIX + doc.id, customer=doc.customer, **{key: doc.id}, sha256=sha256)
    account = beans.receivable_account(doc.customer)
    return beans.document(date, account, absolute or "../../" + relative_path(doc), meta)


def issued(entries: Iterable[data.Directive]) -> dict[str, data.Document]:
    """Every issued document's entry, by the document's number."""
    found = {}
    for e in entries:
        if isinstance(e, data.Document):
            entry_id = beans.entry_id(e) or ""
            if entry_id.startswith(PREFIX):
                found[entry_id.removeprefix(PREFIX)] = e
    return found


def findings(
    entries: Iterable[data.Directive], read: Callable[[str], bytes | None], root: str = ""
) -> tuple[int, list[str]]:
    """(documents checked, findings): each filed document's bytes against its recorded
    SHA-256, as ``file:line: ...`` naming the document's file (relative to `root`, the books'
    folder with its trailing separator)."""
    checked = 0
    problems = []
    for number, e in sorted(issued(entries).items()):
        checked += 1
        recorded = e.meta.get("sha256")
        where = f"{e.meta.get('filename')}:{e.meta.get('lineno')}"
        content = read(e.filename)
        name = e.filename.removeprefix(root)
        if content is None:
            problems.append(f"{where}: document {name} of {number} is missing")
        elif digest(content) != recorded:
            problems.append(
                f"{where}: document {name} of {number} was altered after it was issued"
                f" (sha256 {digest(content)[:16]}..., recorded {str(recorded)[:16]}...)"
            )
    return checked, problems
