"""Agents: add one, assign a customer to one (dated, a rate, a basis, streams), pay one.

The directives go to ``ledger/customers.beancount`` beside the customers they name; a
payment goes to its month's journal, like every money event (``write_events``), so the
commission a receipt accrues and the payment that settles it are in the same books.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .. import agents as core
from .. import planner
from ..model import parse_book
from ..store import Ledger, LedgerError
from ..values import MAX_NAME, InputError, Money, Month, make_text, parse_id, show_money
from .helpers import Written, _customer, _not_sealed, _suggest, write_static
from .money_events import _state, write_events


def _agent(found: core.Agents, aid: str) -> core.Agent:
    if aid not in found.agents:
        raise InputError(f"unknown agent {aid!r}{_suggest(aid, list(found.agents))}")
    return found.agents[aid]


def agent_add(ledger: Ledger, aid: str, name: str, date: datetime.date) -> Written:
    parse_id(aid, "agent")
    name = make_text(name, "name", limit=MAX_NAME)
    with ledger.locked():
        loaded = ledger.load_valid()
        found, _ = core.parse_agents(loaded.entries)
        if aid in found.agents:
            raise LedgerError(f"agent {aid!r} already exists ({found.agents[aid].name})")
        part = core.liability_account(aid)
        if any(core.liability_account(a) == part for a in found.agents):
            raise LedgerError(f"agent {aid!r} would share account {part} with another agent")
        _not_sealed(ledger, date, "date")
        text = write_static(
            ledger, loaded, ledger.customers_path, [core.agent_entry(aid, name, date)]
        )
    return Written(ledger.customers_path, text, f"agent {aid}: {name}")


def agent_assign(
    ledger: Ledger,
    customer: str,
    aid: str,
    *,
    rate: Decimal,
    basis: str,
    streams: tuple[str, ...] | None,
    start: datetime.date,
    end: datetime.date | None,
) -> Written:
    if end is not None and end < start:
        raise InputError(f"--to {end} is before --from {start}")
    with ledger.locked():
        loaded = ledger.load_valid()
        book, _ = parse_book(loaded.entries)
        who = _customer(book, customer)
        found, _ = core.parse_agents(loaded.entries)
        agent = _agent(found, aid)
        if agent.date > start:
            raise LedgerError(
                f"agent {aid!r} was added on {agent.date}, after --from {start}"
                " (add the agent with an earlier --date)"
            )
        _not_sealed(ledger, start, "--from")
        assignment = core.Assignment(customer, aid, start, rate, basis, streams, end)
        entry = core.assign_entry(assignment)
        _, errors = core.parse_agents([*loaded.entries, entry], book)
        mine = [e for e in errors if e.entry is entry]
        if mine:
            raise LedgerError(mine[0].message)
        text = write_static(ledger, loaded, ledger.customers_path, [entry])
    pct = f"{(rate * 100).normalize():f}%"
    scope = ", ".join(streams) if streams else "every stream"
    until = f" to {end}" if end else ""
    return Written(
        ledger.customers_path, text,
        f"{customer} ({who.name}) assigned to {aid}: {pct} of {basis} money, {scope},"
        f" from {start}{until}",
    )  # fmt: skip


def agent_pay(
    ledger: Ledger,
    aid: str,
    amount: Money,
    *,
    date: datetime.date,
    ref: str | None,
    account: str | None = None,
) -> Written:
    """Pay an agent what the books owe it; more than is owed is refused."""
    with ledger.locked():
        loaded = ledger.load_valid()
        found, _ = core.parse_agents(loaded.entries)
        agent = _agent(found, aid)
        operating = ledger.operating_currency()
        if amount.currency != operating:
            raise InputError(
                f"commission is booked in {operating}, not {amount.currency}; pay it in {operating}"
            )
        state = _state(ledger, loaded)
        entry_id = state.entry_id("agent-pay", ref, f"{date}/{aid}")
        done = state.by_id.get(entry_id) if ref is not None else None
        if done is not None:
            if (
                done.meta.get("agent") == aid
                and done.date == date
                and (
                    done.meta.get("amount") is not None
                    and (done.meta["amount"].number, done.meta["amount"].currency) == amount
                )
            ):
                return Written(
                    ledger.month_path(Month.of(date)),
                    "",
                    f"ref {ref} already recorded; nothing changed",
                )
            raise LedgerError(f"ref {ref!r} was already used for another payment ({entry_id})")
        _not_sealed(ledger, date, "date")
        owes = core.owed(loaded.entries, aid)
        open_amount = owes.number if owes is not None else Decimal(0)
        if amount.number > open_amount:
            raise LedgerError(
                f"paying {show_money(*amount)} to {aid} exceeds the"
                f" {show_money(open_amount, operating)} the books owe them"
            )
        try:
            bank = state.bank(account, amount.currency)
        except planner.Refused as err:  # a bad --account
            raise (InputError if err.usage else LedgerError)(str(err)) from None
        entry = core.pay_entry(agent, amount, date, entry_id, ref, account=bank)
        text = write_events(ledger, loaded, state, [entry])
    left = open_amount - amount.number
    return Written(
        ledger.month_path(Month.of(date)), text,
        f"paid {show_money(*amount)} to {aid} ({agent.name}) from {bank};"
        f" still owed {show_money(left, operating)}",
    )  # fmt: skip
