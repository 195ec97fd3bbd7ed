"""The one place that touches files: layout, loading, the write lock, validation, atomic writes.

One module a seam, this package re-exporting their names
(``from onebox_ledger.store import Ledger, LedgerError``): errors (the refusal), atomic
(one file written whole or not at all, crash points), layout (where the files are, a new
ledger's files), loading (``Reader``: the whole ledger, one file, month files as bytes),
writing (``Writer``: the lock, several files as one commit, recovery, the close's checks),
ledger (``Ledger``, both joined, and ``create_ledger``), forking (work split across the
cores: ``run_forked``).
"""

from __future__ import annotations

from .atomic import CRASH_ENV, CRASH_POINTS, appended, crash_point, read_exact, write_atomic
from .errors import LedgerError, describe_error
from .forking import cores, run_forked
from .layout import COMMIT, FILE_HEADERS, JOURNAL_HEADER, MAIN_TEMPLATE, MONTH_FILE, STRAYS
from .ledger import DOCUMENTS, Ledger, create_ledger, file_documents
from .loading import (
    CREDIT_MARKERS,
    INPUTS,
    TRUSTED_PLUGINS,
    Files,
    Loaded,
    MonthScan,
    MonthView,
    booked,
    books_as_parsed,
    checked,
    load_booked,
    load_trusted,
    paused_gc,
)
from .writing import check_postings

__all__ = [
    "COMMIT",
    "CRASH_ENV",
    "CRASH_POINTS",
    "CREDIT_MARKERS",
    "DOCUMENTS",
    "FILE_HEADERS",
    "INPUTS",
    "JOURNAL_HEADER",
    "MAIN_TEMPLATE",
    "MONTH_FILE",
    "STRAYS",
    "TRUSTED_PLUGINS",
    "Files",
    "Ledger",
    "LedgerError",
    "Loaded",
    "MonthScan",
    "MonthView",
    "appended",
    "booked",
    "books_as_parsed",
    "check_postings",
    "checked",
    "cores",
    "crash_point",
    "create_ledger",
    "describe_error",
    "file_documents",
    "load_booked",
    "load_trusted",
    "paused_gc",
    "read_exact",
    "run_forked",
    "write_atomic",
]
