"""main.beancount as the tool writes it: the options, plugins and includes ``verify`` accepts. Pure.

A seal covers entries, but the lines of main.beancount decide which entries are
loaded and what runs while loading: a deleted ``plugin`` line silences every
check in bean-check and Fava, a changed ``operating_currency`` changes every
report, a plugin can rewrite entries after the checks have run, a dropped
``include`` hides a month. ``verify`` therefore accepts only this allowlist::

    option "title" "..."                          any title
    option "operating_currency" "USD"             exactly one currency
    option "insert_pythonpath" "TRUE"             (so the plugins import from the ledger's folder)
    option "render_commas" "TRUE"                 (display only)
    plugin "onebox_ledger.plugins.directives"     both required
    plugin "onebox_ledger.plugins.seal"
    plugin "beancount.plugins.pedantic"           and Beancount's other checks that only report
    include "ledger/accounts.beancount"           exactly the five includes the tool writes
    include "ledger/terms.beancount"
    include "ledger/customers.beancount"
    include "ledger/prices.beancount"
    include "ledger/journal/*.beancount"
    custom "fava-extension" "onebox_ledger.fava_ext"   the only Fava extension (in any file)

Anything else is one finding, naming file and line::

    main.beancount:9: plugin "beancount.plugins.implicit_prices" is not allowed: ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from beancount.core import data
from beancount.parser import options as beancount_options

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
OPTIONS = frozenset({"title", "operating_currency", "insert_pythonpath", "render_commas"})
# Keys of a parsed options map that are not options a person sets.
_BOOKKEEPING = frozenset({"filename", "include", "plugin", "dcontext", "input_hash"})
EXTENSION = "onebox_ledger.fava_ext"


def _line(text: str, pattern: str) -> int:
    """The first line of `text` matching `pattern` (a regex), or 0."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def header_findings(
    name: str, text: str, options: Mapping[str, Any], entries: Iterable[data.Directive]
) -> list[str]:
    """Findings (``file:line: message``) on main.beancount, given its text and parsed options,
    and on the Fava extensions named by `entries` (the whole ledger's)."""
    out: list[str] = []
    for key in sorted(options):
        if key in _BOOKKEEPING or key in OPTIONS:
            continue
        if options[key] != beancount_options.OPTIONS_DEFAULTS.get(key, options[key]):
            line = _line(text, rf'^option\s+"{re.escape(key)}"')
            out.append(
                f'{name}:{line}: option "{key}" is set; onebox-ledger accepts only'
                f" {', '.join(sorted(OPTIONS))} (it can change what the books say)"
            )
    currencies = list(options.get("operating_currency") or [])
    if len(currencies) != 1:
        line = _line(text, r'^option\s+"operating_currency"')
        out.append(
            f'{name}:{line}: option "operating_currency" must name exactly one currency,'
            f" not {len(currencies)}"
        )
    names = [str(plugin) for plugin, _ in options.get("plugin") or ()]
    for plugin in names:
        if plugin not in REQUIRED_PLUGINS and plugin not in CHECK_PLUGINS:
            line = _line(text, rf'^plugin\s+"{re.escape(plugin)}"')
            out.append(
                f'{name}:{line}: plugin "{plugin}" is not allowed: a plugin runs code and can'
                " change entries after every check (allowed: onebox-ledger's two, Beancount's"
                " pedantic checks)"
            )
    for plugin in REQUIRED_PLUGINS:
        if plugin not in names:
            out.append(
                f'{name}:0: plugin "{plugin}" is missing: bean-check and Fava no longer run'
                " its checks (add the line back)"
            )
    includes = [str(include) for include in options.get("include") or ()]
    for include in includes:
        if include not in INCLUDES:
            line = _line(text, rf'^include\s+"{re.escape(include)}"')
            out.append(
                f'{name}:{line}: include "{include}" is not one onebox-ledger writes (accepted:'
                f" {', '.join(INCLUDES)})"
            )
    for include in INCLUDES:
        if includes.count(include) != 1:
            what = "is missing" if include not in includes else "appears twice"
            out.append(f'{name}:0: include "{include}" {what}: its entries are not loaded')
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "fava-extension":
            value = entry.values[0][0] if entry.values else None
            if value != EXTENSION:
                meta = entry.meta or {}
                out.append(
                    f"{meta.get('filename', name)}:{meta.get('lineno', 0)}: Fava extension"
                    f" {value!r} is not allowed: Fava imports and runs it (only {EXTENSION!r})"
                )
    return out
