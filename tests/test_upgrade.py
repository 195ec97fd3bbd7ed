"""upgrade: a ledger sealed by an older onebox-ledger (seals without a chain) moves to the chain.

The old seal: sha256 over the month's printed transactions and onebox-* directives
(not the seal), sorted, each followed by a NUL; no ``previous:``. Here the old form
is made from a ledger closed by this version, with that rule computed from the
file text alone (not from onebox-ledger's code): upgrading it must give back
exactly the bytes the close wrote.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from conftest import load_errors

MONTHS = ("2026-11", "2026-12")


def _old_digest(main: Path, month: str) -> str:
    """The old rule, from the text of the month's file and of customers.beancount."""
    blocks: list[str] = []
    for path in (main.parent / "ledger" / "journal" / f"{month}.beancount",
                 main.parent / "ledger" / "customers.beancount"):  # fmt: skip
        for block in path.read_text().split("\n\n"):
            block = "\n".join(line for line in block.splitlines() if not line.startswith(";"))
            block = block.strip("\n") + "\n"
            if not block.startswith(month) or 'custom "onebox-close"' in block:
                continue
            if " * " in block.splitlines()[0] or 'custom "onebox-' in block.splitlines()[0]:
                blocks.append(block)
    hasher = hashlib.sha256()
    for block in sorted(blocks):
        hasher.update(block.encode() + b"\x00")
    return "sha256:" + hasher.hexdigest()


def _to_old_form(main: Path) -> dict[str, bytes]:
    """Rewrite every seal in the old form; returns the files' bytes as the close wrote them."""
    written = {
        m: (main.parent / "ledger" / "journal" / f"{m}.beancount").read_bytes() for m in MONTHS
    }
    for month in MONTHS:
        path = main.parent / "ledger" / "journal" / f"{month}.beancount"
        text = re.sub(r'\n  previous: "[^"]*"\n', "\n", path.read_text())
        text = re.sub(
            rf'"onebox-close" "{month}" "sha256:[0-9a-f]+"',
            f'"onebox-close" "{month}" "{_old_digest(main, month)}"',
            text,
        )
        path.write_text(text)
    return written


def test_upgrade_chains_old_seals_back_to_what_the_close_writes(closed_seed, run, ok, refused):
    ok(run(closed_seed, "close", "2026-12", "--force"))
    written = _to_old_form(closed_seed)
    assert [e.message for e in load_errors(closed_seed)] == [
        f"{m} has a seal of the old, unchained form; run 'onebox-ledger upgrade' to check it"
        " and chain the seals"
        for m in MONTHS
    ]
    old = {m: _old_digest(closed_seed, m) for m in MONTHS}
    assert refused(run(closed_seed, "close", "2027-01", "--force"), 1) == (
        "2026-12 has a seal of the old, unchained form; run 'onebox-ledger upgrade' first"
        " (it checks the old seals, then chains them)"
    )

    out = ok(run(closed_seed, "upgrade"))

    journal = closed_seed.parent / "ledger" / "journal"
    assert {m: (journal / f"{m}.beancount").read_bytes() for m in MONTHS} == written
    new = {m: re.findall(r'"onebox-close" "[0-9-]+" "(sha256:[0-9a-f]+)"',
                         (journal / f"{m}.beancount").read_text())[0] for m in MONTHS}  # fmt: skip
    assert out == [
        f"2026-11: {old['2026-11']} -> {new['2026-11']}",
        f"2026-12: {old['2026-12']} -> {new['2026-12']}",
        f"upgraded 2 seal(s); head: 2026-12 {new['2026-12']}",
    ]
    assert load_errors(closed_seed) == []
    assert ok(run(closed_seed, "upgrade")) == ["nothing to upgrade: every seal is chained"]


def test_upgrade_refuses_an_old_seal_that_does_not_match(closed_seed, run, ok, refused, snapshot):
    ok(run(closed_seed, "close", "2026-12", "--force"))
    _to_old_form(closed_seed)
    journal = closed_seed.parent / "ledger" / "journal" / "2026-11.beancount"
    journal.write_text(journal.read_text().replace("Cloud: 5 x 25.00 USD", "Cloud: 5 x 25 USD"))
    before = snapshot(closed_seed.parent)
    assert refused(run(closed_seed, "upgrade"), 1) == (
        "cannot upgrade: 2026-11's seal does not match what it covers; restore the month from"
        " git first (onebox-ledger verify shows the drift)"
    )
    assert snapshot(closed_seed.parent) == before
