"""The tax commands: the partner's regime (``partner set``), a customer's treatment (``customer
tax``), VAT rates (``terms vat``, ``terms onebox-vat``) and a tax paid to the tax office (``tax
pay``). What they change in the books is onebox_ledger.taxes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .. import beans, planner
from ..model import REGIMES, TREATMENTS, Book, parse_book
from ..store import Ledger, LedgerError
from ..taxes import percent
from ..values import (
    EU_COUNTRIES,
    MAX_NAME,
    InputError,
    Money,
    make_text,
    parse_country,
    parse_iban,
    parse_vat_id,
)
from .helpers import Written, _customer, _not_sealed, write_static
from .money_events import _money_event

SINGLE_TAX_DEFAULT = Decimal(5)  # group 3, not VAT-registered: 5% of money received


def _percent(rate: Decimal, what: str) -> Decimal:
    if not 0 <= rate < 100:
        raise InputError(f"{what} {rate} must be a percent from 0 to below 100 (19 is 19%)")
    return rate


def partner_set(
    ledger: Ledger,
    *,
    name: str,
    country: str,
    tax: str,
    date: datetime.date,
    vat_id: str | None = None,
    address: str | None = None,
    iban: str | None = None,
    rate: Decimal | None = None,
    bic: str | None = None,
) -> Written:
    """The partner's details and tax regime from `date` on (a dated ``onebox-partner``); under
    VAT a `rate` is the country's standard rate from then (``onebox-vat``)."""
    name = make_text(name, "--name", limit=MAX_NAME)
    country = parse_country(country)
    if tax not in REGIMES:
        raise InputError(f"--tax {tax!r} must be one of {', '.join(REGIMES)}")
    vat_id = None if vat_id is None else parse_vat_id(vat_id, country)
    address = None if address is None else make_text(address, "--address")
    iban = None if iban is None else parse_iban(iban)
    if tax == "vat" and vat_id is None:
        raise InputError("a VAT-registered partner needs its --vat-id (printed on every invoice)")
    if tax == "none" and rate is not None:
        raise InputError("--rate is for --tax vat (the country's rate) or ua-single-tax")
    if tax == "ua-single-tax":
        rate = SINGLE_TAX_DEFAULT if rate is None else rate
        if country != "UA":
            raise InputError(f"the single tax is Ukraine's; --country is {country}, not UA")
    if rate is not None:
        _percent(rate, "--rate")
    with ledger.locked():
        loaded = ledger.load_valid()
        if tax == "ua-single-tax" and ledger.operating_currency() != "UAH":
            raise LedgerError(
                "the single tax is accrued in UAH: a FOP's books need UAH as their operating"
                f" currency, not {ledger.operating_currency()}"
            )
        _not_sealed(ledger, date, "--date")
        entries = [
            beans.custom(
                date, "onebox-partner", [name],
                beans.meta(country=country, **{"vat-id": vat_id}, address=address, iban=iban,
                           bic=bic, tax=tax, rate=rate if tax == "ua-single-tax" else None),
            )
        ]  # fmt: skip
        if tax == "vat" and rate is not None:
            entries.append(beans.custom(date, "onebox-vat", [country, rate]))
        text = write_static(ledger, loaded, ledger.terms_path, entries)
    regime = {
        "vat": "VAT" + (f", {percent(rate)} in {country}" if rate is not None else ""),
        "ua-single-tax": f"single tax {percent(rate or SINGLE_TAX_DEFAULT)} of money received",
        "none": "no tax on invoices",
    }[tax]
    return Written(ledger.terms_path, text, f"partner {name} ({country}): {regime} from {date}")


def customer_tax(ledger: Ledger, customer: str, tax: str, date: datetime.date) -> Written:
    """A customer's VAT treatment from `date` on (``onebox-customer-tax``)."""
    if tax not in TREATMENTS:
        raise InputError(f"--tax {tax!r} must be one of {', '.join(TREATMENTS)}")
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        who = _customer(book, customer)
        check_treatment(tax, who.country, who.vat_id, _partner_country(book, date))
        if date < who.date:
            raise InputError(
                f"--date {date} is before customer {customer!r} was added ({who.date})"
            )
        _not_sealed(ledger, date, "--date")
        entry = beans.custom(date, "onebox-customer-tax", [customer, tax])
        text = write_static(ledger, loaded, ledger.customers_path, [entry])
    return Written(ledger.customers_path, text, f"customer {customer}: VAT {tax} from {date}")


def _partner_country(book: Book, date: datetime.date) -> str | None:
    partner = book.partner(date)
    return None if partner is None else partner.country


def check_treatment(
    tax: str | None, country: str | None, vat_id: str | None, partner_country: str | None
) -> None:
    """Reverse charge needs the customer's VAT id, in another EU state than the partner's."""
    if tax != "reverse-charge":
        return
    if vat_id is None:
        raise InputError("reverse charge needs the customer's VAT id (--vat-id)")
    if country is not None and country not in EU_COUNTRIES:
        raise InputError(f"reverse charge is between EU states; {country} is not one (use exempt)")
    if partner_country is not None and country == partner_country:
        raise InputError(
            f"reverse charge is for a customer in another EU state; {country} is the partner's own"
        )


def terms_vat(ledger: Ledger, country: str, rate: Decimal, date: datetime.date) -> Written:
    """`country`'s standard VAT rate from `date` on (``onebox-vat``)."""
    country = parse_country(country, "country")
    _percent(rate, "rate")
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, date, "--date")
        entry = beans.custom(date, "onebox-vat", [country, rate])
        text = write_static(ledger, loaded, ledger.terms_path, [entry])
    return Written(ledger.terms_path, text, f"VAT in {country}: {percent(rate)} from {date}")


def terms_onebox_vat(ledger: Ledger, rate: Decimal, date: datetime.date) -> Written:
    """The VAT OneBox charges on its bills from `date` on (``onebox-bill-vat``; 0: none)."""
    _percent(rate, "rate")
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, date, "--date")
        entry = beans.custom(date, "onebox-bill-vat", [rate])
        text = write_static(ledger, loaded, ledger.terms_path, [entry])
    return Written(ledger.terms_path, text, f"OneBox's bills: VAT {percent(rate)} from {date}")


def tax_pay(
    ledger: Ledger,
    kind: str,
    amount: Money,
    *,
    date: datetime.date,
    ref: str | None,
    account: str | None = None,
    through: datetime.date | None = None,
) -> Written:
    """A tax paid to the tax office from a bank account (planner.tax_payment)."""
    if through is not None and through > date:
        raise InputError(f"--through {through} is after the payment date {date}")
    return _money_event(
        ledger, date,
        lambda state: planner.tax_payment(state, kind, amount, date, ref=ref, account=account,
                                          through=through),
    )  # fmt: skip
