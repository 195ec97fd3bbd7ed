"""Books a pedantic Beancount user accepts.

``plugin "beancount.plugins.pedantic"`` runs Beancount's own strict checks: every currency
declared (check_commodity), a currency never both held at cost and converted at a price
(coherent_cost), postings to leaf accounts only (leafonly), no two identical transactions
(noduplicates), no account opened and never used (nounused), one currency per account
(onecommodity), sales at cost balanced by gains (sellgains), one price per day and pair
(unique_prices), closed accounts drained (check_drained). The shipped demo and a ledger that
runs every money command pass them with no error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount import loader
from conftest import copy_demo, invoke, succeeded

ROOT = Path(__file__).resolve().parent.parent
PEDANTIC = 'plugin "beancount.plugins.pedantic"\n'


def pedantic_errors(main: Path) -> list[str]:
    """Load `main` with the pedantic plugins added before its own: the errors, as text."""
    text = main.read_text(encoding="utf-8")
    first = text.index("plugin ")
    main.write_text(text[:first] + PEDANTIC + text[first:], encoding="utf-8")
    loader.initialize(use_cache=False)
    _, errors, _ = loader.load_file(str(main))
    return [f"{e.source.get('lineno') if e.source else ''}: {e.message}" for e in errors]


def test_the_shipped_demo_passes_beancounts_pedantic_plugins(tmp_path: Path) -> None:
    copy_demo(tmp_path)
    assert pedantic_errors(tmp_path / "main.beancount") == []


def test_pedantic_objects_to_what_the_tool_no_longer_writes(tmp_path: Path) -> None:
    """The check can fail: two OneBox cost entries told apart only by metadata are duplicates,
    and a receivable held at cost beside cash at a price is incoherent (what the tool wrote
    before its cost narrations named the contract and its items carried their rate as a
    price)."""
    main = tmp_path / "main.beancount"
    main.write_text(
        """option "operating_currency" "USD"
plugin "beancount.plugins.auto_accounts"
2026-01-01 commodity USD
2026-01-01 commodity EUR
2026-03-31 * "OneBox" "Cloud: 3 x cloud-user at 25.00 USD x 65% of list, March 2026"
  customer: "casa-verde"
  Expenses:OneBox:Cloud        48.75 USD
  Liabilities:OneBox:Payable  -48.75 USD
2026-03-31 * "OneBox" "Cloud: 3 x cloud-user at 25.00 USD x 65% of list, March 2026"
  customer: "everest-dental"
  Expenses:OneBox:Cloud        48.75 USD
  Liabilities:OneBox:Payable  -48.75 USD
2026-01-31 * "Berlin" "Cloud"
  Assets:Receivable:Berlin   92.00 EUR {1.10 USD}
  Income:Cloud             -101.20 USD
2026-02-10 * "Berlin" "Payment"
  Assets:Wise:EUR            92.00 EUR @ 1.10 USD
  Assets:Receivable:Berlin  -92.00 EUR {1.10 USD}
""",
        encoding="utf-8",
    )
    found = pedantic_errors(main)
    assert sum("Duplicate entry" in e for e in found) == 1, found
    assert sum("Currency 'EUR' is used both with and without cost" in e for e in found) == 1


@pytest.fixture
def every_money_command(fixed_today: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two customers (USD and EUR), a Wise EUR account, an advance contract, an annual
    downgrade, receipts with fees and in another currency, overpayment and refund, a credit
    note, a write-off, OneBox's own bill, grace and payment, prepaid."""
    main = (tmp_path / "books" / "main.beancount").resolve()
    monkeypatch.setenv("ONEBOX_TODAY", "2026-06-15")
    for step in [
        ("init", str(main.parent), "--start", "2026-01-01"),
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-01-01"),
        ("price", "EUR", "1.10 USD", "--date", "2026-01-01"),
        ("price", "EUR", "1.05 USD", "--date", "2026-03-01"),
        ("customer", "add", "acme", "--name", "Acme Realty", "--date", "2026-01-01"),
        ("customer", "add", "berlin", "--name", "Berlin Immo GmbH", "--currency", "EUR",
         "--date", "2026-01-01"),
        ("contract", "add", "acme-cloud", "--customer", "acme", "--stream", "cloud", "--price",
         "25 USD", "--quantity", "5", "--start", "2026-01-01", "--item", "cloud-user",
         "--timing", "advance"),
        ("contract", "add", "acme-year", "--customer", "acme", "--stream", "product", "--price",
         "40 USD", "--quantity", "3", "--start", "2026-01-01", "--item", "cloud-user",
         "--billing", "annual"),
        ("contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud",
         "--price", "23 EUR", "--quantity", "4", "--start", "2026-01-01", "--item",
         "cloud-user"),
        ("close", "2026-01"),
        ("receive", "acme", "1565 USD", "--date", "2026-02-05", "--ref", "B-1"),  # 125+1440: over
        ("receive", "berlin", "92 EUR", "--date", "2026-02-10", "--ref", "W-1"),
        ("sell", "acme", "950 USD", "--stream", "services", "--date", "2026-02-12", "--memo",
         "Implementation"),
        ("contract", "change", "acme-year", "--date", "2026-02-15", "--quantity", "2"),
        ("onebox", "pay", "200 USD", "--date", "2026-02-20", "--ref", "B-2"),  # prepaid
        ("close", "2026-02"),
        ("onebox", "bill", "onebox-2026-02", "251.60 USD", "--date", "2026-03-03"),
        ("credit-note", "inv-2026-02-12-acme", "50 USD", "--date", "2026-03-04", "--memo",
         "Discount"),
        ("refund", "acme", "10 USD", "--date", "2026-03-05"),
        ("receive", "berlin", "92 EUR", "--date", "2026-03-06", "--paid", "97 USD"),
        ("onebox", "grace", "onebox-2026-02", "--until", "2026-05-31", "--date", "2026-03-10"),
        ("close", "2026-03"),
        ("write-off", "inv-2026-02-12-acme", "--date", "2026-04-02"),
        ("onebox", "pay", "300 USD", "--date", "2026-04-03"),
        ("close", "2026-04"),
    ]:  # fmt: skip
        succeeded(invoke(main, *step))
    return main


def test_every_money_command_writes_books_pedantic_accepts(every_money_command: Path) -> None:
    assert pedantic_errors(every_money_command) == []
