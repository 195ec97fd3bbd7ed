"""What a close books at its month's end and reverses on the next month's first day. Pure.

**Revaluation (IAS 21).** Every foreign-currency monetary item is valued at the
closing rate (the latest ``price`` on or before the month's last day): customers'
invoices, customers' credit, OneBox's bills (payable or in grace), OneBox prepaid and
the bank accounts (``bank: TRUE``) in another currency. An item keeps its own rate on
its own postings (openitems still sees an invoice at its rate, a settlement realizes its
whole difference against it); the close books, per item class and currency, the
difference between what the class is booked at (its postings' weights) and its value at
the closing rate, rounded half-up to cents once, against a revaluation account of its
class in the operating currency, with the difference in ``Income:FX-Unrealized``::

    2026-02-28 * "Revaluation" "Foreign balances at the closing rates, February 2026"
      id: "close/2026-02/fx/revalue"
      period: "2026-02"
      Assets:FX-Revaluation:Receivable  -3.68 USD
        revalued: "184.00 EUR: 202.40 USD booked, 198.72 USD at 1.08 USD of 2026-02-27"
      Assets:FX-Revaluation:Bank        -5.36 USD
        revalued: "Assets:Wise:EUR 284.00 EUR: 320.60 USD booked, 315.24 USD at 1.11 USD ..."
      Income:FX-Unrealized               9.04 USD

The next close reverses it on its month's first day (``close/2026-03/fx/reverse``,
the postings of what was written, negated), so a month's revaluation is worked out from
the items alone, never from an earlier revaluation, and the revaluation accounts are
empty between a month's first day and its close. One unrealized account, not a gain and a
loss account: each revaluation is reversed the next day, so over any period the account's
balance is the period's net unrealized result (split by sign, a reversed loss would read
as a gain). Deferred revenue is not revalued: it is settled by service, not money
(non-monetary, IAS 21.16), and stays at the rate of the invoice that deferred it.

**Contract asset (IFRS 15).** A customer's deferred revenue with a debit balance at
the month's end (recognised beyond what was billed) is an asset, not a negative
liability: the close moves it to ``Assets:Contract-Asset:<Customer>``, one entry per
customer (``close/2026-03/delta/contract-asset``), per currency and rate it is held at,
reversed on the next month's first day like the revaluation (and booked again at that
month's end while it lasts)::

    2026-03-31 * "Delta Logistics" "Contract asset: recognised beyond billed, March 2026"
      id: "close/2026-03/delta/contract-asset"
      customer: "delta"
      period: "2026-03"
      Assets:Contract-Asset:Delta            25.00 USD
      Liabilities:Deferred-Revenue:Delta    -25.00 USD

What the close needs of history for these is every transaction that holds a foreign amount
(its postings carry a price), posts to deferred revenue or to a revaluation account
(:func:`concerns`; the store finds them as bytes, ``MARKERS``, as it does credit).
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from beancount.core import data

from . import beans, money
from .model import Book, rules_1_years
from .money import Rates
from .values import ZERO, InputError, Month, parse_month, round_money

UNREALIZED = beans.FX_UNREALIZED
REVALUATION = beans.FX_REVALUATION
CONTRACT_ASSET = beans.CONTRACT_ASSET
# item class -> the account its revaluation is booked to (operating currency)
REVALUATION_ACCOUNTS = {
    "receivable": f"Assets:{REVALUATION}:Receivable",
    "credit": f"Liabilities:{REVALUATION}:Customer-Credit",
    "bill": f"Liabilities:{REVALUATION}:OneBox",
    "prepaid": f"Assets:{REVALUATION}:Prepaid",
    "bank": f"Assets:{REVALUATION}:Bank",
}
# What the store searches month files for (as bytes) to find what `concerns` the month's end.
MARKERS = (b"@", beans.DEFERRED.encode() + b":", f":{REVALUATION}:".encode())

REVALUE = "fx/revalue"
REVERSE_REVALUE = "fx/reverse"
RECLASSIFY = "contract-asset"
REVERSE = "/reverse"


def contract_asset_account(customer_id: str) -> str:
    return f"{CONTRACT_ASSET}:{beans.customer_account_part(customer_id)}"


def is_revaluation_account(account: str) -> bool:
    return account.split(":")[1:2] == [REVALUATION]


def concerns(entry: data.Transaction) -> bool:
    """Does the transaction hold a foreign amount, or post to deferred revenue or a
    revaluation account (what the month's end needs of history)?"""
    return any(
        post.price is not None
        or post.account.startswith(beans.DEFERRED + ":")
        or is_revaluation_account(post.account)
        for post in entry.postings
    )


def item_class(account: str, banks: Collection[str]) -> str | None:
    """The class of monetary item a foreign posting to `account` belongs to, or None."""
    if account.startswith(beans.RECEIVABLE + ":"):
        return "receivable"
    if beans.is_credit_account(account):
        return "credit"
    if account in (beans.PAYABLE, beans.GRACE):
        return "bill"
    if beans.is_prepaid_account(account):
        return "prepaid"
    if account in banks:
        return "bank"
    return None


def _ids(month: Month) -> tuple[str, str]:
    prefix = f"close/{month}/"
    return prefix, prefix + REVALUE


def carried_id(entry: data.Transaction) -> str:
    """The id of the entry `entry` carries into a new year (a year's roll copies the last
    month's month-end entries into the opening, ``year/2026/open/close/2026-12/fx/revalue``),
    else `entry`'s own id."""
    entry_id = beans.entry_id(entry) or ""
    if entry_id.startswith("year/") and "/open/close/" in entry_id:
        return entry_id[entry_id.index("/open/") + len("/open/") :]
    return entry_id


def reversals(month: Month, history: Iterable[data.Transaction]) -> list[data.Transaction]:
    """The month-end entries written by the close of the month before `month`, reversed on
    `month`'s first day: the same postings negated (what was booked, whatever rule booked it).

    After a year's roll the last month's entries are in the archive; the opening carries
    them (:func:`carried_id`) with ``Equity:Opening-Balances`` where the revaluation had
    ``Income:FX-Unrealized`` (the archived year's result): reversed, that leg is the
    unrealized account again, so January reverses exactly what December booked."""
    before = month.prev()
    prefix, revalue = _ids(before)
    out: list[data.Transaction] = []
    for entry in history:
        entry_id = carried_id(entry)
        if not (before.first <= entry.date <= before.last and entry_id.startswith(prefix)):
            continue
        if entry_id == revalue:
            new_id = f"close/{month}/{REVERSE_REVALUE}"
        elif entry_id.endswith("/" + RECLASSIFY):
            new_id = f"close/{month}/{entry_id.removeprefix(prefix)}{REVERSE}"
        else:
            continue
        carried = entry_id != (beans.entry_id(entry) or "")
        postings = [
            beans.posting(UNREALIZED if carried and post.account == beans.OPENING else post.account,
                          -beans.units(post).number, beans.units(post).currency,
                          lot=beans.lot_of(post))
            for post in entry.postings
        ]  # fmt: skip
        meta = {"id": new_id, **{k: v for k, v in entry.meta.items() if k in ("customer",)}}
        meta["period"] = str(month)
        out.append(
            beans.transaction(
                month.first,
                entry.payee,
                f"Reversed on {month.first}: {entry.narration}",
                meta,
                postings,
            )
        )
    return sorted(out, key=lambda e: beans.entry_id(e) or "")


def _in_month(
    month: Month, history: Iterable[data.Transaction], fresh: Iterable[data.Transaction]
) -> list[data.Transaction]:
    """What is booked by the month's end: history dated on or before it but the close's own
    entries (re-derived in `fresh`), then `fresh`."""
    prefix, _ = _ids(month)
    return [
        *(
            e
            for e in history
            if e.date <= month.last and not (beans.entry_id(e) or "").startswith(prefix)
        ),
        *fresh,
    ]


# (revaluation account, what is revalued, currency) -> [units, booked value]
Values = dict[tuple[str, str, str], list[Decimal]]
# customer -> (currency, rate) -> units of deferred revenue
Deferred = dict[str, dict[tuple[str, Decimal | None], Decimal]]


def _add_values(
    held: Values, entries: Iterable[data.Transaction], operating: str, banks: Collection[str]
) -> None:
    for entry in entries:
        for post in entry.postings:
            if post.price is None:
                continue
            number, currency = beans.units(post)
            if currency == operating:
                continue
            kind = item_class(post.account, banks)
            if kind is None:
                continue
            what = post.account if kind == "bank" else ""
            sums = held.setdefault((REVALUATION_ACCOUNTS[kind], what, currency), [ZERO, ZERO])
            sums[0] += number
            sums[1] += money.weight(post, operating)


def _add_deferred(
    held: Deferred, entries: Iterable[data.Transaction], customers: dict[str, str]
) -> None:
    for entry in entries:
        for post in entry.postings:
            cid = customers.get(post.account)
            if cid is None:
                continue
            number, currency = beans.units(post)
            lot = beans.lot_of(post)
            key = (currency, None if lot is None else lot.rate)
            sums = held.setdefault(cid, {})
            sums[key] = sums.get(key, ZERO) + number


@dataclass
class Sums:
    """What the month-end entries need of the history dated before `since`, summed: the
    revaluation's units and booked value per item class and currency, and each customer's
    deferred revenue per currency and rate. `verify` re-derives every sealed month in order:
    it carries these forward (:meth:`advance`) and hands each month only the entries from
    the month before's first day (the reversals read that month), instead of all of history
    again for each month, with the same entries as a result. `rules_1`: the months whose
    annual invoices were written by rules 1 (model.rules_1_years), among those entries.

    Each month's summary keeps them as they stand on its first day (:meth:`carried`), so
    the close of the month after reads them there and parses only the months since
    (store.Summaries.month_end_history), not every month file of the books."""

    book: Book
    operating: str
    banks: Collection[str]
    since: datetime.date = datetime.date.min
    values: Values = field(default_factory=dict)
    deferred: Deferred = field(default_factory=dict)
    held_back: list[data.Transaction] = field(default_factory=list)
    rules_1: dict[str, set[Month]] = field(default_factory=dict)

    def advance(self, history: Sequence[data.Transaction], since: datetime.date) -> None:
        """Add the entries of `history` (sorted by date) dated from `self.since` to the day
        before `since`."""
        if since <= self.since:
            return
        start = bisect.bisect_left(history, self.since, key=lambda e: e.date)
        stop = bisect.bisect_left(history, since, key=lambda e: e.date)
        part = []
        for entry in history[start:stop]:  # a close's entry dated before its month (edited
            # books) stays in `held_back`: the close of its id's month leaves it out
            if _close_month(entry) > Month.of(entry.date):
                self.held_back.append(entry)
            else:
                part.append(entry)
        customers = {beans.deferred_account(cid): cid for cid in self.book.customers}
        _add_values(self.values, part, self.operating, self.banks)
        _add_deferred(self.deferred, part, customers)
        for cid, months in rules_1_years(part, self.book.contracts, lambda _: True).items():
            self.rules_1.setdefault(cid, set()).update(months)
        self.since = since

    def carried(self) -> dict[str, Any] | None:
        """These sums as a summary keeps them (JSON; amounts as exact decimal strings), or
        None when an entry is held back (the close after then reads all of history)."""
        if self.held_back:
            return None
        return {
            "since": self.since.isoformat(),
            "values": [
                [account, what, currency, str(units), str(booked)]
                for (account, what, currency), (units, booked) in sorted(self.values.items())
            ],
            "deferred": [
                [cid, currency, None if rate is None else str(rate), str(units)]
                for cid, held in sorted(self.deferred.items())
                for (currency, rate), units in sorted(held.items(), key=lambda kv: _order(kv[0]))
            ],
            "rules_1": {cid: sorted(str(m) for m in months)
                        for cid, months in sorted(self.rules_1.items())},
        }  # fmt: skip

    @classmethod
    def of_carried(
        cls, book: Book, operating: str, banks: Collection[str], raw: Any
    ) -> Sums | None:
        """The sums `carried` wrote, or None when `raw` is not what it writes."""
        try:
            sums = cls(book, operating, banks, datetime.date.fromisoformat(raw["since"]))
            for account, what, currency, units, booked in raw["values"]:
                sums.values[(str(account), str(what), str(currency))] = [
                    Decimal(units),
                    Decimal(booked),
                ]
            for cid, currency, rate, units in raw["deferred"]:
                key = (str(currency), None if rate is None else Decimal(rate))
                sums.deferred.setdefault(str(cid), {})[key] = Decimal(units)
            for cid, months in raw["rules_1"].items():
                sums.rules_1[str(cid)] = {parse_month(m) for m in months}
        except (KeyError, TypeError, ValueError, InvalidOperation, InputError):
            return None
        return sums

    def history(self, history: Sequence[data.Transaction], month: Month) -> list[data.Transaction]:
        """What `month`'s end needs of `history` (sorted by date) beside these sums, carried
        forward to the month before's first day: the entries from that day to the month's
        last, and those held back."""
        self.advance(history, month.prev().first)
        start = bisect.bisect_left(history, month.prev().first, key=lambda e: e.date)
        stop = bisect.bisect_right(history, month.last, key=lambda e: e.date)
        return [*self.held_back, *history[start:stop]]


def _close_month(entry: data.Transaction) -> Month:
    """The month of a close's entry by its id (``close/2026-11/...``), else the entry's own."""
    entry_id = beans.entry_id(entry) or ""
    if entry_id.startswith("close/"):
        try:
            return parse_month(entry_id.split("/")[1])
        except InputError:
            pass
    return Month.of(entry.date)


def revaluation(
    month: Month,
    history: Iterable[data.Transaction],
    fresh: Iterable[data.Transaction],
    rates: Rates,
    banks: Collection[str] = (),
    before: Sums | None = None,
) -> list[data.Transaction]:
    """The revaluation of `month` (at most one entry, see the module docstring): `history`
    holds every transaction that `concerns` the month's end (any date), `fresh` the close's
    own entries of the month; or, with `before`, what history dated before `before.since`
    sums to and `history` the rest. Raises MoneyError when a currency has no closing rate."""
    operating = rates.operating
    held = {key: list(sums) for key, sums in before.values.items()} if before else {}
    _add_values(held, _in_month(month, history, fresh), operating, banks)
    postings: list[data.Posting] = []
    for (account, what, currency), (units, booked) in sorted(held.items()):
        when, rate = rates.need_dated(currency, month.last, f"the revaluation of {month}")
        closing = units * rate
        difference = round_money(closing - booked)
        if not difference:
            continue
        named = f"{what} " if what else ""
        postings.append(
            beans.posting(
                account, difference, operating,
                {"revalued": f"{named}{round_money(units)} {currency}: {round_money(booked)}"
                             f" {operating} booked, {round_money(closing)} {operating} at"
                             f" {rate} {operating} of {when}"},
            )
        )  # fmt: skip
    if not postings:
        return []
    total = sum((beans.units(p).number for p in postings), ZERO)
    postings.append(beans.posting(UNREALIZED, -total, operating))
    return [
        beans.transaction(
            month.last,
            "Revaluation",
            f"Foreign balances at the closing rates, {month.label()}",
            {"id": _ids(month)[1], "period": str(month)},
            postings,
        )
    ]


def contract_assets(
    book: Book,
    month: Month,
    history: Iterable[data.Transaction],
    fresh: Iterable[data.Transaction],
    operating: str,
    before: Sums | None = None,
) -> list[data.Transaction]:
    """Each customer's deferred revenue with a debit balance at the month's end, moved to its
    contract asset (see the module docstring), one entry per customer, ids
    ``close/<month>/<customer>/contract-asset``; `history` and `before` as for
    :func:`revaluation`."""
    customers = {beans.deferred_account(cid): cid for cid in book.customers}
    held = {cid: dict(sums) for cid, sums in before.deferred.items()} if before else {}
    _add_deferred(held, _in_month(month, history, fresh), customers)
    out: list[data.Transaction] = []
    for cid in sorted(held):
        postings: list[data.Posting] = []
        for (currency, rate), units in sorted(held[cid].items(), key=lambda kv: _order(kv[0])):
            if units <= 0:
                continue
            lot = None if rate is None else beans.Lot(rate, operating)
            postings += [
                beans.posting(contract_asset_account(cid), units, currency, lot=lot),
                beans.posting(beans.deferred_account(cid), -units, currency, lot=lot),
            ]
        if postings:
            out.append(
                beans.transaction(
                    month.last,
                    book.customers[cid].name,
                    f"Contract asset: recognised beyond billed, {month.label()}",
                    {"id": f"close/{month}/{cid}/{RECLASSIFY}",
                     **beans.meta(customer=cid, period=str(month))},
                    postings,
                )
            )  # fmt: skip
    return out


def _order(key: tuple[str, Decimal | None]) -> tuple[str, Decimal]:
    return key[0], key[1] if key[1] is not None else ZERO


def month_end(
    book: Book,
    month: Month,
    history: Sequence[data.Transaction],
    fresh: Sequence[data.Transaction],
    rates: Rates,
    banks: Collection[str] = (),
    before: Sums | None = None,
) -> tuple[list[data.Transaction], list[data.Transaction]]:
    """The close's month-end entries: the reversals of the month before's (dated the month's
    first day), and the revaluation and the contract assets (dated its last). With `before`
    (:class:`Sums`), `history` is sorted by date and read from the month before's first day."""
    if before is not None:
        history = before.history(history, month)
    reversed_ = reversals(month, history)
    booked = [*fresh, *reversed_]
    return reversed_, [
        *revaluation(month, history, booked, rates, banks, before),
        *contract_assets(book, month, history, booked, rates.operating, before),
    ]


def banks_of(entries: Iterable[data.Directive]) -> list[str]:
    """The bank accounts opened with ``bank: TRUE`` (the ones the revaluation values)."""
    return sorted(
        e.account
        for e in entries
        if isinstance(e, data.Open) and (e.meta or {}).get("bank") is True
    )


def booked(entries: Iterable[data.Directive], operating: str) -> tuple[Decimal | None, Decimal]:
    """What a close's entries booked at the month's end, for its summary: the unrealized
    result of the revaluation (a gain > 0; None when there is none) and the contract assets,
    in the operating currency."""
    unrealized: Decimal | None = None
    assets = ZERO
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        entry_id = beans.entry_id(entry) or ""
        for post in entry.postings:
            if entry_id.endswith("/" + REVALUE) and post.account == UNREALIZED:
                unrealized = (unrealized or ZERO) - beans.units(post).number
            elif entry_id.endswith("/" + RECLASSIFY) and post.account.startswith(CONTRACT_ASSET):
                assets += money.weight(post, operating)
    return unrealized, assets
