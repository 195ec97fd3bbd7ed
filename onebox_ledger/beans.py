"""The one place that builds Beancount entries and writes them as text.

Every entry the tool writes is built here and rendered by :func:`format_entry`,
a small printer of our own rather than ``beancount.parser.printer``: that printer
does not escape quotes in custom directives, refuses int metadata and rounds with
the ledger's display context. Ours prints numbers exactly as given, escapes every
string, and prints a stable order, so a generated entry is byte-identical every
time it is generated (the basis of idempotency, seals and ``verify``)::

    2026-11-30 * "Acme Realty" "Cloud, 5 x 25.00 USD, November 2026"
      id: "close/2026-11/acme-cloud/invoice"
      customer: "acme"
      Assets:Receivable:Acme  125.00 USD
      Income:Cloud           -125.00 USD

Customer ids become account components through :func:`customer_account_part`
(``acme-realty`` -> ``Acme-Realty``), valid for any id that values.parse_id accepts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.position import Cost

from .values import Money

# The chart of accounts (DESIGN.md section 2). Streams map to Income:<Stream>
# and Expenses:OneBox:<Stream>, so Income:X minus Expenses:OneBox:X is X's margin.
STREAMS = ("cloud", "data", "product", "services")
BANK = "Assets:Bank"
RECEIVABLE = "Assets:Receivable"
PREPAID = "Assets:Prepaid:OneBox"
PAYABLE = "Liabilities:OneBox:Payable"
GRACE = "Liabilities:OneBox:Grace"
DEFERRED = "Liabilities:Deferred-Revenue"
CREDIT = "Liabilities:Customer-Credit"
OPENING = "Equity:Opening-Balances"  # bank add --opening: a bank account's balance the day it opens
ROUNDING = "Equity:Rounding"
RETAINED = "Equity:Retained-Earnings"  # a rolled year's result (onebox_ledger.yearroll)
FX_GAINS = "Income:FX-Gains"
FX_LOSSES = "Expenses:FX-Losses"
FX_UNREALIZED = "Income:FX-Unrealized"  # the month end's revaluation (onebox_ledger.month_end)
FX_REVALUATION = "FX-Revaluation"  # Assets:FX-Revaluation:<class>, Liabilities:FX-Revaluation:...
CONTRACT_ASSET = "Assets:Contract-Asset"
BAD_DEBT = "Expenses:Bad-Debt"
BANK_FEES = "Expenses:Bank-Fees"  # where bank fees go unless import --fees names another account
ADJUSTMENT = "Expenses:OneBox:Adjustment"

# The accounts onebox-ledger books itself (and their sub-accounts), with what they hold: a rule
# or a --fees account booking there would change what they report.
TOOL_ACCOUNTS = {
    RECEIVABLE: "customers' invoices",
    DEFERRED: "deferred revenue",
    CREDIT: "customers' credit",
    PREPAID: "OneBox prepaid",
    "Liabilities:OneBox": "OneBox's bills",
    **{f"Income:{stream.capitalize()}": "revenue" for stream in STREAMS},
    "Expenses:OneBox": "OneBox cost",
    BAD_DEBT: "bad debt",
    FX_GAINS: "exchange gains",
    FX_LOSSES: "exchange losses",
    FX_UNREALIZED: "unrealized exchange differences",
    f"Assets:{FX_REVALUATION}": "the month end's revaluation",
    f"Liabilities:{FX_REVALUATION}": "the month end's revaluation",
    CONTRACT_ASSET: "contract assets",
    ROUNDING: "rounding",
}


def booked_by_tool(account: str) -> str | None:
    """What `account` holds when onebox-ledger books it itself (TOOL_ACCOUNTS), else None."""
    for own, what in TOOL_ACCOUNTS.items():
        if account == own or account.startswith(own + ":"):
            return what
    return None


# Metadata written by the loader or booking, never part of an entry's identity.
_LOADER_KEYS = frozenset({"filename", "lineno"})


def income_account(stream: str) -> str:
    return f"Income:{stream.capitalize()}"


def cost_account(stream: str) -> str:
    return f"Expenses:OneBox:{stream.capitalize()}"


def customer_account_part(customer_id: str) -> str:
    """'acme-realty' -> 'Acme-Realty'; '3m' -> '3m' (a digit may lead a component)."""
    return "-".join(part[:1].upper() + part[1:] for part in customer_id.split("-"))


def receivable_account(customer_id: str) -> str:
    return f"{RECEIVABLE}:{customer_account_part(customer_id)}"


def deferred_account(customer_id: str) -> str:
    return f"{DEFERRED}:{customer_account_part(customer_id)}"


def credit_account(customer_id: str) -> str:
    return f"{CREDIT}:{customer_account_part(customer_id)}"


def is_credit_account(account: str) -> bool:
    """A customer's credit: money held for a customer, not yet applied
    (``Liabilities:Customer-Credit:Acme``)."""
    return account.startswith(CREDIT + ":")


def is_prepaid_account(account: str) -> bool:
    """OneBox prepaid: money paid to OneBox ahead of its bills (``Assets:Prepaid:OneBox``)."""
    return account == PREPAID


def credit_kind(account: str) -> str | None:
    """ "credit" (a customer's), "prepaid" (at OneBox), or None for any other account: the
    kind of open item a posting to `account` belongs to (openitems.OpenItem.kind)."""
    if is_credit_account(account):
        return "credit"
    if is_prepaid_account(account):
        return "prepaid"
    return None


def touches_credit(entry: data.Transaction) -> bool:
    """Does the transaction post to customer credit or OneBox prepaid?"""
    return any(credit_kind(post.account) is not None for post in entry.postings)


# ---------------------------------------------------------------- reading


def number(amount: Amount | None) -> Decimal:
    """The number of a complete amount (parsed or built here, never left incomplete)."""
    assert amount is not None and amount.number is not None, amount
    return amount.number


def units(post: data.Posting) -> Money:
    """A posting's units, as Money (number, currency)."""
    assert post.units is not None
    return Money(number(post.units), post.units.currency)


# ---------------------------------------------------------------- building


def meta(**values: Any) -> dict[str, Any]:
    """Entry metadata in the given order, without None values."""
    return {key: value for key, value in values.items() if value is not None}


def posting(
    account: str,
    number: Decimal,
    currency: str,
    post_meta: Mapping[str, Any] | None = None,
    *,
    lot: Lot | None = None,
    price: Amount | None = None,
) -> data.Posting:
    """A posting; `lot` is the rate a foreign-currency open item is held at, `price` the
    day's rate of cash: both are written as a price in the operating currency
    (``92.00 EUR @ 1.10 USD``), whose weight is what the posting is worth."""
    if lot is not None:
        assert price is None, "an item's posting has one rate"
        price = Amount(lot.rate, lot.currency)
    return data.Posting(
        account, Amount(number, currency), None, price, None, dict(post_meta) if post_meta else None
    )


class Lot(NamedTuple):
    """The rate a foreign-currency open item (an invoice, a bill, a credit) is held at: the
    operating currency's rate on the item's date. Every posting of the item carries it as its
    price, so settling it at another day's rate leaves the realized difference to book."""

    rate: Decimal
    currency: str  # the operating currency


def lot_of(post: data.Posting) -> Lot | None:
    """The rate a posting is valued at: its price, or the cost of a lot a person wrote
    (parsed: CostSpec; booked: Cost); None in the operating currency."""
    if post.price is not None:
        return Lot(number(post.price), post.price.currency)
    cost = post.cost
    if cost is None:
        return None
    rate = cost.number if isinstance(cost, Cost) else cost.number_per
    if not isinstance(rate, Decimal) or not isinstance(cost.currency, str):
        return None
    return Lot(rate, cost.currency)


def transaction(
    date: datetime.date,
    payee: str | None,
    narration: str,
    entry_meta: Mapping[str, Any],
    postings: Sequence[data.Posting],
) -> data.Transaction:
    return data.Transaction(
        dict(entry_meta),
        date,
        "*",
        payee,
        narration,
        data.EMPTY_SET,
        data.EMPTY_SET,
        list(postings),
    )


def custom(
    date: datetime.date,
    kind: str,
    values: Sequence[Any],
    entry_meta: Mapping[str, Any] | None = None,
) -> data.Custom:
    """A custom directive; values are str, Decimal, Amount, date or bool (never empty)."""
    if not values:
        raise ValueError("a custom directive needs at least one value")  # pad plugin trap
    typed = [(value, type(value)) for value in values]
    return data.Custom(dict(entry_meta or {}), date, kind, typed)


def document(
    date: datetime.date,
    account: str,
    filename: str,
    entry_meta: Mapping[str, Any],
    links: frozenset[str] = data.EMPTY_SET,
) -> data.Document:
    """A document directive: `filename` as written (relative: to the folder of the file that
    holds the entry)."""
    return data.Document(dict(entry_meta), date, account, filename, data.EMPTY_SET, links)


def open_account(
    date: datetime.date, account: str, currencies: Sequence[str] | None = None
) -> data.Open:
    return data.Open({}, date, account, list(currencies or ()), None)


def balance(
    date: datetime.date, account: str, number: Decimal, currency: str, entry_meta: Mapping[str, Any]
) -> data.Balance:
    """A balance assertion: `account` holds `number` `currency` at the start of `date`."""
    return data.Balance(dict(entry_meta), date, account, Amount(number, currency), None, None)


def price(date: datetime.date, currency: str, number: Decimal, quote: str) -> data.Price:
    return data.Price({}, date, currency, Amount(number, quote))


# ---------------------------------------------------------------- printing


def quote(text: str) -> str:
    """A Beancount string literal; values.make_text has already refused control characters."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, Amount):
        return f"{format_number(number(value))} {value.currency}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} value {value!r} to the ledger")


def format_number(number: Decimal) -> str:
    """Exactly the digits given: Decimal('125.00') -> '125.00', never exponent notation."""
    return format(number, "f")


def _meta_lines(values: Mapping[str, Any] | None, indent: str) -> list[str]:
    if not values:
        return []
    return [
        f"{indent}{key}: {format_value(value)}"
        for key, value in values.items()
        if key not in _LOADER_KEYS and not key.startswith("__")
    ]


def format_entry(entry: data.Directive) -> str:
    """One entry as Beancount text ending in a newline."""
    date = entry.date.isoformat()
    if isinstance(entry, data.Transaction):
        head = [date, entry.flag or "*"]
        if entry.payee is not None:
            head.append(quote(entry.payee))
        head.append(quote(entry.narration or ""))
        head.extend("#" + tag for tag in sorted(entry.tags or ()))
        head.extend("^" + link for link in sorted(entry.links or ()))
        lines = [" ".join(head), *_meta_lines(entry.meta, "  ")]
        width = max(len(p.account) for p in entry.postings) if entry.postings else 0
        for post in entry.postings:
            amount, currency = units(post)
            text = format_number(amount)
            lines.append(f"  {post.account:<{width}}  {text:>12} {currency}{_cost_price(post)}")
            lines.extend(_meta_lines(post.meta, "    "))
        return "\n".join(lines) + "\n"
    if isinstance(entry, data.Custom):
        values = " ".join(format_value(value) for value, _ in entry.values)
        lines = [f"{date} custom {quote(entry.type)} {values}", *_meta_lines(entry.meta, "  ")]
        return "\n".join(lines) + "\n"
    if isinstance(entry, data.Open):
        currencies = " " + ",".join(entry.currencies) if entry.currencies else ""
        lines = [f"{date} open {entry.account}{currencies}", *_meta_lines(entry.meta, "  ")]
        return "\n".join(lines) + "\n"
    if isinstance(entry, data.Price):
        return f"{date} price {entry.currency} {format_value(entry.amount)}\n"
    if isinstance(entry, data.Commodity):
        return f"{date} commodity {entry.currency}\n"
    if isinstance(entry, data.Document):
        first = f"{date} document {entry.account} {quote(entry.filename)}"
        first += "".join(" ^" + link for link in sorted(entry.links or ()))
        return "\n".join([first, *_meta_lines(entry.meta, "  ")]) + "\n"
    if isinstance(entry, data.Balance):
        lines = [
            f"{date} balance {entry.account} {format_value(entry.amount)}",
            *_meta_lines(entry.meta, "  "),
        ]
        return "\n".join(lines) + "\n"
    raise TypeError(f"cannot write a {type(entry).__name__} entry")


def _cost_price(post: data.Posting) -> str:
    if post.cost is not None:
        raise TypeError(f"cannot write the cost {post.cost!r}: the tool holds items at a price")
    return "" if post.price is None else f" @ {format_value(post.price)}"


def format_entries(entries: Iterable[data.Directive]) -> str:
    return "\n".join(format_entry(entry) for entry in entries)


# ---------------------------------------------------------------- identity


def entry_id(entry: data.Directive) -> str | None:
    value = entry.meta.get("id") if entry.meta else None
    return value if isinstance(value, str) else None


def identity(entry: data.Transaction, *, rates_by_value: bool = False) -> tuple[Any, ...]:
    """What makes two transactions the same entry: equal exactly when format_entry is equal.

    With `rates_by_value`, a posting's price counts as a number (1.06 and
    1.060000000000000000000000000 are one rate): verify's comparison, since a
    rate's digits depend on how Beancount's price map derived it."""
    postings = []
    for post in entry.postings:
        amount = post.units
        assert amount is not None and amount.number is not None, amount  # as `units`
        price: Any = post.price
        if post.cost is None and rates_by_value and price is not None and price.number is not None:
            price = (price.number.normalize(), price.currency)
        else:
            price = _cost_price(post)  # raises on a cost: the tool holds items at a price
        postings.append(
            (post.account, format(amount.number, "f"), amount.currency, price,
             _meta_key(post.meta) if post.meta else ())
        )  # fmt: skip
    return (
        entry.date, entry.flag, entry.payee, entry.narration, entry.tags, entry.links,
        _meta_key(entry.meta), tuple(postings),
    )  # fmt: skip


def _meta_key(values: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Metadata as compared by `identity`: strings, dates and booleans as they are (each
    prints one way only, so equal values print equal and unequal ones unequal), numbers
    and amounts as printed (125.0 and 125.00 are equal numbers but print differently)."""
    if not values:
        return ()
    return tuple(
        (key, value if type(value) in _AS_IS else format_value(value))
        for key, value in values.items()
        if key not in _LOADER_KEYS and key[:2] != "__"
    )


_AS_IS = frozenset({str, datetime.date})
