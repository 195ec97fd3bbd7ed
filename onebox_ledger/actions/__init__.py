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
    grace/<bill>/<date>[/<n>]                        bill moved to Liabilities:OneBox:Grace
    close/<month>/<contract>/invoice|recognise|cost  the close (see close.py)
    commission/<money event id>/<agent>              an agent's commission (see agents.py)
    close/<month>/<invoice>/<agent>/commission       an invoiced-basis commission of the close
    agent-pay/<ref> | agent-pay/<date>/<agent>/<n>   a payment to an agent
    bill/<bill>/line-<n> | bill/<bill>/missing-<c>   onebox reconcile --record (see reconcile.py)

One module a section, this package re-exporting their public names
(``from onebox_ledger import actions; actions.receive(...)``): helpers, terms, rules,
customers (and contracts), money_events, bank_statements, closing, verification, upgrading;
agents and reconciling are imported as modules (``actions.agents.agent_pay``).

Each name is imported when first asked for (PEP 562): a command imports the modules it
uses, not every action's (``close`` does not import the bank importers, a third of the
package's import time).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bank_statements import Imported, import_statement
    from .closing import Closed, Invoiced, close, invoice
    from .customers import contract_add, contract_change, contract_end, customer_add, usage
    from .helpers import Written, write_static
    from .money_events import (
        apply_credit,
        bank_add,
        bank_opening,
        credit_note,
        onebox_bill,
        onebox_grace,
        onebox_pay,
        receive,
        refund,
        sell,
        write_events,
        write_off,
    )
    from .rules import rule_add, rule_list
    from .taxes import customer_tax, partner_set, tax_pay, terms_onebox_vat, terms_vat
    from .terms import price, terms_item, terms_payment, terms_rate
    from .upgrading import upgrade
    from .verification import Verification, verify, verify_all
    from .year_closing import YearClosed, close_year

# each section's public names, imported from it when first asked for
_SECTIONS: dict[str, tuple[str, ...]] = {
    "bank_statements": ("Imported", "import_statement"),
    "closing": ("Closed", "Invoiced", "close", "invoice"),
    "customers": ("contract_add", "contract_change", "contract_end", "customer_add", "usage"),
    "helpers": ("Written", "write_static"),
    "money_events": (
        "apply_credit",
        "bank_add",
        "bank_opening",
        "credit_note",
        "onebox_bill",
        "onebox_grace",
        "onebox_pay",
        "receive",
        "refund",
        "sell",
        "write_events",
        "write_off",
    ),
    "rules": ("rule_add", "rule_list"),
    "taxes": ("customer_tax", "partner_set", "tax_pay", "terms_onebox_vat", "terms_vat"),
    "terms": ("price", "terms_item", "terms_payment", "terms_rate"),
    "upgrading": ("upgrade",),
    "verification": ("Verification", "verify", "verify_all"),
    "year_closing": ("YearClosed", "close_year"),
}
_WHERE = {name: section for section, names in _SECTIONS.items() for name in names}
__all__ = [
    "Closed",
    "Imported",
    "Invoiced",
    "Verification",
    "Written",
    "YearClosed",
    "apply_credit",
    "bank_add",
    "bank_opening",
    "close",
    "close_year",
    "contract_add",
    "contract_change",
    "contract_end",
    "credit_note",
    "customer_add",
    "customer_tax",
    "import_statement",
    "invoice",
    "onebox_bill",
    "onebox_grace",
    "onebox_pay",
    "partner_set",
    "price",
    "receive",
    "refund",
    "rule_add",
    "rule_list",
    "sell",
    "tax_pay",
    "terms_item",
    "terms_onebox_vat",
    "terms_payment",
    "terms_rate",
    "terms_vat",
    "upgrade",
    "usage",
    "verify",
    "verify_all",
    "write_events",
    "write_off",
    "write_static",
]


def __getattr__(name: str) -> Any:
    """A public name (or a section, as ``actions.agents``), imported from its module."""
    section = _WHERE.get(name)
    if section is not None:
        value = getattr(importlib.import_module(f".{section}", __name__), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
