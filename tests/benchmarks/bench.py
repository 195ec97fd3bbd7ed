"""Benchmarks: the close against Beancount's own checker, measured in the same run.

    .venv/bin/python tests/benchmarks/bench.py                      # 1,000 customers x 60 months
    .venv/bin/python tests/benchmarks/bench.py --customers 200 --months 24 --runs 3
    .venv/bin/python tests/benchmarks/bench.py --robustness          # + the robustness suite, large
    .venv/bin/python tests/benchmarks/bench.py --roll --customers 50 --years 10   # figure 9 only

Every figure is a ratio against a reference measured in this run (medians of
--runs runs, each a fresh process, wall clock), printed with its target. The
closes, verify, verify --quick and the reports with summaries run in rounds: a
bean-check, then each of them once; their figures are the median of the rounds'
ratios, so a machine whose speed drifts over minutes compares like with like.

1. close of the last month / bean-check of the same ledger          target <= 0.05
2. close of month 60 / close of month 2, same customers             target <= 1.2
3. report keep, report receivables, verify / bean-check              target <= 1.25 each
4. peak memory (max RSS) of the close of the last month               target < 200 MB,
   and of month 2, to show it does not grow with the months
5. Fava's OneBox page / Fava's income statement API, both in one    target <= 1.5
   Fava app with the ledger loaded: the first request of each (cold,
   the figure), and the median of two more (warm, shown beside it)
7. documents of a month: `invoice show --month` making (and filing)  target <= 10
   the PDF/A-3 of each of --invoices (100) invoices / the close of
   that month, both on fresh copies of a GmbH's books (VAT, EUR,
   customers in English, German and Ukrainian, two lines each)
8. with the month summaries (issue 23), each / bean-check:        target
   report keep, receivables, payables, mrr with summaries          <= 0.15 each
   verify --quick                                                  <= 0.15
   the same reports with the summaries moved aside                 <= 1.0 each
   full verify (which rewrites them)                               <= 1.0
   close of the last month (which writes its summary)              <= 0.03
9. the year rolled forward (``--roll``, run alone): on --customers x   target
   --years (10: 120 months) with every year but the last rolled
   forward (year close, which writes the month summaries):
   bean-check of the open books' main.beancount / bean-check of  <= 0.15
   the unrolled books; `report keep` over all the years (the
   archives' and the open books' summaries) / the same            <= 0.15
   (the same report with every summary moved aside, loading every
   archive, is printed beside them, and its table compared)
6. import of a --rows statement (100,000) / Beancount's own load     target <= 1.5 dry run,
   (loader.load_file) of a ledger of as many transactions, the                 <= 2.0 import
   statement's rows written as Beancount: `import --dry-run` and
   `import` (on a fresh copy each run) into the demo's last 12
   months with the same customers and 100 rules (add_rules)

Figure 6's statement is onebox-ledger's own CSV, generated from the ledger
(build_statement): a receipt for each open invoice (by invoice id, payer name or
customer id), OneBox's open bill, a bank fee a day, and the rest card purchases
and payouts that are neither, so every row goes through the whole recognition.
Its targets: a dry run loads the ledger (12 months of the demo, about 0.4 of the
reference's entries) and reads and classifies each row, which should cost no
more than Beancount's parsing and booking of one transaction: 1 + 0.4, rounded
up to 1.5. The import adds the write and its validation, one more load of the
ledger with the booked rows: 2.0.

The ledger is the demo's mix (``onebox_ledger.demo``) with every customer
starting in the first month (``ramp=1``), so months 2 and 60 bill the same
customers. Copies of the ledger taken just before the close of month 2 and of
the last month are closed afresh in each run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
LOAD = (
    "import sys; from beancount import loader; loader.initialize(use_cache=False);"
    " entries, errors, _ = loader.load_file(sys.argv[1]); assert not errors, errors[0]"
)
TODAY = "2026-11-27"


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_mb: float


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}"
    )


def timed(args: Sequence[str], cwd: Path | None = None) -> Run:
    """One fresh process: wall seconds and peak resident memory (from wait4's rusage)."""
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1", ONEBOX_TODAY=TODAY)
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(
            f"benchmark command failed ({proc.returncode}): {' '.join(args)}\n{err.decode()}"
        )
    del out
    return Run(seconds, usage.ru_maxrss / 1024)


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs), statistics.median(r.max_rss_mb for r in runs)
    )


def cli(ledger: Path, *args: str) -> list[str]:
    return [str(BIN / "onebox-ledger"), "--ledger", str(ledger), *args]


def close_fresh(snapshot: Path, month: str, runs: int, work: Path) -> Run:
    return median([close_once(snapshot, month, work) for _ in range(runs)])


def close_once(snapshot: Path, month: str, work: Path) -> Run:
    """The close of `month` on a fresh copy of `snapshot`."""
    copy = work / f"close-{month}"
    shutil.copytree(snapshot, copy)
    try:
        return timed(cli(copy / "main.beancount", "close", month))
    finally:
        shutil.rmtree(copy)


@dataclass(frozen=True)
class Round:
    """One round of the commands measured against bean-check: bean-check, then each command
    once, at once after it. The machine's speed drifts over minutes (measured here: bean-check
    of the same books from 44 to 69 s in one hour); a ratio within a round sees the same
    machine, and each figure is the median of the rounds' ratios."""

    check: Run
    commands: dict[str, Run]

    def ratio(self, name: str) -> float:
        return self.commands[name].seconds / self.check.seconds


def median_ratio(rounds: Sequence[Round], name: str) -> float:
    return statistics.median(r.ratio(name) for r in rounds)


def median_of(rounds: Sequence[Round], name: str) -> Run:
    return median([r.commands[name] for r in rounds])


def fava_request(main: Path, path: str) -> None:
    """In this process: Fava with `main` loaded, then GET /<slug>`path` three times; prints
    the seconds of the first (cold) and the median of the other two (warm) as JSON."""
    from fava.application import create_app

    client = create_app([str(main)], load=True, read_only=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        response = client.get(f"/{slug}{path}")
        seconds.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"fava GET {path}: {response.status_code}")
    print(json.dumps({"cold": seconds[0], "warm": statistics.median(seconds[1:])}))


def fava_times(main: Path, path: str, runs: int) -> tuple[float, float]:
    """Medians over `runs` fresh processes of (cold, warm) seconds of GET `path` in Fava."""
    results = []
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1", ONEBOX_TODAY=TODAY)
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--fava-request", path, "--workdir", str(main.parent.parent)],
            env=env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        results.append(json.loads(out.splitlines()[-1]))
    return (
        statistics.median(r["cold"] for r in results),
        statistics.median(r["warm"] for r in results),
    )


def build(root: Path, customers: int, months: int) -> None:
    """Build the ledger and the two snapshots (run in a child process, see main)."""
    from onebox_ledger.demo import build_demo
    from onebox_ledger.values import Month

    first = Month(2026, 10).plus(1 - months)
    second, last = first.next(), first.plus(months - 1)

    def snapshot(month: Month) -> None:
        if month in (second, last):
            target = root.parent / f"before-{month}"
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root, target, ignore=shutil.ignore_patterns(".lock"))

    build_demo(
        root, customers=customers, months=months, seed=1, ramp=1, fast=True,
        before_close=snapshot, documents=False,
    )  # fmt: skip


def build_roll(root: Path, customers: int, years: int) -> None:
    """Figure 9's unrolled books, every month closed (run in a child process, see main)."""
    from onebox_ledger.demo import build_demo

    build_demo(root, customers=customers, months=12 * years, seed=1, ramp=1, fast=True,
               documents=False)  # fmt: skip


def roll(work: Path, customers: int, years: int, runs: int, reuse: bool = False) -> list[str]:
    """Figure 9 (see the module docs): the lines to print. `reuse`: the unrolled books built
    by an earlier run with the same --workdir, --customers and --years (``--build-roll``),
    kept (a build of 1,000 customers x 10 years takes a quarter of an hour)."""
    unrolled, rolled = work / "unrolled", work / "rolled"
    built_with = work / "unrolled.built"
    wanted = f"{customers} {years}"
    reused = reuse and built_with.is_file() and built_with.read_text() == wanted
    for folder in (rolled,) if reused else (unrolled, rolled):
        if folder.exists():
            shutil.rmtree(folder)
    started = time.perf_counter()
    if not reused:
        subprocess.run(
            [sys.executable, __file__, "--build-roll", "--workdir", str(work),
             "--customers", str(customers), "--years", str(years)],
            check=True,
        )  # fmt: skip
    txns = sum(
        p.read_text().count(" * ") for p in (unrolled / "ledger" / "journal").glob("*.beancount")
    )
    built = time.perf_counter() - started
    shutil.copytree(unrolled, rolled)
    first = int(month_label(12 * years - 1)[:4])
    rolls = [
        timed(cli(rolled / "main.beancount", "year", "close", str(year))).seconds
        for year in range(first, 2026)
    ]
    # the open year's summaries, as its closes would have written them (the books were built
    # fast, without): the full verify writes them
    subprocess.run(cli(rolled / "main.beancount", "verify"), capture_output=True, check=True)
    check = median([timed([str(BIN / "bean-check"), str(unrolled / "main.beancount")])
                    for _ in range(runs)])  # fmt: skip
    check_rolled = median([timed([str(BIN / "bean-check"), str(rolled / "main.beancount")])
                           for _ in range(runs)])  # fmt: skip
    keep = median([timed(cli(rolled / "main.beancount", "report", "keep")) for _ in range(runs)])
    table = _output(cli(rolled / "main.beancount", "report", "keep"))
    aside = sorted(rolled.rglob("summaries"))
    for n, folder in enumerate(aside):
        shutil.move(folder, work / f"roll-summaries-aside-{n}")
    loaded = median([timed(cli(rolled / "main.beancount", "report", "keep")) for _ in range(runs)])
    same = _output(cli(rolled / "main.beancount", "report", "keep")) == table
    for n, folder in enumerate(aside):
        shutil.move(work / f"roll-summaries-aside-{n}", folder)
    same = same and _output(cli(unrolled / "main.beancount", "report", "keep")) == table
    open_months = len(list((rolled / "ledger" / "journal").glob("20*.beancount")))
    return [
        f"roll: {customers} customers x {12 * years} months ({month_label(12 * years - 1)}.."
        f"{month_label(0)}), {txns} transactions, "
        f"{'built before (--reuse)' if reused else f'built in {built:.1f} s'}; years {first}..2025"
        f" rolled forward ({len(rolls)} rolls, {sum(rolls):.1f} s; the last {rolls[-1]:.2f} s),"
        f" {open_months} month(s) open; medians of {runs} run(s)",
        f"roll: bean-check unrolled {check.seconds:.2f} s, rolled {check_rolled.seconds:.2f} s;"
        f" report keep with summaries {keep.seconds:.2f} s, loading every archive"
        f" {loaded.seconds:.2f} s; the same table from the unrolled books, with and without"
        f" summaries: {'yes' if same else 'NO'}",
        line("9. bean-check of the rolled books / of the unrolled",
             check_rolled.seconds / check.seconds, "<= 0.15",
             check_rolled.seconds / check.seconds <= 0.15),
        line(f"9. report keep over {years} years, summaries / bean-check",
             keep.seconds / check.seconds, "<= 0.15", keep.seconds / check.seconds <= 0.15),
        line("9. report keep loading every archive / bean-check",
             loaded.seconds / check.seconds, "<= 1.25", loaded.seconds / check.seconds <= 1.25),
    ]  # fmt: skip


def _output(args: Sequence[str]) -> str:
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1", ONEBOX_TODAY=TODAY)
    return subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout


def build_import(work: Path, customers: int, months: int, rows: int) -> None:
    """The ledger a statement is imported into, the statement, and the reference ledger of as
    many transactions (run in the child process, see main)."""
    from onebox_ledger.demo import build_demo

    target = work / "import-ledger"
    if target.exists():
        shutil.rmtree(target)
    build_demo(target, customers=customers, months=min(IMPORT_MONTHS, months), seed=1, fast=True,
               documents=False)  # fmt: skip
    add_rules(target, RULES)
    booked = build_statement(target, work / "statement.csv", rows)
    write_reference(work / "statement.csv", work / "reference.beancount")
    (work / "statement.json").write_text(json.dumps({"rows": rows, "booked": booked}))


SUMMARY_REPORTS = ("keep", "receivables", "payables", "mrr")
RULES = 100  # rules in the ledger an import matches every other row against


def add_rules(root: Path, count: int) -> None:
    """`count` rules for the bank's other rows, dated in the open month, none of which the
    generated rows match: every row that is no customer's, OneBox's or fee is checked against
    all of them (issue 18: the import's figures with 100 rules in the ledger)."""
    terms = root / "ledger" / "terms.beancount"
    text = terms.read_text(encoding="utf-8")
    text += "".join(
        f'\n2026-11-01 custom "onebox-rule" "Vendor {n:03d} GmbH" "Expenses:Vendor-{n:03d}"\n'
        f'  field: "{("text", "counterparty")[n % 2]}"\n  direction: "{("in", "out", "any")[n % 3]}"\n'
        for n in range(count)
    )
    terms.write_text(text, encoding="utf-8")


def write_reference(statement: Path, path: Path) -> None:
    """Beancount's own ledger of the statement: each row a transaction between the bank and an
    income or expense account, with the row's reference as metadata."""
    import csv

    out = [
        'option "operating_currency" "USD"',
        "2026-01-01 open Assets:Bank USD",
        "2026-01-01 open Income:Other USD",
        "2026-01-01 open Expenses:Other USD",
    ]
    with statement.open(encoding="utf-8", newline="") as handle:
        for date, _, ref, counterparty, description, amount, currency, _ in list(
            csv.reader(handle)
        )[1:]:
            other = "Expenses:Other" if amount.startswith("-") else "Income:Other"
            out.append(
                f'{date} * "{counterparty}" "{description}"\n  ref: "{ref}"\n'
                f"  Assets:Bank  {amount} {currency}\n  {other}"
            )
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")


def import_fresh(work: Path, statement: Path, runs: int) -> Run:
    """`import` of the statement, each run on a fresh copy of the ledger."""
    results = []
    for i in range(runs):
        copy = work / f"import-{i}"
        shutil.copytree(work / "import-ledger", copy)
        results.append(timed(cli(copy / "main.beancount", "import", str(statement), *FEES)))
        shutil.rmtree(copy)
    return median(results)


FEES = ("--fees", "Expenses:Bank-Fees")
IMPORT_MONTHS = 12  # the ledger a statement is imported into: the demo's last 12 months
STATEMENT_DAYS = 26  # November 2026 up to the day before TODAY
MERCHANTS = (
    "ROZETKA.UA KYIV", "AWS EMEA", "Google Workspace", "Notion Labs", "Office Rent LLC",
    "Stadtwerke Berlin", "Uber BV", "Hetzner Online GmbH", "Lufthansa", "Slack Technologies",
)  # fmt: skip
PAYERS = ("Stripe Payments", "PayPal Europe", "J. Smith", "Tax refund", "Interest")


def build_statement(root: Path, path: Path, rows: int) -> int:
    """A bank statement of `rows` rows in onebox-ledger's own layout for the ledger in `root`,
    deterministic: one receipt for each open USD invoice (a third by invoice id, a third by
    the payer's name, a third by the customer id in the text), one payment of each open
    OneBox bill, a bank fee each day, and the rest money that is neither (card purchases,
    payouts of other businesses): the rows a partner's bank shows beside its customers.
    Returns the number of rows that import books."""
    from beancount import loader

    from onebox_ledger import planner

    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(root / "main.beancount"))
    assert not errors, errors[0]
    state = planner.State.of(entries, "USD")
    invoices = sorted(
        (i for i in state.invoices.values() if i.open > 0 and i.currency == "USD"),
        key=lambda i: i.id,
    )
    bills = sorted((b for b in state.bills.values() if b.open > 0), key=lambda b: b.id)
    booked: list[tuple[str, str, str]] = []  # (counterparty, description, amount)
    for n, item in enumerate(invoices):
        who = state.book.customers[str(item.customer)]
        described = (f"Invoice {item.id.upper()}", "Payment", f"{who.id} services")[n % 3]
        booked.append((who.name, described, f"{item.open:.2f}"))
    booked += [("ONEBOX INC", f"Partner bill {b.id}", f"-{b.open:.2f}") for b in bills]
    booked += [("", "Monthly service fee", "-12.00")] * min(STATEMENT_DAYS, rows // 100)
    booked = booked[:rows]
    lines = ["Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance"]
    balance = 100000000
    step = max(1, rows // max(1, len(booked)))  # spread the booked rows over the statement
    others = iter(range(rows))
    queue = iter(booked)
    for n in range(rows):
        day = f"2026-11-{1 + n * STATEMENT_DAYS // rows:02d}"
        row = next(queue, None) if n % step == 0 else None
        if row is None:
            k = next(others)
            if k % 4 == 3:
                row = (PAYERS[k % len(PAYERS)], f"Payout {k}", f"{10 + k % 990}.{k % 100:02d}")
            else:
                merchant = MERCHANTS[k % len(MERCHANTS)]
                row = (merchant, f"Card purchase {k}", f"-{1 + k % 250}.{k % 100:02d}")
        balance += round(float(row[2]) * 100)
        counterparty, description, amount = row
        lines.append(
            f'{day},{day},B{n:07d},"{counterparty}","{description}",{amount},USD,'
            f"{balance // 100}.{balance % 100:02d}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(booked)


def month_label(months_before_october_2026: int) -> str:
    index = 2026 * 12 + 9 - months_before_october_2026
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


DOC_MONTH = "2026-10"


def build_documents(work: Path, invoices: int) -> tuple[Path, Path]:
    """A GmbH's books with `invoices` customers, each with two contracts (one prorated) in
    DOC_MONTH: (a copy before its close, a copy after it)."""
    root = work / "docs-ledger"
    if root.exists():
        shutil.rmtree(root)
    main = root / "main.beancount"
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1", ONEBOX_TODAY=TODAY)
    steps = [
        ["init", str(root), "--start", "2026-01-01", "--currency", "EUR"],
        ["partner", "set", "--name", "Muster Cloud GmbH", "--country", "DE", "--vat-id",
         "DE136695976", "--address", "Hauptstr. 1, 10115 Berlin", "--iban",
         "DE89370400440532013000", "--tax", "vat", "--rate", "19", "--date", "2026-01-01"],
        ["terms", "item", "cloud-user", "25 EUR", "--date", "2026-01-01"],
        ["terms", "rate", "1", "0.65", "--date", "2026-01-01"],
        ["terms", "payment", "30", "--date", "2026-01-01"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run(cli(main, *step), env=env, check=True, capture_output=True)
    text = []
    for n in range(invoices):
        language = ("de", "en", "uk")[n % 3]
        where = '  country: "FR"\n  vat-id: "FR40303265045"\n' if n % 5 == 0 else ""
        text.append(
            f'2026-01-01 custom "onebox-customer" "c{n:03d}"\n  name: "Kunde {n} GmbH"\n'
            f'  currency: "EUR"\n  payment: 30\n{where}  address: "Weg {n}, 10115 Berlin"\n'
            f'  language: "{language}"\n\n'
            f'2026-10-01 custom "onebox-contract" "c{n:03d}-cloud"\n  customer: "c{n:03d}"\n'
            f'  stream: "cloud"\n  billing: "monthly"\n  price: 25.00 EUR\n'
            f"  quantity: {1 + n % 9}\n" + '  item: "cloud-user"\n\n'
            f'2026-10-{1 + n % 28:02d} custom "onebox-contract" "c{n:03d}-support"\n'
            f'  customer: "c{n:03d}"\n  stream: "services"\n  billing: "monthly"\n'
            f"  price: 120.00 EUR\n  quantity: 1\n\n"
        )
    with open(root / "ledger" / "customers.beancount", "a", encoding="utf-8") as handle:
        handle.write("\n" + "".join(text))
    before = work / "docs-before-close"
    after = work / "docs-closed"
    for target in (before, after):
        if target.exists():
            shutil.rmtree(target)
    shutil.copytree(root, before, ignore=shutil.ignore_patterns(".lock"))
    subprocess.run(cli(main, "close", DOC_MONTH), env=env, check=True, capture_output=True)
    shutil.copytree(root, after, ignore=shutil.ignore_patterns(".lock"))
    return before, after


def documents_fresh(closed: Path, runs: int, work: Path) -> Run:
    """`invoice show --month` on a fresh copy of the closed books, each run."""
    results = []
    for i in range(runs):
        copy = work / f"documents-{i}"
        shutil.copytree(closed, copy)
        results.append(timed(cli(copy / "main.beancount", "invoice", "show", "--month", DOC_MONTH)))
        shutil.rmtree(copy)
    return median(results)


def line(label: str, value: float, target: str, ok: bool) -> str:
    return f"{label:<58} {value:>8.3f}   target {target:<8} {'met' if ok else 'MISSED'}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000, help="Rows of the statement.")
    parser.add_argument("--invoices", type=int, default=100, help="Invoices of figure 7's month.")
    parser.add_argument("--workdir", type=Path, help="Where to build (default: a temp dir).")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fava-request", help=argparse.SUPPRESS)
    parser.add_argument(
        "--robustness", action="store_true", help="Also run the robustness suite large."
    )
    parser.add_argument("--roll", action="store_true", help="Figure 9 only (the year's roll).")
    parser.add_argument("--years", type=int, default=10, help="Years of figure 9's books.")
    parser.add_argument("--build-roll", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--reuse", action="store_true",
        help="Keep the books an earlier run built in the same --workdir (with --roll: the"
        " unrolled books) instead of building them again.",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.months < 3:
        parser.error("--months must be at least 3")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="onebox-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "ledger"
    if args.build_roll:
        (work / "unrolled.built").unlink(missing_ok=True)
        build_roll(work / "unrolled", args.customers, args.years)
        (work / "unrolled.built").write_text(f"{args.customers} {args.years}")
        return 0
    if args.roll:
        if args.years < 2:
            parser.error("--years must be at least 2")
        print(f"machine: {machine()}")
        print(f"load average before: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
        lines = roll(work, args.customers, args.years, args.runs, args.reuse)
        print("\n".join(lines[:2]))
        print(f"load average after: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
        print("figures:")
        for figure in lines[2:]:
            print("  " + figure)
        if args.workdir is None:
            shutil.rmtree(work)
        return 0
    if args.build_only:
        (work / "ledger.built").unlink(missing_ok=True)
        build(root, args.customers, args.months)
        build_import(work, args.customers, args.months, args.rows)
        (work / "ledger.built").write_text(f"{args.customers} {args.months} {args.rows}")
        return 0
    if args.fava_request:
        fava_request(root / "main.beancount", args.fava_request)
        return 0
    first = month_label(args.months - 1)
    second, last = month_label(args.months - 2), month_label(0)
    snapshots = {m: work / f"before-{m}" for m in (second, last)}
    built_with, wanted = work / "ledger.built", f"{args.customers} {args.months} {args.rows}"
    reused = args.reuse and built_with.is_file() and built_with.read_text() == wanted

    print(f"machine: {machine()}")
    started = time.perf_counter()
    if not reused:
        if root.exists():
            shutil.rmtree(root)
        built_with.unlink(missing_ok=True)
        # built in a child process: a forked child's peak RSS counts its parent's memory until
        # exec, so the measuring process must stay small
        subprocess.run(
            [sys.executable, __file__, "--build-only", "--workdir", str(work),
             "--customers", str(args.customers), "--months", str(args.months),
             "--rows", str(args.rows)],
            check=True,
        )  # fmt: skip
    main_file = root / "main.beancount"
    txns = sum(
        text.count(" * ")
        for text in (p.read_text() for p in (root / "ledger" / "journal").glob("*.beancount"))
    )
    print(
        f"ledger: {args.customers} customers x {args.months} months ({first}..{last}),"
        f" {txns} transactions, "
        + (
            "built before (--reuse)"
            if reused
            else f"built in {time.perf_counter() - started:.1f} s"
        )
        + f"; medians of {args.runs} run(s), wall clock, one fresh process each"
    )

    runs = args.runs
    # the package compiled as an installation has it: with PYTHONDONTWRITEBYTECODE set, an
    # edited module would be compiled again by every process measured
    spec = importlib.util.find_spec("onebox_ledger")
    assert spec is not None and spec.origin is not None
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(spec.origin).parent)],
                   check=True, capture_output=True)  # fmt: skip
    startup = median([timed(cli(main_file, "--help")) for _ in range(runs)])
    # summaries (issue 23): the full verify writes them; each report with them, then without
    for snapshot in snapshots.values():  # the closes measured above continue the summaries
        subprocess.run(cli(snapshot / "main.beancount", "verify"), capture_output=True, check=True)
    rounds: list[Round] = []
    for _ in range(runs):  # bean-check, then each command at once after it (Round)
        reference = timed([str(BIN / "bean-check"), str(main_file)])
        commands = {
            "close last": close_once(snapshots[last], last, work),
            "close second": close_once(snapshots[second], second, work),
            "verify": timed(cli(main_file, "verify")),
            "quick": timed(cli(main_file, "verify", "--quick")),
        }
        for name in SUMMARY_REPORTS:
            commands[name] = timed(cli(main_file, "report", name))
        rounds.append(Round(reference, commands))
    check = median([r.check for r in rounds])
    close_last, close_second = median_of(rounds, "close last"), median_of(rounds, "close second")
    verify, quick = median_of(rounds, "verify"), median_of(rounds, "quick")
    summarised = {name: median_of(rounds, name) for name in SUMMARY_REPORTS}
    shutil.move(root / "ledger" / "summaries", work / "summaries-aside")
    unsummarised: dict[str, Run] = {}
    for name in SUMMARY_REPORTS:
        unsummarised[name] = median([timed(cli(main_file, "report", name)) for _ in range(runs)])
    shutil.move(work / "summaries-aside", root / "ledger" / "summaries")
    keep, receivables = unsummarised["keep"], unsummarised["receivables"]
    income = fava_times(main_file, "/api/income_statement", runs)
    onebox = fava_times(main_file, "/extension/OneBox/", runs)
    statement, made = work / "statement.csv", json.loads((work / "statement.json").read_text())
    load = median([timed([sys.executable, "-c", LOAD, str(work / "reference.beancount")])
                   for _ in range(runs)])  # fmt: skip
    dry = median([timed(cli(work / "import-ledger" / "main.beancount", "import", str(statement),
                            "--dry-run", *FEES)) for _ in range(runs)])  # fmt: skip
    imported = import_fresh(work, statement, runs)
    before_close, closed = build_documents(work, args.invoices)
    doc_close = close_fresh(before_close, DOC_MONTH, runs, work)
    documents = documents_fresh(closed, runs, work)

    print(f"reference: bean-check {check.seconds:.2f} s, {check.max_rss_mb:.0f} MB")
    print(
        f"start-up (onebox-ledger --help, every command's fixed cost): {startup.seconds:.2f} s,"
        f" {startup.seconds / check.seconds:.3f} of bean-check; with summaries: "
        + ", ".join(f"{name} {run.seconds:.2f} s" for name, run in summarised.items())
        + f", verify --quick {quick.seconds:.2f} s"
    )
    print(
        f"close {last}: {close_last.seconds:.3f} s, {close_last.max_rss_mb:.0f} MB;"
        f" close {second}: {close_second.seconds:.3f} s, {close_second.max_rss_mb:.0f} MB"
    )
    print(
        f"report keep {keep.seconds:.2f} s, report receivables {receivables.seconds:.2f} s,"
        f" verify {verify.seconds:.2f} s"
    )
    print(
        f"fava (ledger loaded): OneBox page {onebox[0]:.2f} s cold, {onebox[1]:.3f} s warm;"
        f" income statement API {income[0]:.2f} s cold, {income[1]:.3f} s warm;"
        f" warm ratio {onebox[1] / income[1]:.3f}"
    )
    print(
        f"import: a statement of {made['rows']:,} rows ({made['booked']:,} booked) into the demo's"
        f" last {min(IMPORT_MONTHS, args.months)} months: dry run {dry.seconds:.2f} s,"
        f" {dry.max_rss_mb:.0f} MB; import {imported.seconds:.2f} s, {imported.max_rss_mb:.0f} MB;"
        f" Beancount's load of {made['rows']:,} transactions {load.seconds:.2f} s,"
        f" {load.max_rss_mb:.0f} MB"
    )
    print(
        f"documents: {args.invoices} invoices of {DOC_MONTH} (PDF/A-3, XML, QR code) made and filed"
        f" in {documents.seconds:.2f} s ({documents.seconds / args.invoices * 1000:.0f} ms each),"
        f" {documents.max_rss_mb:.0f} MB; the month's close {doc_close.seconds:.2f} s"
    )
    rows = f"{made['rows']:,}-row statement"
    # each with bean-check in its round (Round), the median of the rounds' ratios
    ratio = {name: median_ratio(rounds, name) for name in rounds[0].commands}
    figures = [
        line("1. close of the last month / bean-check", ratio["close last"],
             "<= 0.05", ratio["close last"] <= 0.05),
        line(f"2. close of month {args.months} / close of month 2",
             close_last.seconds / close_second.seconds, "<= 1.2",
             close_last.seconds / close_second.seconds <= 1.2),
        line("3. report keep / bean-check", keep.seconds / check.seconds, "<= 1.25",
             keep.seconds / check.seconds <= 1.25),
        line("3. report receivables / bean-check", receivables.seconds / check.seconds, "<= 1.25",
             receivables.seconds / check.seconds <= 1.25),
        line("3. verify / bean-check", ratio["verify"], "<= 1.25", ratio["verify"] <= 1.25),
        line("4. peak memory of the close of the last month (MB)", close_last.max_rss_mb,
             "< 200", close_last.max_rss_mb < 200),
        line("4. peak memory, close of month 2 (MB); last / month 2",
             close_last.max_rss_mb / close_second.max_rss_mb, "<= 1.2",
             close_last.max_rss_mb / close_second.max_rss_mb <= 1.2),
        line("5. Fava OneBox page / Fava income statement API (cold)", onebox[0] / income[0],
             "<= 1.5", onebox[0] / income[0] <= 1.5),
        line(f"6. import --dry-run, {rows} / Beancount load", dry.seconds / load.seconds,
             "<= 1.5", dry.seconds / load.seconds <= 1.5),
        line(f"6. import, {rows} / Beancount load", imported.seconds / load.seconds,
             "<= 2.0", imported.seconds / load.seconds <= 2.0),
        line(f"7. documents of {args.invoices} invoices / close of their month",
             documents.seconds / doc_close.seconds, "<= 10",
             documents.seconds / doc_close.seconds <= 10),
    ]  # fmt: skip
    plain = {name: run.seconds / check.seconds for name, run in unsummarised.items()}
    figures += [
        line("8. close of the last month (writes its summary) / bean-check",
             ratio["close last"], "<= 0.03", ratio["close last"] <= 0.03),
        *(line(f"8. report {name}, summaries present / bean-check", ratio[name], "<= 0.15",
               ratio[name] <= 0.15) for name in SUMMARY_REPORTS),
        line("8. verify --quick / bean-check", ratio["quick"], "<= 0.15", ratio["quick"] <= 0.15),
        *(line(f"8. report {name}, no summaries / bean-check", plain[name], "<= 1.0",
               plain[name] <= 1.0) for name in SUMMARY_REPORTS),
        line("8. verify (full; rewrites the summaries) / bean-check",
             ratio["verify"], "<= 1.0", ratio["verify"] <= 1.0),
    ]  # fmt: skip
    print(
        "rounds (bean-check, then each command once; figures 8 take the median of their"
        " ratios): "
        + "; ".join(
            f"bean-check {r.check.seconds:.2f} s, close {r.ratio('close last'):.3f},"
            f" verify {r.ratio('verify'):.3f}"
            for r in rounds
        )
    )
    print("figures:")
    for figure in figures:
        print("  " + figure)

    if args.robustness:
        env = dict(os.environ, ONEBOX_ROBUST_EXAMPLES="2000", ONEBOX_CRASH_TRIALS="500")
        tests = Path(__file__).resolve().parent.parent / "robustness"
        print("robustness suite, benchmark size (2,000 examples, 500 crash trials):", flush=True)
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", str(tests)], env=env)
        if code != 0:
            return code
    if args.workdir is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
