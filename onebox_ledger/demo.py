"""The demo partner: a deterministic ledger of any size, written through the same actions as the CLI.

``build_demo(dir, customers=10, months=10, seed=1)`` gives the shipped demo:
ten customers over January to October 2026 using all four streams, with a
seat change in mid-month, a contract ending mid-month, an annual prepay, a
tier crossing (the 8th box moves every box from 65% to 60% of list), a late
payer, a OneBox bill under grace, a customer billed in EUR, metered data,
hours sold as services. Every month is closed by ``actions.close``.

Customers follow ten profiles (customer i has profile i % 10), so any size
keeps the same mix; start months are spread over the first 60% of the span.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import actions
from .openitems import bills, invoices
from .store import Ledger, create_ledger
from .values import Month

START = Month(2026, 1)
D = Decimal


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

LATE = "harbor-clinic"  # pays three months late
GRACE_MONTH = 3  # the OneBox bill of the 4th month goes under grace


def _day(month: Month, day: int) -> datetime.date:
    return datetime.date(month.year, month.month, min(day, month.days))


def build_demo(
    root: Path,
    *,
    customers: int = 10,
    months: int = 10,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> Ledger:
    """Create `root` and fill it with the demo partner, closing every month."""
    rng = random.Random(seed)
    ledger = create_ledger(
        root, title="Demo OneBox partner", currency="USD", start=START.first
    )
    first = START.first
    actions.terms_item(ledger, "cloud-user", (D("25.00"), "USD"), first, None)
    actions.terms_item(ledger, "data-records", (D("1.99"), "USD"), first, D(1000))
    for boxes, rate in ((1, "0.65"), (8, "0.60"), (50, "0.55"), (200, "0.50")):
        actions.terms_rate(ledger, boxes, D(rate), first)
    actions.terms_payment(ledger, 30, first)

    spread = max(1, (months * 6) // 10)
    plan: dict[int, list[int]] = {}
    for i in range(customers):
        # profile 8 (the tier-crossing box) starts last, in the middle of its month
        start = spread - 1 if i % 10 == 8 else (i * spread) // max(customers, 1)
        plan.setdefault(min(start, months - 1), []).append(i)

    ids: dict[int, str] = {}
    for index in range(months):
        month = START.plus(index)
        if any(PROFILES[i % 10].currency == "EUR" for i in range(customers)):
            rate = D("1.08") + D(rng.randint(-4, 4)) / 100
            actions.price(ledger, "EUR", (rate, "USD"), month.first)
        for i in plan.get(index, []):
            ids[i] = _start_customer(ledger, i, month)
        _month_events(ledger, ids, month, index, months, rng)
        actions.close(ledger, month, today=month.next().first, dry_run=False, force=False)
        if progress and (index + 1) % 12 == 0:
            progress(f"closed {month}")
    return ledger


def _start_customer(ledger: Ledger, i: int, month: Month) -> str:
    profile = PROFILES[i % 10]
    cid = profile.stem if i < 10 else f"{profile.stem}-{i // 10}"
    name = profile.name if i < 10 else f"{profile.name} {i // 10}"
    day = 15 if i % 10 == 8 else 1
    start = _day(month, day)
    actions.customer_add(ledger, cid, name, profile.currency, 30, start)
    for suffix, stream, billing, price, quantity, item in profile.contracts:
        actions.contract_add(
            ledger, f"{cid}-{suffix}", customer=cid, stream=stream,
            price=(D(price), profile.currency), quantity=quantity, start=start,
            billing=billing, item=item, end=None,
        )  # fmt: skip
    return cid


def _month_events(
    ledger: Ledger, ids: dict[int, str], month: Month, index: int, months: int, rng: random.Random
) -> None:
    for i, cid in sorted(ids.items()):
        profile = i % 10
        if profile == 0 and index == 3:  # seat change in mid-month: 5 -> 8 users from the 15th
            actions.contract_change(ledger, f"{cid}-cloud", _day(month, 15), 8, None)
        if profile == 4 and index == min(5, months - 1):  # contract ends mid-month
            actions.contract_end(ledger, f"{cid}-cloud", _day(month, 20))
        if profile in (5, 9):  # metered data usage
            actions.usage(ledger, f"{cid}-data", D(rng.randint(400, 5200)), month)
        if profile == 6:  # hours sold as services
            hours = rng.randint(4, 12)
            actions.sell(
                ledger, cid, (D(hours * 95), "USD"), stream="services", date=_day(month, 25),
                memo=f"Consulting, {hours} hours at 95.00 USD", ref=None,
            )  # fmt: skip
    _collect(ledger, month, rng)
    _pay_onebox(ledger, month, index)


def _collect(ledger: Ledger, month: Month, rng: random.Random) -> None:
    """Customers pay last month's invoices; the late payer pays what is three months old."""
    entries = ledger.load().entries
    due_by_customer: dict[str, list[tuple[str, Decimal, str]]] = {}
    for item in invoices(entries, as_of=month.first):
        if item.open > 0 and item.customer:
            due_by_customer.setdefault(str(item.customer), []).append((item.id, item.open, item.currency))
    for customer, items in sorted(due_by_customer.items()):
        late = customer.startswith(LATE)
        for invoice_id, amount, currency in items:
            age = month.minus(Month.of(_invoice_date(entries, invoice_id)))
            if (late and age < 3) or (not late and age < 1):
                continue
            actions.receive(
                ledger, customer, (amount, currency), date=_day(month, rng.randint(5, 20)),
                invoice=invoice_id, ref=f"bank-{invoice_id}",
            )  # fmt: skip


def _invoice_date(entries: list, invoice_id: str) -> datetime.date:  # type: ignore[type-arg]
    for item in invoices(entries):
        if item.id == invoice_id:
            return item.date
    raise KeyError(invoice_id)


def _pay_onebox(ledger: Ledger, month: Month, index: int) -> None:
    """Pay each OneBox bill on its due date; the bill of GRACE_MONTH goes under grace for two months."""
    entries = ledger.load().entries
    for bill in bills(entries, as_of=month.last):
        if bill.open <= 0:
            continue
        if bill.id == f"onebox-{START.plus(GRACE_MONTH)}" and bill.in_grace == 0:
            agreed = _day(month, 10)
            if bill.due and agreed <= bill.due:
                until = bill.due + datetime.timedelta(days=61)
                actions.onebox_grace(ledger, bill.id, until=until, date=agreed)
                continue
        if month.first <= bill.due_date <= month.last:
            actions.onebox_pay(
                ledger, (bill.open, bill.currency), date=bill.due_date, bill=bill.id,
                ref=f"bank-{bill.id}",
            )  # fmt: skip
    del index
