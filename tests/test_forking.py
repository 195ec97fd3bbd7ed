"""verify's work split across the cores (store.forking): the same findings, diffs and
summaries as one process gives, the parts really run in forked children, and a child's
error reaches the parent."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from beancount.parser import parser
from click.testing import Result

from onebox_ledger import store
from onebox_ledger.actions import verification
from onebox_ledger.store import Ledger, forking

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def no_other_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads other tests left in this worker (Fava's watchers) would keep run_forked from
    forking: these tests see none, but the one that starts its own."""
    monkeypatch.setattr(forking, "threads", lambda: 1)


def _pid() -> int:
    return os.getpid()


def _boom() -> int:
    raise ValueError("month 2026-03 has no rate")


def test_the_tasks_run_in_forked_children_and_come_back_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forking, "cores", lambda: 2)
    here = os.getpid()
    first, second, third = forking.run_forked([_pid, _pid, lambda: 7 * 6])
    assert first == here
    assert second != here  # a child's
    assert third == 42  # a closure: not pickled, the child inherits it
    assert forking._TASKS == []  # nothing kept after the run


def test_one_core_runs_them_here_one_after_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "cores", lambda: 1)
    assert forking.run_forked([_pid, _pid]) == [os.getpid(), os.getpid()]


def test_a_process_running_other_threads_does_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "cores", lambda: 2)
    monkeypatch.setattr(forking, "threads", threading.active_count)
    before = threading.active_count()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert threading.active_count() == before + 1
        assert forking.run_forked([_pid, _pid]) == [os.getpid(), os.getpid()]
    finally:
        stop.set()
        other.join()


def _niceness() -> int:
    return os.nice(0)


def test_first_first_lowers_the_childrens_priority_not_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first task keeps this process's priority; each child lowers its own by
    forking.YIELDING, and this process's priority is what it was after the run."""
    monkeypatch.setattr(forking, "cores", lambda: 2)
    here = os.nice(0)
    assert forking.run_forked([_niceness, _niceness, _niceness], first_first=True) == [
        here, here + forking.YIELDING, here + forking.YIELDING,
    ]  # fmt: skip
    assert forking.run_forked([_niceness, _niceness]) == [here, here]
    assert os.nice(0) == here


def test_a_childs_error_is_raised_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking, "cores", lambda: 2)
    with pytest.raises(ValueError, match=r"^month 2026-03 has no rate$"):
        forking.run_forked([_pid, _boom])


def test_a_child_killed_has_the_tasks_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that dies (the system's out-of-memory killer, say) leaves no result: the tasks
    run again in this process, and the run still answers."""
    monkeypatch.setattr(forking, "cores", lambda: 2)
    here = os.getpid()

    def dies_in_a_child() -> int:
        if os.getpid() != here:
            os._exit(9)
        return 7

    assert forking.run_forked([_pid, dies_in_a_child]) == [here, 7]
    assert forking._TASKS == []


def _verify(
    demo: Path, run: Run, monkeypatch: pytest.MonkeyPatch, cores: int
) -> tuple[str, dict[str, bytes]]:
    monkeypatch.setattr(forking, "cores", lambda: cores)
    monkeypatch.setattr(verification, "cores", lambda: cores)  # how many parts
    main = demo  # the demo fixture: the copy's main file
    summaries = demo.parent / "ledger" / "summaries"
    for path in summaries.glob("*.json"):
        path.unlink()
    result = run(main, "verify")
    return result.stdout, {p.name: p.read_bytes() for p in sorted(summaries.glob("*.json"))}


def test_verify_in_parts_gives_what_one_process_gives(
    demo: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, written_alone = _verify(demo, run, monkeypatch, 1)
    children: list[int] = []  # the children each verify forked
    real = forking.run_forked

    def counted(tasks: Sequence[Callable[[], object]], **options: bool) -> list[object]:
        results = real([*tasks, os.getpid], **options)
        children.append(sum(1 for pid in results[-1:] if pid != os.getpid()))
        return results[:-1]

    monkeypatch.setattr(verification, "run_forked", counted)
    split, written_split = _verify(demo, run, monkeypatch, 2)
    assert children == [1]  # the parts and the summaries ran beside a forked child
    assert split == alone
    assert alone.splitlines()[-1] == (
        "verify: 10 sealed month(s) (2026-01..2026-10), 216 generated entries re-derived,"
        " 9 commission(s) re-derived, 9 document(s) checked, 0 finding(s), no drift"
    )
    assert written_split == written_alone
    assert sorted(written_alone) == [f"2026-{n:02d}.json" for n in range(1, 11)]


def test_a_drift_in_either_part_is_found_as_in_one_process(
    demo: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """January is in the first part (re-derived here), September in the second (a child's):
    both edited invoices are found, in month order, as one process finds them."""
    journal = demo.parent / "ledger" / "journal"
    for month, amount in (("2026-01", "125.00"), ("2026-09", "200.00")):
        path = journal / f"{month}.beancount"
        text = path.read_text()
        assert text.count(f"Income:Cloud                        -{amount} USD") >= 1
        path.write_text(text.replace(f"Receivable:Acme-Realty        {amount} USD",
                                     f"Receivable:Acme-Realty        {amount[:-1]}1 USD", 1)
                            .replace(f"Income:Cloud                        -{amount} USD",
                                     f"Income:Cloud                        -{amount[:-1]}1 USD",
                                     1))  # fmt: skip
    alone, _ = _verify(demo, run, monkeypatch, 1)
    split, written = _verify(demo, run, monkeypatch, 2)
    assert split == alone
    assert written == {}  # findings: no summary written
    removed = [line for line in alone.splitlines() if line.startswith("-  Income:Cloud")]
    assert removed == [
        "-  Income:Cloud                        -125.01 USD",
        "-  Income:Cloud                        -200.01 USD",
    ]
    assert alone.splitlines()[-1].endswith(" DRIFT")


def _without_tolerances(entries: list[Any]) -> list[Any]:
    return [
        e._replace(meta={k: v for k, v in e.meta.items() if not k.startswith("__")})
        if isinstance(e, data.Transaction)
        else e
        for e in entries
    ]


def test_verify_reads_the_parsed_entries_when_booking_leaves_them_as_they_are(
    demo: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Booking leaves complete transactions without costs, one weight currency each, as
    parsed (but a ``__tolerances__`` note): verify then re-derives from the parsed entries
    while Beancount books them beside it; a transaction booking would complete makes it
    book first, with the same report."""
    ledger = Ledger(demo)
    parsed = ledger.load_parsed()
    assert store.books_as_parsed(parsed)
    done = store.booked(parsed)
    assert done.errors == []
    assert _without_tolerances(done.entries) == parsed.entries
    assert all("__tolerances__" in e.meta for e in done.entries if isinstance(e, data.Transaction))
    first, _ = _verify(demo, run, monkeypatch, 2)
    november = demo.parent / "ledger" / "journal" / "2026-11.beancount"
    november.write_text(
        november.read_text() + '\n2026-11-20 * "Office" "Paper"\n'
        "  Expenses:FX-Losses       12.50 USD\n  Assets:Bank\n"
    )  # the bank's amount left for Beancount to fill in
    assert not store.books_as_parsed(ledger.load_parsed())
    second, _ = _verify(demo, run, monkeypatch, 2)
    assert (
        second.splitlines()[-1]
        == first.splitlines()[-1]
        == (
            "verify: 10 sealed month(s) (2026-01..2026-10), 216 generated entries re-derived,"
            " 9 commission(s) re-derived, 9 document(s) checked, 0 finding(s), no drift"
        )
    )


@pytest.mark.parametrize(
    ("text", "as_parsed"),
    [
        ("  Assets:Bank  10.00 USD\n  Income:Services  -10.00 USD\n", True),
        ("  Assets:Wise:EUR  10.00 EUR @ 1.10 USD\n  Income:Services  -11.00 USD\n", True),
        ("  Assets:Bank  10.00 USD\n  Income:Services\n", False),  # an amount to interpolate
        ("  Assets:Shares  1 ACME {10.00 USD}\n  Assets:Bank  -10.00 USD\n", False),  # a lot
        # two weight currencies: booking groups the postings by currency, reordering them
        ("  Assets:Wise:EUR  5.00 EUR\n  Assets:Bank  3.00 USD\n  Assets:Cash:EUR  -5.00 EUR\n"
         "  Income:Services  -3.00 USD\n", False),
    ],
)  # fmt: skip
def test_what_booking_leaves_as_parsed(text: str, as_parsed: bool) -> None:
    entries, errors, options = parser.parse_string(f'2026-01-05 * "Sale"\n{text}')
    assert errors == []
    parsed = store.Loaded(list(entries), [], options)
    assert store.books_as_parsed(parsed) is as_parsed
    if as_parsed:
        assert _without_tolerances(store.booked(parsed).entries) == parsed.entries
