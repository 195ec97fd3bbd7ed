"""Shared pieces of the commands: today, the ledger from the context, typed option parsing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

import click

from ..clock import today
from ..store import Ledger
from ..values import InputError, check_not_future, parse_date, show_value

F = TypeVar("F", bound=Callable[..., object])

FORMATS = click.Choice(["table", "csv", "json"])

_CHECKED = "onebox_ledger.ledger_checked"  # in the root context's meta: check_exists passed


def ledger() -> Ledger:
    """The --ledger of this command, refused once per command when it does not exist.

    Every command that reads a ledger asks for it here, so none can succeed
    silently on a missing one: ``ledger .../main.beancount does not exist
    (create one: onebox-ledger init DIR)``, exit 1.
    """
    root = click.get_current_context().find_root()
    obj = root.obj
    assert isinstance(obj, Ledger)
    if not root.meta.get(_CHECKED):
        obj.check_exists()
        root.meta[_CHECKED] = True
    return obj


def date_or_today(text: str | None, what: str = "date") -> datetime.date:
    return parse_date(text, what) if text is not None else today()


def money_date(text: str, future: bool) -> datetime.date:
    """A money event's --date, refused after today unless --future (values.check_not_future)."""
    date = parse_date(text)
    if not future:
        check_not_future(date, today())
    return date


def future_option(command: F) -> F:
    """--future: the flag a money event needs to be dated after today."""
    return click.option(
        "--future",
        is_flag=True,
        help="Record it although --date is after today (without it: refused, exit 2).",
    )(command)


def whole(text: str, what: str, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number typed by a person: ASCII digits, at least `minimum`, at most `maximum`."""
    digits = text.isascii() and text.isdigit() and len(text) <= 9
    value = int(text) if digits else None
    if maximum is not None:
        if value is None or not minimum <= value <= maximum:
            raise InputError(
                f"{what} {show_value(text)} must be a whole number from {minimum} to {maximum}"
            )
    elif value is None or value < minimum:
        raise InputError(f"{what} {text!r} must be a whole number of at least {minimum}")
    return value


def echo(message: str) -> None:
    click.echo(message)
