"""Seals: what a month's close covers, its digest, and the chain that links the seals. Pure.

A close ends with a seal; its digest covers everything that can change a number
and is dated in the month (the first seal: dated in or before its month), in
any file, plus the previous seal's digest, so the seals form a chain::

    2026-10-31 custom "onebox-close" "2026-10" "sha256:41a0..."
      boxes: 9
      rate: 0.60
      previous: "sha256:9f2c..."          ; the digest of 2026-09's seal ("none" for the first)

    digest = sha256("onebox-seal/2", previous, operating currency, month,
                    the seal's own metadata, the sorted canonical text of every covered entry)

Covered (:func:`covered`): every transaction with every field of every posting
(units, cost, price, flag, metadata), ``pad``, ``price``, ``open``, ``close``
and every ``onebox-*`` directive but the seal itself. Not covered, because they
cannot change a number: ``balance`` (an assertion; the ``pad`` it may fill is
covered), ``note``, ``document``, ``event``, ``query``, ``commodity`` and other
``custom`` directives (Fava's options). A ``pad`` dated in or before a sealed
month is refused outright (:func:`findings`): Beancount runs ``ops.pad`` after
every plugin, so no plugin sees the transaction it inserts.

Changing the operating currency changes every digest. Deleting the newest month
leaves a valid shorter chain: an auditor notes the head (``verify`` prints
``head: 2026-10 sha256:...``) and checks it later with ``verify --head``.

The text hashed is :func:`canonical`, our own rendering of every field (not
beans.format_entry, which renders what the tool writes): the close hashes
parsed entries and the plugin and ``verify`` hash booked ones, and for every
entry the close accepts (:func:`complete`: every amount, cost and price written
in full) both give the same text.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.position import Cost, CostSpec

from .beans import format_entry
from .values import Month

VERSION = "onebox-seal/2"
SEAL = "onebox-close"
FIRST = "none"  # the `previous:` of the first seal
_LOADER_KEYS = frozenset({"filename", "lineno"})


class Finding(NamedTuple):
    """A seal problem, in Beancount's error shape (source, message, entry)."""

    source: dict[str, Any]
    message: str
    entry: Any


def sealed_refusal(date: datetime.date, sealed: Month | None, what: str = "date") -> str | None:
    """Why `date` cannot take a new entry, or None: the books are closed through `sealed`
    (the latest sealed month), and a sealed month is never written again::

        sealed_refusal(date(2026, 11, 30), Month(2026, 11))
        -> "date 2026-11-30 is in sealed month 2026-11; the books are closed through 2026-11
            (use a date from 2026-12-01 on)"
    """
    if sealed is None or date > sealed.last:
        return None
    return (
        f"{what} {date} is in sealed month {Month.of(date)}; the books are closed"
        f" through {sealed} (use a date from {sealed.next().first} on)"
    )


def currency_of(options: Mapping[str, Any]) -> str:
    """The operating currency a digest covers: the first ``operating_currency`` ("" if none)."""
    currencies = options.get("operating_currency") or [""]
    return str(currencies[0])


# ---------------------------------------------------------------- what a seal covers


def covered(entry: data.Directive) -> bool:
    """True for the directives that can change a number (see the module docs)."""
    if isinstance(entry, data.Transaction | data.Pad | data.Price | data.Open | data.Close):
        return True
    return (
        isinstance(entry, data.Custom) and entry.type.startswith("onebox-") and entry.type != SEAL
    )


def complete(entry: data.Directive) -> bool:
    """Every posting's amount, cost and price written in full, so parsing and booking agree.

    Beancount infers a missing amount and matches an empty cost ``{}`` against a
    lot when it books; the close hashes parsed entries, so it refuses those.
    """
    if not isinstance(entry, data.Transaction):
        return True
    for post in entry.postings:
        units = post.units
        if not isinstance(units, Amount) or not isinstance(units.number, Decimal):
            return False
        if not isinstance(units.currency, str):
            return False
        cost = post.cost
        if isinstance(cost, CostSpec) and (
            not isinstance(cost.number_per, Decimal)
            or cost.number_total is not None
            or not isinstance(cost.currency, str)
            or cost.merge
        ):
            return False
        price = post.price
        if price is not None and (
            not isinstance(price.number, Decimal) or not isinstance(price.currency, str)
        ):
            return False
    return True


# ---------------------------------------------------------------- canonical text


def _value(value: Any) -> str:
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Amount):
        return f"{_value(value.number)} {value.currency}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(_value(v) for v in value)) + "}"
    return f"{type(value).__name__}:{value!r}"


def _meta(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    return ";".join(
        f"{key}={_value(value)}"
        for key, value in sorted(values.items())
        if key not in _LOADER_KEYS and not key.startswith("__")
    )


def _cost(cost: Any, date: datetime.date) -> str:
    if cost is None:
        return "~"
    if isinstance(cost, Cost):
        number: Any = cost.number
    elif isinstance(cost, CostSpec):
        number = cost.number_per
    else:  # pragma: no cover - Beancount has no other cost type
        return _value(cost)
    when = cost.date or date
    return f"{{{_value(number)} {cost.currency}, {when.isoformat()}, {_value(cost.label)}}}"


def canonical(entry: data.Directive) -> str:
    """Every field of a covered entry as one line of text, file and line left out."""
    date = entry.date.isoformat()
    meta = _meta(entry.meta)
    if isinstance(entry, data.Transaction):
        posts = "|".join(
            f"{p.flag or ''} {p.account} {_value(p.units)} {_cost(p.cost, entry.date)}"
            f" @{_value(p.price)} [{_meta(p.meta)}]"
            for p in entry.postings
        )
        return (
            f"{date} txn {entry.flag} {_value(entry.payee)} {_value(entry.narration)}"
            f" tags{_value(entry.tags or frozenset())} links{_value(entry.links or frozenset())}"
            f" [{meta}] {posts}"
        )
    if isinstance(entry, data.Pad):
        return f"{date} pad {entry.account} {entry.source_account} [{meta}]"
    if isinstance(entry, data.Price):
        return f"{date} price {entry.currency} {_value(entry.amount)} [{meta}]"
    if isinstance(entry, data.Open):
        currencies = ",".join(entry.currencies or ())
        return f"{date} open {entry.account} {currencies} {_value(entry.booking)} [{meta}]"
    if isinstance(entry, data.Close):
        return f"{date} close {entry.account} [{meta}]"
    if isinstance(entry, data.Custom):
        values = " ".join(_value(value) for value, _ in entry.values)
        return f"{date} custom {_value(entry.type)} {values} [{meta}]"
    return f"{date} {type(entry).__name__} [{meta}]"


def digest(
    month: Month,
    previous: str,
    currency: str,
    seal_meta: Mapping[str, Any],
    entries: Iterable[data.Directive],
) -> str:
    """The digest of `month`'s seal: the covered `entries` (others are skipped) and the chain."""
    hasher = hashlib.sha256()
    for part in (VERSION, previous, currency, str(month), _meta(seal_meta)):
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\x00")
    for text in sorted(canonical(e) for e in entries if covered(e)):
        hasher.update(text.encode("utf-8"))
        hasher.update(b"\x00")
    return "sha256:" + hasher.hexdigest()


def digest_v1(entries: Iterable[data.Directive]) -> str:
    """The digest of a seal of the old, unchained form (before onebox-seal/2), for ``upgrade``.

    sha256 over the sorted printed form (beans.format_entry) of the month's
    transactions and onebox-* directives but the seal, each followed by a NUL.
    """
    texts = sorted(
        format_entry(e)
        for e in entries
        if isinstance(e, data.Transaction)
        or (isinstance(e, data.Custom) and e.type.startswith("onebox-") and e.type != SEAL)
    )
    hasher = hashlib.sha256()
    for text in texts:
        hasher.update(text.encode("utf-8"))
        hasher.update(b"\x00")
    return "sha256:" + hasher.hexdigest()


# ---------------------------------------------------------------- the seals of a ledger


@dataclass(frozen=True)
class Seal:
    month: Month
    digest: str
    previous: str | None  # None: a seal of the old, unchained form
    entry: data.Custom


def seal_meta(entry: data.Custom) -> dict[str, Any]:
    """The metadata a seal's digest covers: all of it but file and line."""
    return {
        key: value
        for key, value in (entry.meta or {}).items()
        if key not in _LOADER_KEYS and not key.startswith("__")
    }


def _error(entry: data.Directive | None, message: str) -> Finding:
    return Finding(dict(entry.meta) if entry is not None and entry.meta else {}, message, entry)


def parse(entries: Iterable[data.Directive]) -> tuple[dict[Month, Seal], list[Finding]]:
    """The seals (``onebox-close`` directives) by month, and the malformed ones."""
    seals: dict[Month, Seal] = {}
    errors: list[Finding] = []
    for entry in entries:
        if not (isinstance(entry, data.Custom) and entry.type == SEAL):
            continue
        values = [value for value, _ in entry.values]
        try:
            if len(values) != 2 or not all(isinstance(v, str) for v in values):
                raise ValueError
            year, number = values[0].split("-")
            month = Month(int(year), int(number))
        except ValueError:
            errors.append(_error(entry, '"onebox-close" takes a month and a digest'))
            continue
        if month in seals:
            errors.append(_error(entry, f"{month} is sealed twice"))
            continue
        previous = (entry.meta or {}).get("previous")
        seals[month] = Seal(
            month, values[1], previous if isinstance(previous, str) else None, entry
        )
    return seals, errors


def buckets(
    entries: Iterable[data.Directive], months: Sequence[Month]
) -> dict[Month, list[data.Directive]]:
    """The covered entries of each sealed month (sorted `months`); the first takes all before it."""
    out: dict[Month, list[data.Directive]] = {month: [] for month in months}
    if not months:
        return out
    first, last = months[0], months[-1].last
    for entry in entries:
        if entry.date > last or not covered(entry):
            continue
        month = Month(entry.date.year, entry.date.month)
        bucket = out.get(first if month < first else month)
        if bucket is not None:
            bucket.append(entry)
    return out


def findings(entries: Sequence[data.Directive], currency: str) -> tuple[list[Seal], list[Finding]]:
    """Check every seal of a loaded ledger: its digest, its place in the chain, no pad in it.

    Returns the chain (oldest first) and one finding per problem, located at the
    seal (or at the pad), each naming the month.
    """
    seals, errors = parse(entries)
    months = sorted(seals)
    chain = [seals[m] for m in months]
    for before, after in itertools.pairwise(months):
        if after != before.next():
            errors.append(
                _error(
                    seals[after].entry,
                    f"{before.next()} has no seal although {before} and {after} are sealed"
                    " (was its journal file deleted?); restore it from git",
                )
            )
    if not months:
        return chain, errors
    for entry in entries:
        if isinstance(entry, data.Pad) and entry.date <= months[-1].last:
            errors.append(
                _error(
                    entry,
                    f"pad dated {entry.date}, in or before sealed month"
                    f" {max(Month.of(entry.date), months[0])}: a sealed month cannot be padded"
                    " (Beancount inserts the padding after every check); remove it",
                )
            )
    found = buckets(entries, months)
    previous = FIRST
    for seal in chain:
        if seal.previous is None:
            errors.append(
                _error(
                    seal.entry,
                    f"{seal.month} has a seal of the old, unchained form; run"
                    " 'onebox-ledger upgrade' to check it and chain the seals",
                )
            )
        elif seal.previous != previous:
            errors.append(
                _error(
                    seal.entry,
                    f"{seal.month}'s seal follows {seal.previous[:19]}..., but the seal before it"
                    f" is {previous[:19]}...; the chain is broken (a seal was edited or removed)",
                )
            )
        else:
            computed = digest(
                seal.month, previous, currency, seal_meta(seal.entry), found[seal.month]
            )
            if computed != seal.digest:
                errors.append(
                    _error(
                        seal.entry,
                        f"{seal.month} is sealed but what its seal covers changed (digest"
                        f" {computed[:19]}... instead of {seal.digest[:19]}...); restore it from"
                        " git or re-open the month",
                    )
                )
        previous = seal.digest
    return chain, errors
