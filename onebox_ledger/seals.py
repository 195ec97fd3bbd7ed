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

**A year rolled forward** (onebox_ledger.yearroll) adds two seals of its own, so
the chain goes on across the archive without any sealed month being rewritten::

    ; ledger/archive/2026/ledger/journal/year.beancount: the closing entry's seal
    2026-12-31 custom "onebox-year" "2026" "sha256:77c1..."
      previous: "sha256:5be0..."          ; December 2026's digest
    ; ledger/journal/opening.beancount (the open books): the opening entries' seal
    2026-12-31 custom "onebox-opening" "2026-12" "sha256:d4e9..."
      previous: "sha256:5be0..."          ; the archive's head: December 2026's digest

``onebox-year`` covers the entries whose ``id`` starts ``year/2026/`` (the
closing entry to ``Equity:Retained-Earnings``, dated 2026-12-31, and the account
it opens); no month's digest covers them, so December's seal stays as it was.
``onebox-opening`` carries the archive's head: it covers everything dated on or
before its month's end that the open books load (the opening entries, dated
2026-12-31, and the static files' older terms, customers, prices and accounts),
and the first month sealed after it (2027-01) follows the carried head, as it
followed December's seal before the roll. A book holds at most one opening.

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
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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
OPENING = "onebox-opening"  # the open books' carried head and opening entries
YEAR = "onebox-year"  # a rolled year's closing entry, in its archive
YEAR_PREFIX = "year/"  # ids of the entries a year's roll writes: year/2026/...
SEALS = frozenset({SEAL, OPENING, YEAR})
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
        isinstance(entry, data.Custom)
        and entry.type.startswith("onebox-")
        and entry.type not in SEALS
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
    by_type = _BY_TYPE.get(type(value))  # the common types by their exact type, the rest below
    if by_type is not None:
        return by_type(value)
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Amount):
        return f"{_value(value.number)} {value.currency}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(_value(v) for v in value)) + "}"
    return f"{type(value).__name__}:{value!r}"


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(value: Amount) -> str:
    number = value.number
    shown = format(number, "f") if type(number) is Decimal else _value(number)
    return f"{shown} {value.currency}"


def _set(value: frozenset[Any] | set[Any]) -> str:
    return "{" + ",".join(sorted(_value(v) for v in value)) + "}"


_BY_TYPE: dict[type, Callable[[Any], str]] = {
    type(None): lambda _: "~",
    bool: lambda value: "TRUE" if value else "FALSE",
    str: _string,
    Decimal: lambda value: format(value, "f"),
    Amount: _amount,
    datetime.date: datetime.date.isoformat,
    frozenset: _set,
    set: _set,
}


def _meta(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    keys = [key for key in values if key not in _LOADER_KEYS and not key.startswith("__")]
    if not keys:
        return ""
    keys.sort()
    return ";".join(f"{key}={_value(values[key])}" for key in keys)


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
            f"{p.flag or ''} {p.account} {_value(p.units)}"
            f" {'~' if p.cost is None else _cost(p.cost, entry.date)}"
            f" @{'~' if p.price is None else _value(p.price)} [{_meta(p.meta)}]"
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


class Canon:
    """`canonical`, remembered for each entry object it was asked for (one command's: the close
    hashes the month's entries for its seal, then checks the file it wrote against the same
    entries and the seal again; each entry's text is made once). A parsed or generated entry
    is not changed after it is made, so the same object gives the same text."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[data.Directive, str]] = {}  # the entry kept: its id stays

    def __call__(self, entry: data.Directive) -> str:
        known = self._texts.get(id(entry))
        if known is not None and known[0] is entry:
            return known[1]
        text = canonical(entry)
        self._texts[id(entry)] = (entry, text)
        return text


def digest(
    month: Month,
    previous: str,
    currency: str,
    seal_meta: Mapping[str, Any],
    entries: Iterable[data.Directive],
    canon: Callable[[data.Directive], str] = canonical,
) -> str:
    """The digest of `month`'s seal: the covered `entries` (others are skipped) and the chain;
    `canon`: `canonical`, or a Canon remembering it."""
    return _digest(str(month), previous, currency, seal_meta, entries, canon)


def opening_digest(
    month: Month,
    previous: str,
    currency: str,
    seal_meta: Mapping[str, Any],
    entries: Iterable[data.Directive],
) -> str:
    """The digest of an ``onebox-opening`` carrying `month` (the archive's last month)."""
    return _digest(f"{OPENING} {month}", previous, currency, seal_meta, entries)


def year_digest(
    year: int,
    previous: str,
    currency: str,
    seal_meta: Mapping[str, Any],
    entries: Iterable[data.Directive],
) -> str:
    """The digest of an ``onebox-year`` seal of `year` (its closing entries)."""
    return _digest(f"{YEAR} {year}", previous, currency, seal_meta, entries)


def _digest(
    label: str,
    previous: str,
    currency: str,
    seal_meta: Mapping[str, Any],
    entries: Iterable[data.Directive],
    canon: Callable[[data.Directive], str] = canonical,
) -> str:
    hasher = hashlib.sha256()
    for part in (VERSION, previous, currency, label, _meta(seal_meta)):
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\x00")
    texts = sorted(canon(e) for e in entries if covered(e))
    if texts:  # each text followed by a NUL
        hasher.update(("\x00".join(texts) + "\x00").encode("utf-8"))
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


@dataclass(frozen=True)
class Roll:
    """The seals a year's roll writes (see the module docs): the open books' opening, and
    each archived year's closing seal, by year."""

    opening: Seal | None
    years: dict[int, Seal]


def parse_roll(entries: Iterable[data.Directive]) -> tuple[Roll, list[Finding]]:
    """The ``onebox-opening`` (at most one) and the ``onebox-year`` seals, and the malformed."""
    opening: Seal | None = None
    years: dict[int, Seal] = {}
    errors: list[Finding] = []
    for entry in entries:
        if not (isinstance(entry, data.Custom) and entry.type in (OPENING, YEAR)):
            continue
        values = [value for value, _ in entry.values]
        previous = (entry.meta or {}).get("previous")
        try:
            if len(values) != 2 or not all(isinstance(v, str) for v in values):
                raise ValueError
            if not isinstance(previous, str):
                raise ValueError
            if entry.type == OPENING:
                year, number = values[0].split("-")
                month = Month(int(year), int(number))
            else:
                month = Month(int(values[0]), 12)
        except ValueError:
            what = "a month" if entry.type == OPENING else "a year"
            errors.append(
                _error(entry, f'"{entry.type}" takes {what}, a digest and previous: "sha256:..."')
            )
            continue
        seal = Seal(month, values[1], previous, entry)
        if entry.type == OPENING:
            if opening is not None:
                errors.append(_error(entry, "the books hold two openings; keep the newest"))
                continue
            opening = seal
        elif month.year in years:
            errors.append(_error(entry, f"year {month.year} is sealed twice"))
        else:
            years[month.year] = seal
    return Roll(opening, years), errors


def rolled_year(entry: data.Directive) -> int | None:
    """The year whose roll wrote `entry` (its id ``year/2026/...``), else None."""
    entry_id = (entry.meta or {}).get("id")
    if not isinstance(entry_id, str) or not entry_id.startswith(YEAR_PREFIX):
        return None
    part = entry_id[len(YEAR_PREFIX) :].split("/", 1)[0]
    return int(part) if part.isdigit() and len(part) == 4 else None


def sealed_through(entries: Iterable[data.Directive]) -> Month | None:
    """The latest sealed month: the newest ``onebox-close``, else the month an opening carries."""
    entries = list(entries)
    found, _ = parse(entries)
    if found:
        return max(found)
    roll, _ = parse_roll(entries)
    return roll.opening.month if roll.opening is not None else None


def buckets(
    entries: Iterable[data.Directive],
    months: Sequence[Month],
    *,
    opening: Month | None = None,
    years: Collection[int] = (),
) -> dict[Month, list[data.Directive]]:
    """The covered entries of each sealed month (sorted `months`); the first takes all before it,
    unless an `opening` carries a month (see :func:`roll_buckets`)."""
    return roll_buckets(entries, months, opening=opening, years=years)[0]


def roll_buckets(
    entries: Iterable[data.Directive],
    months: Sequence[Month],
    *,
    opening: Month | None = None,
    years: Collection[int] = (),
) -> tuple[
    dict[Month, list[data.Directive]], list[data.Directive], dict[int, list[data.Directive]]
]:
    """(each sealed month's covered entries, the opening's, each sealed year's): every
    covered entry in at most one, by the rules of the module docs."""
    out: dict[Month, list[data.Directive]] = {month: [] for month in months}
    carried: list[data.Directive] = []
    rolled: dict[int, list[data.Directive]] = {year: [] for year in years}
    last = max((m.last for m in (*months[-1:], *([opening] if opening else []))), default=None)
    if last is None and not years:
        return out, carried, rolled
    first = months[0] if months else None
    for entry in entries:
        if not covered(entry):
            continue
        year = rolled_year(entry) if rolled else None
        if year is not None and year in rolled:
            rolled[year].append(entry)
            continue
        if last is None or entry.date > last:
            continue
        if opening is not None and entry.date <= opening.last:
            carried.append(entry)
            continue
        month = Month(entry.date.year, entry.date.month)
        if first is not None and month < first and opening is None:
            month = first
        bucket = out.get(month)
        if bucket is not None:
            bucket.append(entry)
    return out, carried, rolled


def findings(entries: Sequence[data.Directive], currency: str) -> tuple[list[Seal], list[Finding]]:
    """Check every seal of a loaded ledger: its digest, its place in the chain, no pad in it.

    Returns the chain (oldest first) and one finding per problem, located at the
    seal (or at the pad), each naming the month. A rolled year's seals (the
    opening, the year's closing seal) are checked as the module docs say.
    """
    seals, errors = parse(entries)
    roll, roll_errors = parse_roll(entries)
    errors.extend(roll_errors)
    opening = roll.opening
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
    if opening is not None and months and months[0] != opening.month.next():
        errors.append(
            _error(
                seals[months[0]].entry,
                f"{months[0]} is the first month sealed after the opening of {opening.month},"
                f" but {opening.month.next()} is the month after it (a sealed month is missing,"
                " or a rolled month's seal was left in the open books)",
            )
        )
    if not months and opening is None and not roll.years:
        return chain, errors
    through = max((m for m in (*months[-1:], *([opening.month] if opening else []))), default=None)
    first = months[0] if months else None
    for entry in entries:
        if through is not None and isinstance(entry, data.Pad) and entry.date <= through.last:
            shown = Month.of(entry.date) if first is None else max(Month.of(entry.date), first)
            errors.append(
                _error(
                    entry,
                    f"pad dated {entry.date}, in or before sealed month"
                    f" {shown}: a sealed month cannot be padded"
                    " (Beancount inserts the padding after every check); remove it",
                )
            )
    found, carried, rolled = roll_buckets(
        entries, months, opening=opening.month if opening else None, years=list(roll.years)
    )
    previous = FIRST
    if opening is not None:
        previous = opening.previous or FIRST
        computed = opening_digest(
            opening.month, previous, currency, seal_meta(opening.entry), carried
        )
        if computed != opening.digest:
            errors.append(
                _error(
                    opening.entry,
                    f"the opening of {opening.month.next().year} is sealed but what it covers"
                    f" (the opening entries, everything dated up to {opening.month.last})"
                    f" changed (digest {computed[:19]}... instead of {opening.digest[:19]}...);"
                    " restore it from git",
                )
            )
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
    for year, seal in sorted(roll.years.items()):
        december = seals.get(Month(year, 12))
        if december is None or seal.previous != december.digest:
            errors.append(
                _error(
                    seal.entry,
                    f"year {year}'s closing seal follows {str(seal.previous)[:19]}..., not"
                    f" December {year}'s seal; the chain is broken",
                )
            )
            continue
        computed = year_digest(year, december.digest, currency, seal_meta(seal.entry), rolled[year])
        if computed != seal.digest:
            errors.append(
                _error(
                    seal.entry,
                    f"year {year} is closed but what its closing seal covers changed (digest"
                    f" {computed[:19]}... instead of {seal.digest[:19]}...); restore it from git",
                )
            )
    return chain, errors
