"""Shared pieces of the commands: today, the ledger from the context, typed option parsing."""

from __future__ import annotations

import datetime

import click

from ..clock import today
from ..store import Ledger
from ..values import InputError, parse_date


def ledger() -> Ledger:
    obj = click.get_current_context().find_root().obj
    assert isinstance(obj, Ledger)
    return obj


def date_or_today(text: str | None, what: str = "date") -> datetime.date:
    return parse_date(text, what) if text is not None else today()


def whole(text: str, what: str, minimum: int = 1) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < minimum:
        raise InputError(f"{what} {text!r} must be a whole number of at least {minimum}")
    return int(text)


def echo(message: str) -> None:
    click.echo(message)
