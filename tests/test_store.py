"""Writes that touch two files are one atomic change: a commit point, then renames.

An import whose rows fall in November and December appends to two month files.
``Ledger.commit`` stages both new texts and writes ``ledger/.commit``; a crash
after that point leaves a "pending" write, which bean-check reports and the next
command finishes. These tests build each crash state by hand (the crash trials
in tests/robustness reach them only by chance) and check what bean-check, the
next command and the files show.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from onebox_ledger.plugins.seal import PENDING_ERROR
from onebox_ledger.store import COMMIT, Ledger

Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Snapshot = Callable[[Path], dict[str, bytes]]
Check = Callable[[Path], list[Any]]

NOV = "ledger/journal/2026-11.beancount"
DEC = "ledger/journal/2026-12.beancount"
STATEMENT = """\
Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance
2026-11-20,2026-11-20,B-1,Acme Realty,inv-2026-11-10-acme,300.00,USD,300.00
2026-12-05,2026-12-05,B-2,Acme Realty,inv-2026-12-02-acme,150.00,USD,450.00
"""
IMPORTED = [
    "line 2  2026-11-20  B-1  +300.00 USD  receipt: invoice inv-2026-11-10-acme in the text;"
    " received 300.00 USD from acme: 300.00 to inv-2026-11-10-acme",
    "line 3  2026-12-05  B-2  +150.00 USD  receipt: invoice inv-2026-12-02-acme in the text;"
    " received 150.00 USD from acme: 150.00 to inv-2026-12-02-acme",
    "booked: 2 receipt (in 450.00 USD); listed: none",
    "balance: 0.00 opening +450.00 booked by the bank = 450.00; the statement's closing balance"
    " is 450.00: reconciled",
]


@pytest.fixture
def books(seed_ledger: Path, run: Run, ok: Ok) -> Path:
    """The seed with a sale on 2026-11-10 and one on 2026-12-02, and the statement beside it."""
    for date, amount in (("2026-11-10", "300 USD"), ("2026-12-02", "400 USD")):
        ok(run(seed_ledger, "sell", "acme", amount, "--stream", "services", "--date", date,
               "--memo", "Hours"))  # fmt: skip
    (seed_ledger.parent / "bank.csv").write_text(STATEMENT, encoding="utf-8")
    return seed_ledger


@pytest.fixture
def imported(books: Path, tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot) -> dict[str, bytes]:
    """The files after an uninterrupted import, run on a copy of `books`."""
    copy = tmp_path / "copy"
    shutil.copytree(books.parent, copy)
    assert ok(run(copy / "main.beancount", "import", str(copy / "bank.csv"))) == IMPORTED
    return snapshot(copy)


def test_an_import_across_two_months_writes_both_files_and_nothing_else(
    books: Path, imported: dict[str, bytes], run: Run, ok: Ok, snapshot: Snapshot, bean_check: Check
) -> None:
    before = snapshot(books.parent)
    changed = sorted(k for k in before if before[k] != imported[k])
    assert changed == [NOV, DEC]
    assert set(imported) == set(before)  # no .commit, no temp file left behind
    assert (
        imported[NOV]
        .decode()
        .endswith(
            '\n2026-11-20 * "Acme Realty" "Payment received"\n'
            '  id: "receive/B-1"\n'
            '  customer: "acme"\n'
            "  amount: 300.00 USD\n"
            '  ref: "B-1"\n'
            "  Assets:Bank                   300.00 USD\n"
            "  Assets:Receivable:Acme       -300.00 USD\n"
            '    invoice: "inv-2026-11-10-acme"\n'
        )
    )
    assert ok(run(books, "import", str(books.parent / "bank.csv"))) == IMPORTED
    assert snapshot(books.parent) == imported
    assert bean_check(books) == []


def pending(books: Path, imported: dict[str, bytes], renamed: int) -> None:
    """The state a kill leaves after the commit point, with `renamed` files already in place."""
    ledger = Ledger(books)
    root = books.parent
    with ledger.locked():
        ledger.commit({root / name: imported[name].decode() for name in (NOV, DEC)})
    lines = (root / "ledger" / COMMIT).read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines] == [NOV, DEC]
    for line in lines[:renamed]:
        staged, target = line.split("\t")
        os.replace(root / staged, root / target)


@pytest.mark.parametrize("renamed", [0, 1, 2])
def test_a_pending_write_is_an_error_until_the_next_command_finishes_it(
    books: Path,
    imported: dict[str, bytes],
    renamed: int,
    run: Run,
    ok: Ok,
    snapshot: Snapshot,
    bean_check: Check,
) -> None:
    pending(books, imported, renamed)
    files = snapshot(books.parent)
    assert [files[name] == imported[name] for name in (NOV, DEC)] == [
        renamed >= 1,
        renamed >= 2,
    ]
    errors = bean_check(books)
    assert [(e.source["filename"], e.message) for e in errors] == [
        (str(books.parent / "ledger" / COMMIT), PENDING_ERROR)
    ]
    assert ok(run(books, "verify")) == [
        "verify: 0 sealed month(s) (none), 0 generated entries re-derived, 0 finding(s), no drift"
    ]
    assert snapshot(books.parent) == imported
    assert bean_check(books) == []


def test_bean_check_names_the_pending_write(books: Path, imported: dict[str, bytes]) -> None:
    pending(books, imported, renamed=1)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(books)],
        capture_output=True, text=True, env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"},
    )  # fmt: skip
    assert result.returncode == 1
    assert f"{books.parent / 'ledger' / COMMIT}:0: {PENDING_ERROR}" in result.stderr + result.stdout


def test_every_command_finishes_a_pending_write_before_its_own(
    books: Path, imported: dict[str, bytes], run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    pending(books, imported, renamed=1)
    # without the pending receipt of 2026-12-05, inv-2026-12-02-acme would show 400.00 open
    assert ok(run(books, "report", "receivables", "--format", "csv")) == [
        "customer,invoice,date,due,currency,open,days_past_due,bucket",
        "acme,inv-2026-12-02-acme,2026-12-02,2027-01-01,USD,250.00,0,current",
        "",
        "customer,current,1-30,31-60,61-90,90+,credit,total",
        "acme,250.00,0.00,0.00,0.00,0.00,0.00,250.00",
        "total,250.00,0.00,0.00,0.00,0.00,0.00,250.00",
    ]
    assert snapshot(books.parent) == imported


def test_a_crash_before_the_commit_point_leaves_the_old_ledger(
    books: Path, run: Run, ok: Ok, snapshot: Snapshot, bean_check: Check
) -> None:
    before = snapshot(books.parent)
    root = books.parent
    strays = [".2026-11.beancount.a1b2c3.tmp", ".2026-12.beancount.d4e5f6.tmp"]
    for name in strays:  # half-staged texts: garbage that must not load
        (root / "ledger" / "journal" / name).write_text('2026-11-01 * "half', encoding="utf-8")
    (root / "ledger" / f".{COMMIT}.g7h8i9.tmp").write_text("ledger/x\tledger/y", encoding="utf-8")
    assert bean_check(books) == []
    ok(run(books, "sell", "acme", "10 USD", "--stream", "services", "--date", "2026-12-03",
           "--memo", "Fix"))  # fmt: skip
    after = snapshot(root)
    assert sorted(k for k in after if after[k] != before.get(k)) == [DEC]
    assert not [k for k in after if k.endswith(".tmp")]
