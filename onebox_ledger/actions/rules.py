"""The booking rules a company keeps (``onebox-rule``): add one, list those in force."""

from __future__ import annotations

import datetime

from .. import rules
from ..store import (
    Ledger,
)
from ..values import InputError
from .helpers import Written, _not_sealed, write_static


def rule_add(ledger: Ledger, rule: rules.Rule) -> Written:
    """Record a rule for bank rows (rules.py) in the terms file: from its date on, import books
    the rows it matches to its account."""
    with ledger.locked():
        loaded = ledger.load_valid()
        _not_sealed(ledger, rule.date, "date")
        try:
            rules.check_account(rule.account)
        except rules.RuleError as err:
            raise InputError(str(err)) from None
        text = write_static(ledger, loaded, ledger.terms_path, [rules.directive(rule)])
    way = {"in": "money in", "out": "money out", "any": "money in or out"}[rule.direction]
    where = "counterparty" if rule.field == "counterparty" else "text"
    return Written(
        ledger.terms_path,
        text,
        f"rule: {way} whose {where} holds {rule.pattern!r} goes to {rule.account} from {rule.date}",
    )


def rule_list(ledger: Ledger, as_of: datetime.date | None) -> list[rules.Rule]:
    """The rules, oldest first (with `as_of`: those in force on that day)."""
    ledger.check_exists()
    found = rules.parse_rules(ledger.static_entries())[0]
    return rules.in_force(found, as_of) if as_of is not None else found
