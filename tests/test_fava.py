"""Real Fava on the shipped demo: it loads clean, and its numbers are the keep report's."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from fava.application import create_app

from onebox_ledger import reports
from onebox_ledger.values import Month

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.beancount"


def client() -> Any:
    app = create_app([str(MAIN)], read_only=True, poll_watcher=True)  # no watcher thread
    return app.test_client()


def api(path: str, **params: str) -> Any:
    response = client().get(f"/demo-onebox-partner/api/{path}", query_string=params)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data, parse_float=Decimal)["data"]


def test_fava_serves_the_demo_with_no_errors() -> None:
    response = client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demo-onebox-partner/income_statement/")
    assert api("errors") == []


def test_fava_sums_by_stream_equal_the_keep_report() -> None:
    """Income and OneBox cost are booked in USD (a EUR invoice at its day's rate), so Fava's own
    sums are the keep report's, stream by stream and to the cent, with no conversion."""
    data = api(
        "query",
        query_string="SELECT account, currency, sum(number) AS total"
        " WHERE account ~ '^(Income|Expenses)' GROUP BY account, currency ORDER BY account",
    )
    fava = {account: total for account, currency, total in data["rows"] if currency == "USD"}
    assert {currency for _, currency, _ in data["rows"]} == {"USD"}
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(MAIN))
    assert errors == []
    table = reports.keep(entries, "USD", start=None, end=None, by="stream")
    for stream, sold, cost, *_ in table.rows:
        if stream != "adjustment":
            assert -fava[f"Income:{stream.capitalize()}"] == sold, stream
        assert fava.get(f"Expenses:OneBox:{stream.capitalize()}", Decimal("0.00")) == cost, stream
    # bad debt is a row of its own; what else is outside the streams is in the notes, and with
    # it the net income Fava shows
    net = -sum(fava.values(), Decimal(0))
    costs = {row[0]: row[3] for row in table.totals}
    assert costs["bad debt"] == -fava["Expenses:Bad-Debt"]
    assert costs["commission"] == -fava["Expenses:Commission"]
    assert table.notes == [
        f"outside the streams: Expenses:FX-Losses {-fava['Expenses:FX-Losses']} USD,"
        f" Income:FX-Gains {-fava['Income:FX-Gains']} USD,"
        f" Income:FX-Unrealized {-fava['Income:FX-Unrealized']} USD; net income {net} USD"
    ]
    # the written-off invoice: Everest Dental's June, 3 users x 25.00 x 20/30 days = 50.00
    # (its contract ended on June 20)
    assert fava["Expenses:Bad-Debt"] == Decimal("50.00")


def test_fava_filters_one_customer_by_metadata() -> None:
    data = api(
        "query",
        query_string="SELECT sum(number) AS total WHERE account ~ '^Income'"
        " AND entry_meta('customer') = 'acme-realty'",
    )
    # Acme Realty: Jan-Mar 5 users, April 5 users to the 14th and 8 from the 15th
    # (5x14/30 + 8x16/30 = 6.6 users x 25.00 = 165.00), May-Oct 8 users, + 2,000.00 implementation:
    # 3 x 125.00 + 165.00 + 6 x 200.00 + 2000.00 = 3740.00
    assert data["rows"] == [[Decimal("-3740.00")]]


def test_fava_net_profit_is_keeps_net_income_at_every_month_end() -> None:
    """IAS 21 in Fava's income statement: each close books the unrealized difference of its
    month's end (Income:FX-Unrealized, reversed the next day), so from the first day to any
    month end, and for any month alone, Fava's net profit is `report keep`'s net income (the
    demo's EUR bank account is revalued from March on)."""
    app = client()
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(MAIN))
    assert errors == []
    for number in range(1, 11):
        month = Month(2026, number)
        for start in (datetime.date(2026, 1, 1), month.first):
            response = app.get(
                "/demo-onebox-partner/api/income_statement",
                query_string={"time": f"{start} - {month.last}"},
            )
            tree = json.loads(response.data, parse_float=Decimal)["data"]["trees"][1]
            fava = -tree["balance"].get("USD", Decimal(0))
            table = reports.keep(entries, "USD", start=start, end=month.last, by="stream")
            notes = [n for n in table.notes if "net income" in n]
            net = (
                Decimal(notes[0].rsplit("net income ", 1)[1].split()[0])
                if notes
                else table.totals[-1][3]
            )
            assert fava == net, (start, month)
