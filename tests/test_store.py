"""Writes that touch two files are one atomic change: a commit point, then renames.

An import whose rows fall in November and December appends to two month files.
``Ledger.commit`` stages both new texts and writes ``ledger/.commit``; a crash
after that point leaves a "pending" write, which bean-check reports and the next
command finishes. These tests build each crash state by hand (the crash trials
in tests/robustness reach them only by chance) and check what bean-check, the
next command and the files show.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import Templates

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
    " received 300.00 USD from acme: 300.00 USD to inv-2026-11-10-acme",
    "line 3  2026-12-05  B-2  +150.00 USD  receipt: invoice inv-2026-12-02-acme in the text;"
    " received 150.00 USD from acme: 150.00 USD to inv-2026-12-02-acme",
    "booked: 2 receipt (in 450.00 USD); listed: none",
    "balance: 0.00 USD opening +450.00 USD booked by the bank = 450.00 USD; the statement's"
    " closing balance is 450.00 USD: reconciled",
    # the books held 0.00 before the statement, as the bank did: its closing balance asserted
    "books: Assets:Bank holds 450.00 USD on 2026-12-06, the statement's closing balance: asserted",
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


# ---------------------------------------------------------------- a .commit we did not write
#
# ``ledger/.commit`` is followed only when every line names a ledger file and, beside it, one
# of our temp files. Each crafted file below must be refused in one line by a read-only
# command, a report and a write alike, with nothing renamed, created or removed anywhere.

PAYLOAD = "2026-12-01 open Assets:Stolen\n"
VICTIM = "the victim's own bytes\n"
TAIL = "; refused, nothing renamed (check ledger/.commit, then delete it)"


@pytest.fixture
def home(fixed_today: None, tmp_path: Path, templates: Templates) -> Path:
    """The seed at tmp_path/home/books, a victim file at tmp_path/victim/important.txt
    (``../../victim/important.txt`` from the ledger's directory)."""
    main = templates.copy("seed", tmp_path / "home" / "books")
    victim = tmp_path / "victim" / "important.txt"
    victim.parent.mkdir()
    victim.write_text(VICTIM, encoding="utf-8")
    return main


def craft(main: Path, commit: str, **files: str) -> None:
    """A crafted ledger/.commit and staged files (by path relative to the ledger)."""
    root = main.parent
    for name, text in files.items():
        (root / name.replace("__", "/")).write_text(text, encoding="utf-8")
    (root / "ledger" / COMMIT).write_text(commit, encoding="utf-8")


STAGED = "ledger/journal/.2026-11.beancount.k3j9x2ab.tmp"
NOV_TARGET = "ledger/journal/2026-11.beancount"

CRAFTED = [
    pytest.param(
        "ledger/.payload\t../../victim/important.txt\n",
        {"ledger__.payload": PAYLOAD},
        "ledger/.commit line 1: '../../victim/important.txt' leads out of the ledger (..)",
        id="dot-dot-target",
    ),
    pytest.param(
        "ledger/journal/../../../victim/.important.txt.abc.tmp\tledger/journal/2026-11.beancount\n",
        {},
        "ledger/.commit line 1: 'ledger/journal/../../../victim/.important.txt.abc.tmp'"
        " leads out of the ledger (..)",
        id="dot-dot-staged",
    ),
    pytest.param(
        "ledger/.payload\t{victim}\n",
        {"ledger__.payload": PAYLOAD},
        "ledger/.commit line 1: '{victim}' is an absolute path",
        id="absolute-target",
    ),
    pytest.param(
        "ledger/.payload\tledger/journal/2026-11.beancount\n",
        {"ledger__.payload": PAYLOAD},
        "ledger/.commit line 1: staged file 'ledger/.payload' is not a temp file of its target"
        " (.2026-11.beancount.*.tmp beside ledger/journal/2026-11.beancount)",
        id="staged-not-a-temp-file",
    ),
    pytest.param(
        "ledger/journal/.2026-12.beancount.abcd1234.tmp\tledger/journal/2026-11.beancount\n",
        {"ledger__journal__.2026-12.beancount.abcd1234.tmp": PAYLOAD},
        "ledger/.commit line 1: staged file 'ledger/journal/.2026-12.beancount.abcd1234.tmp' is"
        " not a temp file of its target (.2026-11.beancount.*.tmp beside"
        " ledger/journal/2026-11.beancount)",
        id="staged-temp-of-another-file",
    ),
    pytest.param(
        "ledger/.notes.txt.abcd1234.tmp\tledger/notes.txt\n",
        {"ledger__.notes.txt.abcd1234.tmp": PAYLOAD},
        "ledger/.commit line 1: target 'ledger/notes.txt' is not a ledger file"
        " (main.beancount, ledger/*.beancount, ledger/journal/*.beancount)",
        id="target-not-a-ledger-file",
    ),
    pytest.param(
        ".config.py.abcd1234.tmp\tconfig.py\n",
        {".config.py.abcd1234.tmp": "import os\n"},
        "ledger/.commit line 1: target 'config.py' is not a ledger file"
        " (main.beancount, ledger/*.beancount, ledger/journal/*.beancount)",
        id="target-python-beside-main",
    ),
    pytest.param(
        f"{STAGED}\n",
        {STAGED.replace("/", "__"): PAYLOAD},
        f"ledger/.commit line 1: '{STAGED}' is not 'staged<TAB>target'",
        id="one-field",
    ),
    pytest.param(
        f"{STAGED}\t{NOV_TARGET}\textra\n",
        {STAGED.replace("/", "__"): PAYLOAD},
        f"ledger/.commit line 1: '{STAGED}\\t{NOV_TARGET}\\textra' is not 'staged<TAB>target'",
        id="three-fields",
    ),
    pytest.param(
        f"{STAGED}\t{NOV_TARGET}",
        {STAGED.replace("/", "__"): PAYLOAD},
        "ledger/.commit is incomplete (no final newline)",
        id="no-final-newline",
    ),
    pytest.param(
        # the first line is exactly what a crash of ours leaves; the second is not
        f"{STAGED}\t{NOV_TARGET}\nledger/.payload\t../../victim/important.txt\n",
        {STAGED.replace("/", "__"): PAYLOAD, "ledger__.payload": PAYLOAD},
        "ledger/.commit line 2: '../../victim/important.txt' leads out of the ledger (..)",
        id="a-valid-line-then-a-bad-one",
    ),
]


@pytest.mark.parametrize(("commit", "files", "message"), CRAFTED)
@pytest.mark.parametrize(
    "command",
    [
        ("verify",),
        ("report", "keep"),
        ("sell", "acme", "10 USD", "--date", "2026-12-03", "--memo", "Fix"),
    ],
    ids=["verify", "report", "sell"],
)
def test_a_crafted_commit_is_refused_and_nothing_is_touched(
    home: Path,
    tmp_path: Path,
    commit: str,
    files: dict[str, str],
    message: str,
    command: tuple[str, ...],
    run: Run,
    refused: Callable[[Result, int], str],
    snapshot: Snapshot,
) -> None:
    victim = tmp_path / "victim" / "important.txt"
    craft(home, commit.format(victim=victim), **files)
    before = snapshot(tmp_path)

    assert refused(run(home, *command), 1) == message.format(victim=victim) + TAIL

    assert snapshot(tmp_path) == before
    assert victim.read_text(encoding="utf-8") == VICTIM


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"\xff\xfe\x00garbage\n", "ledger/.commit is not UTF-8 text", id="binary"),
        pytest.param(b"", "ledger/.commit is empty", id="empty"),
        pytest.param(b"\n", "ledger/.commit is empty", id="one-newline"),
        pytest.param(None, "ledger/.commit is not a regular file", id="a-directory"),
    ],
)
def test_a_commit_file_that_is_not_text_lines_is_refused(
    home: Path,
    tmp_path: Path,
    content: bytes | None,
    message: str,
    run: Run,
    refused: Callable[[Result, int], str],
    snapshot: Snapshot,
) -> None:
    commit = home.parent / "ledger" / COMMIT
    if content is None:
        (commit / "inside").mkdir(parents=True)
    else:
        commit.write_bytes(content)
    staged = home.parent / STAGED
    staged.write_text(PAYLOAD, encoding="utf-8")
    before = snapshot(tmp_path)

    assert refused(run(home, "verify"), 1) == message + TAIL
    assert snapshot(tmp_path) == before
    assert staged.exists()  # not even the strays are removed


def test_a_target_that_is_a_symbolic_link_is_refused(
    home: Path, tmp_path: Path, run: Run, refused: Callable[[Result, int], str], snapshot: Snapshot
) -> None:
    """Renaming over a link would replace the link; the victim would survive, but a crash of
    ours never leaves a link there: refused."""
    victim = tmp_path / "victim" / "important.txt"
    (home.parent / "ledger" / "journal" / "2026-12.beancount").symlink_to(victim)
    staged = "ledger/journal/.2026-12.beancount.abcd1234.tmp"
    craft(
        home,
        f"{staged}\tledger/journal/2026-12.beancount\n",
        **{staged.replace("/", "__"): PAYLOAD},
    )
    before = snapshot(tmp_path)

    assert refused(run(home, "verify"), 1) == (
        "ledger/.commit line 1: target 'ledger/journal/2026-12.beancount' is not a regular file"
        + TAIL
    )
    assert snapshot(tmp_path) == before
    assert (home.parent / "ledger" / "journal" / "2026-12.beancount").is_symlink()


def test_a_staged_file_that_is_a_symbolic_link_is_refused(
    home: Path, tmp_path: Path, run: Run, refused: Callable[[Result, int], str], snapshot: Snapshot
) -> None:
    """Renamed into place, the link would make the month file read (and later replace) the
    victim."""
    victim = tmp_path / "victim" / "important.txt"
    (home.parent / STAGED).symlink_to(victim)
    craft(home, f"{STAGED}\t{NOV_TARGET}\n")
    before = snapshot(tmp_path)

    assert refused(run(home, "report", "keep"), 1) == (
        f"ledger/.commit line 1: staged file '{STAGED}' is not a regular file" + TAIL
    )
    assert snapshot(tmp_path) == before


def test_a_journal_directory_reached_through_a_link_out_of_the_ledger_is_refused(
    home: Path, tmp_path: Path, run: Run, refused: Callable[[Result, int], str], snapshot: Snapshot
) -> None:
    """ledger/journal is a link to a directory outside: a rename there writes outside."""
    journal = home.parent / "ledger" / "journal"
    outside = tmp_path / "victim" / "journal"
    journal.rename(outside)
    journal.symlink_to(outside)
    (outside / ".2026-11.beancount.abcd1234.tmp").write_text(PAYLOAD, encoding="utf-8")
    craft(home, f"{STAGED.replace('k3j9x2ab', 'abcd1234')}\t{NOV_TARGET}\n")
    before = snapshot(tmp_path)

    assert refused(run(home, "verify"), 1) == (
        "ledger/.commit line 1: 'ledger/journal' is reached through a symbolic link" + TAIL
    )
    assert snapshot(tmp_path) == before


def test_a_commit_file_that_is_a_symbolic_link_is_refused(
    home: Path, tmp_path: Path, run: Run, refused: Callable[[Result, int], str], snapshot: Snapshot
) -> None:
    elsewhere = tmp_path / "victim" / "commit"
    elsewhere.write_text(f"{STAGED}\t{NOV_TARGET}\n", encoding="utf-8")
    (home.parent / "ledger" / COMMIT).symlink_to(elsewhere)
    before = snapshot(tmp_path)

    assert refused(run(home, "verify"), 1) == ("ledger/.commit is a symbolic link" + TAIL)
    assert snapshot(tmp_path) == before


def test_a_lock_file_that_is_a_symbolic_link_creates_nothing(
    home: Path, tmp_path: Path, run: Run, refused: Callable[[Result, int], str], snapshot: Snapshot
) -> None:
    lock = home.parent / "ledger" / ".lock"
    lock.unlink()
    lock.symlink_to(tmp_path / "victim" / "created-by-the-lock")
    before = snapshot(tmp_path)

    message = refused(
        run(home, "sell", "acme", "10 USD", "--date", "2026-12-03", "--memo", "Fix"), 1
    )

    assert message == "ledger/.lock is a symbolic link; remove it (the lock is a plain file)"
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "victim" / "created-by-the-lock").exists()


# ---------------------------------------------------------------- a full disk
#
# The file system is the thing faked here, not the ledger: os.write or os.fsync fail with
# ENOSPC or EIO for the temp file of one named target, as a full disk or a failing one
# would make them fail, and every other call goes through.


def failing(monkeypatch: pytest.MonkeyPatch, call: str, target: str, code: int) -> list[str]:
    """Make os.<call> fail with `code` on the temp file of the file named `target`; the
    returned list collects the temp files it failed on."""
    real = getattr(os, call)
    hit: list[str] = []

    def fake(fd: int, *args: Any) -> Any:
        path = os.readlink(f"/proc/self/fd/{fd}")
        name = Path(path).name
        if name.startswith(f".{target}.") and name.endswith(".tmp"):
            hit.append(path)
            raise OSError(code, os.strerror(code))
        return real(fd, *args)

    monkeypatch.setattr(os, call, fake)
    return hit


@pytest.mark.parametrize(
    ("call", "code", "reason"),
    [
        ("write", errno.ENOSPC, "No space left on device"),
        ("fsync", errno.ENOSPC, "No space left on device"),
        ("write", errno.EIO, "Input/output error"),
    ],
)
def test_a_failed_write_names_the_file_and_changes_nothing(
    closed_seed: Path,
    run: Run,
    refused: Callable[[Result, int], str],
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    code: int,
    reason: str,
) -> None:
    before = snapshot(closed_seed.parent)
    hit = failing(monkeypatch, call, "2026-12.beancount", code)

    result = run(closed_seed, "sell", "acme", "10 USD", "--date", "2026-12-03", "--memo", "Fix")

    assert refused(result, 1) == f"{reason}: ledger/journal/2026-12.beancount"
    assert len(hit) == 1
    assert not Path(hit[0]).exists()  # the temp file is gone
    assert snapshot(closed_seed.parent) == before


def test_a_full_disk_while_staging_an_import_leaves_no_commit(
    books: Path,
    run: Run,
    refused: Callable[[Result, int], str],
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second of two month files fails to stage: the first one's temp file is removed,
    no ledger/.commit is written, every file keeps its bytes."""
    before = snapshot(books.parent)
    hit = failing(monkeypatch, "write", "2026-12.beancount", errno.ENOSPC)

    result = run(books, "import", str(books.parent / "bank.csv"))

    assert refused(result, 1) == "No space left on device: ledger/journal/2026-12.beancount"
    assert len(hit) == 1
    assert snapshot(books.parent) == before


def test_a_full_disk_while_writing_the_commit_point_leaves_the_old_ledger(
    books: Path,
    run: Run,
    refused: Callable[[Result, int], str],
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
    bean_check: Check,
) -> None:
    before = snapshot(books.parent)
    hit = failing(monkeypatch, "fsync", COMMIT, errno.ENOSPC)

    result = run(books, "import", str(books.parent / "bank.csv"))

    assert refused(result, 1) == "No space left on device: ledger/.commit"
    assert len(hit) == 1
    assert snapshot(books.parent) == before
    assert bean_check(books) == []


def test_a_full_disk_on_a_new_month_file_creates_nothing(
    seed_ledger: Path,
    run: Run,
    refused: Callable[[Result, int], str],
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(seed_ledger.parent)
    mtime = seed_ledger.stat().st_mtime_ns
    assert not (seed_ledger.parent / NOV).exists()
    failing(monkeypatch, "write", "2026-11.beancount", errno.ENOSPC)

    result = run(seed_ledger, "sell", "acme", "10 USD", "--date", "2026-11-03", "--memo", "Fix")

    assert refused(result, 1) == f"No space left on device: {NOV}"
    assert snapshot(seed_ledger.parent) == before
    assert seed_ledger.stat().st_mtime_ns == mtime  # not bumped: no new file appeared


# ---------------------------------------------------------------- the close's read-back


@pytest.mark.parametrize(
    ("written", "instead"),
    [
        # the same number to Beancount, another text: 125.0 is not the 125.00 generated
        ("Income:Cloud                 -125.00 USD", "Income:Cloud                 -125.0 USD"),
        # a posting's metadata, which no balance shows
        ('  invoice: "inv-2026-11-acme"\n  due', '  invoice: "inv-2026-11-acm"\n  due'),
        ("due: 2026-12-30", "due: 2026-12-31"),
        ('"Acme Realty" "Cloud: 5', '"Acme Realty" "Cloud:  5'),
    ],
)
def test_a_close_whose_text_does_not_read_back_as_generated_writes_nothing(
    seed_ledger: Path,
    run: Run,
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
    written: str,
    instead: str,
) -> None:
    """The close parses the text it appends and compares it, entry by entry, with what it
    generated (seals.canonical for a transaction: every field): a printing fault is refused."""
    from onebox_ledger import beans

    printed = beans.format_entries

    def faulty(entries: Any) -> str:
        text = printed(entries)
        assert written in text
        return text.replace(written, instead, 1)

    monkeypatch.setattr(beans, "format_entries", faulty)
    before = snapshot(seed_ledger.parent)
    result = run(seed_ledger, "close", "2026-11")
    assert result.exit_code == 1
    assert result.stderr == (
        "onebox-ledger: error: refused: the close does not read back as generated (please report)\n"
    )
    assert snapshot(seed_ledger.parent) == before
