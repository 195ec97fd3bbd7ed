"""The tax returns the books give: ``report vat`` and ``report single-tax``. Pure.

Each figure is a sum over postings a bean-query can make on the same accounts and metadata
(tests/test_taxes.py runs the queries beside the reports)::

    -- output VAT at 19% in Q1 (the report shows it positive)
    SELECT sum(number) WHERE account = 'Liabilities:VAT:Output'
      AND entry_meta('vat-rate') = 19 AND date >= 2026-01-01 AND date <= 2026-03-31
    -- the taxable amount at 19%: what the invoices, credit notes and write-offs carrying it
    -- booked to revenue, deferred revenue and bad debt
    SELECT sum(number) WHERE entry_meta('vat-rate') = 19
      AND account ~ '^(Income:(Cloud|Data|Product|Services)|Liabilities:Deferred-Revenue|Expenses:Bad-Debt)'
    -- the single tax accrued in January
    SELECT sum(number) WHERE account = 'Expenses:Tax:Single' AND month = 1 AND year = 2026

Amounts are in the operating currency: a foreign invoice's VAT at the invoice's rate.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, money
from .reports import Table
from .taxes import SINGLE_TAX, SINGLE_TAX_OWED, VAT_INPUT, VAT_OUTPUT, percent
from .values import ZERO, Month, round_money

# Where an invoice's net amount is booked: revenue, deferred revenue, and bad debt (a write-off)
BASE_PREFIXES = (
    *(beans.income_account(stream) for stream in beans.STREAMS),
    beans.DEFERRED + ":",
    beans.BAD_DEBT,
)


def _in_range(entry: data.Directive, start: datetime.date, end: datetime.date) -> bool:
    return isinstance(entry, data.Transaction) and start <= entry.date <= end


def _is_base(account: str) -> bool:
    return account.startswith(BASE_PREFIXES)


def vat(entries: Sequence[data.Directive], operating: str, *, start: datetime.date,
        end: datetime.date) -> Table:  # fmt: skip
    """Output VAT per rate with its taxable amount, the net amount of reverse-charge supplies per
    customer VAT id (the EC sales list), exempt supplies, input VAT on OneBox's bills, and the
    VAT payable for [start, end]; VAT paid in the period and the balance owed at its end as
    notes."""
    output: dict[Decimal, list[Decimal]] = {}  # rate -> [net, vat]
    reverse: dict[str, Decimal] = {}  # customer VAT id -> net
    exempt = ZERO
    inputs: dict[Decimal, Decimal] = {}  # rate -> input VAT
    paid = owed = ZERO
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > end:
            continue
        for post in entry.postings:
            if post.account in (VAT_OUTPUT, VAT_INPUT):
                owed -= money.weight(post, operating)
        if entry.date < start:
            continue
        kind = entry.meta.get("vat")
        rate = entry.meta.get("vat-rate")
        if entry.meta.get("tax-payment") == "vat":
            paid += beans.number(entry.meta.get("amount"))
            continue
        base = -sum(
            (money.weight(p, operating) for p in entry.postings if _is_base(p.account)), ZERO
        )
        if kind == "standard" and isinstance(rate, Decimal):
            sums = output.setdefault(rate, [ZERO, ZERO])
            sums[0] += base
            for post in entry.postings:
                if post.account == VAT_OUTPUT:
                    sums[1] -= money.weight(post, operating)
                elif post.account == VAT_INPUT:
                    inputs[rate] = inputs.get(rate, ZERO) + money.weight(post, operating)
        elif kind == "reverse-charge":
            key = str(entry.meta.get("vat-id", ""))
            reverse[key] = reverse.get(key, ZERO) + base
        elif kind == "exempt":
            exempt += base
    table = Table(f"VAT, {start} to {end}, in {operating}", ["line", "detail", "net", "vat"])
    total_out = total_in = ZERO
    for rate in sorted(output, reverse=True):
        if rate in output and output[rate] == [ZERO, ZERO]:
            continue
        net, tax = (round_money(v) for v in output[rate])
        table.rows.append(["output", percent(rate), net, tax])
        total_out += tax
    for vat_id in sorted(reverse):
        table.rows.append(["reverse-charge", vat_id, round_money(reverse[vat_id]), ZERO])
    if exempt:
        table.rows.append(["exempt", "outside the EU", round_money(exempt), ZERO])
    for rate in sorted(inputs, reverse=True):
        tax = round_money(inputs[rate])
        table.rows.append(["input", percent(rate), None, tax])
        total_in += tax
    table.totals += [
        ["output VAT", "", None, total_out],
        ["input VAT", "", None, total_in],
        ["payable", "", None, total_out - total_in],
    ]
    balance = (
        f"owed at {end}: {round_money(owed)} {operating}"
        if owed >= 0
        else f"refund due at {end}: {round_money(-owed)} {operating}"
    )
    table.notes.append(f"VAT paid in the period {round_money(paid)} {operating}; {balance}")
    return table


def quarter_months(text: str) -> list[Month]:
    """'2026-Q1' -> the months January to March 2026 (ValueError for anything else)."""
    year, _, quarter = text.upper().partition("-Q")
    if not (year.isdigit() and len(year) == 4 and quarter in ("1", "2", "3", "4")):
        raise ValueError(f"--quarter {text!r} is not a quarter like 2026-Q1")
    first = (int(quarter) - 1) * 3 + 1
    return [Month(int(year), first + n) for n in range(3)]


def single_tax(entries: Sequence[data.Directive], operating: str, months: Sequence[Month]) -> Table:
    """Per month: money received (the single tax's base, as each receipt states it), the tax
    accrued, paid and owed at the month's end (the balance of Liabilities:Tax:Single)."""
    rows = {m: [ZERO, ZERO, ZERO] for m in months}  # received, accrued, paid
    owed_at = dict.fromkeys(months, ZERO)
    last = months[-1].last
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > last:
            continue
        for post in entry.postings:
            if post.account == SINGLE_TAX_OWED:
                value = money.weight(post, operating)
                for m in months:
                    if entry.date <= m.last:
                        owed_at[m] -= value
        month = Month.of(entry.date)
        if month not in rows:
            continue
        for post in entry.postings:
            if post.account == SINGLE_TAX:
                rows[month][1] += money.weight(post, operating)
                received = (post.meta or {}).get("received")
                if isinstance(received, Amount):
                    rows[month][0] += beans.number(received)
            elif post.account == SINGLE_TAX_OWED and entry.meta.get("tax-payment"):
                rows[month][2] += money.weight(post, operating)
            elif (
                post.account == SINGLE_TAX_OWED
                and money.weight(post, operating) > 0
                and not any(p.account == SINGLE_TAX for p in entry.postings)
            ):
                rows[month][2] += money.weight(post, operating)  # paid by a rule's bank row
    name = f"{months[0].year}-Q{(months[0].month - 1) // 3 + 1}"
    table = Table(
        f"Single tax, {name}, in {operating}", ["month", "received", "accrued", "paid", "owed"]
    )
    totals = [ZERO, ZERO, ZERO]
    for m in months:
        received, accrued, paid = (round_money(v) for v in rows[m])
        table.rows.append([str(m), received, accrued, paid, round_money(owed_at[m])])
        totals = [totals[0] + received, totals[1] + accrued, totals[2] + paid]
    table.totals.append(["total", *totals, round_money(owed_at[months[-1]])])
    return table
