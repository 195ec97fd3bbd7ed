"""The onebox-* custom directives must parse: every malformed one is an error with file and line.

    2026-02-01 custom "onebox-contract" "acme-cloud"
      customer: "acme"
      stream: "clowd"

bean-check reports::

    ledger/customers.beancount:12: stream must be one of cloud, data, product, services, not 'clowd'

It also refuses two generated or recorded entries with the same ``id:``.
Entries pass through unchanged.
"""

from __future__ import annotations

from typing import Any

from beancount.core import data

from onebox_ledger import beans, disputes
from onebox_ledger.agents import parse_agents
from onebox_ledger.model import ModelError, error, parse_book
from onebox_ledger.rules import parse_rules

__plugins__ = ("validate_directives",)


def validate_directives(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[ModelError]]:
    del options_map, config
    book, errors = parse_book(entries)
    errors.extend(parse_agents(entries, book)[1])
    errors.extend(error(entry, message) for entry, message in parse_rules(entries)[1])
    errors.extend(error(entry, message) for entry, message in disputes.malformed(entries))
    seen: set[str] = set()
    for entry in entries:
        entry_id = beans.entry_id(entry)
        if entry_id is None:
            continue
        if entry_id in seen:
            errors.append(error(entry, f"duplicate id {entry_id!r}"))
        seen.add(entry_id)
    return entries, errors
