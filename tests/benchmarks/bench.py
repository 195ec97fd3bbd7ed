"""Benchmarks: the close against Beancount's own checker, measured in the same run.

    .venv/bin/python tests/benchmarks/bench.py                      # 1,000 customers x 60 months
    .venv/bin/python tests/benchmarks/bench.py --customers 200 --months 24 --runs 3
    .venv/bin/python tests/benchmarks/bench.py --robustness          # + the robustness suite, large

Every figure is a ratio against a reference measured in this run (medians of
--runs runs, each a fresh process, wall clock), printed with its target:

1. close of the last month / bean-check of the same ledger          target <= 0.05
2. close of month 60 / close of month 2, same customers             target <= 1.2
3. report keep, report receivables, verify / bean-check              target <= 1.25 each
4. peak memory (max RSS) of the close of the last month               target < 200 MB,
   and of month 2, to show it does not grow with the months
5. Fava's OneBox page / Fava's income statement API, both in one    target <= 1.5
   Fava app with the ledger loaded: the first request of each (cold,
   the figure), and the median of two more (warm, shown beside it)

The ledger is the demo's mix (``onebox_ledger.demo``) with every customer
starting in the first month (``ramp=1``), so months 2 and 60 bill the same
customers. Copies of the ledger taken just before the close of month 2 and of
the last month are closed afresh in each run.
"""

from __future__ import annotations

import argparse
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
    results = []
    for i in range(runs):
        copy = work / f"close-{month}-{i}"
        shutil.copytree(snapshot, copy)
        results.append(timed(cli(copy / "main.beancount", "close", month)))
        shutil.rmtree(copy)
    return median(results)


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
        before_close=snapshot,
    )  # fmt: skip


def month_label(months_before_october_2026: int) -> str:
    index = 2026 * 12 + 9 - months_before_october_2026
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def line(label: str, value: float, target: str, ok: bool) -> str:
    return f"{label:<58} {value:>8.3f}   target {target:<8} {'met' if ok else 'MISSED'}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="Where to build (default: a temp dir).")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fava-request", help=argparse.SUPPRESS)
    parser.add_argument(
        "--robustness", action="store_true", help="Also run the robustness suite large."
    )
    args = parser.parse_args(argv)
    if args.months < 3:
        parser.error("--months must be at least 3")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="onebox-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "ledger"
    if args.build_only:
        build(root, args.customers, args.months)
        return 0
    if args.fava_request:
        fava_request(root / "main.beancount", args.fava_request)
        return 0
    if root.exists():
        shutil.rmtree(root)
    first = month_label(args.months - 1)
    second, last = month_label(args.months - 2), month_label(0)
    snapshots = {m: work / f"before-{m}" for m in (second, last)}

    print(f"machine: {machine()}")
    started = time.perf_counter()
    # built in a child process: a forked child's peak RSS counts its parent's memory until
    # exec, so the measuring process must stay small
    subprocess.run(
        [sys.executable, __file__, "--build-only", "--workdir", str(work),
         "--customers", str(args.customers), "--months", str(args.months)],
        check=True,
    )  # fmt: skip
    main_file = root / "main.beancount"
    txns = sum(
        text.count(" * ")
        for text in (p.read_text() for p in (root / "ledger" / "journal").glob("*.beancount"))
    )
    print(
        f"ledger: {args.customers} customers x {args.months} months ({first}..{last}),"
        f" {txns} transactions, built in {time.perf_counter() - started:.1f} s; medians of"
        f" {args.runs} run(s), wall clock, one fresh process each"
    )

    runs = args.runs
    check = median([timed([str(BIN / "bean-check"), str(main_file)]) for _ in range(runs)])
    close_last = close_fresh(snapshots[last], last, runs, work)
    close_second = close_fresh(snapshots[second], second, runs, work)
    keep = median([timed(cli(main_file, "report", "keep")) for _ in range(runs)])
    receivables = median([timed(cli(main_file, "report", "receivables")) for _ in range(runs)])
    verify = median([timed(cli(main_file, "verify")) for _ in range(runs)])
    income = fava_times(main_file, "/api/income_statement", runs)
    onebox = fava_times(main_file, "/extension/OneBox/", runs)

    print(f"reference: bean-check {check.seconds:.2f} s, {check.max_rss_mb:.0f} MB")
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
    figures = [
        line("1. close of the last month / bean-check", close_last.seconds / check.seconds,
             "<= 0.05", close_last.seconds / check.seconds <= 0.05),
        line(f"2. close of month {args.months} / close of month 2",
             close_last.seconds / close_second.seconds, "<= 1.2",
             close_last.seconds / close_second.seconds <= 1.2),
        line("3. report keep / bean-check", keep.seconds / check.seconds, "<= 1.25",
             keep.seconds / check.seconds <= 1.25),
        line("3. report receivables / bean-check", receivables.seconds / check.seconds, "<= 1.25",
             receivables.seconds / check.seconds <= 1.25),
        line("3. verify / bean-check", verify.seconds / check.seconds, "<= 1.25",
             verify.seconds / check.seconds <= 1.25),
        line("4. peak memory of the close of the last month (MB)", close_last.max_rss_mb,
             "< 200", close_last.max_rss_mb < 200),
        line("4. peak memory, close of month 2 (MB); last / month 2",
             close_last.max_rss_mb / close_second.max_rss_mb, "<= 1.2",
             close_last.max_rss_mb / close_second.max_rss_mb <= 1.2),
        line("5. Fava OneBox page / Fava income statement API (cold)", onebox[0] / income[0],
             "<= 1.5", onebox[0] / income[0] <= 1.5),
    ]  # fmt: skip
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
