"""The partner's terms, customers and contracts, parsed from dated custom directives.

The ledger is the only database. These directives are its inputs; everything
the close generates is derived from them (and from metered usage)::

    2026-01-01 custom "onebox-item" "cloud-user" 25.00 USD     ; list price per unit-month
    2026-01-01 custom "onebox-item" "data-records" 1.99 USD    ; metered: per block of `per` units
      per: 1000
    2026-01-01 custom "onebox-rate" 1 0.65                     ; from 1 active box: 65% of list
    2026-01-01 custom "onebox-rate" 10 0.60                    ; from 10 active boxes: 60%
    2026-01-01 custom "onebox-payment" 30                      ; bills due 30 days after month end
    2026-01-15 custom "onebox-customer" "acme"
      name: "Acme Realty"
      currency: "USD"
      payment: 30                                              ; days to pay an invoice
    2026-02-01 custom "onebox-contract" "acme-cloud"           ; dated its first day
      customer: "acme"
      stream: "cloud"
      billing: "monthly"
      price: 25.00 USD
      quantity: 5
      item: "cloud-user"
    2026-03-15 custom "onebox-change" "acme-cloud"             ; from this day on
      quantity: 8
    2026-06-30 custom "onebox-end" "acme-cloud"                ; last day of service
    2026-11-30 custom "onebox-usage" "acme-data" 1500          ; metered units of the month

Taxes (onebox_ledger.taxes) come from four more, each dated so a regime can change::

    2026-01-01 custom "onebox-partner" "Muster Cloud GmbH"     ; who issues the invoices
      country: "DE"
      vat-id: "DE136695976"
      tax: "vat"                                               ; or "ua-single-tax" (rate: 5), "none"
    2026-01-01 custom "onebox-vat" "DE" 19                     ; a country's standard VAT rate, %
    2026-01-01 custom "onebox-bill-vat" 19                     ; VAT OneBox charges on its bills, %
    2026-03-01 custom "onebox-customer-tax" "acme" "exempt"    ; a customer's treatment from then

A customer's ``country:``, ``vat-id:`` and ``tax:`` give its treatment until a
"onebox-customer-tax" changes it (taxes.treatment).

:func:`parse_book` turns a list of entries into a :class:`Book` plus a list of
errors, one per malformed directive, each naming its file and line. Pure: no
files, no clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from beancount.core import data
from beancount.core.amount import Amount

from .beans import STREAMS
from .values import (
    MAX_DAYS,
    InputError,
    Month,
    parse_bic,
    parse_country,
    parse_iban,
    parse_id,
    parse_vat_id,
)

_T = TypeVar("_T")

BILLINGS = ("monthly", "annual", "once", "metered")
TIMINGS = ("arrears", "advance")  # monthly contracts: invoiced at the close, or on the 1st
DOWNGRADES = ("credit", "anniversary")  # an annual contract's lower terms: credited now, or later
UNEARNED = ("recognise", "credit")  # an annual contract ended early: what it paid for, unserved
REGIMES = ("vat", "ua-single-tax", "none")  # the partner's tax regime (onebox-partner tax:)
TREATMENTS = ("standard", "reverse-charge", "exempt")  # a customer's VAT treatment
DUNNING_LEVELS = (7, 21, 45)  # days past due of reminder levels 1, 2, 3 (onebox-dunning)


class ModelError(NamedTuple):
    """A malformed directive, in Beancount's error shape (source, message, entry)."""

    source: dict[str, Any]
    message: str
    entry: Any


@dataclass(frozen=True)
class Item:
    """A OneBox catalog item: list price per unit-month, or per block of `per` metered units."""

    name: str
    date: datetime.date
    price: Amount
    per: Decimal | None = None  # metered items: units in one billed block

    @property
    def metered(self) -> bool:
        return self.per is not None


@dataclass(frozen=True)
class Rate:
    date: datetime.date
    boxes: int
    rate: Decimal


@dataclass(frozen=True)
class Customer:
    id: str
    date: datetime.date
    name: str
    currency: str
    payment: int = 30  # at most MAX_DAYS  # days the customer has to pay an invoice
    country: str | None = None  # ISO 3166 alpha-2; None: the partner's own
    vat_id: str | None = None
    tax: str | None = None  # a treatment (TREATMENTS) given when the customer was added
    address: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Partner:
    """The partner as it issues invoices from `date` on: its details and tax regime (`tax`:
    REGIMES; `rate`: the single tax's percent of money received)."""

    date: datetime.date
    name: str
    country: str
    tax: str
    vat_id: str | None = None
    address: str | None = None
    iban: str | None = None
    rate: Decimal | None = None
    bic: str | None = None


@dataclass(frozen=True)
class Change:
    """A dated change of a contract's quantity and/or price, from `date` on.

    `downgrade` (annual contracts): lower terms during a contract year are credited to the
    customer for the rest of the year ("credit"), or bill from the next anniversary on
    ("anniversary"); higher terms are always invoiced for the rest of the year.
    """

    date: datetime.date
    quantity: int | None = None
    price: Amount | None = None
    downgrade: str = "credit"


@dataclass(frozen=True)
class Contract:
    id: str
    customer: str
    stream: str
    billing: str
    price: Amount
    quantity: int
    start: datetime.date
    item: str | None = None
    end: datetime.date | None = None  # last day of service, inclusive
    changes: tuple[Change, ...] = ()
    timing: str = "arrears"  # monthly: "arrears" (the close invoices) or "advance" (on the 1st)
    term_end: datetime.date | None = None  # the end the contract itself declares (end:)
    unearned: str = "recognise"  # annual, ended by onebox-end before a year is over
    # annual: the months whose year a sealed month invoiced by rules 1 (`rules_1_years`)
    rules_1: frozenset[Month] = frozenset()

    @property
    def currency(self) -> str:
        return self.price.currency

    @property
    def advance(self) -> bool:
        return self.timing == "advance"

    def terms_on(self, date: datetime.date) -> tuple[int, Amount]:
        """(quantity, price) in force on `date`, after every change dated on or before it."""
        quantity, price = self.quantity, self.price
        for change in self.changes:
            if change.date > date:
                break
            quantity = change.quantity if change.quantity is not None else quantity
            price = change.price if change.price is not None else price
        return quantity, price

    def terms_billed(
        self, date: datetime.date, anniversary: datetime.date | None = None
    ) -> tuple[int, Amount]:
        """(quantity, price) the customer is billed for on `date`: as terms_on, except that an
        annual contract's change with ``downgrade: "anniversary"`` bills only from the first
        anniversary on or after it (`anniversary`: the one opening `date`'s contract year)."""
        quantity, price = self.quantity, self.price
        for change in self.changes:
            if change.date > date:
                break
            later = (
                self.billing == "annual"
                and change.downgrade == "anniversary"
                and anniversary is not None
                and change.date > anniversary
            )
            if later:
                continue
            quantity = change.quantity if change.quantity is not None else quantity
            price = change.price if change.price is not None else price
        return quantity, price

    def active_on(self, date: datetime.date) -> bool:
        return self.start <= date and (self.end is None or date <= self.end)

    def active_in(self, month: Month) -> bool:
        return self.start <= month.last and (self.end is None or self.end >= month.first)


@dataclass(frozen=True)
class Book:
    """Terms, customers and contracts: everything the close needs besides the month's own file."""

    items: dict[str, tuple[Item, ...]] = field(default_factory=dict)
    rates: tuple[Rate, ...] = ()
    payments: tuple[tuple[datetime.date, int], ...] = ()
    customers: dict[str, Customer] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    partners: tuple[Partner, ...] = ()  # by date
    vat_rates: tuple[tuple[datetime.date, str, Decimal], ...] = ()  # (from, country, percent)
    bill_vat: tuple[tuple[datetime.date, Decimal], ...] = ()  # OneBox's VAT on its bills, %
    customer_taxes: dict[str, tuple[tuple[datetime.date, str], ...]] = field(default_factory=dict)
    dunning: tuple[tuple[datetime.date, tuple[int, ...]], ...] = ()  # reminder levels, days overdue

    def dunning_levels(self, date: datetime.date) -> tuple[int, ...]:
        """The days past due at which each reminder level starts, in force on `date`
        (``onebox-dunning``; none recorded: 7, 21 and 45)."""
        return _latest(iter(self.dunning), date) or DUNNING_LEVELS

    def partner(self, date: datetime.date) -> Partner | None:
        """The partner's details and regime in force on `date`."""
        return _latest(((p.date, p) for p in self.partners), date)

    def vat_rate(self, country: str, date: datetime.date) -> Decimal | None:
        """`country`'s VAT rate (percent) in force on `date`."""
        return _latest(((when, rate) for when, cc, rate in self.vat_rates if cc == country), date)

    def bill_vat_rate(self, date: datetime.date) -> Decimal | None:
        return _latest(iter(self.bill_vat), date)

    def customer_tax(self, customer: str, date: datetime.date) -> str | None:
        """The treatment a "onebox-customer-tax" set for `customer` on or before `date`."""
        return _latest(iter(self.customer_taxes.get(customer, ())), date)

    def item(self, name: str, date: datetime.date) -> Item | None:
        """The item's list price in force on `date` (the latest dated on or before it)."""
        current = None
        for version in self.items.get(name, ()):
            if version.date <= date:
                current = version
        return current

    def rate_table(self, date: datetime.date) -> dict[int, Decimal]:
        """Tier thresholds in force on `date`: boxes -> rate, latest directive per threshold."""
        table: dict[int, Decimal] = {}
        for rate in self.rates:
            if rate.date <= date:
                table[rate.boxes] = rate.rate
        return table

    def rate(self, boxes: int, date: datetime.date) -> Decimal | None:
        """The cost rate for `boxes` active boxes: the tier with the largest threshold <= boxes."""
        eligible = [(t, r) for t, r in self.rate_table(date).items() if t <= boxes]
        return max(eligible)[1] if eligible else None

    def payment_days(self, date: datetime.date) -> int | None:
        days = None
        for when, value in self.payments:
            if when <= date:
                days = value
        return days

    def has_terms(self) -> bool:
        return bool(self.rates) and bool(self.payments)


def _latest(dated: Iterable[tuple[datetime.date, _T]], date: datetime.date) -> _T | None:
    """The value of the latest (date, value) dated on or before `date` (the last given wins
    a tie), else None."""
    found = None
    for when, value in sorted(dated, key=lambda pair: pair[0]):
        if when <= date:
            found = value
    return found


# ---------------------------------------------------------------- parsing


class _Bad(Exception):
    pass


def _values(entry: data.Custom) -> list[Any]:
    return [value for value, _ in entry.values]


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(f"{what} must be a non-empty string, not {value!r}")
    return value


def _positive_int(value: Any, what: str) -> int:
    if not isinstance(value, Decimal) or value != value.to_integral_value() or value < 1:
        raise _Bad(f"{what} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _amount(value: Any, what: str) -> Amount:
    if not isinstance(value, Amount) or value.number is None or value.number < 0:
        raise _Bad(f"{what} must be an amount like 25.00 USD, not {value!r}")
    return value


def _one_value(entry: data.Custom) -> Any:
    values = _values(entry)
    if len(values) != 1:
        raise _Bad(f'"{entry.type}" takes exactly one value, found {len(values)}')
    return values[0]


def _id_value(entry: data.Custom) -> str:
    values = _values(entry)
    if not values:
        raise _Bad(f'"{entry.type}" needs an id')
    return _string(values[0], "the id")


@dataclass
class _Builder:
    items: dict[str, list[Item]] = field(default_factory=dict)
    rates: list[Rate] = field(default_factory=list)
    payments: list[tuple[datetime.date, int]] = field(default_factory=list)
    customers: dict[str, Customer] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    changes: dict[str, list[Change]] = field(default_factory=dict)
    ends: dict[str, datetime.date] = field(default_factory=dict)
    unearned: dict[str, str] = field(default_factory=dict)
    partners: list[Partner] = field(default_factory=list)
    vat_rates: list[tuple[datetime.date, str, Decimal]] = field(default_factory=list)
    bill_vat: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    customer_taxes: dict[str, list[tuple[datetime.date, str]]] = field(default_factory=dict)
    dunning: list[tuple[datetime.date, tuple[int, ...]]] = field(default_factory=list)


def _item(entry: data.Custom, b: _Builder) -> None:
    values = _values(entry)
    if len(values) != 2:
        raise _Bad('"onebox-item" takes a name and a price, like "cloud-user" 25.00 USD')
    name = _string(values[0], "the item name")
    price = _amount(values[1], "the item price")
    per = entry.meta.get("per")
    if per is not None and (not isinstance(per, Decimal) or per <= 0):
        raise _Bad(f"per must be a positive number of units, not {per!r}")
    for versions in b.items.values():
        if versions[0].price.currency != price.currency:
            raise _Bad(
                f"OneBox bills in one currency: item {name!r} is priced in {price.currency},"
                f" item {versions[0].name!r} in {versions[0].price.currency}"
            )
    earlier = b.items.get(name)
    if earlier and (earlier[0].per is None) != (per is None):
        kind = "metered (per:)" if earlier[0].per is not None else "per unit-month"
        raise _Bad(f"item {name!r} is {kind} since {earlier[0].date}; a new price must keep that")
    b.items.setdefault(name, []).append(Item(name, entry.date, price, per))


def _rate(entry: data.Custom, b: _Builder) -> None:
    values = _values(entry)
    if len(values) != 2:
        raise _Bad('"onebox-rate" takes a box count and a rate, like 10 0.60')
    boxes = _positive_int(values[0], "the box count")
    rate = values[1]
    if not isinstance(rate, Decimal) or not 0 < rate <= 1:
        raise _Bad(f"the rate must be a number above 0 and at most 1, not {rate!r}")
    b.rates.append(Rate(entry.date, boxes, rate))


def _payment(entry: data.Custom, b: _Builder) -> None:
    value = _one_value(entry)
    if (
        not isinstance(value, Decimal)
        or value != value.to_integral_value()
        or not 0 <= value <= MAX_DAYS
    ):
        raise _Bad(f"payment days must be a whole number of days up to {MAX_DAYS}, not {value!r}")
    b.payments.append((entry.date, int(value)))


def _customer(entry: data.Custom, b: _Builder) -> None:
    cid = _id_value(entry)
    try:
        parse_id(cid, "customer")
    except InputError as err:
        raise _Bad(str(err)) from None
    if cid in b.customers:
        raise _Bad(f"customer {cid!r} is defined twice")
    name = _string(entry.meta.get("name"), "name")
    currency = _string(entry.meta.get("currency"), "currency")
    payment = entry.meta.get("payment", Decimal(30))
    if (
        not isinstance(payment, Decimal)
        or payment != payment.to_integral_value()
        or not 0 <= payment <= MAX_DAYS
    ):
        raise _Bad(f"payment must be a whole number of days up to {MAX_DAYS}, not {payment!r}")
    m = entry.meta
    country = _optional(m, "country", _country)
    tax = _optional(m, "tax", _treatment)
    vat_id = _optional(m, "vat-id", lambda v, w: _vat_id(v, w, country))
    address = _optional(m, "address", _string)
    language = _optional(m, "language", _string)
    b.customers[cid] = Customer(
        cid, entry.date, name, currency, int(payment), country, vat_id, tax, address, language
    )


def _optional(meta: dict[str, Any], key: str, parse: Any) -> Any:
    value = meta.get(key)
    return None if value is None else parse(value, key)


def _wrap(check: Any, value: Any, what: str) -> str:
    try:
        return str(check(_string(value, what), what))
    except InputError as err:
        raise _Bad(str(err)) from None


def _country(value: Any, what: str) -> str:
    return _wrap(parse_country, value, what)


def _vat_id(value: Any, what: str, country: str | None) -> str:
    return _wrap(lambda text, w: parse_vat_id(text, country, w), value, what)


def _treatment(value: Any, what: str) -> str:
    text = _string(value, what)
    if text not in TREATMENTS:
        raise _Bad(f"{what} must be one of {', '.join(TREATMENTS)}, not {text!r}")
    return text


def _percent(value: Any, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not 0 <= value < 100:
        raise _Bad(f"{what} must be a percent from 0 to below 100, like 19, not {value!r}")
    return value


def _partner(entry: data.Custom, b: _Builder) -> None:
    name = _string(_one_value(entry), "the partner's name")
    m = entry.meta
    country = _country(m.get("country"), "country")
    tax = _string(m.get("tax"), "tax")
    if tax not in REGIMES:
        raise _Bad(f"tax must be one of {', '.join(REGIMES)}, not {tax!r}")
    rate = _optional(m, "rate", _percent)
    if tax == "ua-single-tax" and rate is None:
        raise _Bad("the single tax needs rate: (percent of money received, like 5)")
    if tax == "vat" and rate is not None:
        raise _Bad('a VAT rate is a country\'s: "onebox-vat" COUNTRY PERCENT, not rate:')
    b.partners.append(
        Partner(
            entry.date, name, country, tax,
            vat_id=_optional(m, "vat-id", lambda v, w: _vat_id(v, w, country)),
            address=_optional(m, "address", _string),
            iban=_optional(m, "iban", lambda v, w: _wrap(parse_iban, v, w)),
            rate=rate,
            bic=_optional(m, "bic", lambda v, w: _wrap(parse_bic, v, w)),
        )
    )  # fmt: skip


def _vat(entry: data.Custom, b: _Builder) -> None:
    values = _values(entry)
    if len(values) != 2:
        raise _Bad('"onebox-vat" takes a country and a percent, like "DE" 19')
    b.vat_rates.append(
        (entry.date, _country(values[0], "the country"), _percent(values[1], "the VAT rate"))
    )


def _bill_vat(entry: data.Custom, b: _Builder) -> None:
    b.bill_vat.append((entry.date, _percent(_one_value(entry), "OneBox's VAT rate")))


def _customer_tax(entry: data.Custom, b: _Builder) -> None:
    values = _values(entry)
    if len(values) != 2:
        raise _Bad('"onebox-customer-tax" takes a customer and a treatment, like "acme" "exempt"')
    customer = _string(values[0], "the customer")
    if customer not in b.customers:
        raise _Bad(f"tax treatment of unknown customer {customer!r}")
    treatment = _treatment(values[1], "the treatment")
    b.customer_taxes.setdefault(customer, []).append((entry.date, treatment))


def _dunning(entry: data.Custom, b: _Builder) -> None:
    values = _values(entry)
    days = []
    for value in values:
        if not isinstance(value, Decimal) or value != value.to_integral_value() or value < 1:
            raise _Bad('"onebox-dunning" takes whole days past due, rising, like 7 21 45')
        days.append(int(value))
    if not days or days != sorted(set(days)) or days[-1] > MAX_DAYS:
        raise _Bad('"onebox-dunning" takes whole days past due, rising, like 7 21 45')
    b.dunning.append((entry.date, tuple(days)))


def _contract(entry: data.Custom, b: _Builder) -> None:
    cid = _id_value(entry)
    if cid in b.contracts:
        raise _Bad(f"contract {cid!r} is defined twice")
    m = entry.meta
    customer = _string(m.get("customer"), "customer")
    if customer not in b.customers:
        raise _Bad(f"contract {cid!r} names unknown customer {customer!r}")
    stream = _string(m.get("stream"), "stream")
    if stream not in STREAMS:
        raise _Bad(f"stream must be one of {', '.join(STREAMS)}, not {stream!r}")
    billing = _string(m.get("billing", "monthly"), "billing")
    if billing not in BILLINGS:
        raise _Bad(f"billing must be one of {', '.join(BILLINGS)}, not {billing!r}")
    price = _amount(m.get("price"), "price")
    if price.currency != b.customers[customer].currency:
        raise _Bad(
            f"contract {cid!r} is priced in {price.currency} but customer {customer!r}"
            f" is billed in {b.customers[customer].currency}"
        )
    quantity = _positive_int(m.get("quantity", Decimal(1)), "quantity")
    item = m.get("item")
    if item is not None:
        item = _string(item, "item")
        if item not in b.items:
            raise _Bad(f"contract {cid!r} consumes unknown item {item!r}")
    if stream == "services" and item is not None:
        raise _Bad("a services contract consumes no OneBox item")
    if billing == "metered" and (item is None or b.items[item][0].per is None):
        raise _Bad(f"metered contract {cid!r} needs a metered item (one with per:)")
    end = m.get("end")
    if end is not None and (not isinstance(end, datetime.date) or end < entry.date):
        raise _Bad(f"end must be a date on or after the start {entry.date}, not {end!r}")
    timing = _string(m.get("timing", "arrears"), "timing")
    if timing not in TIMINGS:
        raise _Bad(f"timing must be one of {', '.join(TIMINGS)}, not {timing!r}")
    if timing == "advance" and billing != "monthly":
        raise _Bad(f"only monthly contracts are billed in advance, not {billing}")
    b.contracts[cid] = Contract(
        cid, customer, stream, billing, price, quantity, entry.date, item, end,
        timing=timing, term_end=end,
    )  # fmt: skip


def _change(entry: data.Custom, b: _Builder) -> None:
    cid = _id_value(entry)
    if cid not in b.contracts:
        raise _Bad(f"change of unknown contract {cid!r}")
    contract = b.contracts[cid]
    if entry.date <= contract.start:
        raise _Bad(f"a change must be dated after the contract's start {contract.start}")
    quantity = entry.meta.get("quantity")
    price = entry.meta.get("price")
    if quantity is None and price is None:
        raise _Bad("a change needs quantity: or price:")
    qty = None if quantity is None else _positive_int(quantity, "quantity")
    amount = None if price is None else _amount(price, "price")
    if amount is not None and amount.currency != contract.currency:
        raise _Bad(
            f"price currency {amount.currency} differs from the contract's {contract.currency}"
        )
    downgrade = _string(entry.meta.get("downgrade", "credit"), "downgrade")
    if downgrade not in DOWNGRADES:
        raise _Bad(f"downgrade must be one of {', '.join(DOWNGRADES)}, not {downgrade!r}")
    if any(c.date == entry.date for c in b.changes.get(cid, ())):
        raise _Bad(f"contract {cid!r} already changes on {entry.date}; give both in one change")
    b.changes.setdefault(cid, []).append(Change(entry.date, qty, amount, downgrade))


def _end(entry: data.Custom, b: _Builder) -> None:
    cid = _id_value(entry)
    if cid not in b.contracts:
        raise _Bad(f"end of unknown contract {cid!r}")
    if entry.date < b.contracts[cid].start:
        raise _Bad(f"a contract cannot end before its start {b.contracts[cid].start}")
    if cid in b.ends:
        raise _Bad(f"contract {cid!r} already ends on {b.ends[cid]}")
    unearned = _string(entry.meta.get("unearned", "recognise"), "unearned")
    if unearned not in UNEARNED:
        raise _Bad(f"unearned must be one of {', '.join(UNEARNED)}, not {unearned!r}")
    b.ends[cid] = entry.date
    b.unearned[cid] = unearned


_PARSERS = {
    "onebox-item": _item,
    "onebox-rate": _rate,
    "onebox-payment": _payment,
    "onebox-customer": _customer,
    "onebox-contract": _contract,
    "onebox-change": _change,
    "onebox-end": _end,
    "onebox-partner": _partner,
    "onebox-vat": _vat,
    "onebox-bill-vat": _bill_vat,
    "onebox-customer-tax": _customer_tax,
    "onebox-dunning": _dunning,
}

PARSED_TYPES = frozenset(_PARSERS)  # the custom directives parse_book reads


def error(entry: data.Directive, message: str) -> ModelError:
    return ModelError(entry.meta or {}, message, entry)


def parse_book(entries: Iterable[data.Directive]) -> tuple[Book, list[ModelError]]:
    """Terms, customers and contracts from the entries' custom directives, plus errors.

    Directives are read kind by kind (items, rates, payment terms, customers,
    contracts, changes, ends), each kind in date order, so a contract may name
    a customer or item dated after it; the close then refuses to price a month
    before the item has a list price.
    """
    entries = list(entries)
    b = _Builder()
    errors: list[ModelError] = []
    customs = [e for e in entries if isinstance(e, data.Custom) and e.type in _PARSERS]
    customs.sort(key=lambda e: (list(_PARSERS).index(e.type), e.date))
    for entry in customs:
        try:
            _PARSERS[entry.type](entry, b)
        except _Bad as bad:
            errors.append(error(entry, str(bad)))
    contracts = {}
    for cid, contract in b.contracts.items():
        end = b.ends.get(cid, contract.end)
        if contract.end is not None and cid in b.ends:
            end = min(contract.end, b.ends[cid])
        changes = tuple(sorted(b.changes.get(cid, []), key=lambda c: c.date))
        contracts[cid] = Contract(
            contract.id, contract.customer, contract.stream, contract.billing, contract.price,
            contract.quantity, contract.start, contract.item, end, changes,
            timing=contract.timing, term_end=contract.term_end,
            unearned=b.unearned.get(cid, "recognise"),
        )  # fmt: skip
    book = Book(
        items={name: tuple(versions) for name, versions in b.items.items()},
        rates=tuple(b.rates),
        payments=tuple(b.payments),
        customers=dict(b.customers),
        contracts=contracts,
        partners=tuple(sorted(b.partners, key=lambda p: p.date)),
        vat_rates=tuple(b.vat_rates),
        bill_vat=tuple(b.bill_vat),
        customer_taxes={c: tuple(v) for c, v in b.customer_taxes.items()},
        dunning=tuple(sorted(b.dunning, key=lambda d: d[0])),
    )
    sealed = {
        str(e.values[0].value)
        for e in entries
        if isinstance(e, data.Custom) and e.type == "onebox-close" and e.values
    }
    return with_rules_1(book, entries, lambda month: str(month) in sealed), errors


def rules_1_years(
    entries: Iterable[data.Directive],
    contracts: dict[str, Contract],
    sealed: Callable[[Month], bool],
) -> dict[str, frozenset[Month]]:
    """Per annual contract, the months whose close invoiced its year by rules 1, before
    annual invoices were dated their day (onebox-ledger before 2026-12-07).

    Rules 1 invoiced a year on the last day of its anniversary's month, on the month's
    invoice (``inv-2026-09-acme``), and recognised a twelfth in each of the twelve months
    from the anniversary's (``month 1 of 12``); rules 2 dates the invoice on the day
    (``inv-2026-09-15-acme``) and recognises by day (billing). The sealed invoice is the
    record of the rules its year was billed by (the seal's digest covers it): the year keeps
    them to its end, so `verify` re-derives a sealed month as it was written and later closes
    finish the year as it began (no twelfth twice, none lost). Only a sealed month's invoice
    counts (`sealed`): a month closed now is always written by rules 2.

        2026-09-30 * "Acme Realty" "Cloud: 2 x 20.00 USD x 12 months from 2026-09-15, ..."
          id: "close/2026-09/acme-year/invoice"
          invoice: "inv-2026-09-acme"                ; rules 1: the year from 2026-09-15
        2026-09-30 custom "onebox-close" "2026-09" "sha256:..."
    """
    found: dict[str, set[Month]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "invoice" not in entry.meta:
            continue
        parts = str(entry.meta.get("id", "")).split("/")
        if len(parts) != 4 or parts[0] != "close" or parts[3] != "invoice":
            continue
        contract = contracts.get(parts[2])
        month = Month.of(entry.date)
        if contract is None or contract.billing != "annual" or str(month) != parts[1]:
            continue
        if entry.meta.get("invoice") == f"inv-{month}-{contract.customer}" and sealed(month):
            found.setdefault(contract.id, set()).add(month)
    return {cid: frozenset(months) for cid, months in found.items()}


def with_rules_1(
    book: Book,
    entries: Iterable[data.Directive],
    sealed: Callable[[Month], bool],
    known: Mapping[str, Collection[Month]] | None = None,
) -> Book:
    """`book` with each annual contract's years invoiced by rules 1 (`rules_1_years`), and
    those `known` already (found in entries the caller no longer reads: month_end.Sums)."""
    found = rules_1_years(entries, book.contracts, sealed)
    for cid, months in (known or {}).items():
        if cid in book.contracts:
            found[cid] = frozenset({*found.get(cid, ()), *months})
    if not found:
        return book
    contracts = {
        cid: replace(c, rules_1=found[cid]) if cid in found else c
        for cid, c in book.contracts.items()
    }
    return replace(book, contracts=contracts)


def parse_usage(
    entries: Iterable[data.Directive], month: Month
) -> tuple[dict[str, Decimal], list[ModelError]]:
    """Metered units per contract recorded for `month` (onebox-usage dated inside it)."""
    usage: dict[str, Decimal] = {}
    errors: list[ModelError] = []
    for entry in entries:
        if not (isinstance(entry, data.Custom) and entry.type == "onebox-usage"):
            continue
        if Month.of(entry.date) != month:
            continue
        values = _values(entry)
        if (
            len(values) != 2
            or not isinstance(values[0], str)
            or not isinstance(values[1], Decimal)
            or values[1] < 0
        ):
            errors.append(error(entry, '"onebox-usage" takes a contract id and a unit count'))
            continue
        if values[0] in usage:
            errors.append(error(entry, f"usage of {values[0]!r} for {month} is recorded twice"))
            continue
        usage[values[0]] = values[1]
    return usage, errors
