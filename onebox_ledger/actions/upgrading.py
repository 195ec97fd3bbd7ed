"""``upgrade``: chain the seals of a ledger written before onebox-seal/2, each checked as it
stands first, in one atomic change of the month files.
"""

from __future__ import annotations

from pathlib import Path

from beancount.core import data

from .. import beans, seals
from ..store import (
    Ledger,
    LedgerError,
    describe_error,
    read_exact,
)
from ..values import Month


def upgrade(ledger: Ledger) -> list[tuple[Month, str, str]]:
    """Chain the seals of a ledger written before onebox-seal/2: (month, old, new digest) each.

    Every seal is first checked as it stands (a seal of the old form with the old
    rule, seals.digest_v1; a chained one with the chain), and nothing is written
    if one does not match. Then each seal gets its ``previous:`` and the chained
    digest, in one atomic change of the month files. Nothing to do: an empty list.
    """
    with ledger.locked():
        ledger.check_exists()
        loaded = ledger.load()
        found, _ = seals.parse(loaded.entries)
        if all(seal.previous is not None for seal in found.values()):
            return []
        others = [e for e in loaded.errors if "old, unchained form" not in str(e.message)]
        if others:
            raise LedgerError(
                f"the ledger has {len(others)} error(s) besides its old seals; fix them first"
                f" (bean-check {ledger.main.name}): {describe_error(others[0])}"
            )
        currency = seals.currency_of(loaded.options)
        months = sorted(found)
        by_month: dict[Month, list[data.Directive]] = {month: [] for month in months}
        for entry in loaded.entries:
            bucket = by_month.get(Month.of(entry.date))
            if bucket is not None:
                bucket.append(entry)
        previous = seals.FIRST
        for month in months:
            seal = found[month]
            if seal.previous is None:
                ok = seals.digest_v1(by_month[month]) == seal.digest
            else:
                meta = seals.seal_meta(seal.entry)
                covered = seals.buckets(loaded.entries, months)[month]
                ok = seals.digest(month, seal.previous, currency, meta, covered) == seal.digest
            if not ok:
                raise LedgerError(
                    f"cannot upgrade: {month}'s seal does not match what it covers; restore the"
                    " month from git first (onebox-ledger verify shows the drift)"
                )
        covered_by = seals.buckets(loaded.entries, months)
        changes: list[tuple[Month, str, str]] = []
        texts: dict[Path, str] = {}
        for month in months:
            seal = found[month]
            meta = {**seals.seal_meta(seal.entry), "previous": previous}
            digest = seals.digest(month, previous, currency, meta, covered_by[month])
            new = beans.format_entry(
                beans.custom(seal.entry.date, seals.SEAL, [str(month), digest], meta)
            )
            path = Path(str(seal.entry.meta["filename"]))
            texts[path] = _replace_seal(texts.get(path) or read_exact(path) or "", seal, new)
            changes.append((month, seal.digest, digest))
            previous = digest
        ledger.write_files(texts)
    return changes


def _replace_seal(text: str, seal: seals.Seal, new: str) -> str:
    """`text` with the seal's directive (its line and indented metadata lines) replaced."""
    lines = text.splitlines(keepends=True)
    start = int(seal.entry.meta["lineno"]) - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip():
        end += 1
    return "".join([*lines[:start], new, *lines[end:]])
