"""Which layout a file is in: the header found by its content after the preamble, with each
delimiter and encoding the layout declares; when several layouts fit, the bank's file name,
then the most columns, then the order of LAYOUTS; when none does, one refusal naming every
layout tried and why (``dkb: line 6 lacks Status``). The structured formats (:func:`formats`)
are asked first, by content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..layouts import LAYOUTS, Col, Layout
from .decoding import _blank, _Bytes, _clean, _CsvError, _key, _read_bytes, _records
from .rows import Format, StatementError
from .values import _show


def identify(path: Path, *, layout: str | None = None) -> str | None:
    """The name of the layout `path` is in (None when none fits or it cannot be read). Never raises."""
    try:
        layouts = _candidates(path.name, layout)
        raw = _read_bytes(path, path.name)
    except StatementError:
        return None
    for fmt in _formats_of(layout).values():
        if fmt.sniff(raw) is None:
            return fmt.name
    data = _Bytes(raw)
    found, _ = _identify(path.name, data, layouts)
    return _choose(found, path.name).layout.name if found else None


def formats() -> Mapping[str, Format]:
    """The structured formats (``camt053``, ``mt940``), consulted before the CSV layouts."""
    # imported here, not above: their readers build this module's Rows and Statements
    from ..formats import FORMATS

    return FORMATS


def layout_names() -> list[str]:
    """Every name ``--layout`` takes: the CSV layouts, then the structured formats."""
    return [*LAYOUTS, *formats()]


def _formats_of(layout: str | None) -> Mapping[str, Format]:
    """The structured formats to try: all of them (`layout` None), the one named, or none."""
    known = formats()
    if layout is None:
        return known
    return {layout: known[layout]} if layout in known else {}


def _candidates(name: str, layout: str | None) -> list[Layout]:
    if layout is None:
        return list(LAYOUTS.values())
    if layout in formats():
        return []
    if layout not in LAYOUTS:
        raise StatementError(
            f"{name}: unknown layout {_show(layout)}; the layouts are {', '.join(layout_names())}"
        )
    return [LAYOUTS[layout]]


@dataclass(frozen=True)
class _Found:
    """Where a layout's header is in a file, and what the file says before it."""

    layout: Layout
    encoding: str
    text: str
    delimiter: str
    record: int  # the header's index among the file's records
    cells: tuple[str, ...]  # the header's names as written (one line each)
    index: Mapping[Col, int]  # each column of the layout the header has -> its position
    currency: str | None  # a currency the header names (Сума в валюті картки (UAH))
    preamble: tuple[tuple[int, tuple[str, ...]], ...]  # (line, fields) before the header


def _columns(layout: Layout) -> list[Col]:
    out: list[Col] = []
    for mapping in (layout.columns, layout.money_in, layout.money_out):
        for cols in mapping.values():
            out.extend(c for c in cols if c not in out)
    out.extend(c for c in layout.overflow if c not in out)
    return out


def _position(keys: Sequence[str], column: Col) -> tuple[int, str | None] | None:
    start = 0
    if column.after:
        after = _key(column.after)
        if after not in keys:
            return None
        start = keys.index(after) + 1
    names = {_key(name) for name in column.names}
    for index in range(start, len(keys)):
        if keys[index] in names:
            return index, None
        if column.pattern:
            match = re.fullmatch(column.pattern, keys[index])
            if match:
                currency = match.groupdict().get("currency")
                return index, currency.upper() if currency else None
    return None


def _header(fields: Sequence[str], layout: Layout) -> tuple[dict[Col, int], str | None] | None:
    """The columns of `layout` in a header record, or None if the record is not its header."""
    keys = [_key(field) for field in fields]
    while keys and not keys[-1]:
        keys.pop()
    if layout.exact_header and keys != [_key(name) for name in layout.header]:
        return None
    index: dict[Col, int] = {}
    currency = None
    for column in _columns(layout):
        found = _position(keys, column)
        if found is None:
            if column.required:
                return None
            continue
        index[column] = found[0]
        currency = currency or found[1]
    return index, currency


def _locate(encoding: str, text: str, layout: Layout) -> _Found | None:
    for delimiter in layout.delimiters:
        preamble: list[tuple[int, tuple[str, ...]]] = []
        try:
            for number, (line, fields) in enumerate(_records(text, delimiter)):
                if _blank(fields):
                    continue
                hit = _header(fields, layout)
                if hit is not None:
                    cells = [_clean(field) for field in fields]
                    while cells and not cells[-1]:
                        cells.pop()
                    return _Found(
                        layout, encoding, text, delimiter, number, tuple(cells), hit[0], hit[1],
                        tuple(preamble),
                    )  # fmt: skip
                preamble.append((line, tuple(fields)))
                if len(preamble) > layout.preamble_lines:
                    break
        except _CsvError:
            continue
    return None


def _identify(
    name: str, data: _Bytes, layouts: Sequence[Layout]
) -> tuple[list[_Found], dict[str, str]]:
    found: list[_Found] = []
    why: dict[str, str] = {}
    for layout in layouts:
        near: str | None = None
        decoded = False
        for encoding, text in data.texts(layout):
            decoded = True
            hit = _locate(encoding, text, layout)
            if hit is not None:
                found.append(hit)
                break
            near = near or _near_miss(text, layout)
        else:
            why[layout.name] = near or ("header not found" if decoded else "not UTF-8 text")
    return found, why


def _near_miss(text: str, layout: Layout) -> str | None:
    """Why the record that comes closest to the layout's header is not it: the required columns
    it lacks ('line 6 lacks Status, Umsatztyp'); None when no record has any of them."""
    required = [c for c in _columns(layout) if c.required]
    best: tuple[int, int, list[Col]] | None = None  # (columns found, line, columns missing)
    for delimiter in layout.delimiters:
        try:
            seen = 0
            for line, fields in _records(text, delimiter):
                if _blank(fields):
                    continue
                keys = [_key(field) for field in fields]
                while keys and not keys[-1]:
                    keys.pop()
                missing = [c for c in required if _position(keys, c) is None]
                hits = len(required) - len(missing)
                if hits and (best is None or hits > best[0]):
                    best = (hits, line, missing)
                seen += 1
                if seen > layout.preamble_lines:
                    break
        except _CsvError:
            continue
    if best is None:
        return None
    _, line, missing = best
    if not missing:  # every column, but not the exact header the layout wants
        return f"line {line} is not exactly the header {_show(layout.header_text(), 40)}"
    names = [_label(layout, column) for column in missing]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"line {line} lacks {shown}"


def _label(layout: Layout, column: Col) -> str:
    """A column as the bank names it: its first name, or the header name its pattern matches."""
    if column.names:
        return column.names[0]
    return next((h for h in layout.header if re.fullmatch(column.pattern, _key(h))), "?")


def _choose(found: Sequence[_Found], filename: str) -> _Found:
    """One of the layouts that fit: the bank's file name decides, then the most columns."""
    hinted = [f for f in found if f.layout.filename and re.search(f.layout.filename, filename)]
    return max(hinted or found, key=lambda f: len(f.index))


def _refusal(
    name: str,
    data: _Bytes,
    layouts: Sequence[Layout],
    why: Mapping[str, str],
    others: Mapping[str, str],
) -> str:
    if len(layouts) > 1:
        reasons = [f"{layout.name}: {why[layout.name]}" for layout in layouts]
        reasons += [f"{fmt}: {reason}" for fmt, reason in others.items()]
        return f"{name}: not a statement in any known layout ({'; '.join(reasons)})"
    layout = layouts[0]
    if why[layout.name] == "not UTF-8 text":
        return f"{name}: not a bank statement: not UTF-8 text"
    expected = layout.header_text()
    if layout.preamble_lines:
        return (
            f"{name}: not a bank statement in the expected layout ({layout.name}):"
            f" no header line like {_show(expected, 80)} in its first lines"
        )
    return (
        f"{name}: not a bank statement in the expected layout: its header is"
        f" {_show(_first_line(data, layout))}, expected '{expected}'"
    )


def _first_line(data: _Bytes, layout: Layout) -> str:
    for _, text in data.texts(layout):
        try:
            for _, fields in _records(text, layout.delimiters[0]):
                if not _blank(fields):
                    return layout.delimiters[0].join(field.strip() for field in fields)
        except _CsvError:
            return next((line.strip() for line in text.splitlines() if line.strip()), "")
    return ""
