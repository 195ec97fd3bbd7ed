"""The entries each command writes, as pure functions of typed values and open items.

``planner`` checks a money request against the books' state and calls these
(for the commands, the importer and the demo alike); ``close`` builds its own
lines. Amounts in another currency than the operating one carry their rate as a
price (see onebox_ledger.money). Nothing here reads a file::

    receive_entry(acme, (D("150.00"), "USD"), date, "receive/BANK-1", "BANK-1",
                  [(inv_2026_10, D("125.00")), (inv_2026_11, D("25.00"))], rates=rates)
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
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, money, taxes
from .model import Customer
from .money import Rates
from .openitems import OpenItem
from .values import ZERO, Money, Month, round_money, show_money

# ---------------------------------------------------------------- directives


def item_entry(name: str, price: Money, date: datetime.date, per: Decimal | None) -> data.Custom:
    return beans.custom(date, "onebox-item", [name, Amount(*price)], beans.meta(per=per))


def rate_entry(boxes: int, rate: Decimal, date: datetime.date) -> data.Custom:
    return beans.custom(date, "onebox-rate", [Decimal(boxes), rate])


def payment_entry(days: int, date: datetime.date) -> data.Custom:
    return beans.custom(date, "onebox-payment", [Decimal(days)])


def customer_entries(
    cid: str,
    name: str,
    currency: str,
    payment: int,
    date: datetime.date,
    details: dict[str, str | None] | None = None,
) -> list[data.Directive]:
    """The customer; its accounts are opened when first posted to (see `opens`). `details`:
    its country, vat-id, tax, address, language, each written when given."""
    return [
        beans.custom(
            date, "onebox-customer", [cid],
            beans.meta(name=name, currency=currency, payment=Decimal(payment), **(details or {})),
        ),
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
    timing: str = "arrears",
) -> data.Custom:
    """A contract; `timing` is written only when it is not the default (arrears)."""
    return beans.custom(
        start, "onebox-contract", [cid],
        beans.meta(customer=customer, stream=stream, billing=billing, price=Amount(*price),
                   quantity=Decimal(quantity), item=item, end=end,
                   timing=None if timing == "arrears" else timing),
    )  # fmt: skip


def change_entry(
    cid: str,
    date: datetime.date,
    quantity: int | None,
    price: Money | None,
    downgrade: str = "credit",
) -> data.Custom:
    return beans.custom(
        date, "onebox-change", [cid],
        beans.meta(quantity=None if quantity is None else Decimal(quantity),
                   price=None if price is None else Amount(*price),
                   downgrade=None if downgrade == "credit" else downgrade),
    )  # fmt: skip


def end_entry(cid: str, date: datetime.date, unearned: str = "recognise") -> data.Custom:
    return beans.custom(
        date,
        "onebox-end",
        [cid],
        beans.meta(unearned=None if unearned == "recognise" else unearned),
    )


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


VALUE_DATE = "value-date"  # the bank's date of money booked after its month was sealed


def bank_date(entry: data.Transaction) -> datetime.date:
    """The day the money moved: ``value-date`` when it was booked late, else the entry's date."""
    value = (entry.meta or {}).get(VALUE_DATE)
    return value if isinstance(value, datetime.date) else entry.date


def reused_ref(
    found: data.Transaction,
    ref: str,
    *,
    date: datetime.date,
    customer: str | None,
    amount: Money,
    memo: str | None = None,
    stream: str | None = None,
) -> str | None:
    """None when `found` (the entry recorded with `ref`) has this content, else why not.

    Content: date, customer and amount; for a sale also its memo and stream. (Which
    invoice or bill a payment settled is not compared: a retry may name it or not.)
    """
    have: dict[str, object] = {
        "date": bank_date(found),
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


def credit_note_id(date: datetime.date, customer: str, taken: Collection[str | None]) -> str:
    """'cn-2026-12-05-acme', then 'cn-2026-12-05-acme.2' (as sale invoices)."""
    note, n = f"cn-{date}-{customer}", 2
    while note in taken:
        note, n = f"cn-{date}-{customer}.{n}", n + 1
    return note


# ---------------------------------------------------------------- accounts


def open_date(
    entries: Sequence[data.Directive], operating: str, sealed: Month | None
) -> datetime.date:
    """The date the tool opens an account (or declares a currency) on: the first day a new
    entry may have. The day after the last sealed month; with nothing sealed, the ledger's
    first day: its operating currency's ``commodity`` date (``init`` writes it), else its
    earliest ``open``::

        2026-01-01 commodity USD   ; nothing sealed: 2026-01-01; 2026-11 sealed: 2026-12-01

    A ledger with neither (``init`` never makes one) opens on ``datetime.date.min``: never
    after an entry it could hold (Beancount refuses a posting before its account's open),
    and the same on any day, so ``verify`` re-derives the same ``open`` an earlier command
    wrote (January 1st of the clock's year, the store's old fallback, was neither).
    """
    if sealed is not None:
        return sealed.next().first
    days = [e.date for e in entries if isinstance(e, data.Commodity) and e.currency == operating]
    days = days or [e.date for e in entries if isinstance(e, data.Open)]
    return min(days, default=datetime.date.min)


def opens(
    entries: Sequence[data.Directive], opened: Collection[str], date: datetime.date
) -> list[data.Open]:
    """Open directives, dated `date`, for the accounts `entries` post to that are not `opened`.

    Accounts are opened by the command that first posts to them, so a ledger never
    holds an account nothing posts to (Beancount's pedantic checks refuse that).
    `date` is the first day a new entry may have (:func:`open_date`).
    """
    new: list[str] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for post in entry.postings:
                if post.account not in opened and post.account not in new:
                    new.append(post.account)
    return [beans.open_account(date, account) for account in sorted(new)]


def commodities(
    entries: Sequence[data.Directive], declared: Collection[str], date: datetime.date
) -> list[data.Commodity]:
    """``commodity`` directives, dated `date`, for the currencies `entries` use that are not
    `declared` (Beancount's pedantic checks want one for every currency)."""
    used: list[str] = []

    def note(value: object) -> None:
        if isinstance(value, Amount) and value.currency not in used:
            used.append(value.currency)

    for entry in entries:
        for value in (entry.meta or {}).values():
            note(value)
        if isinstance(entry, data.Custom):
            for value, _ in entry.values:
                note(value)
            if entry.type == "onebox-customer" and isinstance(entry.meta.get("currency"), str):
                note(Amount(ZERO, entry.meta["currency"]))
        elif isinstance(entry, data.Price):
            note(Amount(ZERO, entry.currency))
            note(entry.amount)
        elif isinstance(entry, data.Open):
            for currency in entry.currencies or ():
                note(Amount(ZERO, currency))
        elif isinstance(entry, data.Transaction):
            for post in entry.postings:
                note(post.units)
                note(post.price)
    return [data.Commodity({}, date, c) for c in sorted(set(used) - set(declared))]


# ---------------------------------------------------------------- money events


def allocate(
    items: Sequence[OpenItem], amount: Decimal, named: str | None = None
) -> tuple[list[tuple[OpenItem, Decimal]], Decimal]:
    """Split `amount` over open items: the named one first, then the oldest; and the excess.

    The excess (more than is open, or nothing open) is never refused: the caller
    holds it as customer credit or OneBox prepaid. A named item that is unknown is
    the caller's to refuse (a typo is a bad argument).
    """
    open_items = [i for i in items if i.open > 0]
    if named is not None:
        open_items.sort(key=lambda i: i.id != named)  # stable: the named one, then oldest first
    parts = []
    left = amount
    for item in open_items:
        if left <= 0:
            break
        part = min(left, item.open)
        parts.append((item, part))
        left -= part
    return parts, left


def _cash(
    account: str, number: Decimal, currency: str, rates: Rates, date: datetime.date, what: str
) -> data.Posting:
    """Cash moved on a bank account, at the day's rate when foreign."""
    return beans.posting(account, number, currency, price=rates.cash_price(currency, date, what))


def _expense(
    account: str, number: Decimal, currency: str, rates: Rates, date: datetime.date, what: str
) -> data.Posting:
    """An expense (a bank fee) in the operating currency, at the day's rate when foreign: an
    expense account holds one currency, as income and OneBox cost do."""
    rate = rates.need(currency, date, what)
    return beans.posting(account, round_money(number * rate), rates.operating)


def _money_meta(
    entry_id: str,
    amount: Money,
    paid: Money | None,
    ref: str | None,
    *,
    customer: str | None = None,
) -> dict[str, Any]:
    """A payment's metadata: its id, customer, the amount it settles, what moved on the bank
    account when that differs (`paid`), and the bank's ref."""
    return beans.meta(
        id=entry_id, customer=customer, amount=Amount(*amount),
        paid=None if paid is None or paid == amount else Amount(*paid), ref=ref,
    )  # fmt: skip


def _sides(postings: list[data.Posting], rates: Rates) -> list[data.Posting]:
    return [*postings, *money.balancing(postings, rates.operating)]


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
    rates: Rates,
    vat: dict[str, Any] | None = None,
) -> data.Transaction:
    """A one-time invoice: the receivable (at the day's rate when foreign, as its price) and the
    income in the operating currency; `vat`: its treatment's metadata (taxes.Treatment.meta)."""
    lot = rates.lot(amount.currency, date, f"invoice {invoice}")
    postings = [
        beans.posting(beans.receivable_account(who.id), amount.number, amount.currency, lot=lot),
        beans.posting(
            beans.income_account(stream), -money.in_operating(amount.number, lot), rates.operating
        ),
    ]
    return beans.transaction(
        date, who.name, memo,
        beans.meta(id=entry_id, customer=who.id, invoice=invoice, amount=Amount(*amount), ref=ref,
                   due=date + datetime.timedelta(days=who.payment), **(vat or {})),
        _sides(postings, rates),
    )  # fmt: skip


def sale_cost_entry(
    who: Customer,
    *,
    stream: str,
    date: datetime.date,
    entry_id: str,
    cost: Money,
    describe: str,
    bill: str,
    due: datetime.date,
    rates: Rates,
) -> data.Transaction:
    """The OneBox cost of a one-time sale of cloud, data or product: on the month's bill."""
    lot = rates.lot(cost.currency, date, f"bill {bill}")
    postings = [
        beans.posting(
            beans.cost_account(stream), money.in_operating(cost.number, lot), rates.operating
        ),
        beans.posting(beans.PAYABLE, -cost.number, cost.currency, lot=lot),
    ]
    return beans.transaction(
        date, "OneBox", describe,
        beans.meta(id=entry_id, customer=who.id, bill=bill, due=due),
        _sides(postings, rates),
    )  # fmt: skip


def receive_entry(
    who: Customer,
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    parts: Sequence[tuple[OpenItem, Decimal]],
    *,
    excess: Decimal = ZERO,
    account: str = beans.BANK,
    paid: Money | None = None,
    fee: tuple[str, Decimal] | None = None,
    rates: Rates,
    single_tax: Decimal | None = None,
) -> data.Transaction:
    """A customer's payment: the invoices it settles (each at its own rate), the excess as the
    customer's credit (``credit:`` this entry's id), the cash at the day's rate, a bank fee the
    bank kept (`fee`: expense account and amount, in the cash's currency), the single tax on
    the amount received at the day's rate (`single_tax`: its percent; taxes), and the realized
    exchange difference (money.balancing)."""
    cash = paid or amount
    what = f"the payment {entry_id}"
    credit = beans.credit_account(who.id)
    postings = [_cash(account, cash.number, cash.currency, rates, date, what)]
    if fee is not None:
        postings.append(_expense(fee[0], fee[1], cash.currency, rates, date, what))
    postings += [
        beans.posting(beans.receivable_account(who.id), -part, amount.currency, {"invoice": item.id},
                      lot=item.lot)
        for item, part in parts
    ]  # fmt: skip
    if excess > 0:
        lot = rates.lot(amount.currency, date, what)
        postings.append(
            beans.posting(credit, -excess, amount.currency, {"credit": entry_id}, lot=lot)
        )
    if single_tax is not None:
        postings = taxes.with_single_tax(
            postings,
            single_tax,
            taxes.received_in_operating(amount, date, rates, what),
            rates.operating,
        )
    return beans.transaction(
        date, who.name, "Payment received" if excess <= 0 or parts else "Payment received, held as credit",
        _money_meta(entry_id, amount, paid, ref, customer=who.id),
        _sides(postings, rates),
    )  # fmt: skip


def refund_entry(
    who: Customer,
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    parts: Sequence[tuple[OpenItem, Decimal]],
    *,
    account: str = beans.BANK,
    paid: Money | None = None,
    rates: Rates,
    single_tax: Decimal | None = None,
) -> data.Transaction:
    """Credit paid back to the customer: each credit at its own rate, the cash at the day's rate,
    and the single tax on the money given back returned (`single_tax`: its percent)."""
    cash = paid or amount
    what = f"the refund {entry_id}"
    postings = [_cash(account, -cash.number, cash.currency, rates, date, what)]
    postings += [
        beans.posting(beans.credit_account(who.id), part, amount.currency, {"credit": item.id},
                      lot=item.lot)
        for item, part in parts
    ]  # fmt: skip
    if single_tax is not None:
        postings = taxes.with_single_tax(
            postings,
            single_tax,
            taxes.received_in_operating(amount, date, rates, what),
            rates.operating,
            sign=-1,
        )
    return beans.transaction(
        date, who.name, "Credit refunded",
        _money_meta(entry_id, amount, paid, ref, customer=who.id),
        _sides(postings, rates),
    )  # fmt: skip


def pay_entry(
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    parts: Sequence[tuple[OpenItem, Decimal]],
    *,
    excess: Decimal = ZERO,
    account: str = beans.BANK,
    paid: Money | None = None,
    fee: tuple[str, Decimal] | None = None,
    rates: Rates,
) -> data.Transaction:
    """Pay OneBox: a bill's part in grace comes off Liabilities:OneBox:Grace, the rest off Payable;
    more than is open is prepaid (Assets:Prepaid:OneBox, ``prepaid:`` this entry's id); a bank
    fee charged on top (`fee`) goes to its expense account."""
    cash = paid or amount
    what = f"the payment {entry_id}"
    postings = [_cash(account, -cash.number, cash.currency, rates, date, what)]
    if fee is not None:
        postings.append(_expense(fee[0], fee[1], cash.currency, rates, date, what))
    for item, part in parts:
        in_grace = min(part, item.in_grace)
        if in_grace:
            postings.append(
                beans.posting(
                    beans.GRACE, in_grace, amount.currency, {"bill": item.id}, lot=item.lot
                )
            )
        if part - in_grace:
            postings.append(
                beans.posting(
                    beans.PAYABLE, part - in_grace, amount.currency, {"bill": item.id}, lot=item.lot
                )
            )
    if excess > 0:
        lot = rates.lot(amount.currency, date, what)
        postings.append(
            beans.posting(beans.PREPAID, excess, amount.currency, {"prepaid": entry_id}, lot=lot)
        )
    return beans.transaction(
        date, "OneBox", "Payment to OneBox" if excess <= 0 or parts else "Payment to OneBox, prepaid",
        _money_meta(entry_id, amount, paid, ref),
        _sides(postings, rates),
    )  # fmt: skip


def grace_entry(
    item: OpenItem, until: datetime.date, date: datetime.date, taken: Collection[str | None] = ()
) -> data.Transaction:
    """Move a bill's open amount from Liabilities:OneBox:Payable to :Grace, due `until`.

    A bill already in grace is extended: what is in grace is agreed again (out of and back
    into :Grace, so the entry carries the new ``until:``) beside what has been billed since.
    Both agreements stay in the books.

    Id ``grace/<bill>/<date>``; a second agreement on one bill the same day (the first paid,
    the bill grown since) is ``grace/<bill>/<date>/2``, then ``/3``, ... (the first free)."""
    entry_id, n = f"grace/{item.id}/{date}", 2
    while entry_id in taken:
        entry_id, n = f"grace/{item.id}/{date}/{n}", n + 1
    payable = item.open - item.in_grace
    postings = []
    if payable:
        postings.append(beans.posting(beans.PAYABLE, payable, item.currency, lot=item.lot))
    if item.in_grace:
        postings.append(beans.posting(beans.GRACE, item.in_grace, item.currency, lot=item.lot))
    postings.append(beans.posting(beans.GRACE, -item.open, item.currency, lot=item.lot))
    extended = f", extending {item.until}" if item.in_grace and item.until else ""
    return beans.transaction(
        date, "OneBox", f"Grace period for {item.id} until {until}{extended}",
        beans.meta(id=entry_id, bill=item.id, until=until),
        postings,
    )  # fmt: skip


def credit_note_entry(
    who: Customer,
    invoice: OpenItem,
    amount: Decimal,
    *,
    stream: str,
    date: datetime.date,
    memo: str,
    entry_id: str,
    note: str,
    ref: str | None,
    rates: Rates,
    vat: dict[str, Any] | None = None,
) -> data.Transaction:
    """A credit note: the income of `stream` reduced at the invoice's own rate; the invoice's
    open amount falls, and what exceeds it becomes the customer's credit (``credit:`` the note).
    `vat`: the invoice's treatment (taxes.invoice_treatment); under the standard rate the note
    returns the VAT of its net `amount` too (10.00 at 19%: 1.90), so the customer is credited
    the gross."""
    rate = (vat or {}).get("vat-rate") if (vat or {}).get("vat") == "standard" else None
    tax = taxes.of_net(amount, rate) if rate is not None else ZERO
    gross = amount + tax
    part = min(gross, max(invoice.open, ZERO))
    excess = gross - part
    postings = [
        beans.posting(
            beans.income_account(stream), money.in_operating(amount, invoice.lot), rates.operating
        )
    ]
    if tax:
        postings.append(
            beans.posting(taxes.VAT_OUTPUT, money.in_operating(tax, invoice.lot), rates.operating)
        )
    if part:
        postings.append(
            beans.posting(beans.receivable_account(who.id), -part, invoice.currency,
                          {"invoice": invoice.id}, lot=invoice.lot)
        )  # fmt: skip
    if excess:
        postings.append(
            beans.posting(beans.credit_account(who.id), -excess, invoice.currency,
                          {"credit": note}, lot=invoice.lot)
        )  # fmt: skip
    return beans.transaction(
        date, who.name, f"Credit note {note} on {invoice.id}: {memo}",
        beans.meta(id=entry_id, customer=who.id, invoice=invoice.id, **{"credit-note": note},
                   amount=Amount(amount, invoice.currency), ref=ref, **(vat or {})),
        _sides(postings, rates),
    )  # fmt: skip


def write_off_entry(
    who: Customer,
    invoice: OpenItem,
    *,
    date: datetime.date,
    memo: str,
    rates: Rates,
    vat: dict[str, Any] | None = None,
) -> data.Transaction:
    """What is still open on an invoice, at its own rate, to Expenses:Bad-Debt; under the
    standard VAT rate (`vat`, the invoice's treatment) the VAT inside it is relieved (bad-debt
    relief: 148.75 open at 19% -> 125.00 bad debt, 23.75 off Liabilities:VAT:Output)."""
    rate = (vat or {}).get("vat-rate") if (vat or {}).get("vat") == "standard" else None
    tax = taxes.in_gross(invoice.open, rate) if rate is not None else ZERO
    postings = [
        beans.posting(
            beans.BAD_DEBT, money.in_operating(invoice.open - tax, invoice.lot), rates.operating
        ),
    ]
    if tax:
        postings.append(
            beans.posting(taxes.VAT_OUTPUT, money.in_operating(tax, invoice.lot), rates.operating)
        )
    postings.append(
        beans.posting(beans.receivable_account(who.id), -invoice.open, invoice.currency,
                      {"invoice": invoice.id}, lot=invoice.lot),
    )  # fmt: skip
    return beans.transaction(
        date, who.name, f"Written off: {invoice.id}: {memo}",
        beans.meta(id=f"write-off/{invoice.id}", customer=who.id, invoice=invoice.id,
                   amount=Amount(invoice.open, invoice.currency), **(vat or {})),
        _sides(postings, rates),
    )  # fmt: skip


def bill_entry(
    bill: OpenItem,
    billed: Decimal,
    *,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    rates: Rates,
    vat_rate: Decimal | None = None,
) -> data.Transaction:
    """What OneBox actually billed: the difference to what the books hold for the bill goes to
    Expenses:OneBox:Adjustment (at the bill's own rate). When OneBox charges VAT (`vat_rate`),
    `billed` is the bill's gross total and the VAT inside the difference goes to
    Assets:VAT:Input."""
    difference = billed - bill.billed
    tax = taxes.in_gross(difference, vat_rate) if vat_rate else ZERO
    postings = [
        beans.posting(
            beans.ADJUSTMENT, money.in_operating(difference - tax, bill.lot), rates.operating
        ),
    ]
    if tax:
        postings.append(
            beans.posting(taxes.VAT_INPUT, money.in_operating(tax, bill.lot), rates.operating)
        )
    postings.append(
        beans.posting(beans.PAYABLE, -difference, bill.currency, {"bill": bill.id}, lot=bill.lot)
    )
    vat_meta = {"vat": "standard", "vat-rate": vat_rate} if tax else {}
    return beans.transaction(
        date, "OneBox",
        f"Bill {bill.id} as billed: {show_money(billed, bill.currency)}"
        f" (accrued {show_money(bill.accrued, bill.currency)})",
        beans.meta(id=entry_id, bill=bill.id, billed=Amount(billed, bill.currency), ref=ref,
                   **vat_meta),
        _sides(postings, rates),
    )  # fmt: skip


def apply_credit_entry(
    who: Customer,
    credits: Sequence[tuple[OpenItem, Decimal]],
    invoice: OpenItem,
    *,
    date: datetime.date,
    entry_id: str,
    period: str,
    rates: Rates,
) -> data.Transaction:
    """A customer's credit used on an invoice, oldest credit first (the close writes it)."""
    total = sum((part for _, part in credits), ZERO)
    postings = [
        beans.posting(beans.credit_account(who.id), part, item.currency, {"credit": item.id},
                      lot=item.lot)
        for item, part in credits
    ]  # fmt: skip
    postings.append(
        beans.posting(beans.receivable_account(who.id), -total, invoice.currency,
                      {"invoice": invoice.id}, lot=invoice.lot)
    )  # fmt: skip
    return beans.transaction(
        date, who.name, f"Credit applied to {invoice.id}",
        beans.meta(id=entry_id, customer=who.id, period=period, invoice=invoice.id),
        _sides(postings, rates),
    )  # fmt: skip


def apply_prepaid_entry(
    prepaid: Sequence[tuple[OpenItem, Decimal]],
    bill: OpenItem,
    *,
    date: datetime.date,
    entry_id: str,
    period: str,
    rates: Rates,
) -> data.Transaction:
    """OneBox prepaid used on a bill, oldest prepayment first (the close writes it)."""
    total = sum((part for _, part in prepaid), ZERO)
    postings = [
        beans.posting(beans.PREPAID, -part, item.currency, {"prepaid": item.id}, lot=item.lot)
        for item, part in prepaid
    ]
    postings.append(
        beans.posting(beans.PAYABLE, total, bill.currency, {"bill": bill.id}, lot=bill.lot)
    )
    return beans.transaction(
        date, "OneBox", f"Prepaid applied to {bill.id}",
        beans.meta(id=entry_id, period=period, bill=bill.id),
        _sides(postings, rates),
    )  # fmt: skip


def _cash_against(
    bank: str, other: str, amount: Money, date: datetime.date, rates: Rates, what: str
) -> list[data.Posting]:
    """A bank account's money (signed: in > 0) against one account in the operating currency,
    at the day's rate when foreign: an opening balance, a rule's row, a bank fee."""
    return [
        _cash(bank, amount.number, amount.currency, rates, date, what),
        _expense(other, -amount.number, amount.currency, rates, date, what),
    ]


def opening_entry(
    account: str, amount: Money, date: datetime.date, *, rates: Rates
) -> data.Transaction:
    """A bank account's balance on the day it opens, against Equity:Opening-Balances (in the
    operating currency, at that day's rate when foreign)."""
    what = f"the opening balance of {account}"
    postings = _cash_against(account, beans.OPENING, amount, date, rates, what)
    return beans.transaction(
        date, "Opening balance", f"{account} on {date}",
        beans.meta(id=f"opening/{account}", amount=Amount(*amount)),
        _sides(postings, rates),
    )  # fmt: skip


def transfer_entry(
    legs: Sequence[tuple[str, Money]],
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    *,
    payee: str | None,
    memo: str,
    fee: tuple[str, Money] | None,
    rates: Rates,
) -> data.Transaction:
    """Money moving between the books' own bank accounts: each account's leg (signed), a fee the
    bank kept to the fee account, and the exchange difference of a conversion (money.balancing)::

        2026-11-20 * "Olena Petrenko" "Money added"
          id: "transfer/BALANCE_TRANSACTION-1300000003"
          amount: -92.00 EUR
          ref: "BALANCE_TRANSACTION-1300000003"
          transfer: "Assets:Wise:USD"
          Assets:Wise:EUR       -92.00 EUR @ 1.08 USD
          Assets:Wise:USD        99.50 USD
          Expenses:Bank-Fees      0.38 USD
          Expenses:FX-Losses      ...
    """
    what = f"the transfer {entry_id}"
    postings = [
        _cash(account, money.number, money.currency, rates, date, what) for account, money in legs
    ]
    if fee is not None and fee[1].number:
        postings.append(_expense(fee[0], fee[1].number, fee[1].currency, rates, date, what))
    return beans.transaction(
        date, payee or None, memo,
        beans.meta(id=entry_id, amount=Amount(*legs[0][1]), ref=ref, transfer=legs[-1][0]),
        _sides(postings, rates),
    )  # fmt: skip


def rule_entry(
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    *,
    account: str,
    booked_to: str,
    pattern: str,
    payee: str | None,
    memo: str,
    rates: Rates,
) -> data.Transaction:
    """A bank row a rule books: the bank account's money (signed: in > 0) against the rule's
    account, in the operating currency at the day's rate when foreign::

        2026-11-18 * "Office Rent LLC" "Rent November 2026"
          id: "rule/20261118-0007"
          amount: -1500.00 USD
          ref: "20261118-0007"
          rule: "office rent"
          Assets:Bank      -1500.00 USD
          Expenses:Rent     1500.00 USD
    """
    postings = _cash_against(account, booked_to, amount, date, rates, f"the row {entry_id}")
    return beans.transaction(
        date, payee or None, memo,
        beans.meta(id=entry_id, amount=Amount(*amount), ref=ref, rule=pattern),
        _sides(postings, rates),
    )  # fmt: skip


def fee_entry(
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    *,
    account: str,
    fees: str,
    memo: str,
    rates: Rates,
) -> data.Transaction:
    """A bank fee: the bank account pays the fee account (at the day's rate when foreign)."""
    paid = Money(-amount.number, amount.currency)  # the bank account pays it
    postings = _cash_against(account, fees, paid, date, rates, f"the fee {entry_id}")
    return beans.transaction(
        date, None, memo,
        beans.meta(id=entry_id, amount=Amount(*amount), ref=ref),
        _sides(postings, rates),
    )  # fmt: skip
