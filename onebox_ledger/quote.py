"""A quote before the sale: "I sell this for X: how much will I keep?" Pure.

For a new customer's box of `quantity` units of a OneBox item at `price` a unit and
month (and a one-time part, kept 100%), in the month of `as_of`::

    5 x cloud-user at 25.00 USD, 2,000.00 once, the seed's terms (65% of list from 1 box,
    60% from 10), no other box:

    part      sold     onebox_cost  kept     kept_pct
    monthly   125.00   81.25        43.75    35.0       5 x 25.00 list x 65%
    once      2000.00  0.00         2000.00  100.0

The OneBox cost is billing's (billing.box_cost), at the tier the partner would be in
with this box: the month's active boxes (billing.active_boxes) plus one. When that box crosses a tier, every box
moves to the new rate, and the quote says what the portfolio's OneBox cost changes in
that month: each contract consuming an item, priced as the close will price it (its real
days in the month: a contract that ends or changes within it counts only its days), at the
new rate minus at the old.

A services quote (``--stream services``) consumes no item: it costs nothing and adds
no box. Amounts are in the operating currency, as ``report keep`` shows them: a price
in another currency is converted at the ledger's rate on `as_of` (the note says which),
as the close converts the invoice it will issue.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from . import beans
from .billing import BillingError, box_cost, charge
from .model import Book
from .money import MoneyError, Rates
from .reports import Table
from .values import ZERO, Money, Month, round_money, show_money


class QuoteError(Exception):
    """The terms cannot price the quote (no list price, no tier, no rate); one line."""


def _pct(kept: Decimal, sold: Decimal) -> Decimal | None:
    return None if not sold else (kept * 100 / sold).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _rate(rates: Rates, currency: str, as_of: datetime.date, what: str) -> Decimal:
    try:
        return rates.need(currency, as_of, what)
    except MoneyError as err:
        raise QuoteError(str(err)) from None


def quote(
    book: Book,
    rates: Rates,
    *,
    item: str | None,
    quantity: int,
    price: Money,
    once: Money | None,
    as_of: datetime.date,
    stream: str = "cloud",
) -> Table:
    """The quote's table (see the module docs); its notes give the rates and the tier."""
    month = Month.of(as_of)
    operating = rates.operating
    if stream == "services" and item is not None:
        raise QuoteError("a services contract consumes no OneBox item; drop --item")
    if stream != "services" and item is None:
        raise QuoteError(f"a {stream} sale consumes a OneBox item: give --item (cloud-user)")
    notes = []
    sold_rate = _rate(rates, price.currency, as_of, "the price")
    sold = round_money(price.number * quantity * sold_rate)
    if price.currency != operating:
        notes.append(
            f"sold: {quantity} x {show_money(*price)} ="
            f" {show_money(round_money(price.number * quantity), price.currency)} at {sold_rate} {operating}"
            f" on {as_of}"
        )
    once_sold = None
    if once is not None:
        once_sold = round_money(
            once.number * _rate(rates, once.currency, as_of, "the one-time part")
        )
        if once.currency != operating:
            notes.append(f"once: {show_money(*once)} = {show_money(once_sold, operating)}")
    cost = ZERO.quantize(Decimal("0.01"))
    crossing: tuple[Decimal, Decimal, Decimal] | None = None  # before, after, the change
    if item is not None:
        try:
            box = box_cost(book, item, quantity, as_of)
        except BillingError as err:
            raise QuoteError(str(err)) from None
        listed = box.item.price
        list_rate = _rate(rates, listed.currency, as_of, f"the list price of {item}")
        cost = round_money(box.exact * list_rate)
        notes.append(
            f"OneBox cost: {quantity} x {show_money(beans.number(listed), listed.currency)} list x"
            f" {(box.rate * 100).normalize():f}% (the tier of {box.boxes} active box(es) in"
            f" {month}, this one included)"
        )
        if box.before is not None and box.before != box.rate:
            try:
                change = _portfolio_change(book, rates, as_of, box.before, box.rate)
            except BillingError as err:
                raise QuoteError(str(err)) from None
            crossing = (box.before, box.rate, change)
    table = Table(
        f"Quote: {quantity} x {item or stream} at {show_money(*price)} a month"
        f"{f', {show_money(*once)} once' if once else ''}, as of {as_of} ({operating})",
        ["part", "sold", "onebox_cost", "kept", "kept_pct"],
    )
    table.rows.append(["monthly", sold, cost, sold - cost, _pct(sold - cost, sold)])
    if once_sold is not None:
        table.rows.append(["once", once_sold, ZERO.quantize(Decimal("0.01")), once_sold,
                           Decimal("100.0")])  # fmt: skip
    first_sold = sold + (once_sold or ZERO)
    table.totals.append(
        ["first month", first_sold, cost, first_sold - cost, _pct(first_sold - cost, first_sold)]
    )
    table.notes.extend(notes)
    if crossing is not None:
        before, after, change = crossing
        table.notes.append(
            f"this box moves every box from {(before * 100).normalize():f}% to"
            f" {(after * 100).normalize():f}% of list: the OneBox cost of your other boxes"
            f" changes by {change:+} {operating} a month"
        )
    return table


def _portfolio_change(
    book: Book, rates: Rates, as_of: datetime.date, before: Decimal, after: Decimal
) -> Decimal:
    """What the month of `as_of` costs at `after` minus at `before`: each contract consuming an
    item per unit-month, priced as the close prices it (billing.charge: its real days in the
    month, a contract ending or changing within it included), rounded per contract as the close
    rounds, in the operating currency at the rate of `as_of`. Metered contracts are left out
    (their month's usage is not known before the close)."""
    month = Month.of(as_of)
    change = ZERO
    for cid in sorted(book.contracts):
        contract = book.contracts[cid]
        if contract.item is None or contract.billing == "metered":
            continue
        at_after = charge(book, contract, month, after)
        at_before = charge(book, contract, month, before)
        if at_after is None or at_before is None or at_after.cost_currency is None:
            continue
        what = f"the list price of {contract.item}"
        change += (at_after.cost - at_before.cost) * _rate(
            rates, at_after.cost_currency, as_of, what
        )
    return round_money(change)
