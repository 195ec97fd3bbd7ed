"""Shared helpers of the robustness suite: a ledger with terms, file snapshots, exact sums.

Nothing here calls openitems or reports: the suite checks the package against
its own reading of the files and its own arithmetic.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data

from onebox_ledger import actions, store
from onebox_ledger.values import Money

START = datetime.date(2026, 1, 1)
ITEMS = {"cloud-user": Decimal("25.00"), "data-plan": Decimal("7.35")}
TIERS = {1: Decimal("0.65"), 2: Decimal("0.60"), 4: Decimal("0.55")}
ONEBOX_PAYMENT = 30


def env_int(name: str, default: int) -> int:
    """A count from the environment (benchmark mode raises it), never below 1."""
    value = os.environ.get(name, "")
    return max(1, int(value)) if value.strip() else default


def new_ledger(root: Path) -> store.Ledger:
    """An empty ledger in `root` with the suite's OneBox terms, all dated START."""
    ledger = store.create_ledger(root, title="Robustness", currency="USD", start=START)
    for name, price in ITEMS.items():
        actions.terms_item(ledger, name, Money(price, "USD"), START, None)
    for boxes, rate in TIERS.items():
        actions.terms_rate(ledger, boxes, rate, START)
    actions.terms_payment(ledger, ONEBOX_PAYMENT, START)
    return ledger


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (the lock file aside) by relative path: the ledger's bytes. The
    month summaries (ledger/summaries/) are left out: derived data the close writes after its
    commit, never used unless every input's digest matches (tests/test_summaries.py)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != ".lock" and path.parent.name != "summaries":
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def load(main: Path) -> tuple[list[data.Directive], list[Any]]:
    """The ledger through Beancount's own loader, cache off (entries, errors)."""
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(main))
    return entries, errors


def transactions(entries: Sequence[data.Directive]) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction)]


def unbalanced(entries: Sequence[data.Directive]) -> list[str]:
    """Ids (or dates) of transactions whose postings' weights (units, or units x price) do not
    sum to exactly zero per currency."""
    bad = []
    for txn in transactions(entries):
        sums: dict[str, Decimal] = {}
        for post in txn.postings:
            number, currency = post.units.number, post.units.currency
            if post.price is not None:
                number, currency = number * post.price.number, post.price.currency
            sums[currency] = sums.get(currency, Decimal(0)) + number
        if any(total != 0 for total in sums.values()):
            bad.append(str(txn.meta.get("id", txn.date)))
    return bad


def duplicate_ids(entries: Sequence[data.Directive]) -> list[str]:
    seen: set[str] = set()
    dups = []
    for entry in entries:
        value = (entry.meta or {}).get("id")
        if value is None:
            continue
        if value in seen:
            dups.append(str(value))
        seen.add(value)
    return dups


def balances(entries: Sequence[data.Directive]) -> dict[str, Decimal]:
    """Sum of posting units per account (one currency, USD, in this suite, but the state
    machine's EUR bank account, left out)."""
    out: dict[str, Decimal] = {}
    for txn in transactions(entries):
        for post in txn.postings:
            if post.account == "Assets:Wise:EUR":
                continue
            assert post.units.currency == "USD", post
            out[post.account] = out.get(post.account, Decimal(0)) + post.units.number
    return out


def by_prefix(totals: dict[str, Decimal], prefix: str) -> Decimal:
    return sum((v for k, v in totals.items() if k.startswith(prefix)), Decimal(0))


def by_key(entries: Sequence[data.Directive], prefix: str, key: str) -> dict[str, Decimal]:
    """Per `key` (posting meta, else transaction meta): sum of postings to accounts under prefix."""
    out: dict[str, Decimal] = {}
    for txn in transactions(entries):
        for post in txn.postings:
            if not post.account.startswith(prefix):
                continue
            value = (post.meta or {}).get(key, txn.meta.get(key))
            assert isinstance(value, str), (txn.meta.get("id"), post.account)
            out[value] = out.get(value, Decimal(0)) + post.units.number
    return out
