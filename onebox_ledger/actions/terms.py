"""The terms commands: OneBox items, rates and payment days, and exchange rates (prices),
each one directive appended to its static file.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .. import beans, events
from ..store import (
    Ledger,
)
from ..values import InputError, Money, show_money
from .helpers import Written, _not_sealed, write_static


def terms_item(
    ledger: Ledger, name: str, price: Money, date: datetime.date, per: Decimal | None
) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, date, "date")
        entry = events.item_entry(name, price, date, per)
        text = write_static(ledger, loaded, ledger.terms_path, [entry])
    unit = f"block of {per:f} units" if per else "unit-month"
    return Written(
        ledger.terms_path, text, f"item {name}: {show_money(*price)} per {unit} from {date}"
    )


def terms_rate(ledger: Ledger, boxes: int, rate: Decimal, date: datetime.date) -> Written:
    if not 0 < rate <= 1:
        raise InputError(f"rate {rate} must be above 0 and at most 1 (0.65 is 65% of list)")
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, date, "date")
        text = write_static(
            ledger, loaded, ledger.terms_path, [events.rate_entry(boxes, rate, date)]
        )
    return Written(
        ledger.terms_path, text, f"rate from {boxes} box(es): {rate} of list from {date}"
    )


def terms_payment(ledger: Ledger, days: int, date: datetime.date) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, date, "date")
        text = write_static(ledger, loaded, ledger.terms_path, [events.payment_entry(days, date)])
    return Written(
        ledger.terms_path, text, f"OneBox bills due {days} days after month end from {date}"
    )


def price(ledger: Ledger, currency: str, rate: Money, date: datetime.date) -> Written:
    """An exchange rate for the reports: 1 `currency` = rate (in the operating currency)."""
    with ledger.locked():
        loaded = ledger.load_valid()
        operating = ledger.operating_currency()
        if rate.currency != operating:
            raise InputError(
                f"quote the rate in the operating currency {operating}, not {rate.currency}"
            )
        if currency == operating:
            raise InputError(f"{currency} is the operating currency; it needs no rate")
        _not_sealed(ledger, date, "date")
        entry = beans.price(date, currency, rate.number, rate.currency)
        text = write_static(ledger, loaded, ledger.prices_path, [entry])
    return Written(
        ledger.prices_path, text, f"1 {currency} = {rate.number} {rate.currency} from {date}"
    )
