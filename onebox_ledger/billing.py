"""What to bill a customer and what OneBox costs, for one contract and one month. Pure.

The rules, each with the seed example (5 cloud users at 25.00 USD, OneBox list
25.00 USD per user-month, 65% cost rate):

- monthly: price x quantity x active days / days in month, per stretch of
  constant quantity and price, rounded half-up to cents once per invoice:
  5 x 25.00 = 125.00; from Nov 15 on: 5 x 25.00 x 16/30 = 66.67.
- monthly in advance (``timing: "advance"``): the month is invoiced on its first
  day (``onebox-ledger invoice``) at the terms of that day, into Deferred-Revenue;
  the close recognises what the days served were worth, and the next advance
  invoice carries the difference as an adjustment line (a last month settles it
  at its own close: invoiced, or credited to the customer).
- annual: on the start day and each anniversary, 12 x price x quantity is billed
  into Deferred-Revenue, by an invoice dated that day (the close of the month
  holding it writes it); each whole month of the year recognises one twelfth
  into Income, a month the year serves part of (a start or an end within it)
  the twelfth for its days over the month's days, so income follows the days
  OneBox charges for (from September 15: 2 x 20.00 x 12 = 480.00, September
  480.00 / 12 x 16/30 = 21.33, October to August 40.00 each, the year's last
  month, September 1-14, the rest: 18.67). Each amount is rounded; the month
  of the year's last day takes the remainder. A year from February 29 has its
  anniversaries on February 28 in other years (and on the 29th in leap years).
  A change during the year bills (or, a downgrade, credits to the customer) the
  yearly value it adds for its days to the year's end, over the days in the
  year: 1 -> 2 x 100.00 on June 1 of a year from Feb 1: 1200 x 245/365 = 805.48,
  invoiced on June 1, recognised by days; ``downgrade: "anniversary"`` waits for the next one. A
  term ending within a year bills its days only; an end recorded later
  recognises (or, ``unearned: "credit"``, credits) the rest in its month. A year
  from the 15th ends on the 14th: its last days close with the next year's first
  month, as their own lines. Every line says how its amount was computed.
- once: price x quantity in the start month.
- metered: blocks = round_half_up(units / per) of the contract's metered item
  (OneBox's data tariff: per 1000 records, 499 -> 0, 500 -> 1, 1500 -> 2);
  billed blocks x price, no proration.
- OneBox cost, for every contract with an item: the units it consumed that
  month (its quantity on each day served, annual contracts too) x the item's
  list price x the partner's cost rate, rounded half-up once:
  5 x 25.00 x 0.65 = 81.25.
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
from typing import Literal

from beancount.core.amount import Amount

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


LineKind = Literal["invoice", "recognise", "credit"]


@dataclass(frozen=True)
class Line:
    """One generated transaction of a contract's month, in the contract's currency.

    ``invoice``: the customer owes `amount` (Receivable), credited to Income, or to
    Deferred-Revenue when `deferred` (a negative amount is a credit on the invoice);
    ``recognise``: Deferred-Revenue to Income (negative: income given back); ``credit``:
    Deferred-Revenue to the customer's credit (what was paid for and will not be served).
    """

    suffix: str  # the id's last part: invoice, recognise, change-2026-03-01, settle, ...
    kind: LineKind
    amount: Decimal
    describe: str  # the narration, without the stream and the month
    deferred: bool = False
    year: datetime.date | None = None  # annual: the anniversary whose invoice deferred it
    # annual, recognised or credited: (amount, the date of the invoice that deferred it) per
    # invoice (the anniversary's, a change's): a foreign amount moves out of Deferred-Revenue
    # at the rate of the invoice that carried it
    parts: tuple[tuple[Decimal, datetime.date], ...] = ()
    # the day it is issued when not the close's (the month's last): an annual invoice is
    # dated the day it bills from, its anniversary or its change
    date: datetime.date | None = None
    # a year invoiced by rules 1 (model.rules_1_years): its invoice is the month's, of the
    # month's last day, so what it deferred leaves at that invoice's rate
    rules_1: bool = False


@dataclass(frozen=True)
class Charge:
    """One contract's month: its lines (invoices, recognition, credits) and its OneBox cost."""

    contract: Contract
    month: Month
    lines: tuple[Line, ...]
    cost: Decimal  # OneBox cost at partner cost (item currency)
    cost_currency: str | None
    describe_cost: str  # how the cost was computed

    @property
    def invoiced(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == "invoice"), ZERO)

    @property
    def deferred(self) -> Decimal:
        """Of `invoiced`, what goes to Deferred-Revenue."""
        return sum(
            (line.amount for line in self.lines if line.kind == "invoice" and line.deferred),
            ZERO,
        )

    @property
    def describe(self) -> str:
        """How the month was billed: its invoice line's words (else its first line's)."""
        invoices = [line for line in self.lines if line.kind == "invoice"]
        return (invoices or list(self.lines))[0].describe if self.lines else ""

    @property
    def recognised(self) -> Decimal:
        return sum(
            (
                line.amount
                for line in self.lines
                if line.kind == "recognise" or (line.kind == "invoice" and not line.deferred)
            ),
            ZERO,
        )


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
    return contract.active_in(month)


def annual_year(contract: Contract, month: Month) -> tuple[datetime.date, int] | None:
    """(anniversary opening the contract year that `month` falls in, month index 0-11), or None
    when the contract has not started or ended before that anniversary."""
    offset = month.minus(Month.of(contract.start))
    if offset < 0:
        return None
    anniversary = _anniversary(contract.start, offset // 12)
    if contract.end is not None and (anniversary > contract.end or month > Month.of(contract.end)):
        return None
    return anniversary, offset % 12


def _fmt(number: Decimal) -> str:
    return f"{number:.2f}" if number == number.quantize(Decimal("0.01")) else f"{number:f}"


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _days_text(days: int, of: int) -> str:
    return "" if days == of else f" for {days}/{of} days"


def _stretch_text(parts: list[Stretch], days: int, cur: str) -> str:
    return " + ".join(
        f"{s.quantity} x {_fmt(s.price)} {cur}{_days_text(s.days, days)}" for s in parts
    )


def served(contract: Contract, month: Month) -> tuple[Decimal, str, list[Stretch]]:
    """What a monthly contract's days of service in `month` are worth: price x quantity x
    days / days in month per stretch, rounded half-up once; and how, for the narration."""
    parts = stretches(contract, month)
    exact = sum((s.price * s.quantity * s.days / month.days for s in parts), ZERO)
    return round_money(exact), _stretch_text(parts, month.days, contract.currency), parts


def advance_billed(contract: Contract, month: Month) -> tuple[Decimal, str] | None:
    """An advance-billed contract's invoice for `month`, issued on its first day: the terms in
    force on the first day of service in the month, to the month's end (changes and an end
    dated later in the month are settled by the close; see `advance_lines`)."""
    first = max(contract.start, month.first)
    if first > month.last or (contract.end is not None and contract.end < first):
        return None
    quantity, price = contract.terms_on(first)
    days = (month.last - first).days + 1
    amount = round_money(beans.number(price) * quantity * days / month.days)
    return amount, f"{quantity} x {_fmt(beans.number(price))} {contract.currency}" + _days_text(
        days, month.days
    )


def advance_lines(contract: Contract, month: Month) -> list[Line]:
    """What ``onebox-ledger invoice`` bills an advance contract on the first day of `month`:
    the month in advance (`advance_billed`), and the difference between what the previous
    month's service was worth and what its advance invoice billed (seats added or removed, a
    start, in the middle of it), as a dated, explained adjustment line::

        inv-2026-12-acme  Cloud: 6 x 25.00 USD, in advance                          150.00
                          Cloud: adjustment for November 2026: served 5 x 25.00 USD
                          for 15/30 days + 6 x 25.00 USD for 15/30 days = 137.50,
                          billed 125.00                                              12.50
    """
    lines = []
    billed = advance_billed(contract, month)
    if billed is not None:
        lines.append(Line("advance", "invoice", billed[0], f"{billed[1]}, in advance", True))
    before = month.prev()
    earlier = advance_billed(contract, before)
    if billed is not None and earlier is not None:
        worth, how, _ = served(contract, before)
        difference = worth - earlier[0]
        if difference:
            lines.append(
                Line(
                    "adjust",
                    "invoice",
                    difference,
                    f"adjustment for {before.label()}: served {how} = {worth}, billed {earlier[0]}",
                    True,
                )
            )
    return lines


def _advance_close(contract: Contract, month: Month) -> list[Line]:
    """The close of an advance contract's month: its service recognised; when the contract
    has no service next month, what the month's service was worth beyond (or short of) its
    advance invoice is invoiced (or credited) now, as no later invoice can carry it."""
    worth, how, parts = served(contract, month)
    if not parts:
        return []
    lines = [Line("recognise", "recognise", worth, f"recognised {how}")] if worth else []
    billed = advance_billed(contract, month)
    difference = worth - (billed[0] if billed else ZERO)
    if difference and not contract.active_in(month.next()):
        detail = f"served {how} = {worth}, billed {billed[0] if billed else ZERO}"
        if difference > 0:
            lines.append(
                Line("settle", "invoice", difference, f"last month: {detail}", deferred=True)
            )
        else:
            lines.append(Line("settle", "credit", -difference, f"last month: {detail}"))
    return lines


# ---------------------------------------------------------------- annual contracts


@dataclass(frozen=True)
class Piece:
    """An amount an annual contract year bills, and the days it pays for (inclusive)."""

    first: datetime.date  # the day it bills from, the date of its invoice (or credit)
    last: datetime.date
    amount: Decimal  # negative: a downgrade credited
    by_twelfths: bool  # a whole year: a twelfth a whole month, by day in a partial one
    anniversary: datetime.date  # the year's first day
    describe: str  # its invoice's (or credit's) words: every number of the amount
    label: str  # what it is, short, for the recognition's words

    @property
    def billed_in(self) -> Month:
        """The month whose close bills (or credits) it."""
        return Month.of(self.first)


def contract_year(
    contract: Contract, month: Month
) -> tuple[datetime.date, datetime.date, int] | None:
    """(anniversary, last day of the contract year, month index 0-11) of `month`, or None."""
    year = annual_year(contract, month)
    if year is None:
        return None
    anniversary, index = year
    return anniversary, _year_last(contract, anniversary), index


def _year_last(contract: Contract, anniversary: datetime.date) -> datetime.date:
    following = _anniversary(contract.start, (anniversary.year - contract.start.year) + 1)
    return following - datetime.timedelta(days=1)


def contract_years(contract: Contract, month: Month) -> list[tuple[datetime.date, datetime.date]]:
    """(anniversary, last day) of each contract year with days of service in `month`, oldest
    first: the year the month opens (its anniversary in or before it) and, in an
    anniversary's month, the year before it, whose last days come before the anniversary."""
    offset = month.minus(Month.of(contract.start))
    if offset < 0 or (contract.end is not None and contract.end < month.first):
        return []
    years = [offset // 12 - 1, offset // 12] if offset % 12 == 0 else [offset // 12]
    out = []
    for number in years:
        if number < 0:
            continue
        anniversary = _anniversary(contract.start, number)
        last = _year_last(contract, anniversary)
        if (
            anniversary <= month.last
            and last >= month.first
            and (contract.end is None or anniversary <= contract.end)
        ):
            out.append((anniversary, last))
    return out


def _value(
    contract: Contract, date: datetime.date, anniversary: datetime.date
) -> tuple[Decimal, int, Decimal]:
    """(yearly value, quantity, price) billed on `date` in the year opened by `anniversary`."""
    quantity, price = contract.terms_billed(date, anniversary)
    return beans.number(price) * quantity * 12, quantity, beans.number(price)


def terms_billed_on(contract: Contract, date: datetime.date) -> tuple[int, Amount]:
    """(quantity, price) the contract bills for `date`: the terms in force that day, as the
    close bills them; an annual contract's change bills from its day (see `pieces`), except
    a downgrade with ``downgrade: "anniversary"``, which waits for the next anniversary."""
    if contract.billing == "annual":
        for anniversary, last in contract_years(contract, Month.of(date)):
            if anniversary <= date <= last:
                return contract.terms_billed(date, anniversary)
    return contract.terms_on(date)


def _signed(number: Decimal) -> str:
    return f"{'-' if number < 0 else '+'}{_fmt(abs(number))}"


def pieces(contract: Contract, anniversary: datetime.date, last: datetime.date) -> list[Piece]:
    """What the contract year from `anniversary` to `last` bills, each with its words.

    The year at the anniversary's terms: 12 x price x quantity ("2 x 20.00 USD x 12 months
    = 480.00, 2026-09-15 to 2027-09-14"), or, when the contract ends within the year and
    says so (its ``end:``, or an end in the anniversary's own month), only the days it
    serves ("7 x 19.99 USD x 12 months = 1679.16 x 1/365 days, 2027-01-20 to 2027-01-20 =
    4.60"). Then each change during the year: the yearly value it adds (or removes) for the
    days from it to the year's end (or the contract's end), over the days in the year ("2 x
    100.00 USD from 2026-06-01 (was 1 x 100.00): +1200.00 a year x 245/365 days to
    2027-01-31 = +805.48"; a downgrade with ``downgrade: "anniversary"`` waits for the next
    anniversary instead).
    """
    cur = contract.currency
    year_days = (last - anniversary).days + 1
    declared = contract.term_end if contract.term_end and contract.term_end <= last else None
    known = (
        contract.end
        if contract.end is not None
        and contract.end <= last
        and Month.of(contract.end) == Month.of(anniversary)
        else None
    )
    stop = min(d for d in (declared, known, last) if d is not None)
    value, quantity, price = _value(contract, anniversary, anniversary)
    terms = f"{quantity} x {_fmt(price)} {cur} x 12 months"
    if stop < last:
        days = (stop - anniversary).days + 1
        amount = round_money(value * days / year_days)
        out = [
            Piece(anniversary, stop, amount, False, anniversary,
                  f"{terms} = {_fmt(value)} x {days}/{year_days} days, {anniversary} to {stop}"
                  f" = {amount}",
                  f"the term from {anniversary} ({amount} for {days} days)")
        ]  # fmt: skip
    else:
        amount = round_money(value)
        whole = _fmt(value) if value == amount else f"{_fmt(value)}, rounded {amount}"
        out = [
            Piece(anniversary, last, amount, True, anniversary,
                  f"{terms} = {whole}, {anniversary} to {last}",
                  f"the year from {anniversary} ({terms} = {amount})")
        ]  # fmt: skip
    end = min(stop, contract.end) if contract.end else stop
    for change in contract.changes:
        if not anniversary < change.date <= end:
            continue
        before, was, was_price = _value(
            contract, change.date - datetime.timedelta(days=1), anniversary
        )
        after, quantity, price = _value(contract, change.date, anniversary)
        if after == before:
            continue
        days = (stop - change.date).days + 1
        amount = round_money((after - before) * days / year_days)
        if amount:
            out.append(
                Piece(change.date, stop, amount, False, anniversary,
                      f"{quantity} x {_fmt(price)} {cur} from {change.date} (was {was} x"
                      f" {_fmt(was_price)}): {_signed(after - before)} a year x"
                      f" {days}/{year_days} days to {stop} = {amount:+}",
                      f"the change from {change.date} ({amount:+} for {days} days)")
            )  # fmt: skip
    return out


def _shared(piece: Piece, month: Month, through: datetime.date) -> tuple[Decimal, str]:
    """What `piece` recognises in `month`, for its days up to `through`, and how.

    A whole year a twelfth in each whole month and, in a month it serves part of (a start
    or an end within the month), the twelfth for the days served over the month's days
    (480.00 from September 15: 480.00 / 12 x 16/30 = 21.33); a part of a year by day over
    its days. The month of its last day takes what is left, so it is recognised to the cent.
    """
    first, last = max(piece.first, month.first), min(piece.last, month.last, through)
    if first > last:
        return ZERO, ""
    days = (last - first).days + 1
    span = (piece.last - piece.first).days + 1
    of = f"{days}/{month.days}" if piece.by_twelfths else f"{days}/{span}"
    if month == Month.of(piece.last) and last == piece.last:  # its last month: the rest
        before = sum(
            (_shared(piece, m, through)[0]
             for m in _months(Month.of(piece.first), month.prev())),
            ZERO,
        )  # fmt: skip
        rest = piece.amount - before
        if not before:
            return rest, f"{of} days = {rest}" if days < span else f"{rest}"
        whole = piece.by_twelfths and days == month.days
        return rest, f"the rest, {piece.amount} - {before} = {rest}" + (
            "" if whole else f" for {of} days"
        )
    if piece.by_twelfths:
        if days == month.days:
            share = round_money(piece.amount / 12)
            return share, f"1/12 = {share}"
        share = round_money(piece.amount * days / (12 * month.days))
        return share, f"1/12 x {of} days = {share}"
    share = round_money(piece.amount * days / span)
    return share, f"{of} days = {share}"


def _share(piece: Piece, month: Month, through: datetime.date) -> Decimal:
    """What `piece` recognises in `month`, for its days up to `through` (`_shared`)."""
    return _shared(piece, month, through)[0]


def _months(first: Month, last: Month) -> list[Month]:
    return [first.plus(i) for i in range(last.minus(first) + 1)]


def _annual(contract: Contract, month: Month) -> list[Line] | None:
    """The lines of `month` of every contract year with days in it (`contract_years`): the
    pieces it bills, what it recognises, and, in the month service ends before the year
    does, what was paid for the days after the end (recognised, or credited)."""
    years = contract_years(contract, month)
    if not years:
        return None
    lines: list[Line] = []
    for anniversary, last in years:
        # an earlier year's lines in an anniversary month: ids name the year they close
        tail = "" if anniversary == years[-1][0] else f"-{anniversary}"
        if Month.of(anniversary) in contract.rules_1:
            lines += _year_lines_1(contract, month, anniversary, last, tail)
        else:
            lines += _year_lines(contract, month, anniversary, last, tail)
    return lines


# ---------------------------------------------------------------- rules 1


def _share_1(piece: Piece, month: Month, through: datetime.date) -> Decimal:
    """Rules 1: what `piece` recognises in `month`: a whole year a twelfth in each of the
    twelve months from the anniversary's (a partial first month too; the twelfth takes the
    remainder, the days after are the next year's), a part of a year by day over its span."""
    first, last = max(piece.first, month.first), min(piece.last, month.last, through)
    if first > last:
        return ZERO
    if piece.by_twelfths:
        index = month.minus(Month.of(piece.anniversary))
        if index > 11:
            return ZERO
        twelfth = round_money(piece.amount / 12)
        if last < min(piece.last, month.last):  # ended within this month: its days only
            return round_money(twelfth * ((last - first).days + 1) / month.days)
        return twelfth if index < 11 else piece.amount - 11 * twelfth
    span = (piece.last - piece.first).days + 1
    if month == Month.of(piece.last) and last == piece.last:  # the span's last month: the rest
        before = sum(
            (_share_1(piece, m, through) for m in _months(Month.of(piece.first), month.prev())),
            ZERO,
        )
        return piece.amount - before
    return round_money(piece.amount * ((last - first).days + 1) / span)


def _describe_1(contract: Contract, piece: Piece) -> str:
    """Rules 1's words for a piece (its invoice's narration)."""
    cur = contract.currency
    _, quantity, price = _value(contract, piece.first, piece.anniversary)
    year_days = (_year_last(contract, piece.anniversary) - piece.anniversary).days + 1
    days = (piece.last - piece.first).days + 1
    if piece.first != piece.anniversary:  # a change
        return (
            f"{quantity} x {_fmt(price)} {cur} from {piece.first}: {piece.amount:+} for"
            f" {days}/{year_days} days to {piece.last}"
        )
    head = f"{quantity} x {_fmt(price)} {cur} x 12 months from {piece.anniversary}"
    return head if piece.by_twelfths else f"{head}, for {days}/{year_days} days to {piece.last}"


def _year_lines_1(
    contract: Contract, month: Month, anniversary: datetime.date, last: datetime.date, tail: str
) -> list[Line]:
    """`_year_lines` by rules 1, for a year a sealed month invoiced by them
    (model.rules_1_years): every piece invoiced (or credited) at the close of its month, on
    the month's invoice; the year's twelfths one a month for twelve months from the
    anniversary's; the words "..., month 3 of 12"."""
    billed = pieces(contract, anniversary, last)
    through = min(contract.end, last) if contract.end else last
    ended = contract.end is not None and contract.end < billed[0].last
    lines: list[Line] = []
    head = billed[0]
    index = month.minus(Month.of(anniversary))
    describe = _describe_1(contract, head)
    if head.by_twelfths and index < 12:
        describe = f"{describe}, month {index + 1} of 12"
    for piece in billed:
        if piece.billed_in != month:
            continue
        if piece is head:
            lines.append(Line("invoice", "invoice", piece.amount, describe, True, anniversary,
                              rules_1=True))  # fmt: skip
        elif piece.amount > 0:
            lines.append(
                Line(f"change-{piece.first}", "invoice", piece.amount,
                     _describe_1(contract, piece), True, anniversary, rules_1=True)
            )  # fmt: skip
        else:
            lines.append(
                Line(f"change-{piece.first}", "credit", -piece.amount,
                     _describe_1(contract, piece), year=anniversary, rules_1=True)
            )  # fmt: skip
    # per month whose invoice deferred it (the anniversary's, a change's), by its last day
    shares: dict[datetime.date, Decimal] = {}
    for p in billed:
        key = p.billed_in.last
        shares[key] = shares.get(key, ZERO) + _share_1(p, month, through)
    if ended and Month.of(through) == month:  # ended before the year: what it did not serve
        rests: dict[datetime.date, Decimal] = {}
        for p in billed:
            served_before = sum(
                (_share_1(p, m, through) for m in _months(Month.of(anniversary), month.prev())),
                ZERO,
            )
            left = p.amount - served_before - _share_1(p, month, through)
            rests[p.billed_in.last] = rests.get(p.billed_in.last, ZERO) + left
        rest = sum(rests.values(), ZERO)
        if rest and contract.unearned == "recognise":
            for key, left in rests.items():
                shares[key] = shares.get(key, ZERO) + left
        elif rest > 0:
            lines.append(
                Line(f"unearned{tail}", "credit", rest,
                     f"ended {contract.end}: {rest} paid for days after it, credited",
                     year=anniversary, parts=_parts(rests), rules_1=True)
            )  # fmt: skip
    recognised = sum(shares.values(), ZERO)
    if recognised:
        lines.append(
            Line(f"recognise{tail}", "recognise", recognised, f"recognised {describe}",
                 year=anniversary, parts=_parts(shares), rules_1=True)
        )  # fmt: skip
    return lines


def _carrier(piece: Piece) -> datetime.date:
    """The date of the invoice whose deferred revenue `piece` moves: its own invoice's, or,
    a downgrade credited, the year's (the credit took it out at that invoice's rate)."""
    return piece.first if piece.amount > 0 else piece.anniversary


def _year_lines(
    contract: Contract, month: Month, anniversary: datetime.date, last: datetime.date, tail: str
) -> list[Line]:
    billed = pieces(contract, anniversary, last)
    through = min(contract.end, last) if contract.end else last
    ended = contract.end is not None and contract.end < billed[0].last
    lines: list[Line] = []
    head = billed[0]
    for piece in billed:
        if piece.billed_in != month:
            continue
        if piece is head:
            lines.append(Line("invoice", "invoice", piece.amount, piece.describe, True,
                              anniversary, date=piece.first))  # fmt: skip
        elif piece.amount > 0:
            lines.append(
                Line(f"change-{piece.first}", "invoice", piece.amount, piece.describe, True,
                     anniversary, date=piece.first)
            )  # fmt: skip
        else:
            lines.append(
                Line(f"change-{piece.first}", "credit", -piece.amount,
                     f"{piece.describe}, credited", year=anniversary, date=piece.first)
            )  # fmt: skip
    # per invoice that deferred it (the anniversary's, a change's): what the month recognises
    shares: dict[datetime.date, Decimal] = {}
    hows: list[str] = []
    for p in billed:
        share, how = _shared(p, month, through)
        if share:
            shares[_carrier(p)] = shares.get(_carrier(p), ZERO) + share
            hows.append(f"{p.label}: {how}")
    if ended and Month.of(through) == month:  # ended before the year: what it did not serve
        rests: dict[datetime.date, Decimal] = {}
        for p in billed:
            served_before = sum(
                (_share(p, m, through) for m in _months(Month.of(anniversary), month.prev())),
                ZERO,
            )
            left = p.amount - served_before - _share(p, month, through)
            rests[_carrier(p)] = rests.get(_carrier(p), ZERO) + left
        rest = sum(rests.values(), ZERO)
        if rest and contract.unearned == "recognise":
            for key, left in rests.items():
                shares[key] = shares.get(key, ZERO) + left
            hows.append(f"not served after the end on {contract.end}: {rest}")
        elif rest > 0:
            lines.append(
                Line(f"unearned{tail}", "credit", rest,
                     f"ended {contract.end}: {rest} paid for days after it, credited",
                     year=anniversary, parts=_parts(rests))
            )  # fmt: skip
    recognised = sum(shares.values(), ZERO)
    if recognised:
        total = f"; together {recognised}" if len(hows) > 1 else ""
        lines.append(
            Line(f"recognise{tail}", "recognise", recognised,
                 f"recognised {'; '.join(hows)}{total}", year=anniversary,
                 parts=_parts(shares))
        )  # fmt: skip
    return lines


def _parts(by_invoice: dict[datetime.date, Decimal]) -> tuple[tuple[Decimal, datetime.date], ...]:
    """The non-zero amounts per date of the invoice that carried them, oldest first."""
    return tuple((amount, date) for date, amount in sorted(by_invoice.items()) if amount)


def charge(
    book: Book,
    contract: Contract,
    month: Month,
    rate: Decimal | None,
    usage: Decimal | None = None,
) -> Charge | None:
    """The close's lines of the contract for `month`, and its OneBox cost; None when nothing."""
    cur = contract.currency
    days = month.days
    lines: list[Line] = []
    # item units consumed, as (units x days, how): the cost is units x days x price x rate
    # / days in month, multiplied out before the one division so half-up sees the exact amount
    units: list[tuple[Decimal, str]] = []
    if contract.billing in ("monthly", "annual"):
        parts = stretches(contract, month)
        if contract.billing == "annual":
            annual = _annual(contract, month)
            if annual is None:
                return None
            lines = annual
        elif contract.advance:
            lines = _advance_close(contract, month)
        elif parts:
            worth, how, _ = served(contract, month)
            lines = [Line("invoice", "invoice", worth, how)]
        units = [
            (Decimal(s.quantity) * s.days, f"{s.quantity}{_days_text(s.days, days)}")
            for s in parts
            if s.days
        ]
        if not parts and not lines:
            return None
    elif contract.billing == "once":
        if Month.of(contract.start) != month:
            return None
        amount = round_money(beans.number(contract.price) * contract.quantity)
        describe = f"{contract.quantity} x {_fmt(beans.number(contract.price))} {cur}, once"
        lines = [Line("invoice", "invoice", amount, describe)]
        units = [(Decimal(contract.quantity) * days, f"{contract.quantity}")]
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
        amount = round_money(blocks * beans.number(contract.price))
        describe = f"{usage:f} units = {blocks} x {item.per:f}, x {_fmt(beans.number(contract.price))} {cur}"
        lines = [Line("invoice", "invoice", amount, describe)]
        units = [(blocks * days, f"{blocks} x {item.per:f} units")]

    cost, cost_currency, describe_cost = ZERO, None, ""
    if contract.item is not None and units:
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
    lines = [line for line in lines if line.amount]
    if not lines and cost == ZERO:
        return None
    return Charge(contract, month, tuple(lines), cost, cost_currency, describe_cost)


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


@dataclass(frozen=True)
class BoxCost:
    """What a new customer's box costs a month at partner cost (see :func:`box_cost`)."""

    item: Item  # its list price in force
    boxes: int  # the active boxes with this one
    rate: Decimal  # the cost rate of their tier
    before: Decimal | None  # the rate without this box (None: no tier applied)
    exact: Decimal  # quantity x list price x rate, in the item's currency, not rounded


def box_cost(book: Book, item: str, quantity: int, date: datetime.date) -> BoxCost:
    """A new box of `quantity` units of `item` a month, at the terms in force on `date`: the
    rule of :func:`charge` for a whole month (units x list price x cost rate), at the tier the
    partner would be in with this box (the month's active boxes plus one; crossing a tier
    moves every box). 5 x cloud-user at 25.00 USD list, 65% from 1 box: 5 x 25.00 x 0.65 =
    81.2500 USD, rounded by the caller once (after converting it, if it must)."""
    listed = book.item(item, date)
    if listed is None:
        raise BillingError(f"item {item!r} has no list price on {date}")
    if listed.per is not None:
        raise BillingError(f"item {item!r} is metered (per {listed.per:f} units): quote its blocks")
    boxes = active_boxes(book, Month.of(date)) + 1
    rate = book.rate(boxes, date)
    if rate is None:
        raise BillingError(
            f"no cost rate applies to {boxes} box(es) on {date}"
            " (add a tier: onebox-ledger terms rate 1 0.65)"
        )
    exact = beans.number(listed.price) * quantity * rate
    return BoxCost(listed, boxes, rate, book.rate(boxes - 1, date), exact)


def month_rate(book: Book, month: Month) -> tuple[int, Decimal | None]:
    """(active boxes, cost rate) for `month`."""
    boxes = active_boxes(book, month)
    return boxes, book.rate(boxes, month.last)
