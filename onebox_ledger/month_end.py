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

from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal

from beancount.core import data

from . import beans, money
from .model import Book
from .money import Rates
from .values import ZERO, Month, round_money

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


def revaluation(
    month: Month,
    history: Iterable[data.Transaction],
    fresh: Iterable[data.Transaction],
    rates: Rates,
    banks: Collection[str] = (),
) -> list[data.Transaction]:
    """The revaluation of `month` (at most one entry, see the module docstring): `history`
    holds every transaction that `concerns` the month's end (any date), `fresh` the close's
    own entries of the month. Raises MoneyError when a currency has no closing rate."""
    operating = rates.operating
    # (revaluation account, what is revalued, currency) -> [units, booked value]
    held: dict[tuple[str, str, str], list[Decimal]] = {}
    for entry in _in_month(month, history, fresh):
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
) -> list[data.Transaction]:
    """Each customer's deferred revenue with a debit balance at the month's end, moved to its
    contract asset (see the module docstring), one entry per customer, ids
    ``close/<month>/<customer>/contract-asset``."""
    customers = {beans.deferred_account(cid): cid for cid in book.customers}
    # customer -> (currency, rate) -> units
    held: dict[str, dict[tuple[str, Decimal | None], Decimal]] = {}
    for entry in _in_month(month, history, fresh):
        for post in entry.postings:
            cid = customers.get(post.account)
            if cid is None:
                continue
            number, currency = beans.units(post)
            lot = beans.lot_of(post)
            key = (currency, None if lot is None else lot.rate)
            sums = held.setdefault(cid, {})
            sums[key] = sums.get(key, ZERO) + number
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
) -> tuple[list[data.Transaction], list[data.Transaction]]:
    """The close's month-end entries: the reversals of the month before's (dated the month's
    first day), and the revaluation and the contract assets (dated its last)."""
    reversed_ = reversals(month, history)
    booked = [*fresh, *reversed_]
    return reversed_, [
        *revaluation(month, history, booked, rates, banks),
        *contract_assets(book, month, history, booked, rates.operating),
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
