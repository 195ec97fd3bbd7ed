"""Sealed months stay sealed: any change, addition or deletion a seal covers is an error.

Each close ends with a seal whose digest covers everything that can change a
number dated in its month (the first seal: in or before it), in any file, and
the previous seal's digest (onebox_ledger.seals)::

    2026-11-30 custom "onebox-close" "2026-11" "sha256:9f2c..."
      boxes: 12
      rate: 0.60
      previous: "sha256:41a0..."

Edit, add or delete a transaction, price, pad, open or onebox-* directive dated
in November 2026 in any file and bean-check reports::

    ledger/journal/2026-11.beancount:88: 2026-11 is sealed but what its seal covers changed
    (digest sha256:41a0... instead of sha256:9f2c...); restore it from git or re-open the month

A month missing between two sealed months, a broken chain, a ``pad`` dated in
or before a sealed month (Beancount inserts its padding after every plugin, so
no plugin could see it) are errors too, and so is a write that a crash
interrupted after its commit point (the ledger's ``ledger/.commit`` exists; see
onebox_ledger.store): the files may hold part of it until the next onebox-ledger
command finishes it::

    ledger/.commit:0: an interrupted onebox-ledger write is not finished (some files may hold
    part of it); run onebox-ledger verify to finish it

It also reports every line of any loaded file that the books do not allow
(onebox_ledger.integrity: an ``include``, ``option`` or ``plugin`` outside the
allowlist, a ``fava-option`` or commodity ``precision`` that changes what Fava
shows, a loaded file that is none of the books' own).

This plugin reports what bean-check and Fava can see; ``onebox-ledger verify``
checks the same seals itself, whatever the plugin lines of main.beancount say.
Entries pass through unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from beancount.core import data

from onebox_ledger import integrity, seals
from onebox_ledger.store import Ledger

__plugins__ = ("validate_seals",)

PENDING_ERROR = (
    "an interrupted onebox-ledger write is not finished (some files may hold part of it);"
    " run onebox-ledger verify to finish it"
)


def validate_seals(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[seals.Finding]]:
    del config
    _, errors = seals.findings(entries, seals.currency_of(options_map))
    errors.extend(integrity.findings(entries, options_map))
    errors.extend(pending_write(options_map))
    return entries, errors


def pending_write(options_map: dict[str, Any]) -> list[seals.Finding]:
    commit = Ledger(Path(options_map.get("filename") or "main.beancount")).commit_path
    if not commit.exists():
        return []
    return [seals.Finding(data.new_metadata(str(commit), 0), PENDING_ERROR, None)]
