"""Money dated after today: refused unless --future.

Today is 2026-12-15 (conftest). The seed is closed for 2026-11: inv-2026-11-acme is open for
2125.00 USD and bill onebox-2026-11 for 81.25 USD. The refusals themselves (one line, exit 2,
no file changed) are in test_bad_input's catalogue::

    $ onebox-ledger receive acme "2125 USD" --date 2027-01-10
    onebox-ledger: error: --date 2027-01-10 is after today (2026-12-15): money is recorded once it has moved; pass --future to record it ahead
    $ onebox-ledger receive acme "2125 USD" --date 2027-01-10 --future
    received 2125.00 USD from acme: 2125.00 USD to inv-2026-11-acme
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]


def test_today_itself_needs_no_future(closed_seed: Path, run: Run, ok: Ok) -> None:
    assert ok(run(closed_seed, "receive", "acme", "125 USD", "--date", "2026-12-15")) == [
        "received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme"
    ]


def test_future_records_money_dated_after_today(closed_seed: Path, run: Run, ok: Ok) -> None:
    assert ok(
        run(closed_seed, "receive", "acme", "2125 USD", "--date", "2027-01-10", "--future")
    ) == ["received 2125.00 USD from acme: 2125.00 USD to inv-2026-11-acme"]
    journal = closed_seed.parent / "ledger" / "journal" / "2027-01.beancount"
    assert "2027-01-10 * " in journal.read_text(encoding="utf-8")
