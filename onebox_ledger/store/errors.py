"""The store's refusal and how it names a place in the ledger: ``LedgerError`` (exit status 1,
one line) and ``describe_error`` (a Beancount or model error as ``file:line: message``).
"""

from __future__ import annotations

from typing import Any

from beancount.core import data


class LedgerError(Exception):
    """The ledger's state refuses the command (exit status 1); the message is one line."""


def _where(entry: data.Directive) -> str:
    meta = entry.meta or {}
    return f"{meta.get('filename', '<ledger>')}:{meta.get('lineno', 0)}"


def describe_error(error: Any) -> str:
    """A Beancount or model error as one line: 'file:line: message'."""
    source = error.source or {}
    filename = source.get("filename", "<ledger>")
    message = " ".join(str(error.message).split())
    return f"{filename}:{source.get('lineno', 0)}: {message}"
