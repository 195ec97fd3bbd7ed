"""A row's reference: the bank's transaction id, numbered where the file repeats it, else one
made from the row's own fields, so overlapping statements give a row the same reference::

    row-<YYYYMMDD>-<first 12 hex digits of sha256(date, time, amount, currency,
                   counterparty, description, own account)>[-<n>]

``row-20261102-5c1f0e8a2b9d``, and ``row-20261102-5c1f0e8a2b9d-2`` for an identical row of the
same day. Every reader gives its rows these (the CSV layouts, camt.053, MT940).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from ...values import InputError, parse_ref
from .rows import Row, StatementError


def _referenced(name: str, rows: Sequence[Row]) -> list[Row]:
    """Rows (oldest first) with unique references: see the statements package's docstring."""
    out: list[Row] = []
    bank: dict[str, int] = {}
    made: dict[str, int] = {}
    for row in rows:
        if row.ref_from_bank:
            count = bank[row.ref] = bank.get(row.ref, 0) + 1
            if count == 1:
                out.append(row)
                continue
            try:
                out.append(replace(row, ref=parse_ref(f"{row.ref}.{count}")))
            except InputError as err:
                raise StatementError(
                    f"{name}: line {row.line}: repeated reference: {err}"
                ) from None
            continue
        material = "\x1f".join(
            (
                row.date.isoformat(),
                row.time.isoformat() if row.time else "",
                f"{row.amount:.2f}",
                row.currency,
                " ".join(row.counterparty.casefold().split()),
                " ".join(row.description.casefold().split()),
                row.account,
            )
        )
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:12]
        ref = f"row-{row.date:%Y%m%d}-{digest}"
        count = made[ref] = made.get(ref, 0) + 1
        out.append(replace(row, ref=ref if count == 1 else f"{ref}-{count}"))
    return out
