"""The entries each command writes, as pure functions of typed values and open items.

``actions`` (the shell) reads the ledger, checks the request against it and
calls these; the demo's fast path calls the same functions with state it keeps
in memory, so both write byte-identical ledgers. Nothing here reads a file::

    receive_entry(acme, (D("150.00"), "USD"), date, "receive/BANK-1", "BANK-1",
                  [(inv_2026_10, D("125.00")), (inv_2026_11, D("25.00"))])
    ->
    2026-12-10 * "Acme Realty" "Payment received"
      id: "receive/BANK-1"
      customer: "acme"
      amount: 150.00 USD
      ref: "BANK-1"
      Assets:Bank                150.00 USD
      Assets:Receivable:Acme    -125.00 USD
        invoice: "inv-2026-10-acme"
      Assets:Receivable:Acme     -25.00 USD
        invoice: "inv-2026-11-acme"
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from . import beans
from .model import Customer
from .openitems import OpenItem
from .values import ZERO, Month

Money = tuple[Decimal, str]


class Refused(Exception):
    """The request does not fit the open items (overpayment, unknown or settled item)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage  # True: a bad argument (exit 2); False: the ledger refuses (exit 1)


# ---------------------------------------------------------------- directives


def item_entry(name: str, price: Money, date: datetime.date, per: Decimal | None) -> data.Custom:
    return beans.custom(date, "onebox-item", [name, Amount(*price)], beans.meta(per=per))


def rate_entry(boxes: int, rate: Decimal, date: datetime.date) -> data.Custom:
    return beans.custom(date, "onebox-rate", [Decimal(boxes), rate])


def payment_entry(days: int, date: datetime.date) -> data.Custom:
    return beans.custom(date, "onebox-payment", [Decimal(days)])


def customer_entries(
    cid: str, name: str, currency: str, payment: int, date: datetime.date
) -> list[data.Directive]:
    return [
        beans.custom(
            date, "onebox-customer", [cid],
            beans.meta(name=name, currency=currency, payment=Decimal(payment)),
        ),
        beans.open_account(date, beans.receivable_account(cid)),
        beans.open_account(date, beans.deferred_account(cid)),
    ]  # fmt: skip


def contract_entry(
    cid: str,
    *,
    customer: str,
    stream: str,
    billing: str,
    price: Money,
    quantity: int,
    start: datetime.date,
    item: str | None,
    end: datetime.date | None,
) -> data.Custom:
    return beans.custom(
        start, "onebox-contract", [cid],
        beans.meta(customer=customer, stream=stream, billing=billing, price=Amount(*price),
                   quantity=Decimal(quantity), item=item, end=end),
    )  # fmt: skip


def change_entry(
    cid: str, date: datetime.date, quantity: int | None, price: Money | None
) -> data.Custom:
    return beans.custom(
        date, "onebox-change", [cid],
        beans.meta(quantity=None if quantity is None else Decimal(quantity),
                   price=None if price is None else Amount(*price)),
    )  # fmt: skip


def end_entry(cid: str, date: datetime.date) -> data.Custom:
    return beans.custom(date, "onebox-end", [cid])


def usage_entry(cid: str, units: Decimal, month: Month) -> data.Custom:
    return beans.custom(month.last, "onebox-usage", [cid, units])


# ---------------------------------------------------------------- ids


def event_id(kind: str, ref: str | None, scope: str, taken: Collection[str | None]) -> str:
    """'receive/<ref>', or the first free 'receive/<date>/<customer>/<n>' (scope = date/customer)."""
    if ref is not None:
        return f"{kind}/{ref}"
    n = 1
    while f"{kind}/{scope}/{n}" in taken:
        n += 1
    return f"{kind}/{scope}/{n}"


def reused_ref(
    found: data.Transaction,
    ref: str,
    *,
    date: datetime.date,
    customer: str | None,
    amount: tuple[Decimal, str],
    memo: str | None = None,
    stream: str | None = None,
) -> str | None:
    """None when `found` (the entry recorded with `ref`) has this content, else why not.

    Content: date, customer and amount; for a sale also its memo and stream. (Which
    invoice or bill a payment settled is not compared: a retry may name it or not.)
    """
    have: dict[str, object] = {
        "date": found.date,
        "customer": found.meta.get("customer"),
        "amount": found.meta.get("amount"),
    }
    want: dict[str, object] = {"date": date, "customer": customer, "amount": Amount(*amount)}
    if memo is not None:
        have["memo"], want["memo"] = found.narration, memo
    if stream is not None:
        income = [p.account for p in found.postings if p.account.startswith("Income:")]
        have["stream"], want["stream"] = income[0].split(":")[1].lower(), stream
    if have == want:
        return None
    diffs = ", ".join(f"{k} {have[k]} (asked {want[k]})" for k in have if have[k] != want[k])
    return f"ref {ref!r} was already used with {diffs}"


def sell_invoice_id(date: datetime.date, customer: str, taken: Collection[str | None]) -> str:
    """'inv-2026-11-05-acme', then 'inv-2026-11-05-acme.2': '.' is in no customer id."""
    invoice, n = f"inv-{date}-{customer}", 2
    while invoice in taken:
        invoice, n = f"inv-{date}-{customer}.{n}", n + 1
    return invoice


# ---------------------------------------------------------------- money events


def sell_entry(
    who: Customer,
    amount: Money,
    *,
    stream: str,
    date: datetime.date,
    memo: str,
    entry_id: str,
    invoice: str,
    ref: str | None,
) -> data.Transaction:
    return beans.transaction(
        date, who.name, memo,
        beans.meta(id=entry_id, customer=who.id, invoice=invoice, amount=Amount(*amount), ref=ref,
                   due=date + datetime.timedelta(days=who.payment)),
        [beans.posting(beans.receivable_account(who.id), amount[0], amount[1]),
         beans.posting(beans.income_account(stream), -amount[0], amount[1])],
    )  # fmt: skip


def allocate(
    items: Sequence[OpenItem], amount: Decimal, named: str | None, what: str, kind: str
) -> list[tuple[OpenItem, Decimal]]:
    """Split `amount` over open items, oldest first (or all on the named one); refuse overpayment."""
    open_items = [i for i in items if i.open > 0]
    if named is not None:
        match = [i for i in items if i.id == named]
        if not match:
            raise Refused(f"unknown {kind} {named!r} for {what}", usage=True)
        open_items = [i for i in match if i.open > 0]
        if not open_items:
            raise Refused(f"{kind} {named} is already paid in full")
    total_open = sum((i.open for i in open_items), ZERO)
    if amount > total_open:
        target = f"{kind} {named}" if named else what
        raise Refused(
            f"overpayment: {amount} exceeds the {total_open} open on {target};"
            " record only what is owed"
        )
    parts = []
    left = amount
    for item in open_items:
        if left <= 0:
            break
        part = min(left, item.open)
        parts.append((item, part))
        left -= part
    return parts


def receive_entry(
    who: Customer,
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    parts: Sequence[tuple[OpenItem, Decimal]],
) -> data.Transaction:
    account = beans.receivable_account(who.id)
    postings = [beans.posting(beans.BANK, amount[0], amount[1])]
    postings += [
        beans.posting(account, -part, amount[1], {"invoice": item.id}) for item, part in parts
    ]
    return beans.transaction(
        date, who.name, "Payment received",
        beans.meta(id=entry_id, customer=who.id, amount=Amount(*amount), ref=ref),
        postings,
    )  # fmt: skip


def pay_entry(
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    parts: Sequence[tuple[OpenItem, Decimal]],
) -> data.Transaction:
    """Pay OneBox: a bill's part in grace comes off Liabilities:OneBox:Grace, the rest off Payable."""
    postings = [beans.posting(beans.BANK, -amount[0], amount[1])]
    for item, part in parts:
        in_grace = min(part, item.in_grace)
        if in_grace:
            postings.append(beans.posting(beans.GRACE, in_grace, amount[1], {"bill": item.id}))
        if part - in_grace:
            postings.append(
                beans.posting(beans.PAYABLE, part - in_grace, amount[1], {"bill": item.id})
            )
    return beans.transaction(
        date, "OneBox", "Payment to OneBox",
        beans.meta(id=entry_id, amount=Amount(*amount), ref=ref),
        postings,
    )  # fmt: skip


def grace_entry(item: OpenItem, until: datetime.date, date: datetime.date) -> data.Transaction:
    """Move a bill's open amount from Liabilities:OneBox:Payable to :Grace, due `until`."""
    return beans.transaction(
        date, "OneBox", f"Grace period for {item.id} until {until}",
        beans.meta(id=f"grace/{item.id}/{date}", bill=item.id, until=until),
        [beans.posting(beans.PAYABLE, item.open, item.currency),
         beans.posting(beans.GRACE, -item.open, item.currency)],
    )  # fmt: skip
