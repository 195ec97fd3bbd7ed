"""A crash at any instant leaves the old or the new ledger, and the next command finishes the job.

Three commands are started as ``python -m onebox_ledger`` subprocesses on
copies of one template ledger and SIGKILLed after a seeded random delay: a third of them anywhere between 0 and
the measured duration of an uninterrupted run, the rest between 80% and 102% of
it, where the writes happen::

    close 2026-01                                   (30 contracts: 60 entries appended, and
                                                     the accounts it opens: one commit)
    receive c07 "150 USD" --date 2026-02-10 --ref BANK-777
    import bank.csv                                 (2 receipts, in 2026-01 and 2026-02:
                                                     two files change, one commit)

After each kill: every file holds exactly its old bytes or exactly its new bytes
(the snapshots of an uninterrupted run on a copy), as one whole (never one file
old and another new), and the ledger loads with zero errors; files that are
neither are only temp files named ``.<name>.*.tmp`` and do not disturb loading.
The one exception is a kill after a multi-file write's commit point (``ledger/.commit``
written, renames not all done: "pending"): then files may be mixed, and loading
reports exactly one error, the pending write. In every case re-running the same
command succeeds (no stuck lock), first finishing a pending write, and leaves
exactly the new bytes with no temp file. The random trials print how often each
outcome occurred and must see both "old" and "new".

A random kill lands inside a write only by chance (the pending state needs a
kill within microseconds), so the same checks also run on kills placed exactly:
``ONEBOX_CRASH_AT`` (see onebox_ledger.store) makes the command SIGKILL itself
at one point of the write path, before the commit point (old ledger), between
the commit point and the last rename (pending: bean-check names it, the next
command finishes it), and after it (new ledger)::

    receive          write:staged (old)   write:renamed (new)
    close, import    commit:staged, write:staged (.commit's own temp file) (old)
                     commit:written, rename:1, rename:2 (pending)   commit:done (new)

(the close opens the accounts it first posts to, so it changes the accounts file and
the month's file: two files, one commit, like an import across two months).

ONEBOX_CRASH_TRIALS (default 50; the benchmark sets 500) is the total number of
random kills, split evenly between the three commands.
"""

from __future__ import annotations

import datetime
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from onebox_ledger import actions
from onebox_ledger.plugins.seal import PENDING_ERROR
from onebox_ledger.store import CRASH_ENV
from onebox_ledger.values import Money

from ._support import START, env_int, load, new_ledger, snapshot, transactions

TRIALS = env_int("ONEBOX_CRASH_TRIALS", 50)
SEED = 20260131
TODAY = "2026-02-15"
TEMP = re.compile(r"\.([^/]+\.beancount|\.commit)\.[^/]+\.tmp")
PENDING = "ledger/.commit"
STATEMENT = """\
Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance
2026-01-25,2026-01-25,BANK-101,Customer 7,INV-2026-01-20-C07,60.00,USD,"1,060.00"
2026-02-02,2026-02-02,BANK-102,Office Rent LLC,Rent February,-500.00,USD,560.00
2026-02-10,2026-02-10,BANK-103,Customer 7,INV-2026-02-03-C07 part,80.00,USD,640.00
"""
CUSTOMERS = 30

COMMANDS = {
    "close": ("close", "2026-01"),
    "receive": ("receive", "c07", "150 USD", "--date", "2026-02-10", "--ref", "BANK-777"),
    "import": ("import", "bank.csv"),
}
CHANGED = {  # the close opens the accounts it first posts to: two files, one commit
    "close": ["ledger/accounts.beancount", "ledger/journal/2026-01.beancount"],
    "receive": ["ledger/journal/2026-02.beancount"],
    "import": ["ledger/journal/2026-01.beancount", "ledger/journal/2026-02.beancount"],
}
ADDED = {"close": 2 * CUSTOMERS, "receive": 1, "import": 2}
RERUN_FIRST_LINE = {
    ("close", "old"): "closed 2026-01: 30 active box(es), cost rate 0.55",
    ("close", "new"): "2026-01 already closed, nothing changed",
    ("receive", "old"): "received 150.00 USD from c07:"
    " 100.00 USD to inv-2026-01-20-c07, 50.00 USD to inv-2026-02-03-c07",
    ("receive", "new"): "ref BANK-777 already recorded; nothing changed",
    ("import", "old"): "line 2  2026-01-25  BANK-101  +60.00 USD  receipt: invoice"
    " inv-2026-01-20-c07 in the text; received 60.00 USD from c07: 60.00 USD to inv-2026-01-20-c07",
    ("import", "new"): "line 2  2026-01-25  BANK-101  +60.00 USD  recorded: already recorded"
    " (receive/BANK-101) ('Customer 7', 'INV-2026-01-20-C07')",
}
RERUN_FIRST_LINE[("import", "pending")] = RERUN_FIRST_LINE[("import", "new")]
RERUN_FIRST_LINE[("close", "pending")] = RERUN_FIRST_LINE[("close", "new")]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ONEBOX_LEDGER"}
    env.update(BEANCOUNT_DISABLE_LOAD_CACHE="1", ONEBOX_TODAY=TODAY, PYTHONDONTWRITEBYTECODE="1")
    return env


def argv(root: Path, name: str) -> list[str]:
    main = str(root / "main.beancount")
    return [sys.executable, "-m", "onebox_ledger", "--ledger", main, *COMMANDS[name]]


def run(root: Path, name: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command to its end (or to its crash point); a stuck lock fails the test by timeout
    instead of hanging it."""
    env = environment() if crash_at is None else {**environment(), CRASH_ENV: crash_at}
    return subprocess.run(
        argv(root, name), env=env, cwd=root, capture_output=True, text=True, timeout=120
    )


# Every test here runs the CLI in subprocesses and kills them: the module takes 30-50 s
# (its kill-at-any-instant test alone 40 s), so all of it is in the slow run (CI's).
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Reference:
    old: dict[str, bytes]
    new: dict[str, bytes]
    seconds: float  # duration of an uninterrupted run


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 customers with a cloud contract each, a sale in January and one in February."""
    root = tmp_path_factory.mktemp("crash-template")
    (root / "bank.csv").write_text(STATEMENT, encoding="utf-8")
    ledger = new_ledger(root)
    for n in range(CUSTOMERS):
        cid = f"c{n:02d}"
        actions.customer_add(ledger, cid, f"Customer {n}", "USD", 30, START)
        actions.contract_add(
            ledger, f"{cid}-cloud", customer=cid, stream="cloud",
            price=Money(Decimal("25.00"), "USD"), quantity=n % 7 + 1, start=START, billing="monthly",
            item="cloud-user", end=None,
        )  # fmt: skip
    for date in (datetime.date(2026, 1, 20), datetime.date(2026, 2, 3)):
        actions.sell(
            ledger, "c07", Money(Decimal("100.00"), "USD"), stream="services", date=date,
            memo="Hours", ref=None,
        )  # fmt: skip
    return root


@pytest.fixture(scope="module")
def references(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Reference]:
    """Each command run to its end on copies of the template: new bytes and a duration."""
    out = {}
    old = snapshot(template)
    for name in COMMANDS:
        times = []
        for n in range(3):
            root = tmp_path_factory.mktemp(f"reference-{name}-{n}")
            shutil.rmtree(root)
            shutil.copytree(template, root)
            started = time.perf_counter()
            result = run(root, name)
            times.append(time.perf_counter() - started)
            assert (result.returncode, result.stderr) == (0, ""), result.stderr
            assert result.stdout.splitlines()[0] == RERUN_FIRST_LINE[(name, "old")]
            new = snapshot(root)
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        assert changed == CHANGED[name]
        out[name] = Reference(old, new, sorted(times)[1])
    return out


def state_after_kill(root: Path, ref: Reference, command: str) -> tuple[str, list[str]]:
    """('old' | 'new' | 'pending', temp files left behind); fails on a mix outside a pending
    commit, or on a foreign file."""
    now = snapshot(root)
    pending = now.pop(PENDING, None)
    temps = sorted(k for k in now if k not in ref.old and k not in ref.new)
    for name in temps:
        assert TEMP.fullmatch(Path(name).name), name
    files = {k: v for k, v in now.items() if k not in temps}
    for name in ref.old.keys() | ref.new.keys():
        assert files.get(name) in (ref.old.get(name), ref.new.get(name)), name
    if pending is not None:
        staged = [line.split("\t") for line in pending.decode().splitlines()]
        assert sorted(target for _, target in staged) == CHANGED[command], pending
        for tmp, target in staged:  # each target is new, or its new bytes wait in `tmp`
            assert files[target] == ref.new[target] or now[tmp] == ref.new[target], target
        return "pending", temps
    if files == ref.old:
        return "old", temps
    assert files == ref.new
    return "new", temps


def test_kill_at_any_instant_leaves_old_or_new_and_the_rerun_finishes(
    template: Path, references: dict[str, Reference], tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    outcomes: Counter[tuple[str, str, bool]] = Counter()
    temps_left = 0
    names = [list(COMMANDS)[n % len(COMMANDS)] for n in range(TRIALS)]
    for trial, name in enumerate(names):
        ref = references[name]
        root = tmp_path / f"trial{trial}"
        shutil.copytree(template, root)
        # A third anywhere in the run, the rest near its end, where the writes are.
        low, high = (0.0, 1.0) if rng.random() < 1 / 3 else (0.8, 1.02)
        delay = rng.uniform(low, high) * ref.seconds
        proc = subprocess.Popen(
            argv(root, name), env=environment(), cwd=root,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        killed = code == -signal.SIGKILL
        assert code in (0, -signal.SIGKILL), (trial, name, code)
        state, temps = state_after_kill(root, ref, name)
        assert state == "new" or killed, (trial, name)
        temps_left += len(temps)
        entries, errors = load(root / "main.beancount")
        if state == "pending":
            assert [e.message for e in errors] == [PENDING_ERROR], (trial, errors)
        else:
            assert errors == [], (trial, name, errors[:1])
            added = ADDED[name] if state == "new" else 0
            assert len(transactions(entries)) == 2 + added, (trial, name)
        outcomes[(name, state, killed)] += 1
        rerun = run(root, name)
        assert (rerun.returncode, rerun.stderr) == (0, ""), (trial, name, rerun.stderr)
        assert rerun.stdout.splitlines()[0] == RERUN_FIRST_LINE[(name, state)], (
            trial,
            rerun.stdout,
        )
        assert snapshot(root) == ref.new, (trial, name)  # no temp file, no pending commit
        assert load(root / "main.beancount")[1] == []
        shutil.rmtree(root)
    assert sum(outcomes.values()) == TRIALS
    assert sum(n for (name, _, _), n in outcomes.items() if name == "close") == (TRIALS + 2) // 3
    states = Counter({"old": 0, "new": 0, "pending": 0})
    for (_, state, _), n in outcomes.items():
        states[state] += n
    kills = sum(n for (_, _, killed), n in outcomes.items() if killed)
    print(
        f"\ncrash trials: {TRIALS} runs, {kills} killed; outcomes old {states['old']},"
        f" new {states['new']}, pending {states['pending']}; temp files left: {temps_left};"
        f" per command: {dict(sorted(outcomes.items()))}"
    )
    assert states["old"] >= 1 and states["new"] >= 1, states  # kills landed before and after


# (command, crash point, the state it leaves, temp files left beside the ledger files)
POINTS = [
    ("close", "commit:staged", "old", 2),
    ("close", "write:staged", "old", 3),  # both staged + .commit's own temp file
    ("close", "commit:written", "pending", 2),
    ("close", "rename:1", "pending", 1),
    ("close", "commit:done", "new", 0),
    ("receive", "write:staged", "old", 1),
    ("receive", "write:renamed", "new", 0),
    ("import", "commit:staged", "old", 2),
    ("import", "write:staged", "old", 3),  # both staged + .commit's own temp file
    ("import", "commit:written", "pending", 2),
    ("import", "rename:1", "pending", 1),
    ("import", "rename:2", "pending", 0),
    ("import", "commit:done", "new", 0),
]


@pytest.mark.parametrize(("name", "point", "expected", "temps_left"), POINTS)
def test_a_kill_at_each_point_of_the_write_leaves_old_pending_or_new(
    template: Path,
    references: dict[str, Reference],
    tmp_path: Path,
    name: str,
    point: str,
    expected: str,
    temps_left: int,
) -> None:
    ref = references[name]
    root = tmp_path / "trial"
    shutil.copytree(template, root)

    crashed = run(root, name, crash_at=point)

    assert crashed.returncode == -signal.SIGKILL, (crashed.returncode, crashed.stderr)
    state, temps = state_after_kill(root, ref, name)
    assert (state, len(temps)) == (expected, temps_left), temps
    entries, errors = load(root / "main.beancount")
    if state == "pending":
        assert [(e.source["filename"], e.message) for e in errors] == [
            (str(root / PENDING), PENDING_ERROR)
        ]
    else:
        assert errors == []
        added = ADDED[name] if state == "new" else 0
        assert len(transactions(entries)) == 2 + added
    rerun = run(root, name)
    assert (rerun.returncode, rerun.stderr) == (0, "")
    assert rerun.stdout.splitlines()[0] == RERUN_FIRST_LINE[(name, state)]
    assert snapshot(root) == ref.new  # finished, no temp file, no pending commit
    assert load(root / "main.beancount")[1] == []
