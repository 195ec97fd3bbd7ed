"""Importing a bank statement: plan its rows with ``importers.bank``, write them with the
balance the bank reached, or refuse whole.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

from beancount.core import data

from .. import planner
from ..importers.bank import Planned, Reached, check_accounts, plan, reach
from ..importers.statements import Statement
from ..store import (
    Ledger,
    LedgerError,
)
from .money_events import _state, write_events


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
            entries: list[data.Directive] = [e for p in planned for e in p.entries]
            if reached.assertion is not None:
                entries.append(reached.assertion)
            write_events(ledger, loaded, state, entries)
    return Imported(planned, reached)
