"""A row the bank converted: the operation's own amount and currency (Monobank's Сума в валюті
операції and Валюта) pay a bill or an invoice in that currency from an account in another.

On the demo (closed through 2026-10, today 2026-12-15) a Monobank UAH card account opens on
2026-11-01 with UAH at 0.024 USD. OneBox's bill onebox-2026-10 is open (USD); Acme Realty is
billed in USD and owes inv-2026-10-acme-realty (200.00).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core.amount import Amount
from click.testing import Result
from conftest import load_entries, load_errors

D = Decimal
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
HEADER = (
    "Дата i час операції,Деталі операції,MCC,Сума в валюті картки (UAH),Сума в валюті операції,"
    "Валюта,Курс,Сума комісій (UAH),Сума кешбеку (UAH),Залишок після операції\n"
)


@pytest.fixture
def demo(demo: Path, run: Run, ok: Ok) -> Path:
    """conftest's demo with a UAH account and rate."""
    ok(run(demo, "bank", "add", "Assets:Monobank:UAH", "--currency", "UAH"))
    ok(run(demo, "price", "UAH", "0.024 USD", "--date", "2026-11-01"))
    return demo


def test_a_card_payment_of_onebox_in_dollars_from_a_hryvnia_account_pays_the_bill(
    demo: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    """200.00 USD charged as 8,310.57 UAH, described ONEBOX LLC: the bill gets 200.00 USD; the
    hryvnias leave at the books' 0.024 (199.45368 USD), so 0.55 is an exchange gain and 0.00368
    rounding."""
    card = tmp_path / "mono-card.csv"
    card.write_text(
        HEADER + "25.11.2026 16:20:00,ONEBOX LLC,5734,-8310.57,-200.0,USD,41.5529,—,—,1689.43\n",
        encoding="utf-8",
    )
    lines = ok(run(demo, "import", str(card), "--account", "Assets:Monobank:UAH"))
    assert lines[0].endswith(
        "  -8310.57 UAH  onebox-payment: OneBox named in the description; paid 200.00 USD to"
        " OneBox: 200.00 USD to onebox-2026-10"
    )
    (paid,) = [e for e in load_entries(demo) if e.meta.get("id", "").startswith("pay/row-")]
    assert (paid.meta["amount"], paid.meta["paid"]) == (
        Amount(D("200.00"), "USD"),
        Amount(D("8310.57"), "UAH"),
    )
    assert [(p.account, p.units.number, p.units.currency) for p in paid.postings] == [
        ("Assets:Monobank:UAH", D("-8310.57"), "UAH"),
        ("Liabilities:OneBox:Payable", D("200.00"), "USD"),
        ("Income:FX-Gains", D("-0.55"), "USD"),
        ("Equity:Rounding", D("0.00368"), "USD"),
    ]
    assert load_errors(demo) == []


def test_a_dollar_customer_paying_into_a_hryvnia_account_pays_its_invoice(
    demo: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    """Acme's 200.00 USD arriving as 8,300.00 UAH: its invoice is paid, the hryvnias held at
    the books' rate (199.20 USD), 0.80 an exchange loss."""
    card = tmp_path / "mono-card.csv"
    card.write_text(
        HEADER + "12.11.2026 10:00:00,Від: ACME REALTY LLC INV-2026-10-ACME-REALTY,4829,8300.0,"
        "200.0,USD,41.5,—,—,8300.00\n",
        encoding="utf-8",
    )
    lines = ok(run(demo, "import", str(card), "--account", "Assets:Monobank:UAH"))
    assert lines[0].endswith(
        "  +8300.00 UAH  receipt: invoice inv-2026-10-acme-realty in the text; received 200.00"
        " USD from acme-realty: 200.00 USD to inv-2026-10-acme-realty"
    )
    (got,) = [e for e in load_entries(demo) if e.meta.get("id", "").startswith("receive/row-")]
    assert [(p.account, p.units.number, p.units.currency) for p in got.postings] == [
        ("Assets:Monobank:UAH", D("8300.00"), "UAH"),
        ("Assets:Receivable:Acme-Realty", D("-200.00"), "USD"),
        ("Expenses:FX-Losses", D("0.80"), "USD"),
    ]
    assert load_errors(demo) == []
