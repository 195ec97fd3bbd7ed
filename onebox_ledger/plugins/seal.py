"""Sealed months stay sealed: any change, addition or deletion inside one is an error.

The close of a month ends with a seal whose digest covers every transaction
and every onebox-* directive (contracts, changes, ends, usage, terms) dated in
that month, in any file (beans.digest: sorted printed entries, file names and
line numbers left out)::

    2026-11-30 custom "onebox-close" "2026-11" "sha256:9f2c..."

Edit, add or delete a transaction dated in November 2026 in any file and
bean-check reports::

    ledger/journal/2026-11.beancount:88: 2026-11 is sealed but its transactions changed
    (digest sha256:41a0... instead of sha256:9f2c...); restore them from git or re-open the month

A month missing between two sealed months (its file deleted) is an error too,
and so is a write that a crash interrupted after its commit point (the
ledger's ``ledger/.commit`` exists; see onebox_ledger.store): the files may
hold part of it until the next onebox-ledger command finishes it::

    ledger/.commit:0: an interrupted onebox-ledger write is not finished (some files may hold
    part of it); run onebox-ledger verify to finish it

Entries pass through unchanged.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from beancount.core import data

from onebox_ledger import beans
from onebox_ledger.model import ModelError, parse_seals
from onebox_ledger.store import Ledger
from onebox_ledger.values import Month

__plugins__ = ("validate_seals",)

PENDING_ERROR = (
    "an interrupted onebox-ledger write is not finished (some files may hold part of it);"
    " run onebox-ledger verify to finish it"
)


def validate_seals(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[ModelError]]:
    del config
    seals, errors = parse_seals(entries)
    errors.extend(_pending_write(options_map))
    if not seals:
        return entries, errors
    by_month: dict[Month, list[data.Directive]] = {month: [] for month in seals}
    for entry in entries:
        if beans.sealed_by(entry):
            bucket = by_month.get(Month(entry.date.year, entry.date.month))
            if bucket is not None:
                bucket.append(entry)
    ordered = sorted(seals)
    for before, after in itertools.pairwise(ordered):
        if after != before.next():
            seal = seals[after]
            errors.append(
                ModelError(
                    seal.entry.meta,
                    f"{before.next()} has no seal although {before} and {after} are sealed"
                    " (was its journal file deleted?); restore it from git",
                    seal.entry,
                )
            )
    for month, seal in sorted(seals.items(), key=lambda kv: kv[0]):
        found = beans.digest(by_month[month])
        if found != seal.digest:
            errors.append(
                ModelError(
                    seal.entry.meta,
                    f"{month} is sealed but its entries changed (digest {found[:19]}..."
                    f" instead of {seal.digest[:19]}...); restore them from git or re-open the month",
                    seal.entry,
                )
            )
    return entries, errors


def _pending_write(options_map: dict[str, Any]) -> list[ModelError]:
    commit = Ledger(Path(options_map.get("filename") or "main.beancount")).commit_path
    if not commit.exists():
        return []
    return [ModelError(data.new_metadata(str(commit), 0), PENDING_ERROR, None)]
