"""A quote before the sale: "I sell this for X: how much will I keep?" Pure.

For a new customer's box of `quantity` units of a OneBox item at `price` a unit and
month (and a one-time part, kept 100%), in the month of `as_of`::

    5 x cloud-user at 25.00 USD, 2,000.00 once, the seed's terms (65% of list from 1 box,
    60% from 10), no other box:

    part      sold     onebox_cost  kept     kept_pct
    monthly   125.00   81.25        43.75    35.0       5 x 25.00 list x 65%
    once      2000.00  0.00         2000.00  100.0

The OneBox cost is at the tier the partner would be in with this box: the month's
active boxes (billing.active_boxes) plus one. When that box crosses a tier, every box
moves to the new rate, and the quote says what the portfolio's OneBox cost changes by
a month: each contract consuming an item that month, its units on `as_of` x the item's
list price, at the new rate minus at the old, rounded once.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from . import beans
from .billing import active_boxes
from .model import Book
from .reports import Table
from .values import ZERO, Month, round_money

Money = tuple[Decimal, str]


class QuoteError(Exception):
    """The terms cannot price the quote (no list price, no tier); one line."""


def _pct(kept: Decimal, sold: Decimal) -> Decimal | None:
    return None if not sold else (kept * 100 / sold).quantize(Decimal("0.1"), ROUND_HALF_UP)


def quote(
    book: Book,
    *,
    item: str,
    quantity: int,
    price: Money,
    once: Money | None,
    as_of: datetime.date,
) -> Table:
    """The quote's table (see the module docs); its notes give the rates and the tier."""
    month = Month.of(as_of)
    listed = book.item(item, as_of)
    if listed is None:
        raise QuoteError(f"item {item!r} has no list price on {as_of}")
    if listed.per is not None:
        raise QuoteError(f"item {item!r} is metered (per {listed.per:f} units): quote its blocks")
    if listed.price.currency != price[1]:
        raise QuoteError(
            f"OneBox lists {item} in {listed.price.currency}; quote the price in it, not {price[1]}"
        )
    boxes = active_boxes(book, month)
    before, after = book.rate(boxes, as_of), book.rate(boxes + 1, as_of)
    if after is None:
        raise QuoteError(
            f"no cost rate applies to {boxes + 1} box(es) on {as_of}"
            " (add a tier: onebox-ledger terms rate 1 0.65)"
        )
    list_price = beans.number(listed.price)
    sold = round_money(price[0] * quantity)
    cost = round_money(list_price * quantity * after)
    currency = price[1]
    table = Table(
        f"Quote: {quantity} x {item} at {price[0]} {currency} a month"
        f"{f', {once[0]} {once[1]} once' if once else ''}, as of {as_of}",
        ["part", "sold", "onebox_cost", "kept", "kept_pct"],
    )
    table.rows.append(["monthly", sold, cost, sold - cost, _pct(sold - cost, sold)])
    if once is not None:
        table.rows.append(["once", once[0], ZERO.quantize(Decimal("0.01")), once[0],
                           Decimal("100.0")])  # fmt: skip
    first_sold = sold + (once[0] if once else ZERO)
    table.totals.append(
        ["first month", first_sold, cost, first_sold - cost, _pct(first_sold - cost, first_sold)]
    )
    table.notes.append(
        f"OneBox cost: {quantity} x {list_price} {listed.price.currency} list x"
        f" {(after * 100).normalize():f}% (the tier of {boxes + 1} active box(es) in {month},"
        f" this one included)"
    )
    if before is not None and before != after:
        units = ZERO
        for contract in book.contracts.values():
            if contract.item is None or not contract.active_on(as_of):
                continue
            consumed = book.item(contract.item, as_of)
            if consumed is None or consumed.per is not None:
                continue
            count, _ = contract.terms_on(as_of)
            units += count * beans.number(consumed.price)
        change = round_money(units * after) - round_money(units * before)
        table.notes.append(
            f"this box moves every box from {(before * 100).normalize():f}% to"
            f" {(after * 100).normalize():f}% of list: the OneBox cost of your other boxes"
            f" changes by {change:+} {listed.price.currency} a month"
        )
    return table
