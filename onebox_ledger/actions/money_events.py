"""The money commands (sell, receive, refund, credit-note, write-off, onebox pay/bill/grace,
bank add): each planned by ``planner`` over one state of the books and written to its
month's journal.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from beancount.core import data

from .. import agents, beans, events, planner
from ..money import MoneyError, Rates
from ..store import (
    JOURNAL_HEADER,
    Ledger,
    LedgerError,
    Loaded,
)
from ..values import InputError, Money, Month, make_text, show_money
from .helpers import Written, _customer, _not_sealed, _suggest, write_static


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
    ledger: Ledger,
    loaded: Loaded,
    state: planner.State,
    entries: Sequence[data.Directive],
    *,
    accrue: bool = True,
) -> str:
    """Append entries to their month files, opening the accounts they first post to (in the
    accounts file), validated with the whole ledger and written as one atomic change.

    The commission the receipts, refunds and write-offs among them accrue or give back
    (agents.accrue) is written with them: one place for commands, imports and the demo."""
    if not entries:
        return ""
    if accrue:
        entries = [*entries, *_commissions(loaded, state, entries)]
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


def _commissions(
    loaded: Loaded, state: planner.State, entries: Sequence[data.Directive]
) -> list[data.Transaction]:
    try:
        return agents.accrue(loaded.entries, entries, state.book, state.rates)
    except MoneyError as err:
        raise LedgerError(str(err)) from None


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
        commissions = _commissions(loaded, state, plan.entries)
        text = write_events(ledger, loaded, state, [*plan.entries, *commissions], accrue=False)
    booked = plan.entries[0].date if plan.entries else date  # a late receipt: the open month
    return Written(
        ledger.month_path(Month.of(booked)), text, plan.message + agents.note(commissions)
    )


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
    ledger: Ledger,
    bill: str,
    billed: Money,
    *,
    date: datetime.date,
    ref: str | None,
    credit: bool = False,
) -> Written:
    """`credit`: `billed` is what OneBox credits on the bill (disputes.py)."""
    return _money_event(
        ledger, date,
        lambda state: planner.onebox_bill(state, bill, billed, date, ref=ref, credit=credit),
    )  # fmt: skip


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


def apply_credit(
    ledger: Ledger, customer: str, *, date: datetime.date, invoice: str | None
) -> Written:
    return _money_event(
        ledger, date,
        lambda state: planner.apply_credit(state, customer, date, invoice=invoice),
        customer,
    )  # fmt: skip


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
        opening_text = _write_opening(ledger, loaded, account, opening, date, entry)
    return Written(
        ledger.journal / "opening.beancount",
        opening_text,
        f"{message}, opening balance {show_money(*opening)}",
    )


def _write_opening(
    ledger: Ledger,
    loaded: Loaded,
    account: str,
    opening: Money,
    date: datetime.date,
    entry: data.Open | None = None,
) -> str:
    """Book `opening` on `account` on `date` in ``ledger/journal/opening.beancount`` (with the
    account's Open `entry` when it opens now), as one validated change; the text written."""
    operating = ledger.operating_currency()
    try:
        balance = events.opening_entry(
            account, opening, date, rates=Rates.of(loaded.entries, operating)
        )
    except MoneyError as err:
        raise LedgerError(str(err)) from None
    opened = {e.account for e in loaded.entries if isinstance(e, data.Open)}
    declared = {e.currency for e in loaded.entries if isinstance(e, data.Commodity)}
    news: list[data.Directive] = [
        *events.commodities([balance] if entry is None else [entry, balance], declared, date),
        *([] if entry is None else [entry]),
        *events.opens([balance], {*opened, account}, date),
    ]
    opening_text = beans.format_entries([balance])
    appends = [(ledger.journal / "opening.beancount", opening_text, "")]
    if news:
        appends.insert(0, (ledger.accounts_path, beans.format_entries(news), ""))
    ledger.append_many(appends)
    return opening_text


def _moves(entry: data.Directive, account: str) -> bool:
    """Whether `entry` posts to or asserts the balance of `account`."""
    if isinstance(entry, data.Transaction):
        return any(posting.account == account for posting in entry.postings)
    return isinstance(entry, data.Balance) and entry.account == account


def bank_opening(
    ledger: Ledger, account: str, opening: Money, date: datetime.date | None
) -> Written:
    """Book the balance an open bank account (``init``'s Assets:Bank, say) held on `date`
    (default: the day it opened), as ``bank add --opening`` does for a new one::

        2026-11-01 * "Opening balance" "Assets:Bank on 2026-11-01"
          id: "opening/Assets:Bank"
          amount: 4000.00 EUR
          Assets:Bank                   4000.00 EUR
          Equity:Opening-Balances      -4000.00 EUR

    Refused for an account that is not a bank account, one that has its opening balance
    already, a date before it opened or in a sealed month, and one with entries before
    `date` (an opening balance is what the account held before any of them).
    """
    with ledger.locked():
        loaded = ledger.load_valid()
        opened = {e.account: e for e in loaded.entries if isinstance(e, data.Open)}
        if account not in opened or not opened[account].meta.get("bank"):
            banks = [name for name, e in opened.items() if e.meta.get("bank")]
            raise InputError(f"{account} is not a bank account{_suggest(account, banks)}")
        currencies = opened[account].currencies or []
        if currencies and opening.currency not in currencies:
            raise InputError(
                f"opening {show_money(*opening)} is not in {account}'s currency"
                f" {', '.join(currencies)}"
            )
        start = opened[account].date
        date = start if date is None else date
        if date < start:
            raise InputError(f"--date {date} is before {account} opened ({start})")
        entry_id = f"opening/{account}"
        for done in loaded.entries:
            if isinstance(done, data.Transaction) and done.meta.get("id") == entry_id:
                raise LedgerError(
                    f"{account} has its opening balance already ({done.meta['amount']}"
                    f" on {done.date})"
                )
        earlier = [e.date for e in loaded.entries if e.date < date and _moves(e, account)]
        if earlier:
            raise LedgerError(
                f"{account} has entries before {date} (the first on {min(earlier)}): an"
                " opening balance is what it held before any of them (give an earlier --date)"
            )
        _not_sealed(ledger, date, "date")
        text = _write_opening(ledger, loaded, account, opening, date)
    return Written(
        ledger.journal / "opening.beancount",
        text,
        f"bank account {account}: opening balance {show_money(*opening)} on {date}",
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
        if item.in_grace > 0 and item.until is not None and until <= item.until:
            raise InputError(
                f"bill {bill} is in grace until {item.until}; an extension must agree a later"
                f" date than {until}"
            )
        if until <= item.due_date:
            raise InputError(
                f"grace until {until} must be after the bill's due date {item.due_date}"
            )
        _not_sealed(ledger, date, "date")
        text = write_events(
            ledger, loaded, state, [events.grace_entry(item, until, date, state.by_id)]
        )
    was = f"extended from {item.until}" if item.in_grace > 0 else f"was due {item.due_date}"
    return Written(
        ledger.month_path(Month.of(date)), text,
        f"bill {bill}: {show_money(item.open, item.currency)} deferred until {until} ({was})",
    )  # fmt: skip
