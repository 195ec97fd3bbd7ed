"""The demo partner: a deterministic ledger of any size, written by the code a user runs.

``build_demo(dir, customers=10, months=10, seed=1)`` gives the shipped demo:
ten customers over January to October 2026 (every demo ends in October 2026) using all four streams, with a
seat change in mid-month, a contract ending mid-month, an annual prepay, a
tier crossing (the 8th box moves every box from 65% to 60% of list), a late
payer, a OneBox bill under grace, a customer billed in EUR, metered data,
hours sold as services. Every month is closed by the close of ``close.py``.

Customers follow ten profiles (customer i has profile i % 10), so any size
keeps the same mix; start months are spread over the first `ramp` months
(default: 60% of the span).

Two ways to write the same ledger, chosen by ``fast``:

- ``SlowOps`` calls ``actions`` exactly as the CLI does: each step loads and
  validates the whole ledger (fine for the shipped demo, quadratic at scale);
- ``FastOps`` calls the same pure builders (``events``, ``close.close_month``)
  with the open items and ids kept in memory, and writes each file once per
  month. ``tests/test_demo.py`` proves both write byte-identical files.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from beancount.core import data
from beancount.parser import parser

from . import actions, beans, events, seals
from .close import close_month
from .model import Book, parse_book
from .openitems import (
    OpenItem,
    apply_bills,
    apply_invoices,
    bills,
    invoices,
    issued_by,
    item_key,
)
from .store import JOURNAL_HEADER, Ledger, appended, create_ledger, read_exact, write_atomic
from .values import Month

END = Month(2026, 10)  # every demo ends with October 2026, whatever its length
D = Decimal
Money = tuple[Decimal, str]


@dataclass(frozen=True)
class Profile:
    stem: str
    name: str
    currency: str
    contracts: tuple[tuple[str, str, str, str, int, str | None], ...]
    # (suffix, stream, billing, price, quantity, item)


PROFILES = (
    Profile("acme-realty", "Acme Realty", "USD", (
        ("cloud", "cloud", "monthly", "25.00", 5, "cloud-user"),
        ("implementation", "services", "once", "2000.00", 1, None),
    )),
    Profile("berlin-immo", "Berlin Immo GmbH", "EUR", (
        ("cloud", "cloud", "monthly", "23.00", 4, "cloud-user"),
    )),
    Profile("casa-verde", "Casa Verde Inmobiliaria", "USD", (
        ("product", "product", "monthly", "40.00", 6, "cloud-user"),
    )),
    Profile("delta-logistics", "Delta Logistics", "USD", (
        ("cloud", "cloud", "annual", "22.00", 10, "cloud-user"),
    )),
    Profile("everest-dental", "Everest Dental", "USD", (
        ("cloud", "cloud", "monthly", "25.00", 3, "cloud-user"),
    )),
    Profile("fjord-marine", "Fjord Marine", "USD", (
        ("cloud", "cloud", "monthly", "26.00", 2, "cloud-user"),
        ("data", "data", "metered", "2.99", 1, "data-records"),
    )),
    Profile("granite-law", "Granite Law LLP", "USD", (
        ("cloud", "cloud", "monthly", "27.00", 7, "cloud-user"),
    )),
    Profile("harbor-clinic", "Harbor Clinic", "USD", (
        ("product", "product", "monthly", "42.00", 12, "cloud-user"),
    )),
    Profile("iris-travel", "Iris Travel", "USD", (
        ("cloud", "cloud", "monthly", "24.00", 8, "cloud-user"),
    )),
    Profile("juniper-schools", "Juniper Schools", "USD", (
        ("cloud", "cloud", "monthly", "21.00", 15, "cloud-user"),
        ("data", "data", "metered", "2.49", 1, "data-records"),
    )),
)  # fmt: skip

LATE = 7  # the profile that pays three months late
GRACE_MONTH = 3  # the OneBox bill of the 4th month goes under grace
TIERS = ((1, "0.65"), (8, "0.60"), (50, "0.55"), (200, "0.50"))


class Ops(Protocol):
    """What the demo scenario does to a ledger; SlowOps and FastOps write the same bytes."""

    ledger: Ledger

    def static(self, path: Path, entries: list[data.Directive]) -> None: ...
    def event(self, date: datetime.date, entries: list[data.Directive]) -> None: ...
    def book(self) -> Book: ...
    def ids(self) -> set[str | None]: ...
    def invoice_ids(self) -> set[str | None]: ...
    def open_invoices(self, as_of: datetime.date) -> list[OpenItem]: ...
    def open_bills(self, as_of: datetime.date) -> list[OpenItem]: ...
    def customer_invoices(self, customer: str, as_of: datetime.date) -> list[OpenItem]: ...
    def close(self, month: Month) -> None: ...
    def flush(self) -> None: ...


class SlowOps:
    """Every step through ``actions``, as the CLI runs it (full validation each time)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def static(self, path: Path, entries: list[data.Directive]) -> None:
        with self.ledger.locked():
            self.ledger.append_full(path, beans.format_entries(entries))

    def event(self, date: datetime.date, entries: list[data.Directive]) -> None:
        month = Month.of(date)
        with self.ledger.locked():
            self.ledger.append_full(
                self.ledger.month_path(month),
                beans.format_entries(entries),
                JOURNAL_HEADER.format(month=month),
            )

    def book(self) -> Book:
        return self.ledger.book()[0]

    def _entries(self) -> list[data.Directive]:
        return self.ledger.load().entries

    def ids(self) -> set[str | None]:
        return {beans.entry_id(e) for e in self._entries()}

    def invoice_ids(self) -> set[str | None]:
        return {e.meta.get("invoice") for e in self._entries() if isinstance(e, data.Transaction)}

    def open_invoices(self, as_of: datetime.date) -> list[OpenItem]:
        return issued_by(invoices(self._entries()), as_of)

    def open_bills(self, as_of: datetime.date) -> list[OpenItem]:
        return issued_by(bills(self._entries()), as_of)

    def customer_invoices(self, customer: str, as_of: datetime.date) -> list[OpenItem]:
        return [i for i in self.open_invoices(as_of) if i.customer == customer]

    def close(self, month: Month) -> None:
        actions.close(self.ledger, month, today=month.next().first, dry_run=False, force=False)

    def flush(self) -> None:
        pass


@dataclass
class FastOps:
    """The same entries from the same builders, with state kept in memory."""

    ledger: Ledger
    files: dict[Path, str | None] = field(default_factory=dict)
    dirty: set[Path] = field(default_factory=set)
    static_entries: list[data.Directive] = field(default_factory=list)
    taken: set[str | None] = field(default_factory=set)
    invoice_names: set[str | None] = field(default_factory=set)
    invoice_items: dict[str, OpenItem] = field(default_factory=dict)
    by_customer: dict[str, dict[str, OpenItem]] = field(default_factory=dict)
    unpaid: dict[str, OpenItem] = field(default_factory=dict)  # invoices with money open
    bill_items: dict[str, OpenItem] = field(default_factory=dict)
    previous: str = seals.FIRST  # the newest seal's digest
    currency: str = "USD"  # the operating currency
    _book: Book | None = None

    def __post_init__(self) -> None:
        self.static_entries = self.ledger.static_entries()  # the accounts init wrote

    def _append(self, path: Path, text: str, header: str = "") -> None:
        if path not in self.files:
            self.files[path] = read_exact(path)
        self.files[path] = appended(self.files[path], text, header)
        self.dirty.add(path)

    def _track(self, entries: list[data.Directive]) -> None:
        for entry in entries:
            self.taken.add(beans.entry_id(entry))
            if isinstance(entry, data.Transaction):
                self.invoice_names.add(entry.meta.get("invoice"))
                apply_invoices(self.invoice_items, entry)
                apply_bills(self.bill_items, entry)
                for post in entry.postings:
                    key = item_key(post, entry, "invoice")
                    item = self.invoice_items.get(key) if key is not None else None
                    if item is not None and item.customer:
                        self.by_customer.setdefault(str(item.customer), {})[item.id] = item
                        if item.open > 0:
                            self.unpaid[item.id] = item
                        else:
                            self.unpaid.pop(item.id, None)

    def static(self, path: Path, entries: list[data.Directive]) -> None:
        self._append(path, beans.format_entries(entries))
        self.static_entries.extend(entries)
        self._book = None

    def event(self, date: datetime.date, entries: list[data.Directive]) -> None:
        month = Month.of(date)
        self._append(
            self.ledger.month_path(month),
            beans.format_entries(entries),
            JOURNAL_HEADER.format(month=month),
        )
        self._track(entries)

    def book(self) -> Book:
        if self._book is None:
            self._book = parse_book(self.static_entries)[0]
        return self._book

    def ids(self) -> set[str | None]:
        return self.taken

    def invoice_ids(self) -> set[str | None]:
        return self.invoice_names

    def open_invoices(self, as_of: datetime.date) -> list[OpenItem]:
        """Invoices with money open (the demo asks for nothing else), oldest first."""
        items = [i for i in self.unpaid.values() if i.date <= as_of]
        return sorted(items, key=lambda i: (i.date, i.id))

    def customer_invoices(self, customer: str, as_of: datetime.date) -> list[OpenItem]:
        items = [i for i in self.by_customer.get(customer, {}).values() if i.date <= as_of]
        return sorted(items, key=lambda i: (i.date, i.id))

    def open_bills(self, as_of: datetime.date) -> list[OpenItem]:
        items = [i for i in self.bill_items.values() if i.date <= as_of]
        return sorted(items, key=lambda i: (i.due_date, i.date, i.id))

    def close(self, month: Month) -> None:
        path = self.ledger.month_path(month)
        if path not in self.files:
            self.files[path] = None
        text = self.files[path] or ""
        month_entries, errors, _ = parser.parse_string(text)
        assert not errors, errors
        static = self.static_entries
        first = self.previous == seals.FIRST
        result = close_month(
            self.book(), month,
            [*month_entries, *(e for e in static if month.first <= e.date <= month.last)],
            previous=self.previous, currency=self.currency,
            before=[e for e in static if first and e.date < month.first],
        )  # fmt: skip
        for entry in result.entries:
            if isinstance(entry, data.Custom) and entry.type == seals.SEAL:
                self.previous = entry.values[1][0]
        self._append(path, beans.format_entries(result.entries), JOURNAL_HEADER.format(month=month))
        self._track(list(result.entries))

    def flush(self) -> None:
        for path in sorted(self.dirty):
            text = self.files[path]
            assert text is not None
            write_atomic(path, text)
        self.dirty.clear()


def _day(month: Month, day: int) -> datetime.date:
    return datetime.date(month.year, month.month, min(day, month.days))


def build_demo(
    root: Path,
    *,
    customers: int = 10,
    months: int = 10,
    seed: int = 1,
    ramp: int | None = None,
    fast: bool = False,
    progress: Callable[[Month], None] | None = None,
    before_close: Callable[[Month], None] | None = None,
) -> Ledger:
    """Create `root` and fill it with the demo partner, closing every month.

    `before_close(month)` is called with the files on disk just before each
    close (the benchmarks copy the ledger there); `progress(month)` after it.
    """
    rng = random.Random(seed)
    start_month = END.plus(1 - months)
    ledger = create_ledger(
        root, title="Demo OneBox partner", currency="USD", start=start_month.first
    )
    ops: Ops = FastOps(ledger) if fast else SlowOps(ledger)
    first = start_month.first
    ops.static(ledger.terms_path, [
        events.item_entry("cloud-user", (D("25.00"), "USD"), first, None),
        events.item_entry("data-records", (D("1.99"), "USD"), first, D(1000)),
        *(events.rate_entry(boxes, D(rate), first) for boxes, rate in TIERS),
        events.payment_entry(30, first),
    ])  # fmt: skip

    spread = max(1, min(months, ramp if ramp is not None else (months * 6) // 10))
    plan: dict[int, list[int]] = {}
    for i in range(customers):
        # profile 8 (the tier-crossing box) starts last, in the middle of its month
        start = spread - 1 if i % 10 == 8 else (i * spread) // max(customers, 1)
        plan.setdefault(start, []).append(i)
    uses_eur = any(PROFILES[i % 10].currency == "EUR" for i in range(customers))

    ids: dict[int, str] = {}
    for index in range(months):
        month = start_month.plus(index)
        if uses_eur:
            rate = D("1.08") + D(rng.randint(-4, 4)) / 100
            ops.static(ledger.prices_path, [beans.price(month.first, "EUR", rate, "USD")])
        for i in plan.get(index, []):
            ids[i] = _start_customer(ops, i, month)
        _month_events(ops, ids, month, index, months, rng)
        ops.flush()
        if before_close:
            before_close(month)
        ops.close(month)
        ops.flush()
        if progress:
            progress(month)
    return ledger


def _start_customer(ops: Ops, i: int, month: Month) -> str:
    profile = PROFILES[i % 10]
    cid = profile.stem if i < 10 else f"{profile.stem}-{i // 10}"
    name = profile.name if i < 10 else f"{profile.name} {i // 10}"
    start = _day(month, 15 if i % 10 == 8 else 1)
    entries = events.customer_entries(cid, name, profile.currency, 30, start)
    for suffix, stream, billing, price, quantity, item in profile.contracts:
        entries.append(events.contract_entry(
            f"{cid}-{suffix}", customer=cid, stream=stream, billing=billing,
            price=(D(price), profile.currency), quantity=quantity, start=start, item=item, end=None,
        ))  # fmt: skip
    ops.static(ops.ledger.customers_path, entries)
    return cid


def _month_events(
    ops: Ops, ids: dict[int, str], month: Month, index: int, months: int, rng: random.Random
) -> None:
    changes: list[data.Directive] = []
    for i, cid in sorted(ids.items()):
        profile = i % 10
        if profile == 0 and index == 3:  # seat change in mid-month: 5 -> 8 users from the 15th
            changes.append(events.change_entry(f"{cid}-cloud", _day(month, 15), 8, None))
        if profile == 4 and index == min(5, months - 1):  # contract ends mid-month
            changes.append(events.end_entry(f"{cid}-cloud", _day(month, 20)))
    if changes:
        ops.static(ops.ledger.customers_path, changes)
    book = ops.book()
    for i, cid in sorted(ids.items()):
        profile = i % 10
        if profile in (5, 9):  # metered data usage
            units = D(rng.randint(400, 5200))
            ops.event(month.last, [events.usage_entry(f"{cid}-data", units, month)])
        if profile == 6:  # hours sold as services
            hours = rng.randint(4, 12)
            date = _day(month, 25)
            entry_id = events.event_id("sell", None, f"{date}/{cid}", ops.ids())
            invoice = events.sell_invoice_id(date, cid, ops.invoice_ids())
            ops.event(date, [events.sell_entry(
                book.customers[cid], (D(hours * 95), "USD"), stream="services", date=date,
                memo=f"Consulting, {hours} hours at 95.00 USD", entry_id=entry_id,
                invoice=invoice, ref=None,
            )])  # fmt: skip
    _collect(ops, book, month, rng)
    _pay_onebox(ops, month, month.plus(GRACE_MONTH - index))


def _collect(ops: Ops, book: Book, month: Month, rng: random.Random) -> None:
    """Customers pay last month's invoices; the late payer pays what is three months old."""
    due: list[OpenItem] = [
        item for item in ops.open_invoices(month.first) if item.open > 0 and item.customer
    ]
    for item in sorted(due, key=lambda i: (str(i.customer), i.date, i.id)):
        customer = str(item.customer)
        late = book.customers[customer].name.startswith(PROFILES[LATE].name)
        age = month.minus(Month.of(item.date))
        if age < (3 if late else 1):
            continue
        date = _day(month, rng.randint(5, 20))
        amount: Money = (item.open, item.currency)
        ref = f"bank-{item.id}"
        entry_id = events.event_id("receive", ref, "", ops.ids())
        mine = ops.customer_invoices(customer, date)
        parts = events.allocate(mine, amount[0], item.id, customer, "invoice")
        who = book.customers[customer]
        ops.event(date, [events.receive_entry(who, amount, date, entry_id, ref, parts)])


def _pay_onebox(ops: Ops, month: Month, grace_month: Month) -> None:
    """Pay each OneBox bill on its due date; the bill of GRACE_MONTH goes under grace for two months."""
    for bill in ops.open_bills(month.last):
        if bill.open <= 0:
            continue
        if bill.id == f"onebox-{grace_month}" and bill.in_grace == 0:
            agreed = _day(month, 10)
            if bill.due and agreed <= bill.due:
                until = bill.due + datetime.timedelta(days=61)
                ops.event(agreed, [events.grace_entry(bill, until, agreed)])
                continue
        if month.first <= bill.due_date <= month.last:
            date = bill.due_date
            ref = f"bank-{bill.id}"
            entry_id = events.event_id("pay", ref, "", ops.ids())
            items = [i for i in ops.open_bills(date) if i.currency == bill.currency]
            parts = events.allocate(items, bill.open, bill.id, "OneBox bills", "bill")
            ops.event(
                date, [events.pay_entry((bill.open, bill.currency), date, entry_id, ref, parts)]
            )
