"""Money in more than one currency, the accountant's way (IAS 21). Pure.

Income, OneBox cost and bank fees are recorded in the operating currency at the
rate in force on the entry's date (the latest ``price`` on or before it). A
foreign open item (an invoice, a OneBox bill, a customer's credit) is held at
that rate: every posting of the item carries it as its price. Cash in a foreign
currency moves at the rate of its own day. Settling an item at another rate
realizes the difference::

    2026-01-31 * "Berlin Immo GmbH" "Cloud: 4 x 23.00 EUR, January 2026"
      Assets:Receivable:Berlin-Immo   92.00 EUR @ 1.10 USD
      Income:Cloud                  -101.20 USD

    2026-04-02 * "Berlin Immo GmbH" "Payment received"
      Assets:Wise:EUR                 92.00 EUR @ 1.00 USD
      Assets:Receivable:Berlin-Immo  -92.00 EUR @ 1.10 USD
        invoice: "inv-2026-01-berlin-immo"
      Expenses:FX-Losses               9.20 USD

A posting's value in the operating currency (its Beancount weight) is units x
price, or the units themselves. No amount is held at cost, so a currency is
never both at cost and at a price (Beancount's ``coherent_cost``, part of its
``pedantic`` plugins); which rate an item is held at is the item's own price,
the same on every posting of it (openitems reads it from the first).
:func:`balancing` makes a transaction balance: the difference, rounded half-up
to cents, goes to ``Income:FX-Gains`` (credit) or ``Expenses:FX-Losses``
(debit); what is left below a cent (``92.00 EUR x 1.0837 = 99.7004``, booked as
99.70) goes to ``Equity:Rounding``, so no fraction of a cent is ever lost.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data, prices
from beancount.core.amount import Amount

from . import beans
from .values import ZERO, round_money

ONE = Decimal(1)


class MoneyError(Exception):
    """A rate is missing; the message is one line that says which one to add."""


@dataclass
class Rates:
    """The ledger's exchange rates (its ``price`` directives) into the operating currency:
    the one place a rate is looked up, by the commands (:meth:`need`) and by the reports
    (``reports.Converter``, which notes the rates it used)."""

    operating: str
    price_map: prices.PriceMap

    @classmethod
    def of(cls, entries: Sequence[data.Directive], operating: str) -> Rates:
        return cls(operating, price_map(entries, operating))

    def dated(self, currency: str, date: datetime.date) -> tuple[datetime.date, Decimal] | None:
        """The latest rate dated on or before `date`, with its own date (`date` and 1 for the
        operating currency); None when there is none."""
        if currency == self.operating:
            return date, Decimal(1)
        when, rate = prices.get_price(self.price_map, (currency, self.operating), date)  # type: ignore[no-untyped-call]
        if not isinstance(rate, Decimal) or not isinstance(when, datetime.date):
            return None
        return when, rate

    def find(self, currency: str, date: datetime.date) -> Decimal | None:
        """1 for the operating currency; else the latest rate dated on or before `date`."""
        found = self.dated(currency, date)
        return None if found is None else found[1]

    def need_dated(
        self, currency: str, date: datetime.date, what: str | None = None
    ) -> tuple[datetime.date, Decimal]:
        """The rate and its date, or MoneyError naming the rate (and `what` needs it) and the
        command that adds it."""
        found = self.dated(currency, date)
        if found is None:
            needed = f" for {what}" if what else ""
            raise MoneyError(
                f"no exchange rate {currency}->{self.operating} on or before {date}{needed}"
                f' (add one: onebox-ledger price {currency} "1.00 {self.operating}" --date {date})'
            )
        return found

    def need(self, currency: str, date: datetime.date, what: str | None = None) -> Decimal:
        """The rate, or MoneyError (see :meth:`need_dated`)."""
        return self.need_dated(currency, date, what)[1]

    def lot(self, currency: str, date: datetime.date, what: str) -> beans.Lot | None:
        """The rate a foreign open item dated `date` is held at (None in the operating
        currency)."""
        if currency == self.operating:
            return None
        return beans.Lot(self.need(currency, date, what), self.operating)

    def cash_price(self, currency: str, date: datetime.date, what: str) -> Amount | None:
        """The price of cash in `currency` on `date` (None in the operating currency)."""
        if currency == self.operating:
            return None
        return Amount(self.need(currency, date, what), self.operating)


def price_map(entries: Sequence[data.Directive], operating: str) -> prices.PriceMap:
    """Beancount's price map of the ledger's rates, each pair quoted one way only.

    A rate is a ``price`` of a currency in the operating one (``price EUR 1.06
    USD``, as ``onebox-ledger price`` writes it). Beancount's price map also
    inverts quotes the other way (``price USD 0.9 EUR``) and, where those are
    the more numerous, serves the pair from them, twice inverted: 1.06 came back
    as 1.060000000000000000000000000. So a quote the other way dated on or after
    a currency's first direct quote is left out, and one dated before it is
    inverted here (1 / 0.9) into a direct quote of its day; a currency quoted
    only the other way is inverted by Beancount, as before. A rate on a day then
    depends only on quotes dated on or before it: a direct quote added later
    changes no earlier day's rate (what a sealed month's summary relies on).
    """
    first_direct: dict[str, datetime.date] = {}
    for e in entries:
        if isinstance(e, data.Price) and e.amount.currency == operating:
            first_direct[e.currency] = min(e.date, first_direct.get(e.currency, e.date))
    kept: list[data.Directive] = []
    for e in entries:
        if isinstance(e, data.Price) and e.currency == operating:
            start = first_direct.get(e.amount.currency)
            if start is not None:
                if e.date >= start or not e.amount.number:
                    continue
                e = e._replace(
                    currency=e.amount.currency, amount=Amount(ONE / e.amount.number, operating)
                )
        kept.append(e)
    return prices.build_price_map(kept)  # type: ignore[no-untyped-call,no-any-return]


def weight(post: data.Posting, operating: str) -> Decimal:
    """A posting's value in the operating currency: units x its price (or a hand-written lot's
    cost), or the units."""
    number, currency = beans.units(post)
    lot = beans.lot_of(post)
    if lot is not None:
        return number * lot.rate
    if currency != operating:  # the tool never writes one; a changed operating currency does
        raise MoneyError(
            f"{post.account} holds {currency} with no rate into the operating currency {operating}"
        )
    return number


def in_operating(number: Decimal, lot: beans.Lot | None) -> Decimal:
    """An item's amount in the operating currency at its own rate, rounded to cents."""
    return number if lot is None else round_money(number * lot.rate)


def balancing(postings: Sequence[data.Posting], operating: str) -> list[data.Posting]:
    """The postings that make `postings` balance in the operating currency.

    The difference rounded half-up to cents is the realized exchange result
    (Expenses:FX-Losses when it costs, Income:FX-Gains when it earns); the part
    below a cent goes to Equity:Rounding.
    """
    residual = -sum((weight(p, operating) for p in postings), ZERO)
    result = round_money(residual)
    out = []
    if result > 0:
        out.append(beans.posting(beans.FX_LOSSES, result, operating))
    elif result < 0:
        out.append(beans.posting(beans.FX_GAINS, result, operating))
    if residual != result:
        out.append(beans.posting(beans.ROUNDING, residual - result, operating))
    return out
