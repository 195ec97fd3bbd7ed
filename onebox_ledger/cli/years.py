"""Commands over whole years: year close (the year rolled forward into its archive)."""

from __future__ import annotations

import click

from .. import actions
from ..values import show_money
from . import cli
from .common import echo, ledger


@cli.group(short_help="Years: roll a sealed year forward into its archive.")
def year() -> None:
    """Years: roll a sealed year forward into its archive (ledger/archive/YYYY/)."""


@year.command("close", short_help="Archive a sealed year; open the next from its balances.")
@click.argument("year_number", metavar="YYYY", type=click.IntRange(1000, 9999))
def year_close(year_number: int) -> None:
    """Roll YYYY forward: its income and expenses to Equity:Retained-Earnings, its files into
    ledger/archive/YYYY/ (a ledger that bean-check and verify check alone), and the next
    year's opening entries, carrying the archive's head, in ledger/journal/opening.beancount.

    Refused unless all twelve months of YYYY are sealed and every earlier year is rolled.

    \b
    Example:
      onebox-ledger year close 2026
      onebox-ledger verify --all
    """
    books = ledger()
    done = actions.close_year(books, year_number)
    shown = books.shown(done.archive)
    if done.finished:
        echo(f"year {done.year}: finished an interrupted roll ({done.moved} month file(s) removed)")
        return
    result = "nothing"
    if done.closing is not None:
        retained = [p for p in done.closing.postings if p.account == "Equity:Retained-Earnings"]
        result = ", ".join(
            show_money(-p.units.number, p.units.currency)
            for p in retained
            if p.units is not None and p.units.number is not None
        )
    echo(
        f"year {done.year}: {done.moved} month file(s) archived in {shown};"
        f" retained earnings {result}; {len(done.opening)} opening entries;"
        f" head carried {done.head}"
    )
