"""Disputes of OneBox's bill lines, and OneBox's credits that settle them. Pure.

``onebox reconcile FILE --record`` books each line of OneBox's bill as its own adjustment
(``bill/onebox-2026-11/line-5``, its difference in ``amount:``). A line the partner
contests (an orphan box, leaked seats, a wrong tier) is disputed with a dated directive
beside the month's entries, for the line's difference::

    2026-12-05 custom "onebox-dispute" "onebox-2026-11" "line-5"
      id: "dispute/onebox-2026-11/line-5"
      amount: 32.50 USD
      memo: "bx-0977 left with delta in October"

The bill still owes the amount (OneBox billed it); ``report payables`` keeps it open as
disputed: a bill whose whole open amount is disputed has the status ``disputed`` (not
overdue: the partner holds it back on purpose), and each dispute still open is noted with
its line, amount and memo. OneBox's credit note settles it: ``onebox bill BILL AMOUNT
--credit`` lowers the bill by AMOUNT (the difference to Expenses:OneBox:Adjustment, as
``onebox bill`` books any change of a bill) and writes ``credited: 32.50 USD`` on the entry.
Credits settle a bill's disputes in the order of their lines; what is credited beyond them
lowers the bill all the same. Disputed line-4 3.75 and line-5 32.50, credited 32.50: line-4
is settled (3.75), line-5 has 28.75 credited and 3.75 still open.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from . import beans
from .values import ZERO, Money

DISPUTE = "onebox-dispute"
CREDIT = "credited"  # what OneBox credited on a bill (not `credit:`, a posting's credit id)


@dataclass(frozen=True)
class Dispute:
    bill: str
    line: str  # "line-5" (or "missing-<contract>"), as the adjustment's id ends
    date: datetime.date
    amount: Money
    memo: str
    open: Money  # what OneBox has not credited yet


def line_id(bill: str, line: str) -> str:
    """The id of the adjustment ``onebox reconcile --record`` booked for a line."""
    return f"bill/{bill}/{line}"


def dispute_entry(
    bill: str, line: str, date: datetime.date, amount: Money, memo: str
) -> data.Custom:
    return beans.custom(
        date, DISPUTE, [bill, line],
        beans.meta(id=f"dispute/{bill}/{line}", amount=Amount(*amount), memo=memo),
    )  # fmt: skip


def _line_number(line: str) -> tuple[int, str]:
    head, _, tail = line.partition("-")
    return (int(tail), "") if head == "line" and tail.isdigit() else (1 << 30, line)


def disputes(
    entries: Iterable[data.Directive],
    as_of: datetime.date | None = None,
    *,
    credited: Mapping[str, Decimal] | None = None,
) -> list[Dispute]:
    """Every dispute dated on or before `as_of`, with what OneBox's credits (on or before
    `as_of`) left open of it: each bill's credits settle its disputes in line order.
    `credited`: OneBox's credits per bill not among `entries` (summarised months)."""
    found: list[data.Custom] = []
    credited = dict(credited or {})
    for entry in entries:
        if as_of is not None and entry.date > as_of:
            continue
        if isinstance(entry, data.Custom) and entry.type == DISPUTE:
            found.append(entry)
        elif isinstance(entry, data.Transaction):
            credit = entry.meta.get(CREDIT)
            bill = entry.meta.get("bill")
            if isinstance(credit, Amount) and credit.number is not None and isinstance(bill, str):
                credited[bill] = credited.get(bill, ZERO) + credit.number
    named = sorted(
        ((str(e.values[0][0]), str(e.values[1][0]), e) for e in found if len(e.values) == 2),
        key=lambda t: (t[0], _line_number(t[1])),
    )
    out = []
    for bill, line, entry in named:
        amount = entry.meta.get("amount")
        if not isinstance(amount, Amount) or amount.number is None:
            continue  # the plugin names it (malformed)
        left = credited.get(bill, ZERO)
        settled = min(left, amount.number)
        credited[bill] = left - settled
        out.append(
            Dispute(bill, line, entry.date, Money(amount.number, amount.currency),
                    str(entry.meta.get("memo", "")), Money(amount.number - settled, amount.currency))
        )  # fmt: skip
    return out


def malformed(entries: Iterable[data.Directive]) -> list[tuple[data.Custom, str]]:
    """Each ``onebox-dispute`` directive that does not parse, with what is wrong (bean-check)."""
    out = []
    for e in entries:
        if not isinstance(e, data.Custom) or e.type != DISPUTE:
            continue
        values = [value for value, _ in e.values]
        amount = e.meta.get("amount")
        if len(values) != 2 or not all(isinstance(v, str) and v for v in values):
            out.append((e, f'"{DISPUTE}" takes two values, the bill id and the line ("line-5")'))
        elif not isinstance(amount, Amount) or amount.number is None or amount.number <= 0:
            out.append((e, f"a dispute needs amount: above 0 (like 32.50 USD), not {amount!r}"))
    return out


def relevant(entries: Iterable[data.Directive]) -> list[data.Directive]:
    """The entries :func:`disputes` reads (the disputes and the credits), for a caller that
    asks it at several dates."""
    return [
        e for e in entries
        if (isinstance(e, data.Custom) and e.type == DISPUTE)
        or (isinstance(e, data.Transaction) and CREDIT in e.meta)
    ]  # fmt: skip


def open_by_bill(items: Iterable[Dispute]) -> dict[str, Decimal]:
    """What is still disputed per bill."""
    out: dict[str, Decimal] = {}
    for d in items:
        if d.open.number:
            out[d.bill] = out.get(d.bill, ZERO) + d.open.number
    return out
