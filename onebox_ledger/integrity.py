"""What the books may load and how Fava may show them: the allowlist of every loaded file.

A seal covers entries, but other lines decide which entries are loaded, what
runs while loading and how Fava shows them: a deleted ``plugin`` line silences
every check in bean-check and Fava, a changed ``operating_currency`` changes
every report, a plugin can rewrite entries after the checks have run, an
``include`` anywhere adds entries (Beancount follows the includes of every
file it loads), a dropped ``include`` hides a month, a commodity's
``precision`` makes Fava round every figure of that currency, sealed months
included, and most ``fava-option`` lines change what Fava's pages show.

Only ``main.beancount`` may hold ``include``, ``option`` and ``plugin`` lines,
and only these::

    option "title" "..."                          any title
    option "operating_currency" "USD"             exactly one currency, in all files together
    option "insert_pythonpath" "TRUE"             (so the plugins import from the ledger's folder)
    option "render_commas" "TRUE"                 (display only)
    option "documents" "documents"                a folder inside the books' folder
    plugin "onebox_ledger.plugins.directives"     both required
    plugin "onebox_ledger.plugins.seal"
    plugin "beancount.plugins.pedantic"           and Beancount's other checks that only report
    include "ledger/accounts.beancount"           exactly the five includes the tool writes
    include "ledger/terms.beancount"
    include "ledger/customers.beancount"
    include "ledger/prices.beancount"
    include "ledger/journal/*.beancount"

In any file: ``custom "fava-extension"`` names only ``onebox_ledger.fava_ext``;
``custom "fava-option"`` sets only options that cannot change what a figure
says (:data:`FAVA_OPTIONS`: ``import-config``, ``import-dirs`` inside the books'
folder, the UI language, indentation, ...; not ``locale``, ``fiscal-year-end``,
``invert-income-liabilities-equity`` or the ``show-*`` filters); a
``commodity`` sets no ``precision`` below 2 and no ``name`` that is another
currency's code. The files Beancount loaded are exactly main.beancount, the
four files of ``ledger/`` and ``ledger/journal/*.beancount``.

The seal plugin reports these (so ``bean-check`` and Fava's Errors page show
them, wherever they are written) and ``verify`` reports them whatever the
plugin lines say (it always runs the seal plugin). Each is one finding naming
file and line::

    ledger/prices.beancount:31: include "/elsewhere/x.beancount" is not allowed here: only
    main.beancount names includes, options and plugins

Lines are found in each file's text (the keyword at the start of a line, or
after indentation, then a quoted string), so a line Beancount rejects as a
syntax error is reported as well; the set of loaded files backs that up.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from beancount.core import data

from .seals import Finding

REQUIRED_PLUGINS = ("onebox_ledger.plugins.directives", "onebox_ledger.plugins.seal")
# Beancount's own plugins that only report errors (or add balance assertions, which
# cannot change a number): pedantic and the checks it bundles.
CHECK_PLUGINS = tuple(
    f"beancount.plugins.{name}"
    for name in (
        "pedantic", "check_average_cost", "check_closing", "check_commodity", "check_drained",
        "coherent_cost", "commodity_attr", "leafonly", "noduplicates", "nounused",
        "onecommodity", "sellgains", "unique_prices",
    )
)  # fmt: skip
INCLUDES = (
    "ledger/accounts.beancount",
    "ledger/terms.beancount",
    "ledger/customers.beancount",
    "ledger/prices.beancount",
    "ledger/journal/*.beancount",
)
OPTIONS = frozenset(
    {"title", "operating_currency", "insert_pythonpath", "render_commas", "documents"}
)
EXTENSION = "onebox_ledger.fava_ext"
# Fava options that cannot change what a figure says or which figures a page shows.
FAVA_OPTIONS = frozenset(
    {
        "import-config", "import-dirs", "auto-reload", "default-page", "language", "indent",
        "currency-column", "sidebar-show-queries", "upcoming-events", "collapse-pattern",
        "show-metadata-indicators", "invert-gains-losses-colors",
        "uptodate-indicator-grey-lookback-days",
    }
)  # fmt: skip
# Options and Fava options whose value is a path: it must stay inside the books' folder.
FOLDERS = frozenset({"documents", "import-config", "import-dirs"})
MIN_PRECISION = 2  # the books keep cents
_KEYWORDS = ("include", "option", "plugin")
_ARGS = re.compile(r'[ \t]+"((?:[^"\\\n]|\\.)*)"')
_CODE = re.compile(r"[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]")


def findings(entries: Sequence[data.Directive], options: Mapping[str, Any]) -> list[Finding]:
    """Every finding of the allowlist on a loaded ledger (its entries and options map)."""
    main = Path(str(options.get("filename") or ""))
    if not main.is_file():
        return []  # a ledger loaded from a string: nothing on disk to check
    root = main.parent
    loaded = [Path(name) for name in options.get("include") or ()]
    out: list[Finding] = []
    for path in loaded:
        text = _read(path)
        if text is not None:
            out.extend(_main_lines(path, text) if path == main else _other_lines(path, text))
    out.extend(_loaded_files(main, loaded))
    currencies = list(options.get("operating_currency") or ())
    if len(currencies) != 1:
        out.append(
            _at(
                main,
                _first_line(main, "operating_currency"),
                f'option "operating_currency" must name exactly one currency (in all files'
                f" together), not {len(currencies)}: {', '.join(currencies) or 'none'}",
            )
        )
    for path_value in options.get("documents") or ():
        if not _inside(root, root / str(path_value)):
            out.append(
                _at(
                    main,
                    _first_line(main, "documents"),
                    _outside("option", "documents", path_value),
                )
            )
    out.extend(_custom_findings(entries, root))
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def directive_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, keyword, quoted arguments) of every include, option and plugin line, in
    order: the keyword first on its line (indentation allowed), then a quoted string."""
    return sorted(_directive_lines(text))


def _directive_lines(text: str) -> Iterable[tuple[int, str, list[str]]]:
    for keyword in _KEYWORDS:
        start = 0
        while (index := text.find(keyword, start)) >= 0:
            start = index + len(keyword)
            line_start = text.rfind("\n", 0, index) + 1
            if text[line_start:index].strip(" \t"):
                continue  # not first on its line
            line_end = text.find("\n", index)
            rest = text[start : len(text) if line_end < 0 else line_end]
            args = []
            while match := _ARGS.match(rest):
                args.append(match.group(1))
                rest = rest[match.end() :]
            if args:
                yield text.count("\n", 0, index) + 1, keyword, args


def _main_lines(path: Path, text: str) -> list[Finding]:
    out: list[Finding] = []
    plugins: list[str] = []
    includes: list[str] = []
    for line, keyword, args in directive_lines(text):
        name = args[0]
        if keyword == "plugin":
            plugins.append(name)
            if name not in REQUIRED_PLUGINS and name not in CHECK_PLUGINS:
                out.append(
                    _at(
                        path, line,
                        f'plugin "{name}" is not allowed: a plugin runs code and can change'
                        " entries after every check (allowed: onebox-ledger's two, Beancount's"
                        " pedantic checks)",
                    )
                )  # fmt: skip
        elif keyword == "option" and name not in OPTIONS:
            out.append(
                _at(
                    path, line,
                    f'option "{name}" is set; onebox-ledger accepts only'
                    f" {', '.join(sorted(OPTIONS))} (it can change what the books say)",
                )
            )  # fmt: skip
        elif keyword == "include":
            includes.append(name)
            if name not in INCLUDES:
                out.append(
                    _at(
                        path, line,
                        f'include "{name}" is not one onebox-ledger writes (accepted:'
                        f" {', '.join(INCLUDES)})",
                    )
                )  # fmt: skip
    for plugin in REQUIRED_PLUGINS:
        if plugin not in plugins:
            out.append(
                _at(
                    path, 0,
                    f'plugin "{plugin}" is missing: bean-check and Fava no longer run its'
                    " checks (add the line back)",
                )
            )  # fmt: skip
    for include in INCLUDES:
        if includes.count(include) != 1:
            what = "is missing" if include not in includes else "appears twice"
            out.append(_at(path, 0, f'include "{include}" {what}: its entries are not loaded'))
    return out


def _other_lines(path: Path, text: str) -> list[Finding]:
    return [
        _at(
            path, line,
            f'{keyword} "{args[0]}" is not allowed here: only main.beancount names includes,'
            " options and plugins",
        )
        for line, keyword, args in directive_lines(text)
    ]  # fmt: skip


def _loaded_files(main: Path, loaded: Sequence[Path]) -> list[Finding]:
    """A file loaded that is none of the books' own (an include the text scan did not see)."""
    root = main.parent
    out = []
    for path in loaded:
        if path == main:
            continue
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            relative = None
        if relative is None or not any(fnmatch.fnmatchcase(relative, i) for i in INCLUDES):
            out.append(
                _at(
                    path, 0,
                    f"this file is loaded but is none of the books' own ({', '.join(INCLUDES)},"
                    " from main.beancount): an include added it; remove that include",
                )
            )  # fmt: skip
    return out


def _custom_findings(entries: Sequence[data.Directive], root: Path) -> list[Finding]:
    out: list[Finding] = []
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "fava-extension":
            value = entry.values[0][0] if entry.values else None
            if value != EXTENSION:
                out.append(
                    _entry(
                        entry,
                        f"Fava extension {value!r} is not allowed: Fava imports and runs it"
                        f" (only {EXTENSION!r})",
                    )
                )
        elif isinstance(entry, data.Custom) and entry.type == "fava-option":
            out.extend(_fava_option(entry, root))
        elif isinstance(entry, data.Commodity):
            out.extend(_commodity(entry))
    return out


def _fava_option(entry: data.Custom, root: Path) -> list[Finding]:
    values = [value for value, _ in entry.values]
    key = str(values[0]) if values else ""
    if key not in FAVA_OPTIONS:
        return [
            _entry(
                entry,
                f"fava-option {key!r} is not allowed: it changes what Fava shows for every"
                f" month, sealed ones included (allowed: {', '.join(sorted(FAVA_OPTIONS))})",
            )
        ]
    if key in FOLDERS:
        return [
            _entry(entry, _outside("fava-option", key, value))
            for value in values[1:]
            if not _inside(root, root / str(value))
        ]
    return []


def _commodity(entry: data.Commodity) -> list[Finding]:
    meta = entry.meta or {}
    out = []
    precision = meta.get("precision")
    if precision is not None:
        try:
            places = int(precision)
        except (TypeError, ValueError):
            places = -1
        if places < MIN_PRECISION:
            out.append(
                _entry(
                    entry,
                    f"commodity {entry.currency} sets precision: {precision}: Fava would round"
                    f" every {entry.currency} figure on every page, sealed months included (the"
                    f" books keep cents; remove it or set {MIN_PRECISION} or more)",
                )
            )
    name = meta.get("name")
    if isinstance(name, str) and _CODE.fullmatch(name) and name != entry.currency:
        out.append(
            _entry(
                entry,
                f"commodity {entry.currency} is named {name!r}: Fava would show {entry.currency}"
                f" amounts as {name} (remove the name)",
            )
        )
    return out


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _outside(kind: str, key: str, value: object) -> str:
    return (
        f'{kind} "{key}" "{value}" is outside the books\' folder: onebox-ledger serve answers'
        " only for files inside it (name a folder of the books)"
    )


def _first_line(path: Path, option: str) -> int:
    text = _read(path) or ""
    for line, keyword, args in directive_lines(text):
        if keyword == "option" and args[0] == option:
            return line
    return 0


def _at(path: Path, line: int, message: str) -> Finding:
    return Finding(data.new_metadata(str(path), line), message, None)


def _entry(entry: data.Directive, message: str) -> Finding:
    meta = entry.meta or {}
    return Finding(
        data.new_metadata(str(meta.get("filename", "<ledger>")), int(meta.get("lineno", 0))),
        message,
        entry,
    )
