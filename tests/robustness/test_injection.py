"""Text from a person can never inject Beancount syntax.

Customer names (``actions.customer_add``), memos (``actions.sell``) and refs
(``receive --ref`` through Click's CliRunner) are drawn by Hypothesis from
quotes, backslashes, newlines, NUL, lone surrogates, unicode (emoji, RTL marks and
scripts) and directive keywords::

    '\\n2026-01-01 open Assets:Evil'   'include "x"'   'plugin "os"'   '^link'   '#tag'

Each attempt ends one of two ways. Refused: ``values.InputError`` (the CLI: exit
2 and one line on stderr) and every file byte-identical. Written: the ledger
reloads with zero errors, exactly the expected entries more (same types), and
the stored text equals the input exactly, also after the next command appends
to the same file and after the month is closed and sealed over it.

ONEBOX_ROBUST_EXAMPLES (default 200) sets the examples per property.
"""

from __future__ import annotations

import datetime
import itertools
import re
import shutil
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from onebox_ledger import actions, store
from onebox_ledger.cli import cli
from onebox_ledger.values import InputError, Money, Month

from ._support import START, env_int, load, new_ledger, snapshot, transactions

EXAMPLES = env_int("ONEBOX_ROBUST_EXAMPLES", 200)

PAYLOADS = (
    '"', "\\", '\\"', '""', "\n", "\r", "\r\n", "\x00", "\t", "\x0b", "\x85",
    "\u2028", "\u2029", "\u202e", "\u200f", "\ufeff", "\udcff",
    "שלום", "مرحبا", "🏠", "👩\u200d👩\u200d👧", "Ñandú",
    "\n2026-01-01 open Assets:Evil", '"\n2026-01-01 open Assets:Evil\n"', 'include "x"',
    'plugin "os"', 'option "title" "x"', "; comment", "^link", "#tag", '" ^evil #evil',
    '"\n  Assets:Bank  1 USD\n', '2026-01-01 custom "onebox-close" "2026-01" "sha256:0"',
    "pushtag #x", "*", "!", "",
)  # fmt: skip
TEXTS = st.one_of(
    st.sampled_from(PAYLOADS),
    st.lists(st.sampled_from(PAYLOADS) | st.text(max_size=6), min_size=1, max_size=6).map("".join),
    st.text(max_size=30),
)
REF_SHAPED = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,70}", fullmatch=True)
REF_GRAMMAR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
INVOICE = "inv-2026-01-05-acme"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Terms, customer acme and a 1000.00 USD invoice dated 2026-01-05 (January open)."""
    root = tmp_path_factory.mktemp("injection-template")
    ledger = new_ledger(root)
    actions.customer_add(ledger, "acme", "Acme", "USD", 30, START)
    actions.sell(
        ledger, "acme", Money(Decimal("1000.00"), "USD"), stream="services",
        date=datetime.date(2026, 1, 5), memo="Implementation", ref=None,
    )  # fmt: skip
    return root


@pytest.fixture
def copies(tmp_path: Path, template: Path) -> Callable[[], Path]:
    """A fresh copy of the template for each Hypothesis example (the fixture is per test)."""
    counter = itertools.count()

    def fresh() -> Path:
        root = tmp_path / f"ex{next(counter)}"
        shutil.copytree(template, root)
        return root

    return fresh


def kinds(entries: list[data.Directive]) -> Counter[str]:
    return Counter(type(e).__name__ for e in entries)


def refused_cleanly(root: Path, before: dict[str, bytes], err: InputError) -> None:
    message = str(err)
    assert message
    assert "\n" not in message and "\r" not in message
    assert snapshot(root) == before


def customer_name(entries: list[data.Directive], cid: str) -> object:
    found = [
        e.meta["name"]
        for e in entries
        if isinstance(e, data.Custom) and e.type == "onebox-customer" and e.values[0][0] == cid
    ]
    assert len(found) == 1
    return found[0]


def close_january(ledger: store.Ledger) -> None:
    done = actions.close(
        ledger, Month(2026, 1), today=datetime.date(2026, 2, 1), dry_run=False, force=False
    )
    assert not done.result.already_closed


@pytest.mark.slow
@settings(SETTINGS)
@given(name=TEXTS)
@example(name="a\rb")
@example(name="\udcff")
@example(name="")
@example(name='x"\n2026-01-01 open Assets:Evil\ninclude "x"\n')
def test_customer_names_are_refused_or_stored_exactly(
    copies: Callable[[], Path], name: str
) -> None:
    root = copies()
    ledger = store.Ledger(root / "main.beancount")
    before_entries, errors = load(ledger.main)
    assert errors == []
    before = snapshot(root)
    try:
        actions.customer_add(ledger, "evil", name, "USD", 30, START)
    except InputError as err:
        refused_cleanly(root, before, err)
        return
    entries, errors = load(ledger.main)
    assert errors == []
    assert len(entries) == len(before_entries) + 1  # accounts open with their first posting
    assert kinds(entries) == kinds(before_entries) + Counter(Custom=1)
    assert customer_name(entries, "evil") == name
    # The name travels on: the next append to customers.beancount, then January's invoice.
    actions.contract_add(
        ledger, "evil-setup", customer="evil", stream="services", price=Money(Decimal("10.00"), "USD"),
        quantity=1, start=START, billing="once", item=None, end=None,
    )  # fmt: skip
    close_january(ledger)
    entries, errors = load(ledger.main)
    assert errors == []
    assert customer_name(entries, "evil") == name
    invoice = [
        t for t in transactions(entries) if t.meta["id"] == "close/2026-01/evil-setup/invoice"
    ]
    assert [t.payee for t in invoice] == [name]
    assert actions.verify(ledger).ok


@pytest.mark.slow
@settings(SETTINGS)
@given(memo=TEXTS)
@example(memo="a\rb")
@example(memo="\udcff")
@example(memo='Hours"\n2026-01-01 open Assets:Evil\n2026-01-02 * "x" ^evil #evil')
def test_memos_are_refused_or_stored_exactly(copies: Callable[[], Path], memo: str) -> None:
    root = copies()
    ledger = store.Ledger(root / "main.beancount")
    before_entries, errors = load(ledger.main)
    assert errors == []
    before = snapshot(root)
    try:
        written = actions.sell(
            ledger, "acme", Money(Decimal("12.34"), "USD"), stream="services",
            date=datetime.date(2026, 1, 10), memo=memo, ref="MEMO-1",
        )  # fmt: skip
    except InputError as err:
        refused_cleanly(root, before, err)
        return
    assert written.message == "invoice inv-2026-01-10-acme: 12.34 USD services to acme"
    entries, errors = load(ledger.main)
    assert errors == []
    assert len(entries) == len(before_entries) + 1
    assert kinds(entries) == kinds(before_entries) + Counter(Transaction=1)

    def narration() -> list[str]:
        return [
            t.narration for t in transactions(load(ledger.main)[0]) if t.meta["id"] == "sell/MEMO-1"
        ]

    assert narration() == [memo]
    sold = [t for t in transactions(entries) if t.meta["id"] == "sell/MEMO-1"]
    assert [(p.account, p.units.number) for p in sold[0].postings] == [
        ("Assets:Receivable:Acme", Decimal("12.34")),
        ("Income:Services", Decimal("-12.34")),
    ]
    assert sold[0].tags == frozenset() and sold[0].links == frozenset()
    # The next write to the same month file, then the close that seals the month over it.
    actions.sell(
        ledger, "acme", Money(Decimal("1.00"), "USD"), stream="services",
        date=datetime.date(2026, 1, 11), memo="Plain", ref=None,
    )  # fmt: skip
    assert narration() == [memo]
    close_january(ledger)
    assert narration() == [memo]
    assert load(ledger.main)[1] == []
    assert actions.verify(ledger).ok


def _shown(value: str) -> str:
    """How an error quotes a value: repr of the value cut to 60 characters."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


@pytest.mark.slow
@settings(SETTINGS)
@given(ref=st.one_of(TEXTS, REF_SHAPED))
@example(ref="BANK-1\n")
@example(ref="BANK-1\n2026-01-01 open Assets:Evil")
@example(ref='BANK-1" ^evil')
@example(ref="A" * 64)
@example(ref="A" * 65)
def test_refs_through_the_cli_are_refused_or_stored_exactly(
    copies: Callable[[], Path], ref: str
) -> None:
    root = copies()
    main = root / "main.beancount"
    before_entries, errors = load(main)
    assert errors == []
    before = snapshot(root)
    args = ["--ledger", str(main), "receive", "acme", "10 USD", "--date", "2026-01-20"]
    result = CliRunner().invoke(cli, [*args, f"--ref={ref}"], catch_exceptions=False)
    if REF_GRAMMAR.fullmatch(ref) is None:
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            f"onebox-ledger: error: ref {_shown(ref)} must be letters, digits and . _ : -"
            " (at most 64)\n"
        )
        assert snapshot(root) == before
        return
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"received 10.00 USD from acme: 10.00 USD to {INVOICE}\n"
    entries, errors = load(main)
    assert errors == []
    assert len(entries) == len(before_entries) + 1
    assert kinds(entries) == kinds(before_entries) + Counter(Transaction=1)
    received = [t for t in transactions(entries) if t.meta["id"] == f"receive/{ref}"]
    assert len(received) == 1
    assert received[0].meta["ref"] == ref
    after = snapshot(root)
    again = CliRunner().invoke(cli, [*args, f"--ref={ref}"], catch_exceptions=False)
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.stdout == f"ref {ref} already recorded; nothing changed\n"
    assert snapshot(root) == after


def test_an_append_keeps_the_existing_bytes(tmp_path: Path) -> None:
    """Appending a customer must not rewrite what is already in the file (here a CR)."""
    ledger = new_ledger(tmp_path)
    path = ledger.customers_path
    old = path.read_bytes() + b"; edited on Windows\r\n"
    path.write_bytes(old)
    actions.customer_add(ledger, "acme", "Acme", "USD", 30, START)
    new = path.read_bytes()
    assert new[: len(old)] == old
    assert load(ledger.main)[1] == []
