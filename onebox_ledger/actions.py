"""What each command does to a ledger: read under the lock, compute with the core, write.

The CLI parses arguments into typed values and calls one function here; the
demo builder calls the same functions, so the demo is written by the code a
user runs. Each function takes every input as an argument (``today``
included) and raises InputError (a bad argument, exit 2) or LedgerError (the
ledger refuses, exit 1) before anything is written.

Ids of written entries, the key of idempotency::

    sell/<ref> | sell/<date>/<customer>/<n>          one-time invoice
    receive/<ref> | receive/<date>/<customer>/<n>    customer payment
    pay/<ref> | pay/<date>/<n>                       payment to OneBox
    grace/<bill>/<date>[/<n>]                        bill moved to Liabilities:OneBox:Grace
    close/<month>/<contract>/invoice|recognise|cost  the close (see close.py)
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from . import beans, events, openitems, planner, rules, seals
from .billing import BillingError, contract_year
from .close import (
    CloseError,
    CloseResult,
    carried,
    close_month,
    diff_month,
    invoice_lines,
    invoice_month,
    invoice_prefix,
    is_credit_applied,
)
from .importers.bank import Planned, Reached, check_accounts, plan, reach
from .importers.statements import Statement
from .model import Book, Contract, parse_book
from .money import MoneyError, Rates
from .openitems import credits
from .store import (
    JOURNAL_HEADER,
    Files,
    Ledger,
    LedgerError,
    Loaded,
    describe_error,
    paused_gc,
    read_exact,
)
from .values import MAX_NAME, ZERO, InputError, Money, Month, make_text, parse_id, show_money

# ---------------------------------------------------------------- helpers


def _suggest(value: str, known: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _customer(book: Book, cid: str) -> Any:
    if cid not in book.customers:
        raise InputError(f"unknown customer {cid!r}{_suggest(cid, list(book.customers))}")
    return book.customers[cid]


def _contract(book: Book, cid: str) -> Any:
    if cid not in book.contracts:
        raise InputError(f"unknown contract {cid!r}{_suggest(cid, list(book.contracts))}")
    return book.contracts[cid]


def _not_sealed(ledger: Ledger, date: datetime.date, what: str) -> None:
    refusal = seals.sealed_refusal(date, ledger.last_sealed(), what)
    if refusal is not None:
        raise LedgerError(refusal)


def _check_currency(currency: str, expected: str, who: str) -> None:
    if currency != expected:
        raise InputError(f"{who} is billed in {expected}, not {currency}")


def write_static(
    ledger: Ledger, loaded: Loaded, path: Path, entries: Sequence[data.Directive]
) -> str:
    """Append directives to a static file, with a ``commodity`` directive for each currency
    they are the first to use (in the accounts file), as one validated, atomic change."""
    declared = {e.currency for e in loaded.entries if isinstance(e, data.Commodity)}
    news = events.commodities(entries, declared, min(e.date for e in entries))
    text = beans.format_entries(entries)
    appends = [(ledger.accounts_path, beans.format_entries(news), "")] if news else []
    ledger.append_many([*appends, (path, text, "")])
    return text


def _write_month(ledger: Ledger, date: datetime.date, entries: Sequence[data.Directive]) -> str:
    month = Month.of(date)
    text = beans.format_entries(entries)
    ledger.append_full(ledger.month_path(month), text, JOURNAL_HEADER.format(month=month))
    return text


@dataclass(frozen=True)
class Written:
    """What a command wrote (text is empty for a no-op)."""

    path: Path
    text: str
    message: str


# ---------------------------------------------------------------- terms


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


# ---------------------------------------------------------------- rules


def rule_add(ledger: Ledger, rule: rules.Rule) -> Written:
    """Record a rule for bank rows (rules.py) in the terms file: from its date on, import books
    the rows it matches to its account."""
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, rule.date, "date")
        banks = planner.State.of(loaded.entries, ledger.operating_currency()).banks
        try:
            rules.check_account(rule.account, banks)
        except rules.RuleError as err:
            raise InputError(str(err)) from None
        text = write_static(ledger, loaded, ledger.terms_path, [rules.directive(rule)])
    way = {"in": "money in", "out": "money out", "any": "money in or out"}[rule.direction]
    where = "counterparty" if rule.field == "counterparty" else "text"
    return Written(
        ledger.terms_path,
        text,
        f"rule: {way} whose {where} holds {rule.pattern!r} goes to {rule.account} from {rule.date}",
    )


def rule_list(ledger: Ledger, as_of: datetime.date | None) -> list[rules.Rule]:
    """The rules, oldest first (with `as_of`: those in force on that day)."""
    ledger.check_exists()
    found = rules.parse_rules(ledger.static_entries())[0]
    return rules.in_force(found, as_of) if as_of is not None else found


# ---------------------------------------------------------------- customers, contracts


def customer_add(
    ledger: Ledger, cid: str, name: str, currency: str, payment: int, date: datetime.date
) -> Written:
    parse_id(cid, "customer")
    name = make_text(name, "name", limit=MAX_NAME)
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
        entries = events.customer_entries(cid, name, currency, payment, date)
        text = write_static(ledger, loaded, ledger.customers_path, entries)
    return Written(ledger.customers_path, text, f"customer {cid}: {name}, billed in {currency}")


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
        if timing == "advance" and price.currency != ledger.operating_currency():
            raise InputError(
                f"advance billing is for contracts in the operating currency"
                f" ({ledger.operating_currency()}); bill {price.currency} in arrears"
            )
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
        _foreign_annual(contract, date, quantity, price, downgrade, ledger.operating_currency())
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


def _foreign_annual(
    contract: Contract,
    date: datetime.date,
    quantity: int | None,
    price: Money | None,
    downgrade: str,
    operating: str,
) -> None:
    """Mid-year changes of an annual contract are billed in the operating currency only."""
    if contract.billing != "annual" or contract.currency == operating:
        return
    year = contract_year(contract, Month.of(date))
    if year is None or year[0] == date:
        return
    before_q, before_p = contract.terms_on(date - datetime.timedelta(days=1))
    after = (quantity or before_q) * (price.number if price else beans.number(before_p))
    if after < before_q * beans.number(before_p) and downgrade == "anniversary":
        return
    raise InputError(
        f"contract {contract.id!r} is billed yearly in {contract.currency}: a change during"
        f" the year is billed only in {operating}; date it on the anniversary"
        f" {year[1] + datetime.timedelta(days=1)}, or for a lower price or quantity pass"
        " --downgrade anniversary"
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


# ---------------------------------------------------------------- money events


def _state(ledger: Ledger, loaded: Loaded) -> planner.State:
    return planner.State.of(loaded.entries, ledger.operating_currency())


def _plan(make: Callable[[], planner.Plan]) -> planner.Plan:
    """A plan, its refusal turned into the CLI's two kinds of error."""
    try:
        return make()
    except planner.Refused as err:
        if err.usage:
            raise InputError(str(err)) from None
        raise LedgerError(str(err)) from None


def write_events(
    ledger: Ledger, loaded: Loaded, state: planner.State, entries: Sequence[data.Directive]
) -> str:
    """Append entries to their month files, opening the accounts they first post to (in the
    accounts file), validated with the whole ledger and written as one atomic change."""
    if not entries:
        return ""
    opened = {e.account for e in loaded.entries if isinstance(e, data.Open)}
    declared = {e.currency for e in loaded.entries if isinstance(e, data.Commodity)}
    first = ledger.open_date(loaded.entries, state.sealed)
    opens: list[data.Directive] = [
        *events.commodities(entries, declared, first),
        *events.opens(entries, opened, first),
    ]
    by_month: dict[Month, list[data.Directive]] = {}
    for entry in entries:
        by_month.setdefault(Month.of(entry.date), []).append(entry)
    appends = [(ledger.accounts_path, beans.format_entries(opens), "")] if opens else []
    appends += [
        (ledger.month_path(month), beans.format_entries(items), JOURNAL_HEADER.format(month=month))
        for month, items in sorted(by_month.items())
    ]
    ledger.append_many(appends)
    return "\n".join(text for _, text, _ in appends)


def _money_event(
    ledger: Ledger,
    date: datetime.date,
    make: Callable[[planner.State], planner.Plan],
    customer: str | None = None,
) -> Written:
    """Plan a money event against the loaded ledger (under the lock) and write it."""
    with ledger.locked():
        loaded = ledger.load_valid()
        state = _state(ledger, loaded)
        if customer is not None:
            _customer(state.book, customer)
        plan = _plan(lambda: make(state))
        text = write_events(ledger, loaded, state, plan.entries)
    booked = plan.entries[0].date if plan.entries else date  # a late receipt: the open month
    return Written(ledger.month_path(Month.of(booked)), text, plan.message)


def sell(
    ledger: Ledger,
    customer: str,
    amount: Money,
    *,
    stream: str,
    date: datetime.date,
    memo: str,
    ref: str | None,
    consumes: tuple[str, int] | None = None,
) -> Written:
    memo = make_text(memo, "memo")
    return _money_event(
        ledger, date,
        lambda state: planner.sale(state, customer, amount, stream=stream, date=date, memo=memo,
                                   ref=ref, consumes=consumes),
        customer,
    )  # fmt: skip


def receive(
    ledger: Ledger,
    customer: str,
    amount: Money,
    *,
    date: datetime.date,
    invoice: str | None,
    ref: str | None,
    account: str | None = None,
    paid: Money | None = None,
) -> Written:
    return _money_event(
        ledger, date,
        lambda state: planner.receipt(state, customer, amount, date, invoice=invoice, ref=ref,
                                      account=account, paid=paid),
        customer,
    )  # fmt: skip


def refund(
    ledger: Ledger,
    customer: str,
    amount: Money,
    *,
    date: datetime.date,
    ref: str | None,
    account: str | None = None,
    paid: Money | None = None,
) -> Written:
    return _money_event(
        ledger, date,
        lambda state: planner.refund(state, customer, amount, date, ref=ref, account=account,
                                     paid=paid),
        customer,
    )  # fmt: skip


def onebox_pay(
    ledger: Ledger,
    amount: Money,
    *,
    date: datetime.date,
    bill: str | None,
    ref: str | None,
    account: str | None = None,
    paid: Money | None = None,
) -> Written:
    return _money_event(
        ledger, date,
        lambda state: planner.onebox_payment(state, amount, date, bill=bill, ref=ref,
                                             account=account, paid=paid),
    )  # fmt: skip


def onebox_bill(
    ledger: Ledger, bill: str, billed: Money, *, date: datetime.date, ref: str | None
) -> Written:
    return _money_event(
        ledger, date, lambda state: planner.onebox_bill(state, bill, billed, date, ref=ref)
    )


def credit_note(
    ledger: Ledger,
    invoice: str,
    amount: Money,
    *,
    date: datetime.date,
    memo: str,
    stream: str | None,
    ref: str | None,
) -> Written:
    memo = make_text(memo, "memo")
    return _money_event(
        ledger, date,
        lambda state: planner.credit_note(state, invoice, amount, date=date, memo=memo,
                                          stream=stream, ref=ref),
    )  # fmt: skip


def write_off(ledger: Ledger, invoice: str, *, date: datetime.date, memo: str) -> Written:
    memo = make_text(memo, "memo")
    return _money_event(
        ledger, date, lambda state: planner.write_off(state, invoice, date=date, memo=memo)
    )


def bank_add(
    ledger: Ledger,
    account: str,
    currency: str,
    date: datetime.date | None,
    opening: Money | None = None,
    *,
    iban: str | None = None,
) -> Written:
    """Open a bank account for one currency (``bank: TRUE``, and its ``iban:`` when given: a
    statement row naming it is money between the books' own accounts); money in that currency
    moves on it unless a command names another with --account.

    Without a `date` it opens when the tool opens an account (store.Ledger.open_date): the
    ledger's first day, or the day after the last sealed month; so money dated any day a new
    entry may have can move on it. `opening` is the balance the account had that day: booked
    against Equity:Opening-Balances (in the operating currency, at that day's rate when
    foreign) in ``ledger/journal/opening.beancount``::

        2026-01-01 * "Opening balance" "Assets:Wise:EUR on 2026-01-01"
          id: "opening/Assets:Wise:EUR"
          Assets:Wise:EUR           500.00 EUR @ 1.05 USD
          Equity:Opening-Balances  -525.00 USD
    """
    with ledger.locked():
        loaded = ledger.load_valid()
        if date is None:
            date = ledger.open_date(loaded.entries, ledger.last_sealed())
        opened = {e.account: e for e in loaded.entries if isinstance(e, data.Open)}
        if account in opened:
            raise LedgerError(f"{account} is already open (since {opened[account].date})")
        for other in opened:
            if other.startswith(account + ":") or account.startswith(other + ":"):
                raise InputError(
                    f"{account} and {other} would nest: Beancount's pedantic checks refuse"
                    " postings to an account that has sub-accounts (like Assets:Bank-EUR)"
                )
        _not_sealed(ledger, date, "date")
        if opening is not None and opening.currency != currency:
            raise InputError(
                f"--opening {show_money(*opening)} is not in the account's currency {currency}"
            )
        if iban is not None:
            owner = next((e.account for e in opened.values() if e.meta.get("iban") == iban), None)
            if owner is not None:
                raise InputError(f"--iban {iban} is already the IBAN of {owner}")
        meta: dict[str, object] = {"bank": True} if iban is None else {"bank": True, "iban": iban}
        entry = data.Open(meta, date, account, [currency], None)
        message = f"bank account {account}: {currency} from {date}"
        if opening is None or not opening.number:
            text = write_static(ledger, loaded, ledger.accounts_path, [entry])
            return Written(ledger.accounts_path, text, message)
        operating = ledger.operating_currency()
        try:
            balance = events.opening_entry(
                account, opening, date, rates=Rates.of(loaded.entries, operating)
            )
        except MoneyError as err:
            raise LedgerError(str(err)) from None
        declared = {e.currency for e in loaded.entries if isinstance(e, data.Commodity)}
        news: list[data.Directive] = [
            *events.commodities([entry, balance], declared, date),
            entry,
            *events.opens([balance], {*opened, account}, date),
        ]
        opening_text = beans.format_entries([balance])
        ledger.append_many(
            [
                (ledger.accounts_path, beans.format_entries(news), ""),
                (ledger.journal / "opening.beancount", opening_text, ""),
            ]
        )
    return Written(
        ledger.journal / "opening.beancount",
        opening_text,
        f"{message}, opening balance {show_money(*opening)}",
    )


def onebox_grace(
    ledger: Ledger, bill: str, *, until: datetime.date, date: datetime.date
) -> Written:
    if until <= date:
        raise InputError(f"grace until {until} must be after the agreement date {date}")
    with ledger.locked():
        loaded = ledger.load_valid()
        state = _state(ledger, loaded)
        items = state.open_bills(date)
        match = [i for i in items if i.id == bill]
        if not match:
            every = list(state.bills)
            hint = " (it is dated after --date)" if bill in every else _suggest(bill, every)
            raise InputError(f"unknown bill {bill!r}{hint}")
        item = match[0]
        if item.open <= 0:
            raise LedgerError(f"bill {bill} is paid in full; there is nothing to defer")
        if item.in_grace > 0:
            raise LedgerError(f"bill {bill} is already in grace until {item.until}")
        if until <= item.due_date:
            raise InputError(
                f"grace until {until} must be after the bill's due date {item.due_date}"
            )
        _not_sealed(ledger, date, "date")
        text = write_events(
            ledger, loaded, state, [events.grace_entry(item, until, date, state.by_id)]
        )
    return Written(
        ledger.month_path(Month.of(date)), text,
        f"bill {bill}: {show_money(item.open, item.currency)} deferred until {until}"
        f" (was due {item.due_date})",
    )  # fmt: skip


# ---------------------------------------------------------------- bank statements


@dataclass(frozen=True)
class Imported:
    """What an import planned for each row, and what it did about the bank's balance."""

    planned: list[Planned]
    reached: Reached


def import_statement(
    ledger: Ledger,
    statement: Statement,
    *,
    dry_run: bool,
    account: str | None = None,
    fees: str | None = None,
    today: datetime.date | None = None,
    balance: bool = True,
) -> Imported:
    """Plan a statement's rows (oldest first) and book the receipts, OneBox payments, fees and
    the rows rules match.

    Every row gets an outcome (importers.bank.plan): what ``receive``, ``onebox
    pay``, a fee entry or a rule would write, or why it is left for a person (review,
    unrelated, skipped, already recorded). With `balance`, where the statement shows
    its closing balance, the books must reach it (importers.bank.reach): a
    ``balance`` assertion is written with the rows, or, when the books agreed with the
    bank before the statement and the rows cannot reach it, the import is refused
    (LedgerError) and nothing is written. The booked rows are validated with the whole
    ledger once and written as one atomic change (store.Ledger.append_many, one commit
    across month files): a crash leaves none or all of them. Importing the same
    statement again books nothing. A row dated after `today` is left for review.
    """
    rows = statement.rows
    with contextlib.nullcontext() if dry_run else ledger.locked():
        loaded = ledger.load_valid()
        state = _state(ledger, loaded)
        check_accounts(state, rows, account, fees)
        planned = plan(rows, state, account=account, fees=fees, today=today)
        reached = Reached("")
        if balance and statement.currency is not None:
            try:
                bank = state.bank(account, statement.currency)
            except planner.Refused:
                bank = None
            if bank is not None:
                sealed = state.sealed.last if state.sealed is not None else None
                reached = reach(statement, bank, loaded.entries, planned, sealed)
        if reached.refused is not None and not dry_run:
            raise LedgerError(reached.refused)
        if not dry_run:
            entries: list[data.Directive] = [p.entry for p in planned if p.entry is not None]
            if reached.assertion is not None:
                entries.append(reached.assertion)
            write_events(ledger, loaded, state, entries)
    return Imported(planned, reached)


# ---------------------------------------------------------------- close


@dataclass(frozen=True)
class Closed:
    result: CloseResult
    path: Path
    text: str
    dry_run: bool


def _static_book(files: Files) -> tuple[list[data.Directive], Book]:
    """The entries of the static files (not the month files) and their Book; refused on any
    malformed directive."""
    static = [e for entries in files.parsed.values() for e in entries]
    book, errors = parse_book(static)
    if errors:
        raise LedgerError(describe_error(errors[0]))
    return static, book


def close(
    ledger: Ledger, month: Month, *, today: datetime.date, dry_run: bool, force: bool
) -> Closed:
    """Close `month` reading only the static files and the month's own journal file."""
    ledger.check_exists()
    if month.last >= today and not force:
        raise LedgerError(
            f"{month} has not ended yet (today is {today}); close it from"
            f" {month.next().first} on, or pass --force"
        )
    with ledger.locked():
        files = ledger.files()
        static, book = _static_book(files)
        if not book.has_terms():
            raise LedgerError(
                "no OneBox terms yet: set a cost rate and payment terms first"
                " (onebox-ledger terms rate 1 0.65; onebox-ledger terms payment 30)"
            )
        path = ledger.month_path(month)
        before = ledger.seal_before(month, files)
        sealed_here = month in seals.parse(ledger.parse(path))[0]
        if not sealed_here:
            _check_order(ledger, book, month)
        if before is not None and before.previous is None:
            raise LedgerError(
                f"{before.month} has a seal of the old, unchained form; run 'onebox-ledger"
                " upgrade' first (it checks the old seals, then chains them)"
            )
        view = ledger.month_view(month, files, first=before is None)
        previous = before.digest if before is not None else seals.FIRST
        currency = seals.currency_of(ledger.options())
        rates = Rates.of(static, ledger.operating_currency())
        credit_entries = ledger.credit_entries(files)
        opened = {e.account for e in static if isinstance(e, data.Open)}
        try:
            result = close_month(
                book, month, view.dated, previous=previous, currency=currency, rates=rates,
                credit_entries=credit_entries, before=view.before, opened=opened,
                open_date=ledger.open_date(static, before.month if before else None),
            )  # fmt: skip
        except CloseError as err:
            raise LedgerError(str(err)) from None
        except (BillingError, MoneyError) as err:
            raise LedgerError(f"cannot close {month}: {err}") from None
        _check_credit_later(month, result, credit_entries)
        text = beans.format_entries(result.entries) if result.entries else ""
        if text and not dry_run:
            ledger.append_month(
                path, text, result.entries, static, JOURNAL_HEADER.format(month=month),
                view=view, previous=previous, currency=currency, new_opens=result.opens,
            )  # fmt: skip
    return Closed(result, path, text, dry_run)


@dataclass(frozen=True)
class Invoiced:
    month: Month
    entries: list[data.Transaction]
    path: Path
    text: str
    dry_run: bool
    already: bool  # issued before, and nothing changed


def invoice(
    ledger: Ledger, month: Month, *, today: datetime.date, dry_run: bool, force: bool
) -> Invoiced:
    """Issue the advance invoices of `month` on its first day (close.invoice_month).

    Reads, like the close, only the static files and what is dated in the month
    (plus the entries that touch customer credit). Idempotent: issued again, the same
    invoices change nothing; invoices the contracts no longer give are drift, refused.
    """
    ledger.check_exists()
    if month.first > today and not force:
        raise LedgerError(
            f"{month} has not begun (today is {today}); issue its invoices from"
            f" {month.first} on, or pass --force"
        )
    with ledger.locked():
        files = ledger.files()
        static, book = _static_book(files)
        sealed = ledger.last_sealed()
        path = ledger.month_path(month)
        view = ledger.month_view(month, files, first=sealed is None)
        rates = Rates.of(static, ledger.operating_currency())
        credit_entries = ledger.credit_entries(files)
        try:
            expected = invoice_month(
                book, month, rates, carried(credit_entries, month, invoicing=True)
            )
        except MoneyError as err:
            raise LedgerError(f"cannot invoice {month}: {err}") from None
        issued = [
            e
            for e in view.dated
            if isinstance(e, data.Transaction)
            and (beans.entry_id(e) or "").startswith(invoice_prefix(month))
        ]
        if issued:  # the credit applied when they were issued stands (close.is_credit_applied)
            written = sorted(beans.format_entry(e) for e in invoice_lines(issued))
            if written != sorted(beans.format_entry(e) for e in invoice_lines(expected)):
                raise LedgerError(
                    f"{month}'s advance invoices are issued but the contracts now give others;"
                    " run 'onebox-ledger verify' to see the drift"
                )
            return Invoiced(month, issued, path, "", dry_run, True)
        if sealed is not None and month <= sealed:
            raise LedgerError(f"{month} is closed; its invoices were issued by its close")
        text = beans.format_entries(expected) if expected else ""
        if text and not dry_run:
            opened = {e.account for e in static if isinstance(e, data.Open)}
            opens = events.opens(expected, opened, ledger.open_date(static, sealed))
            ledger.append_month(
                path, text, expected, static, JOURNAL_HEADER.format(month=month),
                view=view, previous="", currency="", new_opens=opens,
            )  # fmt: skip
    return Invoiced(month, expected, path, text, dry_run, False)


def _check_credit_later(
    month: Month, result: CloseResult, credit_entries: Sequence[data.Transaction]
) -> None:
    """Refuse a close that would apply credit an entry dated after the month already used
    (a refund recorded before the close): the credit would be used twice. What the close
    applies to one credit adds up over its entries (the advance invoices it issues, then
    its own)."""
    every = {item.id: item for item in credits(credit_entries)}
    used: dict[str, Decimal] = {}
    for entry in result.entries:
        if not isinstance(entry, data.Transaction):
            continue
        for post in entry.postings:
            kind = beans.credit_kind(post.account)
            key = None if kind is None else openitems.item_key(post, entry, kind)
            if key is None:
                continue
            used[key] = used.get(key, ZERO) + abs(beans.units(post).number)
            if key in every and used[key] > every[key].open:
                raise LedgerError(
                    f"cannot close {month}: {key} was partly used by an entry dated after"
                    f" {month.last}; record that after the close (remove it, close, record it)"
                )


def _check_order(ledger: Ledger, book: Book, month: Month) -> None:
    sealed = ledger.last_sealed()
    if sealed is not None:
        if month != sealed.next():
            if month < sealed:
                raise LedgerError(
                    f"{month} was never sealed but later months are; restore it from git"
                )
            raise LedgerError(
                f"close {sealed.next()} first: months close in order (last closed: {sealed})"
            )
        return
    starts = [Month.of(c.start) for c in book.contracts.values()]
    starts += [m for m in ledger.journal_months() if m < month]
    first = min(starts, default=month)
    if first < month:
        raise LedgerError(f"close {first} first: months close in order (nothing is closed yet)")


# ---------------------------------------------------------------- verify


@dataclass
class Verification:
    sealed: list[Month] = field(default_factory=list)
    generated: int = 0
    errors: list[str] = field(default_factory=list)  # findings: 'file:line: message'
    diffs: list[str] = field(default_factory=list)
    head: tuple[Month, str] | None = None  # the newest seal: month and digest
    late: int = 0  # money booked after its month was sealed (value-date)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.diffs


def verify(ledger: Ledger, *, head: str | None = None) -> Verification:
    """Check the ledger the way an auditor would, trusting none of its plugin lines.

    Every loaded file's includes, options and plugins, and what changes Fava's pages,
    against the allowlist (integrity.findings, run by the seal plugin); the whole
    ledger loaded with onebox-ledger's own checks (every seal, its chain and
    Beancount's validation, store.load_trusted);
    every generated entry re-derived from the directives and diffed against the
    files; and, with `head`, that the digest an auditor noted is still in the chain.
    """
    ledger.check_exists()
    ledger.finish_pending()
    loaded = (
        ledger.load()
    )  # always runs the seal plugin, so integrity.findings are among the errors
    with paused_gc():  # millions of short-lived objects beside the loaded ledger
        report = _verify(loaded, ledger.operating_currency())
    chain = seals.parse(loaded.entries)[0]
    if chain:
        newest = max(chain)
        report.head = (newest, chain[newest].digest)
    if head is not None and head not in {seal.digest for seal in chain.values()}:
        newest_text = f"{report.head[0]} {report.head[1]}" if report.head else "none"
        report.errors.append(
            f"{ledger.main.name}:0: head {head} is not in the chain (its newest seal is"
            f" {newest_text}): a month sealed since the last audit was removed, or a seal rewritten"
        )
    root = f"{ledger.root}{os.sep}"
    report.errors = [line.removeprefix(root) for line in report.errors]
    return report


def _verify(loaded: Loaded, operating: str) -> Verification:
    report = Verification()
    report.errors = [describe_error(e) for e in loaded.errors]
    book, book_errors = parse_book(loaded.entries)
    if book_errors:
        return report  # the directives plugin already reported them among loaded.errors
    found, _ = seals.parse(loaded.entries)
    rates = Rates.of(loaded.entries, operating)
    credit_entries = [
        e for e in loaded.entries if isinstance(e, data.Transaction) and beans.touches_credit(e)
    ]
    by_month: dict[Month, list[data.Directive]] = {}
    for entry in loaded.entries:
        if isinstance(entry, data.Transaction | data.Custom):
            by_month.setdefault(Month.of(entry.date), []).append(entry)
        if isinstance(entry, data.Transaction) and events.VALUE_DATE in entry.meta:
            report.late += 1
            report.errors.extend(_late_findings(entry, found))
    for month in sorted(found):
        report.sealed.append(month)
        entries = by_month.get(month, [])
        try:
            lines = diff_month(book, month, entries, rates, credit_entries)
        except (
            BillingError,
            CloseError,
            MoneyError,
        ) as err:  # the terms no longer price this month
            report.diffs.append(f"{month}: cannot re-derive the close: {err}")
            continue
        report.diffs.extend(lines)
        report.generated += sum(
            1
            for e in entries
            if (beans.entry_id(e) or "").startswith((f"close/{month}/", f"invoice/{month}/"))
            and not (isinstance(e, data.Transaction) and is_credit_applied(e))
        )
    for month, entries in sorted(by_month.items()):
        if month in found:
            continue
        stray = [e for e in entries if (beans.entry_id(e) or "").startswith(f"close/{month}/")]
        if stray:
            report.diffs.append(
                f"{month}: {len(stray)} generated entries but the month is not sealed"
            )
    return report


def _late_findings(entry: data.Transaction, sealed: Mapping[Month, seals.Seal]) -> list[str]:
    """A ``value-date`` says the money moved in a month sealed before it was booked: its month
    must be sealed and before the entry's."""
    value = entry.meta[events.VALUE_DATE]
    where = f"{entry.meta.get('filename', '<ledger>')}:{entry.meta.get('lineno', 0)}"
    if not isinstance(value, datetime.date):
        return [f"{where}: value-date {value!r} is not a date"]
    if value >= entry.date or Month.of(value) not in sealed:
        return [
            f"{where}: value-date {value} is not in a month sealed before the entry's date"
            f" {entry.date} (a value-date marks money booked after its month was sealed)"
        ]
    return []


# ---------------------------------------------------------------- upgrade


def upgrade(ledger: Ledger) -> list[tuple[Month, str, str]]:
    """Chain the seals of a ledger written before onebox-seal/2: (month, old, new digest) each.

    Every seal is first checked as it stands (a seal of the old form with the old
    rule, seals.digest_v1; a chained one with the chain), and nothing is written
    if one does not match. Then each seal gets its ``previous:`` and the chained
    digest, in one atomic change of the month files. Nothing to do: an empty list.
    """
    with ledger.locked():
        ledger.check_exists()
        loaded = ledger.load()
        found, _ = seals.parse(loaded.entries)
        if all(seal.previous is not None for seal in found.values()):
            return []
        others = [e for e in loaded.errors if "old, unchained form" not in str(e.message)]
        if others:
            raise LedgerError(
                f"the ledger has {len(others)} error(s) besides its old seals; fix them first"
                f" (bean-check {ledger.main.name}): {describe_error(others[0])}"
            )
        currency = seals.currency_of(loaded.options)
        months = sorted(found)
        by_month: dict[Month, list[data.Directive]] = {month: [] for month in months}
        for entry in loaded.entries:
            bucket = by_month.get(Month.of(entry.date))
            if bucket is not None:
                bucket.append(entry)
        previous = seals.FIRST
        for month in months:
            seal = found[month]
            if seal.previous is None:
                ok = seals.digest_v1(by_month[month]) == seal.digest
            else:
                meta = seals.seal_meta(seal.entry)
                covered = seals.buckets(loaded.entries, months)[month]
                ok = seals.digest(month, seal.previous, currency, meta, covered) == seal.digest
            if not ok:
                raise LedgerError(
                    f"cannot upgrade: {month}'s seal does not match what it covers; restore the"
                    " month from git first (onebox-ledger verify shows the drift)"
                )
        covered_by = seals.buckets(loaded.entries, months)
        changes: list[tuple[Month, str, str]] = []
        texts: dict[Path, str] = {}
        for month in months:
            seal = found[month]
            meta = {**seals.seal_meta(seal.entry), "previous": previous}
            digest = seals.digest(month, previous, currency, meta, covered_by[month])
            new = beans.format_entry(
                beans.custom(seal.entry.date, seals.SEAL, [str(month), digest], meta)
            )
            path = Path(str(seal.entry.meta["filename"]))
            texts[path] = _replace_seal(texts.get(path) or read_exact(path) or "", seal, new)
            changes.append((month, seal.digest, digest))
            previous = digest
        ledger.write_files(texts)
    return changes


def _replace_seal(text: str, seal: seals.Seal, new: str) -> str:
    """`text` with the seal's directive (its line and indented metadata lines) replaced."""
    lines = text.splitlines(keepends=True)
    start = int(seal.entry.meta["lineno"]) - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip():
        end += 1
    return "".join([*lines[:start], new, *lines[end:]])
