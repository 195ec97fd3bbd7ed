"""Rules for the bank rows that are neither a customer's, OneBox's nor a fee. Pure.

A rule is a dated directive (``onebox-ledger rule add`` writes it to
``ledger/terms.beancount``), so a rule has a history like every term::

    2026-11-01 custom "onebox-rule" "office rent" "Expenses:Rent"
      field: "text"                 ; text (counterparty and description) | counterparty
      direction: "out"              ; in | out | any

A row matches a rule when its text holds the pattern, compared casefolded with
runs of whitespace as one space (``Office Rent LLC`` holds ``office rent``),
the row moves money in the rule's direction, and the rule is dated on or
before the day the row is booked. Of the rules a row matches, the latest
dated wins, then the longest pattern (the most specific), then the first
written. A later rule with the same pattern, field and direction replaces an
earlier one from its date on (``rule add "office rent" Expenses:Office
--date 2027-01-01``).

A row booked by a rule moves the money between the bank account and the
rule's account: expenses and taxes for money out (rent, a taxi,
``Єдиний податок`` to ``Liabilities:Tax:Single``), income for money in
(interest), ``Equity:Owner`` for the owner's own money. A rule naming another
bank account of the books books a transfer (importers.bank: one transaction
with both legs, outcome ``transfer``). The accounts onebox-ledger books
itself (receivables, OneBox's, revenue streams, deferred revenue, credit, bad
debt, exchange differences) are refused: a rule would change what they report.

A row no rule matches gets a :func:`suggest`: the account of the booked row
whose words it shares most (at least half of its own), from the rows rules
booked before.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from beancount.core import account as bc_account
from beancount.core import data

from . import beans

RULE = "onebox-rule"
FIELDS = ("text", "counterparty")
DIRECTIONS = ("in", "out", "any")
Field = Literal["text", "counterparty"]
Direction = Literal["in", "out", "any"]
MAX_PATTERN = 200
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{3,}")


class RuleError(ValueError):
    """A rule that cannot be; the message is one line."""


@dataclass(frozen=True)
class Rule:
    """A dated rule: rows whose `field` holds `pattern`, moving money `direction`, go to
    `account`."""

    date: datetime.date
    pattern: str
    account: str
    field: Field = "text"
    direction: Direction = "any"

    @property
    def key(self) -> tuple[str, str, str]:
        return (fold(self.pattern), self.field, self.direction)


def fold(text: str) -> str:
    """Text as rules compare it: NFKC, casefolded, whitespace runs as one space, stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def check_account(account: str) -> str:
    """`account` when a rule may book to it, else RuleError saying why."""
    if not bc_account.is_valid(account):
        raise RuleError(f"{account!r} is not an account name (like Expenses:Rent)")
    what = beans.booked_by_tool(account)
    if what is not None:
        raise RuleError(
            f"{account} is where onebox-ledger books {what}; a rule books to an account of"
            " your own (like Expenses:Rent, Liabilities:Tax:Single, Equity:Owner)"
        )
    return account  # a bank account of the books too: the rule books a transfer to it


def check_pattern(pattern: str) -> str:
    folded = fold(pattern)
    if not folded:
        raise RuleError("the pattern is empty: give the words a row's text holds, like 'rent'")
    if len(folded) > MAX_PATTERN:
        raise RuleError(f"the pattern has more than {MAX_PATTERN} characters")
    if any(ord(char) < 32 for char in pattern):
        raise RuleError("the pattern holds a control character")
    return pattern.strip()


def parse(entry: data.Custom) -> Rule:
    """The rule of an ``onebox-rule`` directive; RuleError (one line) when malformed."""
    values = [value for value, _ in entry.values]
    if len(values) != 2 or not all(isinstance(v, str) for v in values):
        raise RuleError(f'"{RULE}" takes a pattern and an account, like "rent" "Expenses:Rent"')
    pattern, account = check_pattern(values[0]), check_account(values[1])
    meta = entry.meta or {}
    field = meta.get("field", "text")
    direction = meta.get("direction", "any")
    if field not in FIELDS:
        raise RuleError(f"field must be one of {', '.join(FIELDS)}, not {field!r}")
    if direction not in DIRECTIONS:
        raise RuleError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return Rule(entry.date, pattern, account, field, direction)


def parse_rules(entries: Iterable[data.Directive]) -> tuple[list[Rule], list[tuple[Any, str]]]:
    """Every rule of the ledger, oldest first, and (entry, message) for each malformed one."""
    rules: list[Rule] = []
    errors: list[tuple[Any, str]] = []
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == RULE:
            try:
                rules.append(parse(entry))
            except RuleError as err:
                errors.append((entry, str(err)))
    rules.sort(key=lambda r: r.date)
    return rules, errors


def directive(rule: Rule) -> data.Custom:
    """The directive ``rule add`` writes."""
    return beans.custom(
        rule.date,
        RULE,
        [rule.pattern, rule.account],
        {"field": rule.field, "direction": rule.direction},
    )


def in_force(rules: Sequence[Rule], date: datetime.date) -> list[Rule]:
    """The rules in force on `date`: per pattern, field and direction, the latest dated."""
    latest: dict[tuple[str, str, str], Rule] = {}
    for rule in rules:
        if rule.date <= date:
            latest[rule.key] = rule
    return list(latest.values())


def match(
    rules: Sequence[Rule], counterparty: str, description: str, amount: Any, date: datetime.date
) -> Rule | None:
    """The rule that books a row (see the module docstring), or None."""
    return Matcher(rules).match(counterparty, description, amount, date)


class Matcher:
    """:func:`match` for many rows: each pattern folded once, the rules in force found once per
    day (an import of 100,000 rows against 100 rules folds 100 patterns, not 10 million)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.source = rules  # the sequence it was made of (State keeps one per list)
        self.rules = list(rules)
        self._days: dict[datetime.date, tuple[list[tuple[Rule, str, int]], re.Pattern[str]]] = {}

    def _in_force(self, date: datetime.date) -> tuple[list[tuple[Rule, str, int]], re.Pattern[str]]:
        """The rules in force on `date` with their folded patterns, and one regex of all the
        patterns: most rows match none, and one search tells."""
        found = self._days.get(date)
        if found is None:
            listed = [
                (rule, fold(rule.pattern), index)
                for index, rule in enumerate(in_force(self.rules, date))
            ]
            any_pattern = re.compile("|".join(re.escape(p) for _, p, _ in listed) or "(?!)")
            found = self._days[date] = (listed, any_pattern)
        return found

    def match(
        self, counterparty: str, description: str, amount: Any, date: datetime.date
    ) -> Rule | None:
        if not self.rules:
            return None
        listed, any_pattern = self._in_force(date)
        text = fold(f"{counterparty} {description}")
        if any_pattern.search(text) is None:  # the counterparty is part of the text
            return None
        way = "in" if amount > 0 else "out"
        texts = {"text": text, "counterparty": fold(counterparty)}
        found = [
            (rule.date, len(pattern), -index, rule)
            for rule, pattern, index in listed
            if rule.direction in ("any", way) and pattern in texts[rule.field]
        ]
        return max(found, key=lambda f: f[:3])[3] if found else None


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(text)))


def suggest(history: Sequence[tuple[str, str]], text: str) -> str | None:
    """The account of the booked text (`history`: text, account) that shares the most words
    with `text`, when it shares at least half of `text`'s words; else None."""
    if not history:
        return None
    mine = words(text)
    if not mine:
        return None
    best: tuple[int, str] | None = None
    for other, account in history:
        shared = len(mine & words(other))
        if shared * 2 >= len(mine) and (best is None or shared > best[0]):
            best = (shared, account)
    return best[1] if best else None


def suggested_pattern(counterparty: str, description: str) -> tuple[str, Field]:
    """What ``rule add`` would match a row by: its counterparty, else its description."""
    if counterparty.strip():
        return " ".join(counterparty.split())[:60], "counterparty"
    return " ".join(description.split())[:60], "text"
