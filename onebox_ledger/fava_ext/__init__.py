"""The OneBox page in Fava: status, charts and the report tables, in words for people.

Enabled by this line of ``main.beancount`` (``onebox-ledger init`` writes it)::

    2026-01-01 custom "fava-extension" "onebox_ledger.fava_ext"

Fava then lists "OneBox" in its sidebar (``/<ledger>/extension/OneBox/``). The page has:

- a **status panel**, as of today whatever the period (onebox_ledger.status): the
  sealed months (first..last), the chain's head, the last close (the month and
  its seal's date: the ledger does not record when the command ran), months
  that have ended and are not closed, OneBox bills due within 7 days or overdue,
  invoices past due, and what the load checked (Fava's error count, the seal
  plugin's findings) beside what only ``onebox-ledger verify`` checks; each item
  links to where it is looked at or says the command that fixes it;
- **charts** (server-side SVG, no script, no network; charts.py) for the
  months of Fava's time filter (no filter: the last 12 months to today's):
  sold, OneBox cost and kept per month by stream, MRR at each month end by
  stream, open receivables at each month end by aging bucket with the customers'
  credit below zero (charts.py says which series each chart draws); each mark's
  hover title and the table beside each chart carry the exact numbers, which are
  the report commands' for that month (onebox_ledger.trends);
- the **tables** of ``onebox-ledger report keep|receivables|payables|mrr``, value for
  value: keep covers the filtered period; receivables, payables and MRR are as
  of its last day, or of today when the period has not ended yet. With no time
  filter, keep covers everything and the others are as of today ($ONEBOX_TODAY,
  as in the CLI). Headers and labels are words (words.py: ``onebox_cost`` -> "OneBox
  cost", ``billed`` -> "Billed by OneBox", ``adjustment`` -> "Adjustment", the
  bucket ``credit`` -> "Credit"), customers appear by name with their id on hover
  and link to Fava's journal filtered to them (``customer:"^acme-realty$"``; keep's
  "(none)", what no customer is named on, reads "No customer"), amounts have
  thousands separators. MRR's notes name only the rates MRR used.

Fava's account, tag and other filters do not apply: an invoice's open amount
depends on every payment to it. The same numbers are JSON at
``/<ledger>/extension/OneBox/report``: the tables, the monthly series and the
status, exact decimals as strings (as ``--format json``), column names as the
CLI's.

The class only reads: it renders with Fava's autoescaping template engine and
has no endpoint that writes (Fava has no authentication; GET must never change
anything). Each id in the receivables and payables links to Fava's query page
with the BQL query of its life (``history_query``): an invoice, every payment to
it and the running balance, which ends at the open amount shown; likewise a
bill, a customer's credit (a receivables row in bucket "credit": the receipt or
credit note that made it and the invoices it paid) and OneBox prepaid (a
payables row with status "prepaid": the payment and the bills it paid).
Everything is computed in one pass over the entries per ledger load and period
(the last PAGES_KEPT periods asked for are kept), with Python's cyclic garbage
collector paused while it runs (as the CLI's reports do).
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

from beancount.core import data
from fava.application import url_for
from fava.core import FavaLedger
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, g, jsonify

from .. import render, reports, trends
from ..clock import today
from ..model import Book, parse_book
from ..status import Status, status
from ..store import paused_gc
from ..values import InputError
from . import charts
from .words import amount, word

Period = tuple[datetime.date | None, datetime.date | None]
PAGES_KEPT = 8
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")  # quotable in BQL: no quote, no backslash
# the accounts of an item's postings, by the item's kind (its id is that metadata key)
HISTORY_ACCOUNTS = {
    "invoice": "^Assets:Receivable:",
    "bill": "^Liabilities:OneBox:",
    "credit": "^Liabilities:Customer-Credit:",  # a customer's credit: receivables, bucket credit
    "prepaid": "^Assets:Prepaid:OneBox$",  # OneBox prepaid: payables, status prepaid
}
# an id column, and the (column, value) marking a row whose id is of another kind of item
ID_COLUMNS = {"invoice": ("bucket", "credit"), "bill": ("status", "prepaid")}
LABEL_COLUMNS = ("stream", "bucket")  # columns whose values are words (cloud -> Cloud)
PAST_DUE_SHOWN = 5
LINK_SLOT = "ONEBOXLINKSLOT"  # stands for a link's own parameter in a URL built once
QUERY_SAFE = "!$'()*,/:;?@"  # what werkzeug leaves unquoted in a query string (its _urlencode)


def history_query(kind: str, item_id: str) -> str | None:
    """The BQL query of the life of an invoice, a bill, a customer's credit or OneBox prepaid
    (`kind`): every posting carrying its id (on the posting, else on its transaction), with the
    running balance, which ends at its open amount (credit: that amount negated, a liability;
    prepaid: the asset, which the payables show negated). None for an id that cannot be
    quoted safely (ids the tool writes always can)."""
    if kind not in HISTORY_ACCOUNTS or not SAFE_ID.fullmatch(item_id):
        return None
    return (
        "SELECT date, narration, position, balance"
        f" WHERE any_meta('{kind}') = '{item_id}' AND account ~ '{HISTORY_ACCOUNTS[kind]}'"
    )


def customer_filter(customer_id: str) -> str | None:
    """Fava's filter for one customer's entries: ``customer:"^acme-realty$"``.

    Fava matches a metadata value as a case-insensitive regular expression
    (``customer:"acme"`` would also match ``acme-realty``), so the id is anchored
    and its regex characters escaped. None for an id that cannot be quoted."""
    escaped = re.sub(r"([\\.^$*+?{}\[\]|()])", r"\\\1", customer_id)
    if '"' not in escaped:
        return f'customer:"^{escaped}$"'
    if "'" not in escaped:
        return f"customer:'^{escaped}$'"
    return None


@dataclass(frozen=True)
class Cell:
    """A table cell as the page shows it."""

    text: str
    numeric: bool = False
    hover: str = ""  # the title attribute: a customer's id
    kind: str = ""  # what it links to: "customer" (the journal), "invoice" or "bill" (a query)
    target: str = ""  # the id the link is for


@dataclass(frozen=True)
class Column:
    name: str  # the report's column name
    text: str  # its words
    numeric: bool  # right-aligned


@dataclass(frozen=True)
class View:
    """A reports.Table as cells for the template."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total_columns: list[Column] | None
    totals: list[list[Cell]]
    notes: list[str]


@dataclass(frozen=True)
class Page:
    title: str
    headline: str = ""  # "Sold ...; OneBox cost ...; kept ... (...%)." for the period
    views: list[View] = field(default_factory=list)
    tables: list[reports.Table] = field(default_factory=list)
    charts: list[charts.Chart] = field(default_factory=list)
    series: dict[str, reports.Table] = field(default_factory=dict)  # for the JSON
    status: Status | None = None
    names: dict[str, str] = field(default_factory=dict)  # customer id -> name
    currency: str = ""
    error: str | None = None


def _columns(names: list[str], rows: list[list[Any]]) -> list[Column]:
    numeric = render.numeric_columns(len(names), rows)
    return [Column(name, word(name), flag) for name, flag in zip(names, numeric, strict=True)]


def _cell(column: Column, value: Any, names: dict[str, str], first: bool, item: str) -> Cell:
    """`item`: the kind of item an id column's cell names in this row ("" elsewhere)."""
    if column.numeric:
        return Cell(amount(value), numeric=True)
    text = render.cell(value)
    if column.name == "customer":
        if text in names:
            return Cell(names[text], hover=text, kind="customer", target=text)
        if text == reports.UNNAMED:
            return Cell(word(text))
    if item and history_query(item, text):
        return Cell(text, kind=item, target=text)
    if column.name in LABEL_COLUMNS or (first and reports.is_total_label(text)):
        return Cell(word(text))
    return Cell(text)


def _item_kinds(columns: list[Column]) -> list[tuple[int, int, str, str]]:
    """For each id column: (its index, the index of the column marking another kind of item
    or -1, the marking value, the column's own kind): a receivables row in bucket "credit"
    names a customer's credit, a payables row with status "prepaid" OneBox prepaid."""
    index = {c.name: i for i, c in enumerate(columns)}
    out = []
    for name, (marker, value) in ID_COLUMNS.items():
        if name in index:
            out.append((index[name], index.get(marker, -1), value, name))
    return out


def _cells(
    columns: list[Column],
    row: list[Any],
    names: dict[str, str],
    ids: Sequence[tuple[int, int, str, str]] = (),
) -> list[Cell]:
    items = [""] * len(columns)
    for at, marker, value, kind in ids:
        items[at] = value if marker >= 0 and row[marker] == value else kind
    return [
        _cell(c, v, names, i == 0, items[i])
        for i, (c, v) in enumerate(zip(columns, row, strict=True))
    ]


def view(
    key: str, table: reports.Table, names: dict[str, str] | None = None, title: str | None = None
) -> View:
    """The template's cells of a table: words for headers and labels, names for customer ids,
    amounts with thousands separators."""
    names = names or {}
    same = table.total_columns is None
    columns = _columns(table.columns, table.rows + (table.totals if same else []))
    totals = None if same else _columns(table.total_columns or [], table.totals)
    ids = _item_kinds(columns)
    return View(
        key=key,
        title=title or table.title,
        columns=columns,
        rows=[_cells(columns, row, names, ids) for row in table.rows],
        total_columns=totals,
        totals=[_cells(totals or columns, row, names) for row in table.totals],
        notes=list(table.notes),
    )


def _charts(overview: trends.Overview, currency: str, names: dict[str, str]) -> list[charts.Chart]:
    months = [str(m) for m in overview.months]
    if not months:
        return []
    span = f"{overview.months[0]} to {overview.months[-1]}, in {currency}"
    out = []
    for column, title, what in (
        ("sold", "Sold per month, by stream", " sold"),
        ("onebox_cost", "OneBox cost per month, by stream", " OneBox cost"),
        ("kept", "Kept per month, by stream", " kept"),
    ):
        grid = charts.long_grid(overview.keep, months, "stream", column)
        chart = charts.chart(f"keep-{column}", f"{title}, {span}", grid, currency, what=what)
        out.append(chart)
    mrr = charts.long_grid(overview.mrr, months, "stream", "mrr")
    out.append(charts.chart("mrr", f"MRR at each month end, by stream, {span}", mrr, currency))
    aging = charts.wide_grid(overview.aging, months, skip=("as_of",))
    columns = ["customer", *overview.aging.columns[2:]]
    for month in months:
        for bucket in aging.series:
            who = charts.customers_in(overview.aging_customers[month], columns, bucket, names)
            if who:
                aging.extra[(month, bucket)] = who
    title = f"Open receivables at each month end, by days past due, {span}"
    out.append(charts.chart("aging", title, aging, currency, buckets=True))
    for chart, table in zip(out, [overview.keep] * 3 + [overview.mrr, overview.aging], strict=True):
        chart.notes.extend(table.notes)
    return out


def build(
    entries: Sequence[Any],
    currency: str,
    period: Period,
    now: datetime.date,
    *,
    errors: Sequence[Any] = (),
    plugins: Sequence[str] = (),
    book: Book | None = None,
    customs: Sequence[Any] | None = None,
) -> Page:
    """The page for a period (first, last day; None: open) on day `now`. Pure.

    `errors` are the load's errors and `plugins` main.beancount's plugin names
    (for the status panel); `book` the parsed book and `customs` the entries' custom
    directives, when the caller has them at hand."""
    first, last = period
    as_of = min(last, now) if last else now
    span = f"{first or 'start'} to {last or 'end'}"
    book = book if book is not None else parse_book(entries)[0]
    names = {cid: customer.name for cid, customer in book.customers.items()}
    try:
        overview = trends.collect(
            book, entries, currency, start=first, end=last, as_of=as_of, today=now,
            months=trends.chart_months(first, last, now),
        )  # fmt: skip
    except reports.ReportError as err:
        return Page(f"OneBox, {span}", error=str(err))
    tables = overview.tables
    titles = {
        "keep-stream": f"What you keep per stream, {span}, in {currency}",
        "keep-customer": f"What you keep per customer, {span}, in {currency}",
    }
    totals = tables["keep-stream"].totals
    _, sold, cost, kept, pct = totals[0]
    headline = (
        f"Sold {amount(sold)} {currency}; OneBox cost {amount(cost)} {currency};"
        f" kept {amount(kept)} {currency}{f' ({pct}%)' if pct is not None else ''}."
    )
    if len(totals) > 1:  # the single tax and commission rows, then what is kept after them
        what, _, _, kept, pct = totals[-1]
        headline += (
            f" {str(what).capitalize()} {amount(kept)} {currency}"
            f"{f' ({pct}%)' if pct is not None else ''}."
        )
    return Page(
        f"OneBox, {span}",
        headline=headline,
        views=[view(key, table, names, titles.get(key)) for key, table in tables.items()],
        tables=list(tables.values()),
        charts=_charts(overview, currency, names),
        series={"keep": overview.keep, "mrr": overview.mrr, "aging": overview.aging},
        status=status(
            book,
            entries if customs is None else customs,
            payables=overview.payables_today,
            receivables=overview.receivables_today,
            today=now,
            errors=errors,
            plugins=plugins,
        ),
        names=names,
        currency=currency,
    )


def status_payload(state: Status) -> dict[str, Any]:
    """The status panel as JSON-ready data (exact decimals and dates as text)."""
    head = state.head
    return {
        "today": state.today.isoformat(),
        "sealed": {
            "first": str(state.sealed[0]) if state.sealed else None,
            "last": str(state.sealed[-1]) if state.sealed else None,
            "months": len(state.sealed),
        },
        "head": {"month": str(head.month), "digest": head.digest} if head else None,
        "last_close": (
            {"month": str(head.month), "seal_date": head.entry.date.isoformat()} if head else None
        ),
        "unclosed": [str(month) for month in state.unclosed],
        "bills": [{k: render.cell(v) for k, v in row.items()} for row in state.bills],
        "past_due": {
            "invoices": len(state.past_due),
            "total": render.cell(state.past_due_total),
            "buckets": {k: render.cell(v) for k, v in state.past_due_buckets.items()},
        },
        "checks": {
            "errors": state.errors,
            "seal_findings": state.seal_findings,
            "seal_plugin": state.seal_plugin,
            "verify": "not run by the page: run onebox-ledger verify",
        },
    }


class Links:
    """Fava's URLs for the page's links, keeping Fava's time filter. Made once per rendering:
    each kind of URL is built once with url_for and completed per link (url_for per link
    was a tenth of the page's time on 1,000 customers)."""

    def __init__(self, root: str) -> None:
        self.root = root  # main.beancount's folder, for file names
        self._bases: dict[tuple[str, str], str] = {}

    def _link(self, report_name: str, param: str, value: str) -> str:
        """Fava's URL of a report with `param` set to `value` (and Fava's other filters)."""
        base = self._bases.get((report_name, param))
        if base is None:
            base = self._bases[(report_name, param)] = url_for(
                "report", report_name=report_name, **{param: LINK_SLOT}
            )
        return base.replace(LINK_SLOT, quote_plus(value, safe=QUERY_SAFE), 1)

    def href(self, cell: Cell) -> str:
        """Where a cell links to ("" for none)."""
        if cell.kind == "customer":
            return self.journal(cell.target)
        return self.query(cell.kind, cell.target) if cell.kind else ""

    def query(self, kind: str, item_id: str) -> str:
        """Fava's query page with the BQL query of an item's life (see history_query)."""
        query = history_query(kind, item_id)
        return self._link("query", "query_string", query) if query else ""

    def journal(self, customer_id: str) -> str:
        """Fava's journal filtered to one customer's entries."""
        wanted = customer_filter(customer_id)
        return self._link("journal", "filter", wanted) if wanted else ""

    def month(self, month: str) -> str:
        """Fava's journal for one month."""
        return url_for("report", report_name="journal", time=month)

    def source(self, entry: data.Directive) -> str:
        """Fava's editor at an entry's file and line (read-only under onebox-ledger serve)."""
        meta = entry.meta or {}
        return url_for(
            "report", report_name="editor", file_path=str(meta.get("filename", "")),
            line=str(meta.get("lineno", 0)),
        )  # fmt: skip

    def source_name(self, entry: data.Directive) -> str:
        """An entry's file, relative to main.beancount's folder, and line."""
        meta = entry.meta or {}
        filename = str(meta.get("filename", ""))
        if filename.startswith(self.root + os.sep):
            filename = filename[len(self.root) + 1 :]
        return f"{filename}:{meta.get('lineno', 0)}"

    def errors(self) -> str:
        """Fava's page of the load's errors."""
        return url_for("report", report_name="errors")


class OneBox(FavaExtensionBase):
    """Fava's "OneBox" report page; see the module docs."""

    report_title = "OneBox"
    history_query = staticmethod(history_query)  # for the template's invoice and bill links
    palette = staticmethod(charts.palette)
    past_due_shown = PAST_DUE_SHOWN

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self._pages: dict[tuple[Period, datetime.date], Page] = {}
        self._book: Book | None = None

    def after_load_file(self) -> None:
        self._pages.clear()
        self._book = None

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
            ledger = self.ledger
            currencies = ledger.options["operating_currency"] or ["USD"]
            plugins = [str(name) for name, _ in ledger.options.get("plugin") or ()]
            with paused_gc():  # many objects beside millions that stay alive (see store)
                entries: Sequence[Any] = ledger.all_entries
                if self._book is None:
                    self._book = parse_book(entries)[0]
                page = build(
                    entries, currencies[0], key[0], now, errors=ledger.errors,
                    plugins=plugins, book=self._book, customs=ledger.all_entries_by_type.Custom,
                )  # fmt: skip
        self._pages[key] = page
        while len(self._pages) > PAGES_KEPT:
            del self._pages[next(iter(self._pages))]
        return page

    def links(self) -> Links:
        """The links of one rendering of the page (see Links)."""
        return Links(os.path.dirname(self.ledger.beancount_file_path))

    @staticmethod
    def amount(value: Decimal | int) -> str:
        return amount(value)

    @staticmethod
    def word(name: str) -> str:
        return word(name)

    @extension_endpoint("report")  # type: ignore[untyped-decorator,arg-type]  # Fava types it loosely
    def report(self) -> Response:
        """GET: the page's tables, monthly series and status as JSON, exact decimals as strings
        (the tables as the CLI's --format json)."""
        page = self.page()
        tables = {v.key: render.payload(t) for v, t in zip(page.views, page.tables, strict=True)}
        return jsonify(
            {
                "title": page.title,
                "error": page.error,
                "tables": tables,
                "series": {key: render.payload(t) for key, t in page.series.items()},
                "status": status_payload(page.status) if page.status else None,
            }
        )
