"""Month summaries: the reports give the same table with them, without them and with a stale
one; a byte changed in any input makes a summary unusable; verify --quick checks the chain and
every file against them."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from beancount.parser import parser
from conftest import Seal, copy_demo, invoke

from onebox_ledger import reports, summaries
from onebox_ledger.demo import build_demo
from onebox_ledger.model import parse_book
from onebox_ledger.render import render
from onebox_ledger.store import Ledger
from onebox_ledger.store.loading import Files, Reader
from onebox_ledger.values import Month

REPORTS = [
    ("report", "keep"),
    ("report", "keep", "--by", "customer"),
    ("report", "keep", "--by", "contract", "--from", "2026-03-15", "--to", "2026-08-10"),
    ("report", "keep", "--from", "2026-02-01", "--to", "2026-09-30", "--format", "json"),
    ("report", "keep", "--from", "2026-11-01"),
    ("report", "receivables"),
    ("report", "receivables", "--as-of", "2026-06-10"),
    ("report", "receivables", "--as-of", "2026-01-15"),
    ("report", "payables"),
    ("report", "payables", "--as-of", "2026-07-31"),
    ("report", "mrr"),
    ("report", "mrr", "--as-of", "2026-04-20"),
    ("report", "dunning"),
    ("report", "dunning", "--as-of", "2026-08-20", "--format", "json"),
]


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def demo(tmp_path: Path, fixed_today: None) -> Path:
    """A copy of the shipped demo, its summaries written by verify."""
    main = copy_demo(tmp_path / "demo")
    assert invoke(main, "verify").exit_code == 0
    return main


def outputs(main: Path) -> list[str]:
    results = [invoke(main, *args) for args in REPORTS]
    assert [r.exit_code for r in results] == [0] * len(REPORTS)
    return [r.output for r in results]


def test_verify_writes_one_summary_per_sealed_month(demo: Path, demo_head: Seal) -> None:
    folder = demo.parent / "ledger" / "summaries"
    assert sorted(p.name for p in folder.iterdir()) == [f"2026-{m:02d}.json" for m in range(1, 11)]
    history = Ledger(demo).history()
    assert history is not None
    assert [str(s.month) for s in history.summaries] == [f"2026-{m:02d}" for m in range(1, 11)]
    last = history.summaries[-1]
    assert sorted(last.inputs) == [
        "ledger/accounts.beancount", "ledger/customers.beancount", "ledger/journal/2026-10.beancount",
        "ledger/journal/opening.beancount", "ledger/prices.beancount", "ledger/terms.beancount",
        "main.beancount",
    ]  # fmt: skip
    assert last.seal == demo_head.digest
    assert last.previous == history.summaries[-2].key


def test_reports_are_the_same_with_summaries_without_and_stale(demo: Path) -> None:
    with_summaries = outputs(demo)
    keep = [line.split() for line in with_summaries[0].splitlines()]
    assert ["total", "22968.87", "8511.65", "14457.22", "62.9"] in keep
    assert keep[-2] == ["kept", "after", "commission", "and", "bad", "debt", "22968.87",
                        "8511.65", "14053.22", "61.2"]  # fmt: skip
    assert with_summaries[5].splitlines()[-2].split() == [
        "total",
        "0.00",
        "2491.00",
        "504.00",
        "504.00",
        "0.00",
        "0.00",
        "3499.00",
    ]
    assert "inv-2026-10-25-granite-law" in with_summaries[5]
    prices = demo.parent / "ledger" / "prices.beancount"
    entry = b"2026-06-01 price EUR 1.10 USD"
    prices.write_bytes(prices.read_bytes().replace(entry, entry + b" "))  # dated in June
    assert Ledger(demo).history() is None  # June's summary and every later one: stale
    assert outputs(demo) == with_summaries
    shutil.rmtree(demo.parent / "ledger" / "summaries")
    assert Ledger(demo).history() is None
    assert outputs(demo) == with_summaries


def without_summaries(main: Path) -> list[str]:
    """Every report from the whole ledger (the summaries moved aside, then put back)."""
    folder, aside = main.parent / "ledger" / "summaries", main.parent / "summaries-aside"
    folder.rename(aside)
    try:
        assert Ledger(main).history() is None
        return outputs(main)
    finally:
        aside.rename(folder)


def inputs_of(main: Path) -> Iterator[Path]:
    history = Ledger(main).history()
    assert history is not None
    names = {name for s in history.summaries for name in s.inputs}
    yield from (main.parent / name for name in sorted(names))


def test_one_byte_changed_in_any_input_makes_the_summaries_unusable(demo: Path) -> None:
    before = outputs(demo)
    paths = list(inputs_of(demo))
    assert len(paths) == 16  # 6 files every summary reads + the 10 month files
    for path in paths:
        original = path.read_bytes()
        at = original.index(b";") + 1  # a comment's byte: the ledger stays valid
        path.write_bytes(original[:at] + b"!" + original[at + 1 :])
        assert Ledger(demo).history() is None, path
        quick = invoke(demo, "verify", "--quick")
        assert quick.exit_code == 1
        name = str(path.relative_to(demo.parent))
        assert f"error: {name}: changed since 20" in quick.output
        assert outputs(demo) == before  # recomputed from the whole ledger
        path.write_bytes(original)
    assert Ledger(demo).history() is not None


# An entry dated in or before the last sealed month of each file that is not a month file
# (the demo's opening.beancount holds none), with the month whose summary it first reaches.
DATED: dict[str, tuple[bytes, str] | None] = {
    "main.beancount": (b'2026-01-01 custom "fava-extension" "onebox_ledger.fava_ext"', "2026-01"),
    "ledger/accounts.beancount": (b"2026-01-01 commodity USD", "2026-01"),
    "ledger/customers.beancount": (b'2026-08-16 custom "onebox-change" "granite-law-cloud"',
                                   "2026-08"),
    "ledger/journal/opening.beancount": None,
    "ledger/prices.beancount": (b"2026-09-01 price EUR 1.12 USD", "2026-09"),
    "ledger/terms.beancount": (b'2026-01-01 custom "onebox-rate" 50 0.55', "2026-01"),
}  # fmt: skip


def test_a_byte_of_an_entry_dated_in_or_before_a_month_stales_it_one_after_does_not(
    demo: Path,
) -> None:
    """Each file that is not a month file: one byte added to an entry dated in or before a
    sealed month makes that month's summary stale (and the reports load the whole ledger); an
    entry appended, dated after the last sealed month, leaves every summary in use. The reports
    equal those of the whole ledger to the cent either way."""
    before = outputs(demo)
    assert sorted(DATED) == sorted(str(p.relative_to(demo.parent)) for p in inputs_of(demo)
                                   if "/20" not in str(p))  # fmt: skip
    for name, dated in DATED.items():
        path = demo.parent / name
        original = path.read_bytes()
        if dated is not None:
            entry, month = dated
            assert original.count(entry) == 1, name
            path.write_bytes(original.replace(entry, entry + b" "))  # one byte, still valid
            assert Ledger(demo).history() is None, name
            quick = invoke(demo, "verify", "--quick")
            assert quick.exit_code == 1
            assert f"error: {name}: changed since {month} was summarised" in quick.output, name
            assert outputs(demo) == before
        # appended after the last sealed month (October): a rate for the open month
        path.write_bytes(original + b"\n2026-11-20 price EUR 1.30 USD\n")
        history = Ledger(demo).history()
        assert history is not None and len(history.summaries) == 10, name
        assert invoke(demo, "verify", "--quick").exit_code == 0
        fast = outputs(demo)
        assert fast == without_summaries(demo), name
        assert "note: rate EUR->USD 1.30 of 2026-11-20\n" in fast[5]  # receivables
        assert "119.60 USD at the rate of 2026-12-15" in fast[5]
        path.write_bytes(original)
    assert outputs(demo) == before


def test_through_drops_only_the_entries_dated_after() -> None:
    text = (
        b'; rates\noption "title" "x"\n\n2026-10-01 price EUR 1.08 USD\n\n'
        b"2026-11-20 price EUR 1.30 USD\n\n2026-10-31 price EUR 1.09 USD  \n"
    )
    assert summaries.through(text, d("2026-10-31")) == (
        b'; rates\noption "title" "x"\n2026-10-01 price EUR 1.08 USD\n'
        b"2026-10-31 price EUR 1.09 USD  "
    )
    assert summaries.through(text, d("2026-11-30")) == (
        b'; rates\noption "title" "x"\n2026-10-01 price EUR 1.08 USD\n'
        b"2026-11-20 price EUR 1.30 USD\n2026-10-31 price EUR 1.09 USD  "
    )
    # a string opened in an entry runs into what looks like a later one: kept
    spanning = b'2026-10-05 * "two\n2026-12-01 lines"\n  Assets:Bank  1 USD\n'
    assert summaries.through(spanning, d("2026-10-31")) == spanning.rstrip(b"\n")
    assert summaries.through(b"2026-12-01 open Assets:Cash\n", d("2026-10-31")) == b""


def test_a_tampered_summary_is_refused(demo: Path) -> None:
    path = demo.parent / "ledger" / "summaries" / "2026-06.json"
    header, _, body = path.read_bytes().partition(b"\n")
    assert b'"USD"' in body
    path.write_bytes(header + b"\n" + body.replace(b'"USD"', b'"EUR"', 1))
    assert Ledger(demo).history() is None
    quick = invoke(demo, "verify", "--quick")
    assert quick.exit_code == 1
    assert (
        "error: ledger/summaries/2026-06.json: its body does not hash to the digest in its header"
        in quick.output
    )


def test_verify_quick_passes_on_the_demo(demo: Path, demo_head: Seal) -> None:
    result = invoke(demo, "verify", "--quick")
    assert result.exit_code == 0
    assert result.output == (
        f"head: 2026-10 {demo_head.digest}\n"
        "verify --quick: 10 sealed month(s) (2026-01..2026-10) against their summaries, 0"
        " finding(s); nothing re-derived (onebox-ledger verify does)\n"
    )


def test_verify_quick_names_a_tampered_month(demo: Path) -> None:
    path = demo.parent / "ledger" / "journal" / "2026-05.beancount"
    path.write_bytes(path.read_bytes().replace(b"504.00 USD", b"504.01 USD", 1))
    result = invoke(demo, "verify", "--quick")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "error: ledger/journal/2026-05.beancount: changed since 2026-05 was summarised (its"
        " SHA-256 is not the one ledger/summaries/2026-05.json records); run onebox-ledger verify"
    )
    assert result.output.splitlines()[-1].startswith("verify --quick: 10 sealed month(s)")
    assert "1 finding(s)" in result.output
    # the reports no longer trust the summaries: the whole ledger is loaded, and refused
    refused = invoke(demo, "report", "keep")
    assert refused.exit_code == 1
    assert "2026-05" in refused.output


def test_verify_quick_names_a_month_without_summary(demo: Path) -> None:
    (demo.parent / "ledger" / "summaries" / "2026-09.json").unlink()
    result = invoke(demo, "verify", "--quick")
    assert result.exit_code == 1
    assert (
        "error: ledger/summaries/2026-09.json: no summary of 2026-09 (run onebox-ledger verify)"
        in result.output
    )
    # the reports use the summaries up to 2026-08 and parse the months after
    history = Ledger(demo).history()
    assert history is not None and str(history.summaries[-1].month) == "2026-08"


def test_verify_quick_with_head(demo: Path, demo_head: Seal) -> None:
    old = demo_head.digest
    assert invoke(demo, "verify", "--quick", "--head", old).exit_code == 0
    wrong = invoke(demo, "verify", "--quick", "--head", "sha256:" + "0" * 64)
    assert wrong.exit_code == 1
    assert (
        f"head sha256:{'0' * 64} is not in the chain (its newest seal is 2026-10 {old})"
        in wrong.output
    )


def test_the_close_writes_its_month_summary(demo: Path) -> None:
    for contract in ("fjord-marine-data", "juniper-schools-data"):
        assert invoke(demo, "usage", contract, "1500", "--month", "2026-11").exit_code == 0
    result = invoke(demo, "close", "2026-11")
    assert result.exit_code == 0, result.output
    history = Ledger(demo).history()
    assert history is not None
    assert str(history.summaries[-1].month) == "2026-11"
    with_close = outputs(demo)
    shutil.rmtree(demo.parent / "ledger" / "summaries")
    assert outputs(demo) == with_close


def test_the_close_writes_its_summary_when_a_sum_needs_a_rate(demo: Path) -> None:
    """A foreign income posting in November: its keep needs November's rate, which the prices
    dated on or before November's end give (and key)."""
    assert invoke(demo, "price", "EUR", "1.30 USD", "--date", "2026-11-20").exit_code == 0
    journal = demo.parent / "ledger" / "journal" / "2026-11.beancount"
    journal.write_text(
        journal.read_text() + '\n2026-11-25 * "Berlin Immo" "Workshop, paid in cash"\n'
        "  Assets:Bank                 13.00 USD\n"
        "  Income:Services            -10.00 EUR @ 1.30 USD\n"
    )
    for contract in ("fjord-marine-data", "juniper-schools-data"):
        assert invoke(demo, "usage", contract, "1500", "--month", "2026-11").exit_code == 0
    assert invoke(demo, "close", "2026-11").exit_code == 0
    history = Ledger(demo).history()
    assert history is not None and str(history.summaries[-1].month) == "2026-11"
    assert history.summaries[-1].rates == {("EUR", d("2026-11-20")): Decimal("1.30")}
    keep = invoke(demo, "report", "keep", "--from", "2026-11-01").output
    assert keep.splitlines()[-3:-1] == [
        "total     2218.05      1189.78  1028.27      46.4",
        "note: rate EUR->USD 1.30 of 2026-11-20",
    ]
    with_close = outputs(demo)
    assert with_close == without_summaries(demo)
    prices = demo.parent / "ledger" / "prices.beancount"
    prices.write_bytes(prices.read_bytes() + b"\n2026-12-01 price EUR 1.40 USD\n")
    assert len(Ledger(demo).history().summaries) == 11  # type: ignore[union-attr]
    entry = b"2026-11-20 price EUR 1.30 USD"
    prices.write_bytes(prices.read_bytes().replace(entry, entry + b" "))
    assert Ledger(demo).history() is None  # November's rate changed: its summary is stale
    assert invoke(demo, "report", "keep", "--from", "2026-11-01").output == keep


def tables(main: Path, history: summaries.History | None) -> list[str]:
    """Every report at several dates, from the summaries (`history`) or the whole ledger."""
    ledger = Ledger(main)
    cur = ledger.operating_currency()
    entries = ledger.load_valid().entries if history is None else []
    book = parse_book(entries)[0]
    out = []
    for start, end in [(None, None), ("2025-09-10", "2026-03-31"), ("2026-01-01", "2026-02-20")]:
        s, e = (d(start) if start else None), (d(end) if end else None)
        for by in ("stream", "customer", "contract"):
            table = (
                reports.keep(entries, cur, start=s, end=e, by=by)
                if history is None
                else summaries.keep(history, start=s, end=e, by=by)
            )
            out.append(render(table, "json"))
    for day in ("2025-10-31", "2026-01-17", "2026-03-31", "2026-04-02", "2026-12-15"):
        as_of = d(day)
        if history is None:
            built = [
                reports.receivables(entries, cur, as_of=as_of),
                reports.payables(entries, cur, as_of=as_of),
                reports.mrr(book, entries, cur, as_of=as_of),
            ]
        else:
            built = [
                summaries.receivables(history, as_of=as_of),
                summaries.payables(history, as_of=as_of),
                summaries.mrr(history, as_of=as_of),
            ]
        out.extend(render(t, "json") for t in built)
    return out


@pytest.mark.slow
def test_a_generated_multi_currency_ledger_gives_the_same_reports(
    tmp_path: Path, fixed_today: None
) -> None:
    ledger = build_demo(tmp_path / "big", customers=24, months=8, seed=3, fast=True)
    main = ledger.main
    assert b" EUR" in (tmp_path / "big" / "ledger" / "journal" / "2026-10.beancount").read_bytes()
    assert invoke(main, "verify").exit_code == 0
    history = Ledger(main).history()
    assert history is not None and len(history.summaries) == 8
    assert history.summaries[0].month == Month(2026, 3)
    fast = tables(main, history)
    assert fast == tables(main, None)
    assert any(" EUR" in t for t in fast)


def close_november(main: Path, *, usage: bool = True) -> str:
    """November's usage (unless given already) and close on a copy of the demo; the month
    file's text."""
    for contract in ("fjord-marine-data", "juniper-schools-data") if usage else ():
        assert invoke(main, "usage", contract, "1500", "--month", "2026-11").exit_code == 0
    result = invoke(main, "close", "2026-11")
    assert result.exit_code == 0, result.output
    return (main.parent / "ledger" / "journal" / "2026-11.beancount").read_text()


def revaluation(text: str) -> list[str]:
    """The postings and their metadata of the close's revaluation entry."""
    start = text.index('id: "close/2026-11/fx/revalue"')
    return [line.strip() for line in text[start : text.index("\n\n", start)].splitlines()][2:]


def test_the_close_reads_history_from_the_summary_before_never_from_a_stale_one(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close's month end needs every foreign item and deferred revenue of history: it
    reads their sums from October's summary and parses only October's and November's files,
    with the same entries as a result as when it reads every file; when an earlier month's
    file changed (the chain of summaries no longer holds) it reads every file."""
    searched: list[Path] = []
    every = Reader.month_end_entries

    def month_end_entries(self: Reader, files: Files) -> list[Any]:
        searched.append(self.main)
        return every(self, files)

    monkeypatch.setattr(Reader, "month_end_entries", month_end_entries)
    whole = copy_demo(tmp_path / "whole")  # no summaries: every file read
    from_summary = close_november(demo)
    assert searched == []
    assert close_november(whole) == from_summary
    assert searched == [whole.resolve()]
    # 828 EUR in the bank at 904.36 USD booked, at October's closing rate 1.08: 894.24
    assert revaluation(from_summary) == [
        "Assets:FX-Revaluation:Bank        -10.12 USD",
        'revalued: "Assets:Wise:EUR 828.00 EUR: 904.36 USD booked, 894.24 USD at 1.08 USD of'
        ' 2026-10-01"',
        "Income:FX-Unrealized               10.12 USD",
    ]
    # the close's summary keeps the sums as on November 1st: verify writes the same bytes
    november = demo.parent / "ledger" / "summaries" / "2026-11.json"
    written = november.read_bytes()
    assert b'["month_end",{"since":"2026-11-01"' in written
    assert invoke(demo, "verify").exit_code == 0
    assert november.read_bytes() == written

    # March's receipt into the bank booked at 1.21 USD (not 1.11), the receivable it settles
    # at 1.15 (not 1.05): 92 x 0.10 = 9.20 USD more in the bank's booked value
    tampered, untouched = copy_demo(tmp_path / "tampered"), copy_demo(tmp_path / "untouched")
    assert invoke(tampered, "verify").exit_code == 0
    for main in (tampered, untouched):
        for contract in ("fjord-marine-data", "juniper-schools-data"):
            assert invoke(main, "usage", contract, "1500", "--month", "2026-11").exit_code == 0
    march = tampered.parent / "ledger" / "journal" / "2026-03.beancount"
    old = "92.00 EUR @ 1.11 USD\n  Assets:Receivable:Berlin-Immo        -92.00 EUR @ 1.05 USD"
    text = march.read_text()
    assert text.count(old) == 1
    march.write_text(text.replace(old, old.replace("1.11", "1.21").replace("1.05", "1.15")))
    shutil.copyfile(march, untouched.parent / "ledger" / "journal" / "2026-03.beancount")
    searched.clear()
    changed = close_november(tampered, usage=False)
    assert searched == [tampered.resolve()]  # October's summary is stale: not used
    assert changed == close_november(untouched, usage=False)
    # and 184 EUR still open at 189.52 USD booked (198.72 before): 9.20 USD the other way
    assert revaluation(changed) == [
        "Assets:FX-Revaluation:Bank              -19.32 USD",
        'revalued: "Assets:Wise:EUR 828.00 EUR: 913.56 USD booked, 894.24 USD at 1.08 USD of'
        ' 2026-10-01"',
        "Assets:FX-Revaluation:Receivable          9.20 USD",
        'revalued: "184.00 EUR: 189.52 USD booked, 198.72 USD at 1.08 USD of 2026-10-01"',
        "Income:FX-Unrealized                     10.12 USD",
    ]


@pytest.mark.parametrize(
    ("month", "used"),
    [("2026-10", False), ("2026-05", True)],
    ids=["the month before's: not used", "an earlier month's: the month before's still used"],
)
def test_a_summary_body_edited_is_never_read_by_the_close(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, month: str, used: bool
) -> None:
    """The close reads one summary's body, the month before's, checked against the SHA-256
    its header records; of the earlier ones it reads the headers, which chain the keys. A
    byte changed in October's body: the close reads every file; in May's (a part the close
    does not read): October's summary is still used. The month file is the same either way."""
    searched: list[Path] = []
    every = Reader.month_end_entries

    def month_end_entries(self: Reader, files: Files) -> list[Any]:
        searched.append(self.main)
        return every(self, files)

    expected = close_november(copy_demo(tmp_path / "whole"))
    monkeypatch.setattr(Reader, "month_end_entries", month_end_entries)
    summary = demo.parent / "ledger" / "summaries" / f"{month}.json"
    text = summary.read_bytes()
    assert text.count(b'"settled",[') == 1
    summary.write_bytes(text.replace(b'"settled",[', b'"settled", [', 1))  # valid JSON still
    assert Ledger(demo).history() is None  # the reports check every body: not used
    assert close_november(demo) == expected
    assert searched == ([] if used else [demo.resolve()])


def test_what_the_close_remembers_of_its_month_file_is_what_the_file_parses_to(
    demo: Path,
) -> None:
    """The close parses only the text it appends (the file's old entries it parsed before,
    the new ones numbered from the line they start on) and remembers the result for its
    summary: entry for entry what Beancount reads from the file, lines included; the seal
    before is read from its directive alone, whatever else the file holds."""
    from onebox_ledger import actions, seals

    ledger = Ledger(demo)
    for contract in ("fjord-marine-data", "juniper-schools-data"):
        assert invoke(demo, "usage", contract, "1500", "--month", "2026-11").exit_code == 0
    actions.close(ledger, Month(2026, 11), today=d("2026-12-15"), dry_run=False, force=False)
    path = ledger.month_path(Month(2026, 11))
    remembered = ledger.remembered(path)
    assert remembered is not None
    entries, _, _ = parser.parse_file(str(path))

    def shown(found: list[Any]) -> list[tuple[str, int, str]]:
        return [(e.meta["filename"], e.meta["lineno"], seals.canonical(e)) for e in found]

    assert shown(remembered[0]) == shown(entries)
    lines = path.read_text().splitlines()
    sealed = [e for e in remembered[0] if isinstance(e, data.Custom) and e.type == "onebox-close"]
    assert [e.meta["lineno"] for e in sealed] == [
        n for n, line in enumerate(lines, 1) if line.startswith('2026-11-30 custom "onebox-close"')
    ]
    october = ledger.month_path(Month(2026, 10))
    seal = ledger.seal_entries(october, Month(2026, 10))
    assert [seals.canonical(e) for e in seal] == [
        seals.canonical(e) for e in parser.parse_file(str(october))[0]
        if isinstance(e, data.Custom) and e.type == "onebox-close"
    ]  # fmt: skip
    # a seal directive written by hand in another spacing: the whole file is parsed
    text = october.read_text()
    october.write_text(
        text.replace('custom "onebox-close" "2026-10"', 'custom  "onebox-close" "2026-10"')
    )
    assert len(ledger.seal_entries(october, Month(2026, 10))) == len(
        parser.parse_file(str(october))[0]
    )
    assert (
        seals.parse(ledger.seal_entries(october, Month(2026, 10)))[0][Month(2026, 10)].digest
        == seals.parse(seal)[0][Month(2026, 10)].digest
    )


def test_dunning_reads_the_summaries_not_the_books(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every summary true to its files, the invoices to chase come from the open items
    the summary of the month before keeps and the transactions after it: the books are not
    loaded, and the list is the one the whole books give (the summaries moved aside)."""
    args = ("report", "dunning", "--as-of", "2026-12-15", "--format", "csv")
    whole = without_summaries_of(demo, args)
    assert whole.splitlines() == [
        "invoice,customer,due,days_past_due,level,currency,open",
        "inv-2026-08-harbor-clinic,harbor-clinic,2026-09-30,76,3,USD,504.00",
        "inv-2026-09-harbor-clinic,harbor-clinic,2026-10-30,46,3,USD,504.00",
        "inv-2026-10-25-granite-law,granite-law,2026-11-24,21,2,USD,950.00",
        "inv-2026-10-acme-realty,acme-realty,2026-11-30,15,1,USD,200.00",
        "inv-2026-10-berlin-immo,berlin-immo,2026-11-30,15,1,EUR,92.00",
        "inv-2026-10-casa-verde,casa-verde,2026-11-30,15,1,USD,158.71",
        "inv-2026-10-fjord-marine,fjord-marine,2026-11-30,15,1,USD,66.95",
        "inv-2026-10-harbor-clinic,harbor-clinic,2026-11-30,15,1,USD,504.00",
        "inv-2026-10-iris-travel,iris-travel,2026-11-30,15,1,USD,192.00",
        "inv-2026-10-juniper-schools,juniper-schools,2026-11-30,15,1,USD,319.98",
    ]

    def no_load(self: Ledger) -> None:
        raise AssertionError("the books were loaded")

    monkeypatch.setattr(Ledger, "load_valid", no_load)
    result = invoke(demo, *args)
    assert result.exit_code == 0, result.output
    assert result.output == whole


def without_summaries_of(main: Path, args: tuple[str, ...]) -> str:
    folder, aside = main.parent / "ledger" / "summaries", main.parent / "summaries-aside"
    folder.rename(aside)
    try:
        result = invoke(main, *args)
        assert result.exit_code == 0, result.output
        return result.output
    finally:
        aside.rename(folder)
