"""Words for people: the page's headers and labels, and amounts as people read them. Pure.

The reports name their columns for programs (``onebox_cost``, ``kept_pct``,
``days_past_due``; the CLI and the JSON keep those names). The page shows them
through ONE mapping, :data:`WORDS`, with a fallback for a name it does not know
(a column added to a report later still reads as words)::

    word("onebox_cost")    -> "OneBox cost"
    word("kept_pct")       -> "Kept %"
    word("days_past_due")  -> "Days past due"
    word("fx_difference")  -> "FX difference"      (fallback: words, known abbreviations)

Amounts on the page have thousands separators (``amount(Decimal("21528.51"))`` ->
``"21,528.51"``), every digit kept; the JSON keeps the exact text ``"21528.51"``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

WORDS = {
    # columns of the reports
    "stream": "Stream",
    "customer": "Customer",
    "contract": "Contract",
    "sold": "Sold",
    "onebox_cost": "OneBox cost",
    "kept": "Kept",
    "kept_pct": "Kept %",
    "invoice": "Invoice",
    "bill": "Bill",
    "date": "Date",
    "due": "Due",
    "currency": "Currency",
    "open": "Open",
    "days_past_due": "Days past due",
    "bucket": "Aging",
    "billed": "Billed by OneBox",  # payables: what OneBox billed (vs. what the close accrued)
    "paid": "Paid",
    "status": "Status",
    "mrr": "MRR",
    "quantity": "Quantity",
    "customers": "Customers",
    "accrued": "Accrued",
    "difference": "Difference",
    "month": "Month",
    "as_of": "As of",
    "total": "Total",
    # aging buckets (columns of the receivables totals, values of its bucket column)
    "current": "Not yet due",
    "1-30": "1-30 days",
    "31-60": "31-60 days",
    "61-90": "61-90 days",
    "90+": "Over 90 days",
    "credit": "Credit",  # a customer's credit: a bucket (the rows) and a column (the totals)
    # streams
    "cloud": "Cloud",
    "data": "Data",
    "product": "Product",
    "services": "Services",
    # keep's row of Expenses:OneBox:Adjustment: what OneBox billed over or under the accrual
    "adjustment": "Adjustment",
    "(none)": "No customer",  # keep's customer of what has none (a OneBox bill's adjustment)
}
# words the fallback writes in a way of their own
_SPELLING = {"onebox": "OneBox", "pct": "%", "mrr": "MRR", "fx": "FX", "id": "ID", "usd": "USD"}
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def word(name: str) -> str:
    """The words for a column name or label: WORDS, else the name's parts as words
    (``bad_debt`` -> "Bad debt", ``fx-gains`` -> "FX gains")."""
    known = WORDS.get(name)
    if known is not None:
        return known
    parts = [part for part in name.replace("-", "_").split("_") if part]
    if not parts:
        return name
    text = " ".join(_SPELLING.get(part.lower(), part) for part in parts)
    return text[0].upper() + text[1:]


def amount(value: Any) -> str:
    """A number as the page shows it: thousands separators, every digit of the exact value
    (``Decimal("-1234.5")`` -> ``"-1,234.5"``); anything else as the reports' cell text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, int):
        return f"{value:,}"
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def month_label(month: str) -> str:
    """``"2026-10"`` -> ``"Oct 2026"``."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"
