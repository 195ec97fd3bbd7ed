"""Fixtures for the command-line tests: a fixed today, ledgers on tmp_path, and checks.

Every CLI test drives ``onebox-ledger`` in-process through Click's CliRunner with
``catch_exceptions=False`` (a traceback fails the test) and checks the ledger the
way an auditor would: the real Beancount loader (plugins included) must report
zero errors, and a refused command must leave every file byte-identical.

The seed ledger is the README example::

    onebox-ledger init seed --start 2026-01-01
    onebox-ledger terms item cloud-user "25 USD" --date 2026-01-01
    onebox-ledger terms rate 1 0.65 --date 2026-01-01
    onebox-ledger terms payment 30 --date 2026-01-01
    onebox-ledger customer add acme --name "Acme Realty" --date 2026-11-01
    onebox-ledger contract add acme-cloud --customer acme --stream cloud \\
        --price "25 USD" --quantity 5 --start 2026-11-01 --item cloud-user
    onebox-ledger contract add acme-impl --customer acme --stream services \\
        --price "2000 USD" --start 2026-11-01 --billing once
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner, Result

from onebox_ledger import model
from onebox_ledger.cli import cli
from onebox_ledger.demo import build_demo

TODAY = "2026-12-15"
ERROR = "onebox-ledger: error: "
DEMO = Path(__file__).resolve().parent.parent  # the shipped demo: main.beancount + ledger/
SEAL_LINE = re.compile(
    r'^(\d{4}-\d{2}-\d{2}) custom "onebox-close" "(\d{4}-\d{2})" "(sha256:[0-9a-f]{64})"$'
)

SEED_STEPS: list[tuple[str, ...]] = [
    ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
    ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
    ("terms", "payment", "30", "--date", "2026-01-01"),
    ("customer", "add", "acme", "--name", "Acme Realty", "--date", "2026-11-01"),
    (
        "contract", "add", "acme-cloud", "--customer", "acme", "--stream", "cloud",
        "--price", "25 USD", "--quantity", "5", "--start", "2026-11-01", "--item", "cloud-user",
    ),
    (
        "contract", "add", "acme-impl", "--customer", "acme", "--stream", "services",
        "--price", "2000 USD", "--start", "2026-11-01", "--billing", "once",
    ),
]  # fmt: skip

# The seed's close of 2026-11 as the close writes it (README, "Walkthrough"), generated
# entries only: cloud 5 x 25.00 = 125.00, OneBox cost 5 x 25.00 x 65% = 81.25, and the
# implementation 2000.00 once. The one copy: test_cli checks the close writes it, test_close
# and test_reports build their ledgers on it.
SEED_CLOSE = """\
2026-11-30 * "Acme Realty" "Cloud: 5 x 25.00 USD, November 2026"
  id: "close/2026-11/acme-cloud/invoice"
  customer: "acme"
  contract: "acme-cloud"
  period: "2026-11"
  invoice: "inv-2026-11-acme"
  due: 2026-12-30
  Assets:Receivable:Acme        125.00 USD
  Income:Cloud                 -125.00 USD

2026-11-30 * "OneBox" "Cloud: 5 x cloud-user at 25.00 USD x 65% of list for acme-cloud, November 2026"
  id: "close/2026-11/acme-cloud/cost"
  customer: "acme"
  contract: "acme-cloud"
  period: "2026-11"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              81.25 USD
  Liabilities:OneBox:Payable        -81.25 USD

2026-11-30 * "Acme Realty" "Services: 1 x 2000.00 USD, once, November 2026"
  id: "close/2026-11/acme-impl/invoice"
  customer: "acme"
  contract: "acme-impl"
  period: "2026-11"
  invoice: "inv-2026-11-acme"
  due: 2026-12-30
  Assets:Receivable:Acme       2000.00 USD
  Income:Services             -2000.00 USD
"""

Run = Callable[..., Result]


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 2026-12-15 (a test may set ONEBOX_TODAY again); no loader cache; no ledger
    from the caller's environment. Every fixture that runs the CLI requests it."""
    monkeypatch.setenv("ONEBOX_TODAY", TODAY)
    monkeypatch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    monkeypatch.delenv("ONEBOX_LEDGER", raising=False)
    loader.initialize(use_cache=False)


def invoke(main: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--ledger", str(main), *args], catch_exceptions=False)


def load_errors(main: Path) -> list[Any]:
    """bean-check: the real loader, plugins included; the list of errors."""
    loader.initialize(use_cache=False)
    _, errors, _ = loader.load_file(str(main))
    return list(errors)


def load_entries(main: Path) -> list[Any]:
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(main))
    assert errors == []
    return list(entries)


def take_snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes under `root`, by relative path; the write lock file is left out."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root) != Path("ledger/.lock")
    }


def succeeded(result: Result) -> list[str]:
    """Exit 0, nothing on stderr; the stdout lines."""
    assert result.stderr == "", result.stderr
    assert result.exit_code == 0, result.stdout
    return result.stdout.splitlines()


def error_line(result: Result, code: int) -> str:
    """Exit `code`, nothing on stdout, exactly one stderr line: the message after the prefix."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stderr.endswith("\n")
    assert lines[0].startswith(ERROR), lines[0]
    return lines[0][len(ERROR) :]


def build_seed(root: Path) -> Path:
    main = root / "main.beancount"
    succeeded(invoke(main, "init", str(root), "--start", "2026-01-01"))
    for step in SEED_STEPS:
        succeeded(invoke(main, *step))
    return main


@pytest.fixture
def run(fixed_today: None) -> Run:
    """run(main, *args): onebox-ledger --ledger MAIN ARGS..., in-process."""
    return invoke


@pytest.fixture
def bean_check() -> Callable[[Path], list[Any]]:
    return load_errors


@pytest.fixture
def entries() -> Callable[[Path], list[Any]]:
    """entries(main): the loaded entries of a ledger that must have no errors."""
    return load_entries


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    return take_snapshot


@pytest.fixture
def ok() -> Callable[[Result], list[str]]:
    return succeeded


@pytest.fixture
def refused() -> Callable[[Result, int], str]:
    return error_line


def build_new(root: Path) -> Path:
    main = root / "main.beancount"
    succeeded(invoke(main, "init", str(root), "--start", "2026-01-01"))
    return main


def build_closed_seed(root: Path) -> Path:
    main = build_seed(root)
    succeeded(invoke(main, "close", "2026-11"))
    return main


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the books at `root` by relative path, but the lock and the month summaries
    (derived data, written by the close and verify, not by the demo's fast path)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock" and p.parent.name != "summaries"
    }


def copy_demo(root: Path, *, main: bool = True) -> Path:
    """A copy of the shipped demo at `root`: ledger/ (not its lock, nor the month summaries a
    command run in the checkout may have written), the documents/ it issued and, with `main`,
    main.beancount; the copy's main file."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".lock", "summaries")
    shutil.copytree(DEMO / "ledger", root / "ledger", ignore=ignore)
    shutil.copytree(DEMO / "documents", root / "documents")
    if main:
        shutil.copy(DEMO / "main.beancount", root / "main.beancount")
    return root / "main.beancount"


def build_demo_ledger(root: Path) -> Path:
    """The shipped demo's ledger (10 customers over 10 months), as ``init --demo`` writes it."""
    build_demo(root, customers=10, months=10, seed=1, fast=True)
    return root / "main.beancount"


class Templates:
    """Each kind of ledger the fixtures hand out, built once a session by the CLI (with
    today fixed) and copied, byte for byte, into each test's tmp_path: building one
    costs a dozen commands, copying it a few milliseconds."""

    BUILDERS: ClassVar[dict[str, Callable[[Path], Path]]] = {
        "new": build_new,
        "seed": build_seed,
        "closed-seed": build_closed_seed,
        "demo": build_demo_ledger,
    }

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[str, Path] = {}

    def copy(self, kind: str, root: Path) -> Path:
        """The ledger `kind` at `root` (a folder that must not exist); its main file."""
        if kind not in self.built:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("ONEBOX_TODAY", TODAY)
                patch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
                patch.delenv("ONEBOX_LEDGER", raising=False)
                loader.initialize(use_cache=False)
                self.built[kind] = self.BUILDERS[kind](self.root / kind).parent
        shutil.copytree(self.built[kind], root, symlinks=True)
        return (root / "main.beancount").resolve()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def new_ledger(fixed_today: None, tmp_path: Path, templates: Templates) -> Path:
    """A ledger made by `init --start 2026-01-01`: accounts, no terms."""
    return templates.copy("new", tmp_path / "books")


@pytest.fixture
def seed_ledger(fixed_today: None, tmp_path: Path, templates: Templates) -> Path:
    """The README seed: terms, customer acme, contracts acme-cloud and acme-impl."""
    return templates.copy("seed", tmp_path / "seed")


@pytest.fixture
def demo(fixed_today: None, tmp_path: Path, templates: Templates) -> Path:
    """The shipped demo's ledger (build_demo_ledger) at tmp_path/demo: a copy of the session's.
    A test module with a demo of its own (the shipped files, say) overrides it."""
    return templates.copy("demo", tmp_path / "demo")


@pytest.fixture
def seed_close() -> str:
    """The seed's close of 2026-11, as the close writes it (SEED_CLOSE)."""
    return SEED_CLOSE


@pytest.fixture
def closed_seed(seed_ledger: Path, templates: Templates) -> Path:
    """The seed with 2026-11 closed (and sealed): the seed_ledger, closed."""
    shutil.rmtree(seed_ledger.parent)
    return templates.copy("closed-seed", seed_ledger.parent)


class Seal(NamedTuple):
    """A seal as the ledger's text writes it."""

    date: str  # "2026-10-31"
    month: str  # "2026-10"
    digest: str  # "sha256:..."
    path: str  # relative to main.beancount's folder: "ledger/journal/2026-10.beancount"
    line: int  # 1-based


@pytest.fixture(scope="session")
def demo_head() -> Seal:
    """The shipped demo's newest seal, the chain's head, read from the text of its journal
    files (not from onebox_ledger.seals, and not hard-coded: every change to the demo moves
    the head, and the demo changes)."""
    found = [
        Seal(*match.groups(), str(path.relative_to(DEMO)), number)
        for path in sorted((DEMO / "ledger" / "journal").glob("*.beancount"))
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (match := SEAL_LINE.match(text))
    ]
    assert found, "the demo has no seal"
    return max(found, key=lambda seal: seal.month)


@pytest.fixture(scope="session")
def shipped_demo() -> tuple[list[data.Directive], model.Book]:
    """The shipped demo (main.beancount + ledger/), loaded with no error, and its Book."""
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(
        str(Path(__file__).resolve().parent.parent / "main.beancount")
    )
    assert errors == []
    return list(entries), model.parse_book(entries)[0]
