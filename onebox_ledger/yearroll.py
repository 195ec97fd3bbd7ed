"""A year rolled forward: its closing entry and the next year's opening entries. Pure.

``onebox-ledger year close 2026`` (its twelve months sealed, the years before it
rolled) archives the year and starts the open books from its balances. This
module works out what is written from the year's entries (every transaction
dated on or before 2026-12-31, booked); the shell (actions/year_closing.py)
moves the files and writes them.

**The closing entry** (in the archive, ``ledger/journal/year.beancount``, beside
the year's seal ``onebox-year``) books every income and expense account's balance
to ``Equity:Retained-Earnings``::

    2026-12-31 * "Year end" "2026: income and expenses to Equity:Retained-Earnings"
      id: "year/2026/close"
      Income:Cloud              1500.00 USD
      Expenses:OneBox:Cloud     -975.00 USD
      Equity:Retained-Earnings  -525.00 USD

**The opening entries** (in the open books, ``ledger/journal/opening.beancount``,
dated 2026-12-31, before ``onebox-opening`` and its carried head) hold every
balance as it stood after the closing entry, so that a command, a close or a
report on the open year reads the books exactly as before the roll:

- each open item (an invoice, a customer's credit, OneBox prepaid; every bill of
  the year and every bill still open) as one transaction stating it
  (openitems: ``issued``, ``due``, ``until``, ``billed``, ``paid``,
  ``accrued``, ``in-grace``), its postings at the item's own rate, id
  ``year/2026/open/invoice/inv-2026-11-acme``;
- the last month's month-end entries (revaluation, contract assets), copied with
  ``Equity:Opening-Balances`` where the revaluation had ``Income:FX-Unrealized``,
  id ``year/2026/open/close/2026-12/fx/revalue``: January's close reverses them
  (month_end.reversals);
- every other balance (banks, deferred revenue, VAT, commission owed, equity,
  Retained-Earnings) in one transaction ``year/2026/open/balances``, one posting per
  account, currency and rate the balance is held at (a EUR bank account booked at
  several rates keeps each part at its own, so its revaluation is unchanged).

Each item and copy is balanced by ``Equity:Opening-Balances``; the balances
entry posts the rest to it, so every account (``Equity:Opening-Balances`` too)
opens at the balance it had. Nothing is rounded: every amount is a sum of amounts
the books hold, and each weight is exact.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, money, month_end
from .openitems import OpenItem, bills, credits, invoices, item_key
from .values import ZERO, Month

PREFIX = "year/"
INCOME_EXPENSES = ("Income", "Expenses")
BALANCE_SHEET = ("Assets", "Liabilities", "Equity")
ITEM_KEYS = {"invoice": "invoice", "bill": "bill", "credit": "credit", "prepaid": "prepaid"}

NIL = Decimal("0.00")
GroupKey = tuple[str, str, Decimal | None, str | None]  # account, currency, price, its currency


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def close_id(year: int) -> str:
    return f"{PREFIX}{year}/close"


def open_prefix(year: int) -> str:
    return f"{PREFIX}{year}/open/"


def is_roll_entry(entry: data.Directive) -> bool:
    """Written by a year's roll (a closing entry, an opening entry)."""
    entry_id = (entry.meta or {}).get("id")
    return isinstance(entry_id, str) and entry_id.startswith(PREFIX)


def _dated(entries: Iterable[data.Directive], year: int) -> list[data.Transaction]:
    end = year_end(year)
    return [e for e in entries if isinstance(e, data.Transaction) and e.date <= end]


def closing(
    entries: Iterable[data.Directive], year: int, operating: str
) -> data.Transaction | None:
    """The closing entry of `year`: every Income and Expenses balance (as of the year's end,
    per account and currency) to Equity:Retained-Earnings; None when all are zero."""
    sums: dict[tuple[str, str], Decimal] = {}
    for entry in _dated(entries, year):
        if (beans.entry_id(entry) or "") == close_id(year):
            continue
        for post in entry.postings:
            if post.account.split(":", 1)[0] in INCOME_EXPENSES:
                number, currency = beans.units(post)
                key = (post.account, currency)
                sums[key] = sums.get(key, ZERO) + number
    postings = [
        beans.posting(account, -number, currency)
        for (account, currency), number in sorted(sums.items())
        if number
    ]
    if not postings:
        return None
    by_currency: dict[str, Decimal] = {}
    for post in postings:
        number, currency = beans.units(post)
        by_currency[currency] = by_currency.get(currency, ZERO) + number
    postings += [
        beans.posting(beans.RETAINED, -number, currency)
        for currency, number in sorted(by_currency.items())
        if number
    ]
    return beans.transaction(
        year_end(year),
        "Year end",
        f"{year}: income and expenses to {beans.RETAINED}",
        {"id": close_id(year)},
        postings,
    )


def _month_end_ids(year: int) -> tuple[str, str]:
    prefix = f"close/{Month(year, 12)}/"
    return prefix + month_end.REVALUE, "/" + month_end.RECLASSIFY


def is_last_month_end(entry: data.Transaction, year: int) -> bool:
    """December's revaluation or a contract asset of it (what January reverses)."""
    revalue, reclassify = _month_end_ids(year)
    entry_id = month_end.carried_id(entry)
    return entry_id == revalue or (
        entry_id.startswith(f"close/{Month(year, 12)}/") and entry_id.endswith(reclassify)
    )


def _carried_items(
    entries: Sequence[data.Transaction], year: int
) -> dict[tuple[str, str], OpenItem]:
    """The items the opening carries, by (kind, id): open ones, and every bill of the year
    (OneBox's own bill for a month may arrive after its accrual was paid)."""
    out: dict[tuple[str, str], OpenItem] = {}
    for item in invoices(entries):
        if item.open:
            out[("invoice", item.id)] = item
    for item in credits(entries):
        if item.open:
            out[(item.kind, item.id)] = item
    for item in bills(entries):
        if item.open or item.date.year == year:
            out[("bill", item.id)] = item
    return out


def _item_of(post: data.Posting, entry: data.Transaction) -> tuple[str, str] | None:
    """(kind, id) of the item a posting belongs to, or None."""
    account = post.account
    if account.startswith(beans.RECEIVABLE + ":"):
        kind = "invoice"
    elif account in (beans.PAYABLE, beans.GRACE):
        kind = "bill"
    else:
        credit_kind = beans.credit_kind(account)
        if credit_kind is None:
            return None
        kind = credit_kind
    key = item_key(post, entry, kind)
    return None if key is None else (kind, key)


def _group_key(post: data.Posting) -> GroupKey:
    currency = beans.units(post).currency
    price = post.price
    return (
        post.account,
        currency,
        None if price is None else beans.number(price),
        None if price is None else price.currency,
    )


def _add(groups: dict[GroupKey, Decimal], post: data.Posting) -> None:
    key = _group_key(post)
    groups[key] = groups.get(key, ZERO) + beans.units(post).number


def _postings(groups: Mapping[GroupKey, Decimal]) -> list[data.Posting]:
    out = []
    for (account, currency, rate, quote), number in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or ZERO)
    ):
        if not number:
            continue
        price = None if rate is None or quote is None else Amount(rate, quote)
        out.append(beans.posting(account, number, currency, price=price))
    return out


def _weight(postings: Iterable[data.Posting], operating: str) -> Decimal:
    """The postings' weight, exact; written in cents when that is exact too (95.6800 -> 95.68)."""
    total = sum((money.weight(p, operating) for p in postings), ZERO)
    cents = total.quantize(NIL)
    return cents if cents == total else total


def _item_meta(item: OpenItem, kind: str, entry_id: str) -> dict[str, object]:
    meta: dict[str, object] = {"id": entry_id}
    if item.customer is not None:
        meta["customer"] = item.customer
    meta[ITEM_KEYS[kind]] = item.id
    meta["issued"] = item.date
    meta.update(
        beans.meta(
            due=item.due,
            until=item.until,
            billed=item.billed,
            paid=item.paid or None,
            accrued=item.accrued if kind == "bill" else None,
        )
    )
    if item.in_grace:
        meta["in-grace"] = item.in_grace
    return meta


def opening(
    entries: Iterable[data.Directive],
    year: int,
    operating: str,
    names: Mapping[str, str],
) -> list[data.Transaction]:
    """The opening entries of the year after `year` (see the module docs), dated `year`'s last
    day: `entries` are the books' (any date: those after the year are left out), `names`
    the customers' names by id (the items' payees)."""
    txns = [e for e in _dated(entries, year) if (beans.entry_id(e) or "") != close_id(year)]
    last = closing(txns, year, operating)
    if last is not None:
        txns.append(last)
    items = _carried_items(txns, year)
    item_groups: dict[tuple[str, str], dict[GroupKey, Decimal]] = {key: {} for key in items}
    groups: dict[GroupKey, Decimal] = {}
    copies: list[data.Transaction] = []
    prefix = open_prefix(year)
    for entry in txns:
        if is_last_month_end(entry, year):
            copies.append(_copy(entry, prefix))
            continue
        for post in entry.postings:
            if post.account.split(":", 1)[0] not in BALANCE_SHEET:
                continue
            key = _item_of(post, entry)
            if key is not None and key in item_groups:
                _add(item_groups[key], post)
            else:
                _add(groups, post)
    out: list[data.Transaction] = []
    for (kind, item_id), item in sorted(items.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        postings = _postings(item_groups[(kind, item_id)])
        weight = _weight(postings, operating)
        if weight:
            postings.append(beans.posting(beans.OPENING, -weight, operating))
        if not postings:  # a bill fully paid: stated with no amount on any account
            postings = [
                beans.posting(beans.PAYABLE, NIL, item.currency),
                beans.posting(beans.OPENING, NIL, operating),
            ]
        payee = "OneBox" if kind in ("bill", "prepaid") else names.get(item.customer or "")
        out.append(
            beans.transaction(
                year_end(year),
                payee or item.customer or "",
                f"Carried into {year + 1}: {kind} {item_id}",
                _item_meta(item, kind, f"{prefix}{kind}/{item_id}"),
                postings,
            )
        )
    out.extend(sorted(copies, key=lambda e: beans.entry_id(e) or ""))
    rest = _postings(groups)
    residual = -_weight(rest, operating)  # every item and copy balances on its own
    merged = {_group_key(p): beans.units(p).number for p in rest}
    equity: GroupKey = (beans.OPENING, operating, None, None)
    merged[equity] = merged.get(equity, ZERO) + residual
    balances = _postings(merged)
    if balances:
        out.append(
            beans.transaction(
                year_end(year),
                "Year end",
                f"Balances carried into {year + 1}",
                {"id": f"{prefix}balances"},
                balances,
            )
        )
    return out


def _copy(entry: data.Transaction, prefix: str) -> data.Transaction:
    """December's month-end entry, carried: Income:FX-Unrealized becomes Equity:Opening-Balances
    (that income is the archived year's), the id is prefixed."""
    postings = [
        beans.posting(
            beans.OPENING if post.account == month_end.UNREALIZED else post.account,
            beans.units(post).number,
            beans.units(post).currency,
            {k: v for k, v in (post.meta or {}).items() if k not in ("filename", "lineno")},
            price=post.price,
        )
        for post in entry.postings
    ]
    meta = {k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")}
    meta["id"] = prefix + (beans.entry_id(entry) or "")
    return beans.transaction(entry.date, entry.payee, entry.narration or "", meta, postings)


def accounts_to_open(opened: Collection[str], entries: Iterable[data.Transaction]) -> list[str]:
    """The accounts `entries` post to that are not among `opened`."""
    wanted = {p.account for e in entries for p in e.postings}
    return sorted(wanted - set(opened))
