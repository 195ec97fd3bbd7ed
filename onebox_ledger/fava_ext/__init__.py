"""The OneBox page in Fava: what you keep, receivables, payables and MRR, as the CLI reports them.

Enabled by this line of ``main.beancount`` (``onebox-ledger init`` writes it)::

    2026-01-01 custom "fava-extension" "onebox_ledger.fava_ext"

Fava then lists "OneBox" in its sidebar (``/<ledger>/extension/OneBox/``) and
serves the same tables as JSON at ``/<ledger>/extension/OneBox/report``. The
tables are exactly those of ``onebox-ledger report keep|receivables|payables|mrr``
(onebox_ledger.reports, on the whole ledger Fava loaded), for Fava's time
filter: keep covers the filtered period; receivables, payables and MRR are as of
its last day, or of today when the period has not ended yet. With no time
filter, keep covers everything and the others are as of today ($ONEBOX_TODAY, as
in the CLI). Fava's account, tag and other filters
do not apply: an invoice's open amount depends on every payment to it.

The class only reads: it renders with Fava's autoescaping template engine and
has no endpoint that writes (Fava has no authentication; GET must never
change anything). Each invoice and bill id links to Fava's query page with the
BQL query of its life (``history_query``): the invoice, every payment to it and
the running balance, which ends at the open amount shown. Tables are computed once per ledger load and period (the
last PAGES_KEPT periods asked for are kept).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fava.core import FavaLedger
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, g, jsonify

from .. import reports
from ..clock import today
from ..model import parse_book
from ..values import InputError

Period = tuple[datetime.date | None, datetime.date | None]
PAGES_KEPT = 8
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
HISTORY_ACCOUNTS = {"invoice": "^Assets:Receivable:", "bill": "^Liabilities:OneBox:"}


def history_query(kind: str, item_id: str) -> str | None:
    """The BQL query of an invoice's or bill's life: every posting carrying its id (on the
    posting, else on its transaction), with the running balance, which ends at its open amount.
    None for an id that cannot be quoted safely (ids the tool writes always can)."""
    if kind not in HISTORY_ACCOUNTS or not SAFE_ID.fullmatch(item_id):
        return None
    return (
        "SELECT date, narration, position, balance"
        f" WHERE any_meta('{kind}') = '{item_id}' AND account ~ '{HISTORY_ACCOUNTS[kind]}'"
    )


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool  # right-aligned


@dataclass(frozen=True)
class View:
    """A reports.Table as text cells for the template."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[str]]
    total_columns: list[Column] | None
    totals: list[list[str]]
    notes: list[str]


@dataclass(frozen=True)
class Page:
    title: str
    headline: str = ""  # "Sold ...; OneBox cost ...; kept ... (...%)." for the period
    views: list[View] = field(default_factory=list)
    tables: list[reports.Table] = field(default_factory=list)
    error: str | None = None


def _columns(names: list[str], rows: list[list[Any]]) -> list[Column]:
    numeric = reports.numeric_columns(len(names), rows)
    return [Column(name, flag) for name, flag in zip(names, numeric, strict=True)]


def view(key: str, table: reports.Table, title: str | None = None) -> View:
    """The template's cells of a table: the text the CLI's CSV prints."""
    same = table.total_columns is None
    columns = _columns(table.columns, table.rows + (table.totals if same else []))
    totals = None if same else _columns(table.total_columns or [], table.totals)
    return View(
        key=key,
        title=title or table.title,
        columns=columns,
        rows=[[reports.cell(v) for v in row] for row in table.rows],
        total_columns=totals,
        totals=[[reports.cell(v) for v in row] for row in table.totals],
        notes=list(table.notes),
    )


def build(entries: Sequence[Any], currency: str, period: Period, now: datetime.date) -> Page:
    """The page's tables for a period (first, last day; None: open). Pure."""
    first, last = period
    as_of = min(last, now) if last else now
    span = f"{first or 'start'} to {last or 'end'}"
    try:
        tables = reports.overview(
            parse_book(entries)[0], entries, currency, start=first, end=last, as_of=as_of
        )
    except reports.ReportError as err:
        return Page(f"OneBox, {span}", error=str(err))
    titles = {
        "keep-stream": f"What you keep per stream, {span}, in {currency}",
        "keep-customer": f"What you keep per customer, {span}, in {currency}",
    }
    _, sold, cost, kept, pct = tables["keep-stream"].totals[0]
    headline = (
        f"Sold {sold} {currency}; OneBox cost {cost} {currency};"
        f" kept {kept} {currency}{f' ({pct}%)' if pct is not None else ''}."
    )
    return Page(
        f"OneBox, {span}",
        headline=headline,
        views=[view(key, table, titles.get(key)) for key, table in tables.items()],
        tables=list(tables.values()),
    )


class OneBox(FavaExtensionBase):
    """Fava's "OneBox" report page; see the module docs."""

    report_title = "OneBox"
    history_query = staticmethod(history_query)  # for the template's invoice and bill links

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._pages: dict[tuple[Period, datetime.date], Page] = {}

    def after_load_file(self) -> None:
        self._pages.clear()

    def period(self) -> Period:
        """Fava's time filter as (first day, last day), or (None, None)."""
        date_range = getattr(getattr(g, "filtered", None), "date_range", None)
        if date_range is None:
            return None, None
        return date_range.begin, date_range.end - datetime.timedelta(days=1)

    def page(self) -> Page:
        try:
            now = today()
        except InputError as err:
            return Page("OneBox", error=str(err))
        key = (self.period(), now)
        page = self._pages.pop(key, None)  # re-inserted: the newest is last
        if page is None:
            currencies = self.ledger.options["operating_currency"] or ["USD"]
            page = build(self.ledger.all_entries, currencies[0], key[0], now)
        self._pages[key] = page
        while len(self._pages) > PAGES_KEPT:
            del self._pages[next(iter(self._pages))]
        return page

    @extension_endpoint("report")  # type: ignore[untyped-decorator,arg-type]  # Fava types it loosely
    def report(self) -> Response:
        """GET: the page's tables as JSON, exact decimals as strings (the CLI's --format json)."""
        page = self.page()
        tables = {v.key: reports.payload(t) for v, t in zip(page.views, page.tables, strict=True)}
        return jsonify({"title": page.title, "error": page.error, "tables": tables})
