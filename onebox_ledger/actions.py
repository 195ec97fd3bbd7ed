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
    grace/<bill>/<date>                              bill moved to Liabilities:OneBox:Grace
    close/<month>/<contract>/invoice|recognise|cost  the close (see close.py)
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import beans
from .close import CloseError, CloseResult, close_month, diff_month
from .model import Book, parse_book, parse_seals
from .openitems import OpenItem, bills, invoices
from .store import JOURNAL_HEADER, Ledger, LedgerError, describe_error
from .values import ZERO, InputError, Month

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
    sealed = ledger.last_sealed()
    if sealed is not None and date <= sealed.last:
        raise LedgerError(
            f"{what} {date} is in sealed month {Month.of(date)}; the books are closed"
            f" through {sealed} (use a date from {sealed.next().first} on)"
        )


def _check_currency(currency: str, expected: str, who: str) -> None:
    if currency != expected:
        raise InputError(f"{who} is billed in {expected}, not {currency}")


def _write_static(ledger: Ledger, path: Path, entries: Sequence[data.Directive]) -> str:
    text = beans.format_entries(entries)
    ledger.append_full(path, text)
    return text


def _write_month(ledger: Ledger, date: datetime.date, entries: Sequence[data.Directive]) -> str:
    month = Month.of(date)
    text = beans.format_entries(entries)
    ledger.append_full(ledger.month_path(month), text, JOURNAL_HEADER.format(month=month))
    return text


def _next_n(entries: Sequence[data.Directive], prefix: str) -> int:
    taken = {beans.entry_id(e) for e in entries}
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return n


def _by_id(entries: Sequence[data.Directive], entry_id: str) -> data.Directive | None:
    for entry in entries:
        if beans.entry_id(entry) == entry_id:
            return entry
    return None


@dataclass(frozen=True)
class Written:
    """What a command wrote (text is empty for a no-op)."""

    path: Path
    text: str
    message: str


# ---------------------------------------------------------------- terms


def terms_item(
    ledger: Ledger, name: str, price: tuple[Decimal, str], date: datetime.date, per: Decimal | None
) -> Written:
    with ledger.locked():
        ledger.load_valid()
        _not_sealed(ledger, date, "date")
        entry = beans.custom(date, "onebox-item", [name, Amount(*price)], beans.meta(per=per))
        text = _write_static(ledger, ledger.terms_path, [entry])
    unit = f"block of {per:f} units" if per else "unit-month"
    return Written(
        ledger.terms_path, text, f"item {name}: {price[0]} {price[1]} per {unit} from {date}"
    )


def terms_rate(ledger: Ledger, boxes: int, rate: Decimal, date: datetime.date) -> Written:
    if not 0 < rate <= 1:
        raise InputError(f"rate {rate} must be above 0 and at most 1 (0.65 is 65% of list)")
    with ledger.locked():
        ledger.load_valid()
        _not_sealed(ledger, date, "date")
        entry = beans.custom(date, "onebox-rate", [Decimal(boxes), rate])
        text = _write_static(ledger, ledger.terms_path, [entry])
    return Written(
        ledger.terms_path, text, f"rate from {boxes} box(es): {rate} of list from {date}"
    )


def terms_payment(ledger: Ledger, days: int, date: datetime.date) -> Written:
    with ledger.locked():
        ledger.load_valid()
        _not_sealed(ledger, date, "date")
        entry = beans.custom(date, "onebox-payment", [Decimal(days)])
        text = _write_static(ledger, ledger.terms_path, [entry])
    return Written(
        ledger.terms_path, text, f"OneBox bills due {days} days after month end from {date}"
    )


def price(ledger: Ledger, currency: str, rate: tuple[Decimal, str], date: datetime.date) -> Written:
    """An exchange rate for the reports: 1 `currency` = rate (in the operating currency)."""
    with ledger.locked():
        ledger.load_valid()
        operating = ledger.operating_currency()
        if rate[1] != operating:
            raise InputError(f"quote the rate in the operating currency {operating}, not {rate[1]}")
        if currency == operating:
            raise InputError(f"{currency} is the operating currency; it needs no rate")
        entry = beans.price(date, currency, rate[0], rate[1])
        text = _write_static(ledger, ledger.prices_path, [entry])
    return Written(ledger.prices_path, text, f"1 {currency} = {rate[0]} {rate[1]} from {date}")


# ---------------------------------------------------------------- customers, contracts


def customer_add(
    ledger: Ledger, cid: str, name: str, currency: str, payment: int, date: datetime.date
) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        if cid in book.customers:
            raise LedgerError(f"customer {cid!r} already exists ({book.customers[cid].name})")
        part = beans.customer_account_part(cid)
        taken = {beans.customer_account_part(c) for c in book.customers}
        if part in taken:
            raise LedgerError(f"customer {cid!r} would share account {part} with another customer")
        entries = [
            beans.custom(
                date, "onebox-customer", [cid],
                beans.meta(name=name, currency=currency, payment=Decimal(payment)),
            ),
            beans.open_account(date, beans.receivable_account(cid)),
            beans.open_account(date, beans.deferred_account(cid)),
        ]  # fmt: skip
        text = _write_static(ledger, ledger.customers_path, entries)
    return Written(ledger.customers_path, text, f"customer {cid}: {name}, billed in {currency}")


def contract_add(
    ledger: Ledger,
    cid: str,
    *,
    customer: str,
    stream: str,
    price: tuple[Decimal, str],
    quantity: int,
    start: datetime.date,
    billing: str,
    item: str | None,
    end: datetime.date | None,
) -> Written:
    if end is not None and end < start:
        raise InputError(f"end {end} is before start {start}")
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
        _check_currency(price[1], who.currency, f"customer {customer!r}")
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
        entry = beans.custom(
            start, "onebox-contract", [cid],
            beans.meta(customer=customer, stream=stream, billing=billing,
                       price=Amount(*price), quantity=Decimal(quantity), item=item, end=end),
        )  # fmt: skip
        text = _write_static(ledger, ledger.customers_path, [entry])
    return Written(
        ledger.customers_path, text,
        f"contract {cid}: {customer}, {stream}, {quantity} x {price[0]} {price[1]} {billing} from {start}",
    )  # fmt: skip


def contract_change(
    ledger: Ledger,
    cid: str,
    date: datetime.date,
    quantity: int | None,
    price: tuple[Decimal, str] | None,
) -> Written:
    if quantity is None and price is None:
        raise InputError("nothing to change: give --quantity and/or --price")
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        contract = _contract(book, cid)
        if price is not None:
            _check_currency(price[1], contract.currency, f"contract {cid!r}")
        if date <= contract.start:
            raise InputError(
                f"change date {date} must be after the contract start {contract.start}"
            )
        if contract.end is not None and date > contract.end:
            raise LedgerError(f"contract {cid!r} ended on {contract.end}, before {date}")
        _not_sealed(ledger, date, "date")
        entry = beans.custom(
            date, "onebox-change", [cid],
            beans.meta(quantity=None if quantity is None else Decimal(quantity),
                       price=None if price is None else Amount(*price)),
        )  # fmt: skip
        text = _write_static(ledger, ledger.customers_path, [entry])
    return Written(ledger.customers_path, text, f"contract {cid} changed from {date}")


def contract_end(ledger: Ledger, cid: str, date: datetime.date) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        contract = _contract(book, cid)
        if contract.end is not None:
            raise LedgerError(f"contract {cid!r} already ends on {contract.end}")
        if date < contract.start:
            raise InputError(f"end {date} is before the contract start {contract.start}")
        _not_sealed(ledger, date, "end")
        entry = beans.custom(date, "onebox-end", [cid])
        text = _write_static(ledger, ledger.customers_path, [entry])
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
        entry = beans.custom(month.last, "onebox-usage", [cid, units])
        text = _write_month(ledger, month.last, [entry])
    return Written(ledger.month_path(month), text, f"usage of {cid} for {month}: {units} units")


# ---------------------------------------------------------------- money events


def _existing_ref(entries: Sequence[data.Directive], entry_id: str, same: dict[str, Any]) -> bool:
    """True when `entry_id` exists with the same content; LedgerError when it differs."""
    found = _by_id(entries, entry_id)
    if found is None:
        return False
    assert isinstance(found, data.Transaction)
    have = {
        "date": found.date,
        "customer": found.meta.get("customer"),
        "amount": found.meta.get("amount"),
    }
    want = {k: same.get(k) for k in have}
    if have != want:
        diffs = ", ".join(f"{k} {have[k]} (asked {want[k]})" for k in have if have[k] != want[k])
        raise LedgerError(f"ref {entry_id.split('/', 1)[1]!r} was already used with {diffs}")
    return True


def sell(
    ledger: Ledger,
    customer: str,
    amount: tuple[Decimal, str],
    *,
    stream: str,
    date: datetime.date,
    memo: str,
    ref: str | None,
) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        who = _customer(book, customer)
        _check_currency(amount[1], who.currency, f"customer {customer!r}")
        if who.date > date:
            raise LedgerError(f"customer {customer!r} was added on {who.date}, after {date}")
        money = Amount(*amount)
        if ref is not None:
            entry_id = f"sell/{ref}"
            if _existing_ref(
                loaded.entries, entry_id, {"date": date, "customer": customer, "amount": money}
            ):
                return Written(
                    ledger.month_path(Month.of(date)),
                    "",
                    f"ref {ref} already recorded; nothing changed",
                )
        else:
            prefix = f"sell/{date}/{customer}/"
            entry_id = f"{prefix}{_next_n(loaded.entries, prefix)}"
        _not_sealed(ledger, date, "date")
        taken = {e.meta.get("invoice") for e in loaded.entries if isinstance(e, data.Transaction)}
        invoice, n = f"inv-{date}-{customer}", 2
        while invoice in taken:
            invoice, n = f"inv-{date}-{customer}-{n}", n + 1
        entry = beans.transaction(
            date, who.name, memo,
            beans.meta(id=entry_id, customer=customer, invoice=invoice, amount=money, ref=ref,
                       due=date + datetime.timedelta(days=who.payment)),
            [beans.posting(beans.receivable_account(customer), amount[0], amount[1]),
             beans.posting(beans.income_account(stream), -amount[0], amount[1])],
        )  # fmt: skip
        text = _write_month(ledger, date, [entry])
    return Written(
        ledger.month_path(Month.of(date)), text,
        f"invoice {invoice}: {amount[0]} {amount[1]} {stream} to {customer}",
    )  # fmt: skip


def _allocate(
    items: list[OpenItem], amount: Decimal, named: str | None, what: str, kind: str
) -> list[tuple[OpenItem, Decimal]]:
    """Split `amount` over open items, oldest first (or all on the named one); refuse overpayment."""
    open_items = [i for i in items if i.open > 0]
    if named is not None:
        match = [i for i in items if i.id == named]
        if not match:
            raise InputError(
                f"unknown {kind} {named!r} for {what}{_suggest(named, [i.id for i in items])}"
            )
        open_items = [i for i in match if i.open > 0]
        if not open_items:
            raise LedgerError(f"{kind} {named} is already paid in full")
    total_open = sum((i.open for i in open_items), ZERO)
    if amount > total_open:
        target = f"{kind} {named}" if named else what
        raise LedgerError(
            f"overpayment: {amount} exceeds the {total_open} open on {target};"
            " record only what is owed"
        )
    out = []
    left = amount
    for item in open_items:
        if left <= 0:
            break
        part = min(left, item.open)
        out.append((item, part))
        left -= part
    return out


def receive(
    ledger: Ledger,
    customer: str,
    amount: tuple[Decimal, str],
    *,
    date: datetime.date,
    invoice: str | None,
    ref: str | None,
) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        who = _customer(book, customer)
        _check_currency(amount[1], who.currency, f"customer {customer!r}")
        money = Amount(*amount)
        if ref is not None:
            entry_id = f"receive/{ref}"
            if _existing_ref(
                loaded.entries, entry_id, {"date": date, "customer": customer, "amount": money}
            ):
                return Written(
                    ledger.month_path(Month.of(date)),
                    "",
                    f"ref {ref} already recorded; nothing changed",
                )
        else:
            prefix = f"receive/{date}/{customer}/"
            entry_id = f"{prefix}{_next_n(loaded.entries, prefix)}"
        _not_sealed(ledger, date, "date")
        mine = [i for i in invoices(loaded.entries, as_of=date) if i.customer == customer]
        parts = _allocate(mine, amount[0], invoice, f"customer {customer!r}", "invoice")
        account = beans.receivable_account(customer)
        postings = [beans.posting(beans.BANK, amount[0], amount[1])]
        postings += [
            beans.posting(account, -part, amount[1], {"invoice": item.id}) for item, part in parts
        ]
        entry = beans.transaction(
            date, who.name, "Payment received",
            beans.meta(id=entry_id, customer=customer, amount=money, ref=ref),
            postings,
        )  # fmt: skip
        text = _write_month(ledger, date, [entry])
    applied = ", ".join(f"{part} to {item.id}" for item, part in parts)
    return Written(
        ledger.month_path(Month.of(date)), text, f"received {money} from {customer}: {applied}"
    )


def onebox_pay(
    ledger: Ledger,
    amount: tuple[Decimal, str],
    *,
    date: datetime.date,
    bill: str | None,
    ref: str | None,
) -> Written:
    with ledger.locked():
        loaded = ledger.load_valid()
        money = Amount(*amount)
        if ref is not None:
            entry_id = f"pay/{ref}"
            if _existing_ref(
                loaded.entries, entry_id, {"date": date, "customer": None, "amount": money}
            ):
                return Written(
                    ledger.month_path(Month.of(date)),
                    "",
                    f"ref {ref} already recorded; nothing changed",
                )
        else:
            prefix = f"pay/{date}/"
            entry_id = f"{prefix}{_next_n(loaded.entries, prefix)}"
        _not_sealed(ledger, date, "date")
        items = [i for i in bills(loaded.entries, as_of=date)]
        currencies = {i.currency for i in items if i.open > 0}
        if currencies and amount[1] not in currencies:
            raise InputError(
                f"OneBox bills are in {', '.join(sorted(currencies))}, not {amount[1]}"
            )
        items = [i for i in items if i.currency == amount[1]]
        parts = _allocate(items, amount[0], bill, "OneBox bills", "bill")
        postings = [beans.posting(beans.BANK, -amount[0], amount[1])]
        for item, part in parts:
            in_grace = min(part, item.in_grace)
            if in_grace:
                postings.append(beans.posting(beans.GRACE, in_grace, amount[1], {"bill": item.id}))
            if part - in_grace:
                postings.append(
                    beans.posting(beans.PAYABLE, part - in_grace, amount[1], {"bill": item.id})
                )
        entry = beans.transaction(
            date, "OneBox", "Payment to OneBox",
            beans.meta(id=entry_id, amount=money, ref=ref),
            postings,
        )  # fmt: skip
        text = _write_month(ledger, date, [entry])
    applied = ", ".join(f"{part} to {item.id}" for item, part in parts)
    return Written(ledger.month_path(Month.of(date)), text, f"paid {money} to OneBox: {applied}")


def onebox_grace(
    ledger: Ledger, bill: str, *, until: datetime.date, date: datetime.date
) -> Written:
    if until <= date:
        raise InputError(f"grace until {until} must be after the agreement date {date}")
    with ledger.locked():
        loaded = ledger.load_valid()
        items = bills(loaded.entries, as_of=date)
        match = [i for i in items if i.id == bill]
        if not match:
            every = [i.id for i in bills(loaded.entries)]
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
        entry = beans.transaction(
            date, "OneBox", f"Grace period for {bill} until {until}",
            beans.meta(id=f"grace/{bill}/{date}", bill=bill, until=until),
            [beans.posting(beans.PAYABLE, item.open, item.currency),
             beans.posting(beans.GRACE, -item.open, item.currency)],
        )  # fmt: skip
        text = _write_month(ledger, date, [entry])
    return Written(
        ledger.month_path(Month.of(date)), text,
        f"bill {bill}: {item.open} {item.currency} deferred until {until} (was due {item.due_date})",
    )  # fmt: skip


# ---------------------------------------------------------------- close


@dataclass(frozen=True)
class Closed:
    result: CloseResult
    path: Path
    text: str
    dry_run: bool


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
        book, static = ledger.book()
        if not book.has_terms():
            raise LedgerError(
                "no OneBox terms yet: set a cost rate and payment terms first"
                " (onebox-ledger terms rate 1 0.65; onebox-ledger terms payment 30)"
            )
        path = ledger.month_path(month)
        month_entries = ledger.parse(path)
        sealed_here = month in parse_seals(month_entries)[0]
        if not sealed_here:
            _check_order(ledger, book, month)
        try:
            result = close_month(book, month, month_entries)
        except CloseError as err:
            raise LedgerError(str(err)) from None
        except Exception as err:
            from .billing import BillingError

            if isinstance(err, BillingError):
                raise LedgerError(f"cannot close {month}: {err}") from None
            raise
        text = beans.format_entries(result.entries) if result.entries else ""
        if text and not dry_run:
            ledger.append_month(
                path, text, result.entries, static, JOURNAL_HEADER.format(month=month)
            )
    return Closed(result, path, text, dry_run)


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
    errors: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.diffs


def verify(ledger: Ledger) -> Verification:
    """Re-derive every generated entry, diff it against the files, and run Beancount's checks."""
    ledger.check_exists()
    loaded = ledger.load()
    report = Verification()
    report.errors = [describe_error(e) for e in loaded.errors]
    book, book_errors = parse_book(loaded.entries)
    if book_errors:
        return report  # the directives plugin already reported them among loaded.errors
    seals, _ = parse_seals(loaded.entries)
    by_month: dict[Month, list[data.Directive]] = {}
    for entry in loaded.entries:
        if isinstance(entry, data.Transaction | data.Custom):
            by_month.setdefault(Month.of(entry.date), []).append(entry)
    for month in sorted(seals):
        report.sealed.append(month)
        entries = by_month.get(month, [])
        try:
            lines = diff_month(book, month, entries)
        except Exception as err:  # a BillingError: the terms no longer price this month
            report.diffs.append(f"{month}: cannot re-derive the close: {err}")
            continue
        report.diffs.extend(lines)
        report.generated += sum(
            1 for e in entries if (beans.entry_id(e) or "").startswith(f"close/{month}/")
        )
    for month, entries in sorted(by_month.items()):
        if month in seals:
            continue
        stray = [e for e in entries if (beans.entry_id(e) or "").startswith(f"close/{month}/")]
        if stray:
            report.diffs.append(
                f"{month}: {len(stray)} generated entries but the month is not sealed"
            )
    return report
