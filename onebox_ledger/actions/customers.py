"""Customers and contracts: add, change and end a contract, record usage; a change may not
reach back into a month already invoiced or issued.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount.core import data

from .. import beans, events, taxes
from ..model import TREATMENTS, Book, Contract, Customer, parse_book
from ..store import (
    Ledger,
    LedgerError,
    Loaded,
)
from ..values import (
    MAX_NAME,
    InputError,
    Money,
    Month,
    make_text,
    parse_country,
    parse_id,
    parse_vat_id,
    show_money,
)
from .helpers import (
    Written,
    _check_currency,
    _contract,
    _customer,
    _not_sealed,
    _suggest,
    _write_month,
    write_static,
)
from .taxes import check_treatment


def customer_add(
    ledger: Ledger,
    cid: str,
    name: str,
    currency: str,
    payment: int,
    date: datetime.date,
    *,
    country: str | None = None,
    vat_id: str | None = None,
    tax: str | None = None,
    address: str | None = None,
    language: str | None = None,
) -> Written:
    """A customer; its country, VAT id and treatment give its VAT (onebox_ledger.taxes), its
    address and language its documents."""
    parse_id(cid, "customer")
    name = make_text(name, "name", limit=MAX_NAME)
    country = None if country is None else parse_country(country)
    vat_id = None if vat_id is None else parse_vat_id(vat_id, country)
    if tax is not None and tax not in TREATMENTS:
        raise InputError(f"--tax {tax!r} must be one of {', '.join(TREATMENTS)}")
    address = None if address is None else make_text(address, "--address")
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        if cid in book.customers:
            raise LedgerError(f"customer {cid!r} already exists ({book.customers[cid].name})")
        _not_sealed(ledger, date, "date")
        part = beans.customer_account_part(cid)
        taken = {beans.customer_account_part(c) for c in book.customers}
        if part in taken:
            raise LedgerError(f"customer {cid!r} would share account {part} with another customer")
        partner = book.partner(date)
        check_treatment(tax, country, vat_id, None if partner is None else partner.country)
        details = {"country": country, "vat-id": vat_id, "tax": tax, "address": address,
                   "language": language}  # fmt: skip
        entries = events.customer_entries(cid, name, currency, payment, date, details)
        text = write_static(ledger, loaded, ledger.customers_path, entries)
    vat = _vat_note(book, date, country, vat_id, tax, name, cid, date)
    return Written(
        ledger.customers_path, text, f"customer {cid}: {name}, billed in {currency}{vat}"
    )


def _vat_note(
    book: Book, when: datetime.date, country: str | None, vat_id: str | None, tax: str | None,
    name: str, cid: str, date: datetime.date,
) -> str:  # fmt: skip
    """', VAT reverse-charge' when the partner charges VAT: the treatment the customer gets."""
    partner = book.partner(when)
    if partner is None or partner.tax != "vat":
        return ""
    who = Customer(cid, date, name, "", country=country, vat_id=vat_id, tax=tax)
    return f", VAT {tax or taxes.default_kind(partner.country, who)}"


def contract_add(
    ledger: Ledger,
    cid: str,
    *,
    customer: str,
    stream: str,
    price: Money,
    quantity: int,
    start: datetime.date,
    billing: str,
    item: str | None,
    end: datetime.date | None,
    timing: str = "arrears",
) -> Written:
    if end is not None and end < start:
        raise InputError(f"end {end} is before start {start}")
    if timing == "advance" and billing != "monthly":
        raise InputError(f"only monthly contracts are billed in advance, not {billing}")
    if stream == "services" and item is not None:
        raise InputError("a services contract consumes no OneBox item; drop --item")
    if billing == "metered" and item is None:
        raise InputError("a metered contract needs --item (a metered item, like data-records)")
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        if cid in book.contracts:
            raise LedgerError(f"contract {cid!r} already exists")
        who = _customer(book, customer)
        _check_currency(price.currency, who.currency, f"customer {customer!r}")
        if who.date > start:
            raise LedgerError(
                f"customer {customer!r} was added on {who.date}, after the contract start {start}"
                " (add the customer with an earlier --date)"
            )
        if item is not None and item not in book.items:
            raise InputError(f"unknown item {item!r}{_suggest(item, list(book.items))}")
        if billing == "metered" and item is not None and not book.items[item][0].metered:
            raise InputError(f"item {item!r} is not metered (define it with --per)")
        _not_sealed(ledger, start, "start")
        if timing == "advance":
            _not_issued(loaded, cid, start)
        entry = events.contract_entry(
            cid, customer=customer, stream=stream, billing=billing, price=price,
            quantity=quantity, start=start, item=item, end=end, timing=timing,
        )  # fmt: skip
        text = write_static(ledger, loaded, ledger.customers_path, [entry])
    terms = (
        f"{show_money(*price)} per block of {item}" if billing == "metered"
        else f"{quantity} x {show_money(*price)}"
    )  # fmt: skip
    return Written(
        ledger.customers_path, text,
        f"contract {cid}: {customer}, {stream}, {terms} {billing}"
        f"{' in advance' if timing == 'advance' else ''} from {start}",
    )  # fmt: skip


def contract_change(
    ledger: Ledger,
    cid: str,
    date: datetime.date,
    quantity: int | None,
    price: Money | None,
    downgrade: str = "credit",
) -> Written:
    if quantity is None and price is None:
        raise InputError("nothing to change: give --quantity and/or --price")
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        contract = _contract(book, cid)
        if price is not None:
            _check_currency(price.currency, contract.currency, f"contract {cid!r}")
        if date <= contract.start:
            raise InputError(
                f"change date {date} must be after the contract start {contract.start}"
            )
        if contract.end is not None and date > contract.end:
            raise LedgerError(f"contract {cid!r} ended on {contract.end}, before {date}")
        if any(change.date == date for change in contract.changes):
            raise LedgerError(
                f"contract {cid!r} already changes on {date}; give the quantity and the price"
                " in one change"
            )
        _not_sealed(ledger, date, "date")
        _not_invoiced(loaded, contract, date, "a change")
        entry = events.change_entry(cid, date, quantity, price, downgrade)
        text = write_static(ledger, loaded, ledger.customers_path, [entry])
    return Written(ledger.customers_path, text, f"contract {cid} changed from {date}")


def _invoiced_through(loaded: Loaded, contract: Contract) -> Month | None:
    """The latest month whose advance invoice of `contract` is issued, if any."""
    found = [
        Month.of(e.date)
        for e in loaded.entries
        if isinstance(e, data.Transaction)
        and (beans.entry_id(e) or "").endswith(f"/{contract.id}/advance")
        and (beans.entry_id(e) or "").startswith("invoice/")
    ]
    return max(found, default=None)


def _not_issued(loaded: Loaded, cid: str, start: datetime.date) -> None:
    """A new advance contract would be billed on the invoices of its start month and of every
    month after: none of them may be issued yet (the close would find them drifted)."""
    issued = [
        Month.of(e.date)
        for e in loaded.entries
        if isinstance(e, data.Transaction) and (beans.entry_id(e) or "").startswith("invoice/")
    ]
    through = max(issued, default=None)
    if through is not None and Month.of(start) <= through:
        raise LedgerError(
            f"contract {cid!r} would be invoiced in advance from {start}, but the advance"
            f" invoices of {through} are issued ({through.first}); start it on"
            f" {through.next().first} or later, or bill it in arrears"
        )


def _not_invoiced(
    loaded: Loaded, contract: Contract, date: datetime.date, what: str, *, ending: bool = False
) -> None:
    """An advance contract's terms on a day an issued invoice billed stay as billed: a change
    takes effect after the first day of the last invoiced month, an end on or after it."""
    if not contract.advance:
        return
    through = _invoiced_through(loaded, contract)
    if through is not None and (date < through.first if ending else date <= through.first):
        earliest = through.first if ending else through.first + datetime.timedelta(days=1)
        raise LedgerError(
            f"contract {contract.id!r} is invoiced in advance through {through} (issued"
            f" {through.first}): {what} on {date} would change an issued invoice; date it"
            f" {earliest} or later"
        )


def contract_end(
    ledger: Ledger, cid: str, date: datetime.date, unearned: str = "recognise"
) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        contract = _contract(book, cid)
        if contract.end is not None:
            raise LedgerError(f"contract {cid!r} already ends on {contract.end}")
        if date < contract.start:
            raise InputError(f"end {date} is before the contract start {contract.start}")
        if unearned != "recognise" and contract.billing != "annual":
            raise InputError(
                f"--unearned applies to annual contracts; {cid!r} is {contract.billing}"
            )
        _not_sealed(ledger, date, "end")
        _not_invoiced(loaded, contract, date, "an end", ending=True)
        entry = events.end_entry(cid, date, unearned)
        text = write_static(ledger, loaded, ledger.customers_path, [entry])
    return Written(
        ledger.customers_path, text, f"contract {cid} ends on {date} (last day of service)"
    )


def usage(ledger: Ledger, cid: str, units: Decimal, month: Month) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        contract = _contract(book, cid)
        if contract.billing != "metered":
            raise InputError(f"contract {cid!r} is billed {contract.billing}, not metered")
        if not contract.active_in(month):
            raise LedgerError(f"contract {cid!r} is not active in {month}")
        _not_sealed(ledger, month.last, "month")
        for entry in loaded.entries:
            if (
                isinstance(entry, data.Custom)
                and entry.type == "onebox-usage"
                and Month.of(entry.date) == month
                and entry.values[0][0] == cid
            ):
                if entry.values[1][0] == units:
                    return Written(
                        ledger.month_path(month), "", f"usage of {cid} for {month} already recorded"
                    )
                raise LedgerError(
                    f"usage of {cid} for {month} is already recorded as {entry.values[1][0]}"
                )
        entry = events.usage_entry(cid, units, month)
        text = _write_month(ledger, month.last, [entry])
    return Written(ledger.month_path(month), text, f"usage of {cid} for {month}: {units} units")
