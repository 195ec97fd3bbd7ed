"""Open items: customer invoices and OneBox bills, and what is still open on each. Pure.

An invoice is every posting to ``Assets:Receivable:*`` carrying the same
``invoice:`` (on the posting, else on its transaction); a bill is every posting
to ``Liabilities:OneBox:Payable`` or ``:Grace`` carrying the same ``bill:``::

    2026-11-30 * "Acme Realty" "Cloud: 5 x 25.00 USD, November 2026"
      invoice: "inv-2026-11-acme"
      due: 2026-12-30
      Assets:Receivable:Acme   125.00 USD        ; invoiced 125.00
      Income:Cloud            -125.00 USD
    2026-12-10 * "Acme Realty" "Payment received"
      Assets:Bank              100.00 USD
      Assets:Receivable:Acme  -100.00 USD        ; paid 100.00, open 25.00
        invoice: "inv-2026-11-acme"

Amounts on an item are in one currency (the customer's, or OneBox's); every
posting of a foreign-currency item carries, as its price, the rate the item is
held at (``lot``: the operating currency's rate on its date; see
onebox_ledger.money). Items are
ordered oldest first (by date, then id), the order in which receipts and
payments are applied when no invoice or bill is named.

Money that matches nothing open is an item too: a customer's **credit** is every
posting to ``Liabilities:Customer-Credit:*`` carrying the same ``credit:`` (the
id of the receipt or credit note that made it), and OneBox **prepaid** every
posting to ``Assets:Prepaid:OneBox`` carrying the same ``prepaid:``. Both are
used oldest first.

An item carried into a new year by its roll (onebox_ledger.yearroll) is one
transaction stating the item as it stood at the year's end: its postings hold what
is open, its metadata the rest (``issued``, ``due``, ``until``, ``billed``,
``paid``, ``accrued``, ``in-grace``), so the item reads exactly as it did before
the roll::

    2026-12-31 * "Acme Realty" "Carried into 2027: invoice inv-2026-11-acme"
      id: "year/2026/open/invoice/inv-2026-11-acme"
      customer: "acme"
      invoice: "inv-2026-11-acme"
      issued: 2026-11-30
      due: 2026-12-30
      billed: 125.00
      paid: 100.00
      Assets:Receivable:Acme    25.00 USD        ; invoiced 125.00, paid 100.00, open 25.00
      Equity:Opening-Balances  -25.00 USD
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from . import beans
from .values import ZERO

RECEIVABLE_PREFIX = beans.RECEIVABLE + ":"  # an invoice's postings
BILL_ACCOUNTS = (beans.PAYABLE, beans.GRACE)  # a bill's postings


@dataclass
class OpenItem:
    id: str
    kind: str  # "invoice", "bill", "credit" (a customer's) or "prepaid" (at OneBox)
    date: datetime.date  # first posting
    currency: str
    customer: str | None = None
    billed: Decimal = ZERO  # invoiced, billed by OneBox, or credited / prepaid
    paid: Decimal = ZERO  # paid, or (credit, prepaid) used
    in_grace: Decimal = ZERO  # bills: the open part deferred under a grace period
    due: datetime.date | None = None
    until: datetime.date | None = None  # bills in grace: the new due date
    lot: beans.Lot | None = None  # a foreign-currency item's rate
    accrued: Decimal = ZERO  # bills: what the books accrued (billed - accrued: OneBox's change)

    @property
    def open(self) -> Decimal:
        return self.billed - self.paid

    @property
    def due_date(self) -> datetime.date:
        """When the open amount is due: the grace date while in grace, else the due date."""
        if self.in_grace > 0 and self.until is not None:
            return self.until
        return self.due or self.date


def item_key(post: data.Posting, entry: data.Transaction, name: str) -> str | None:
    """The posting's `name` (invoice or bill) id: on the posting, else on its transaction."""
    value = post.meta.get(name) if post.meta else None
    if type(value) is not str:
        value = entry.meta.get(name) if entry.meta else None
    return value if type(value) is str else None


def _item(
    items: dict[str, OpenItem], key: str, kind: str, entry: data.Transaction, currency: str
) -> OpenItem:
    """The item `key`, opened by `entry` (its first posting) when it is new."""
    item = items.get(key)
    if item is None:
        customer = entry.meta.get("customer") if kind in ("invoice", "credit") else None
        date = _date_meta(entry, "issued") if is_carried(entry) else None
        item = items[key] = OpenItem(key, kind, date or entry.date, currency, customer)
    return item


CARRIED = "/open/"  # in the id of a carried item: year/2026/open/invoice/inv-2026-11-acme


def is_carried(entry: data.Transaction) -> bool:
    """Whether `entry` carries an item into a new year (see the module docs)."""
    entry_id = entry.meta.get("id") if entry.meta else None
    return isinstance(entry_id, str) and entry_id.startswith("year/") and CARRIED in entry_id


def _amount_meta(entry: data.Transaction, name: str) -> Decimal:
    value = entry.meta.get(name)
    return value if isinstance(value, Decimal) else ZERO


def _carry(item: OpenItem, entry: data.Transaction, post: data.Posting) -> None:
    """Set `item` as a carried item's transaction states it (each of its postings sets the
    same values: an item carried on two accounts, Payable and Grace, counts once)."""
    item.billed = _amount_meta(entry, "billed")
    item.paid = _amount_meta(entry, "paid")
    item.accrued = _amount_meta(entry, "accrued")
    item.in_grace = _amount_meta(entry, "in-grace")
    item.due = _date_meta(entry, "due")
    item.until = _date_meta(entry, "until")
    if item.lot is None:
        item.lot = beans.lot_of(post)


def _date_meta(entry: data.Transaction, name: str) -> datetime.date | None:
    value = entry.meta.get(name) if entry.meta else None
    return value if isinstance(value, datetime.date) else None


def issued_by(items: list[OpenItem], date: datetime.date) -> list[OpenItem]:
    """Items issued on or before `date`, with every payment counted whatever its date.

    What a payment dated `date` may settle: a back-dated receipt must not pay
    again what a later-dated one already paid (``as_of`` is for reports only).
    """
    return [item for item in items if item.date <= date]


def invoices(
    entries: Iterable[data.Directive], as_of: datetime.date | None = None
) -> list[OpenItem]:
    """Every invoice with its amounts as of `as_of` (all dates when None), oldest first."""
    items: dict[str, OpenItem] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and not (as_of and entry.date > as_of):
            apply_invoices(items, entry)
    return sorted_invoices(items.values())


def sorted_invoices(items: Iterable[OpenItem]) -> list[OpenItem]:
    """Invoices oldest first: by date, then id."""
    return sorted(items, key=lambda i: (i.date, i.id))


def apply_invoices(items: dict[str, OpenItem], entry: data.Transaction) -> None:
    """Add one transaction's receivable postings to the invoices in `items` (in place)."""
    for post in entry.postings:
        if post.account.startswith(RECEIVABLE_PREFIX):
            add_invoice_posting(items, entry, post)


def add_invoice_posting(
    items: dict[str, OpenItem], entry: data.Transaction, post: data.Posting
) -> None:
    """Add one posting to an ``Assets:Receivable:*`` account to its invoice (in place)."""
    key = item_key(post, entry, "invoice")
    if key is None:
        return
    number, currency = beans.units(post)
    item = _item(items, key, "invoice", entry, currency)
    if is_carried(entry):
        _carry(item, entry, post)
        return
    if number > 0:
        item.billed += number
        item.due = item.due or _date_meta(entry, "due")
    else:
        item.paid -= number
    if item.lot is None:
        item.lot = beans.lot_of(post)


def bills(entries: Iterable[data.Directive], as_of: datetime.date | None = None) -> list[OpenItem]:
    """Every OneBox bill with billed, paid and in-grace amounts as of `as_of`, by due date."""
    items: dict[str, OpenItem] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and not (as_of and entry.date > as_of):
            apply_bills(items, entry)
    return sorted_bills(items.values())


def sorted_bills(items: Iterable[OpenItem]) -> list[OpenItem]:
    """Bills by due date (the grace date while in grace), then date, then id."""
    return sorted(items, key=lambda i: (i.due_date, i.date, i.id))


def apply_bills(items: dict[str, OpenItem], entry: data.Transaction) -> None:
    """Add one transaction's Payable/Grace postings to the bills in `items` (in place)."""
    for post in entry.postings:
        if post.account in BILL_ACCOUNTS:
            add_bill_posting(items, entry, post)


def add_bill_posting(
    items: dict[str, OpenItem], entry: data.Transaction, post: data.Posting
) -> None:
    """Add one posting to ``Liabilities:OneBox:Payable`` or ``:Grace`` to its bill (in place)."""
    key = item_key(post, entry, "bill")
    if key is None:
        return
    number, currency = beans.units(post)
    item = _item(items, key, "bill", entry, currency)
    if is_carried(entry):
        _carry(item, entry, post)
        return
    if item.lot is None:
        item.lot = beans.lot_of(post)
    entry_id = beans.entry_id(entry) or ""
    if entry_id.startswith("bill/"):  # what OneBox actually billed: more or less than accrued
        item.billed -= number
    elif entry_id.startswith("grace/"):
        if post.account == beans.GRACE:
            item.in_grace -= number
            item.until = _date_meta(entry, "until")
    elif number < 0:  # accrued by the close or a sale's cost
        item.billed -= number
        item.accrued -= number
        due = _date_meta(entry, "due")
        if due and (item.due is None or due > item.due):
            item.due = due
    else:
        item.paid += number
        if post.account == beans.GRACE:
            item.in_grace -= number


def credits(
    entries: Iterable[data.Directive], as_of: datetime.date | None = None
) -> list[OpenItem]:
    """Every customer credit and OneBox prepayment as of `as_of`, oldest first."""
    items: dict[str, OpenItem] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and not (as_of and entry.date > as_of):
            apply_credits(items, entry)
    return sorted_invoices(items.values())


def apply_credits(items: dict[str, OpenItem], entry: data.Transaction) -> None:
    """Add one transaction's credit and prepaid postings to the items in `items` (in place)."""
    for post in entry.postings:
        if beans.credit_kind(post.account) is not None:
            add_credit_posting(items, entry, post)


def add_credit_posting(
    items: dict[str, OpenItem], entry: data.Transaction, post: data.Posting
) -> None:
    """Add one posting to a customer's credit account, or to OneBox prepaid (in place).

    Credit is a liability: a credit posting (negative) adds to it, a debit uses it.
    Prepaid is an asset: a debit adds to it, a credit uses it.
    """
    kind = beans.credit_kind(post.account) or "credit"
    prepaid = kind == "prepaid"
    key = item_key(post, entry, kind)
    if key is None:
        return
    number, currency = beans.units(post)
    item = _item(items, key, kind, entry, currency)
    if is_carried(entry):
        _carry(item, entry, post)
        return
    if item.lot is None:
        item.lot = beans.lot_of(post)
    added = number if prepaid else -number
    if added > 0:
        item.billed += added
    else:
        item.paid -= added
