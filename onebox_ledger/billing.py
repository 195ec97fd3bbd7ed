"""What to bill a customer and what OneBox costs, for one contract and one month. Pure.

The rules, each with the seed example (5 cloud users at 25.00 USD, OneBox list
25.00 USD per user-month, 65% cost rate):

- monthly: price x quantity x active days / days in month, per stretch of
  constant quantity and price, rounded half-up to cents once per invoice:
  5 x 25.00 = 125.00; from Nov 15 on: 5 x 25.00 x 16/30 = 66.67.
- annual: at each start anniversary, 12 x price x quantity is billed into
  Deferred-Revenue; each of the 12 months from that anniversary's month on
  recognises one twelfth into Income (rounded; month 12 takes the remainder).
  Quantity and price are those in force on the anniversary: a change applies
  from the next one.
- once: price x quantity in the start month.
- metered: blocks = round_half_up(units / per) of the contract's metered item
  (OneBox's data tariff: per 1000 records, 499 -> 0, 500 -> 1, 1500 -> 2);
  billed blocks x price, no proration.
- OneBox cost, for every contract with an item: the units it consumed that
  month (the same quantity and day fractions as its invoice; annual contracts
  a full month of the year's quantity) x the item's list price x the partner's
  cost rate, rounded half-up once: 5 x 25.00 x 0.65 = 81.25.
- the cost rate is the tier with the largest threshold at or below the number
  of active boxes in the month (customers with any item-consuming contract
  active on any day of it); crossing a tier changes the rate of every box of
  that month. Item prices, tiers and payment terms are those in force on the
  month's last day.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from . import beans
from .model import Book, Contract, Item
from .values import ZERO, Month, round_half_up, round_money


class BillingError(Exception):
    """The terms cannot price this month (missing rate, item price or usage)."""


@dataclass(frozen=True)
class Stretch:
    """Days of a month with constant quantity and price."""

    first: datetime.date
    days: int
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Charge:
    """One contract's month: what is invoiced, deferred, recognised, and what it costs."""

    contract: Contract
    month: Month
    invoiced: Decimal  # debited to the customer's receivable
    deferred: Decimal  # of `invoiced`, the part credited to Deferred-Revenue (annual)
    recognised: Decimal  # credited to Income:<Stream> this month
    cost: Decimal  # OneBox cost at partner cost (item currency)
    cost_currency: str | None
    describe: str  # how the invoice was computed, for the narration
    describe_cost: str  # how the cost was computed


def _anniversary(start: datetime.date, years: int) -> datetime.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def stretches(contract: Contract, month: Month) -> list[Stretch]:
    """The contract's active days in `month`, split where quantity or price change."""
    first = max(contract.start, month.first)
    last = min(contract.end, month.last) if contract.end else month.last
    if first > last:
        return []
    bounds = [first]
    bounds += [c.date for c in contract.changes if first < c.date <= last]
    bounds.append(last + datetime.timedelta(days=1))
    result = []
    for begin, end in itertools.pairwise(bounds):
        quantity, price = contract.terms_on(begin)
        result.append(Stretch(begin, (end - begin).days, quantity, beans.number(price)))
    return result


def active_boxes(book: Book, month: Month) -> int:
    """Customers with an item-consuming contract active on any day of `month`."""
    return len(
        {
            c.customer
            for c in book.contracts.values()
            if c.item is not None and _consumes_in(c, month)
        }
    )


def _consumes_in(contract: Contract, month: Month) -> bool:
    if contract.billing == "once":
        return Month.of(contract.start) == month
    if contract.billing == "annual":
        return annual_year(contract, month) is not None
    return contract.active_in(month)


def annual_year(contract: Contract, month: Month) -> tuple[datetime.date, int] | None:
    """(anniversary opening the contract year that `month` falls in, month index 0-11), or None."""
    offset = month.minus(Month.of(contract.start))
    if offset < 0:
        return None
    anniversary = _anniversary(contract.start, offset // 12)
    if contract.end is not None and (anniversary > contract.end or month > Month.of(contract.end)):
        return None
    return anniversary, offset % 12


def billed_from(contract: Contract, date: datetime.date) -> datetime.date:
    """The date whose terms bill `date`: the date itself, or an annual contract's anniversary."""
    if contract.billing != "annual":
        return date
    year = annual_year(contract, Month.of(date))
    return year[0] if year else date


def _fmt(number: Decimal) -> str:
    return f"{number:.2f}" if number == number.quantize(Decimal("0.01")) else f"{number:f}"


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def charge(
    book: Book,
    contract: Contract,
    month: Month,
    rate: Decimal | None,
    usage: Decimal | None = None,
) -> Charge | None:
    """The contract's charge for `month`, or None when it has nothing in it."""
    cur = contract.currency
    days = month.days
    invoiced = deferred = recognised = ZERO
    # item units consumed, as (units x days, how): the cost is units x days x price x rate
    # / days in month, multiplied out before the one division so half-up sees the exact amount
    units: list[tuple[Decimal, str]] = []
    if contract.billing == "monthly":
        parts = stretches(contract, month)
        if not parts:
            return None
        exact = sum((s.price * s.quantity * s.days / days for s in parts), ZERO)
        invoiced = recognised = round_money(exact)
        describe = " + ".join(
            f"{s.quantity} x {_fmt(s.price)} {cur}"
            + ("" if s.days == days else f" for {s.days}/{days} days")
            for s in parts
        )
        units = [
            (
                Decimal(s.quantity) * s.days,
                f"{s.quantity}" + ("" if s.days == days else f" for {s.days}/{days} days"),
            )
            for s in parts
        ]
    elif contract.billing == "once":
        if Month.of(contract.start) != month:
            return None
        invoiced = recognised = round_money(beans.number(contract.price) * contract.quantity)
        describe = f"{contract.quantity} x {_fmt(beans.number(contract.price))} {cur}, once"
        units = [(Decimal(contract.quantity) * days, f"{contract.quantity}")]
    elif contract.billing == "annual":
        year = annual_year(contract, month)
        if year is None:
            return None
        anniversary, index = year
        quantity, price = contract.terms_on(anniversary)
        year_amount = round_money(beans.number(price) * quantity * 12)
        twelfth = round_money(year_amount / 12)
        ends_now = contract.end is not None and Month.of(contract.end) == month
        # month 12 takes the rounding remainder; a contract ending early recognises the rest
        recognised = twelfth if index < 11 and not ends_now else year_amount - index * twelfth
        if index == 0:
            invoiced = deferred = year_amount
        describe = (
            f"{quantity} x {_fmt(beans.number(price))} {cur} x 12 months from {anniversary},"
            f" month {index + 1} of 12"
        )
        units = [(Decimal(quantity) * days, f"{quantity}")]
    else:  # metered
        if not contract.active_in(month):
            return None
        if usage is None:
            raise BillingError(
                f"no usage recorded for metered contract {contract.id!r} in {month}"
                f" (record it: onebox-ledger usage {contract.id} UNITS --month {month})"
            )
        item = _item(book, contract, month)
        assert item.per is not None
        blocks = round_half_up(usage / item.per)
        invoiced = recognised = round_money(blocks * beans.number(contract.price))
        describe = f"{usage:f} units = {blocks} x {item.per:f}, x {_fmt(beans.number(contract.price))} {cur}"
        units = [(blocks * days, f"{blocks} x {item.per:f} units")]

    cost, cost_currency, describe_cost = ZERO, None, ""
    if contract.item is not None:
        item = _item(book, contract, month)
        if rate is None:
            raise BillingError(
                f"no cost rate applies in {month} (add a tier: onebox-ledger terms rate 1 0.65)"
            )
        list_price = beans.number(item.price)
        exact_cost = sum((u * list_price * rate for u, _ in units), ZERO) / days
        cost = round_money(exact_cost)
        cost_currency = item.price.currency
        describe_cost = (
            " + ".join(how for _, how in units)
            + f" x {item.name} at {_fmt(list_price)} {cost_currency} x {_pct(rate)} of list"
        )
    if invoiced == recognised == cost == ZERO:
        return None
    return Charge(
        contract,
        month,
        invoiced,
        deferred,
        recognised,
        cost,
        cost_currency,
        describe,
        describe_cost,
    )


def _item(book: Book, contract: Contract, month: Month) -> Item:
    assert contract.item is not None
    item = book.item(contract.item, month.last)
    if item is not None and contract.billing == "metered" and item.per is None:
        raise BillingError(
            f"item {contract.item!r} is not metered on {month.last} (it has no per:)"
        )
    if item is None:
        raise BillingError(
            f"item {contract.item!r} has no list price on {month.last}"
            f" (set one: onebox-ledger terms item {contract.item} PRICE --date {month.first})"
        )
    return item


def due_date(book: Book, month: Month) -> datetime.date:
    days = book.payment_days(month.last)
    if days is None:
        raise BillingError(
            f"no payment terms in force on {month.last} (set them: onebox-ledger terms payment 30)"
        )
    return month.last + datetime.timedelta(days=days)


def month_rate(book: Book, month: Month) -> tuple[int, Decimal | None]:
    """(active boxes, cost rate) for `month`."""
    boxes = active_boxes(book, month)
    return boxes, book.rate(boxes, month.last)
