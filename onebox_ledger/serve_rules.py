"""What a request to the served books may do inside Fava: read, and only inside the books.

``onebox_ledger.serve.Guard`` refuses every method but GET; this module makes
sure no GET changes a file or reads past the books (``install`` puts it into
Fava's app):

- **Queries only read.** Fava's query shell is beanquery's interactive shell:
  ``.output FILE`` writes a file, ``CREATE TABLE t USING "csv:/etc/shadow"``
  reads one, and Fava keeps one shell for all threads, so a table one request
  defines is seen by the next. Here every query (``/api/query``, the CSV and
  XLSX downloads, ``run NAME`` of a ``query`` entry) is parsed by beanquery's
  own parser first and runs only when it is a SELECT, BALANCES, JOURNAL or
  PRINT whose tables are the ledger's own, on a shell of its own::

      GET /books/api/query?query_string=.output ledger/journal/2026-10.beancount
      400 {"error": "onebox-ledger serve answers only queries that read (SELECT, BALANCES,
           JOURNAL, PRINT): '.output' is a shell command", ...}

- **Files inside the books' folders.** Every route that names a file answers
  only for a regular file whose real path (``..`` and symlinks resolved) is
  inside an import folder (``fava-option "import-dirs"``) or a documents folder
  (``option "documents"``), themselves inside the books' folder: the statement
  an import extracts, a document, a statement linked from an entry. Fava's
  import page lists only such files. ``/api/source`` answers for the books'
  own files only (as Fava does).
- **Errors are one line.** An error answered to a request is the first line of
  its message (and the exception a traceback ends with), with no traceback and
  no path of the Python installation (Fava puts an importer's traceback into its
  error text); Fava's refusals answer 400, not 500.
- **A jump stays on the site.** Fava's ``/jump`` goes back to the Referer's
  path, never to another site.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask, Response
    from werkzeug.wrappers import Response as WerkzeugResponse

READING = ("Select", "Balances", "Journal", "Print")
READ_WORDS = ("select", "balances", "journal", "print")
REFUSED = "onebox-ledger serve answers only queries that read (SELECT, BALANCES, JOURNAL, PRINT)"
# The routes that name a file, by Flask endpoint: the request argument holding it, and
# whether documents folders count (else only import folders do).
FILE_ROUTES = {"document": ("filename", True), "json_api.get_extract": ("filename", False)}
QUERY_ROUTES = frozenset({"json_api.get_query", "download_query"})
_INSTALL_PATHS = tuple(
    sorted(
        {
            str(Path(p))
            for p in (
                sys.prefix, sys.base_prefix, sys.exec_prefix,
                *(sysconfig.get_paths().get(k, "") for k in ("purelib", "platlib", "stdlib")),
            )
            if p
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip


class Refused(Exception):
    """A request the served books do not answer; the message is one line for the person."""


# ---------------------------------------------------------------- queries


def reading_query(
    text: str, named: Sequence[tuple[str, str]] = (), tables: Iterable[str] = ()
) -> str:
    """The query text to run, when `text` only reads; else Refused (one line, saying why).

    `named` are the ledger's ``query`` entries (name, query string) that ``run
    NAME`` may name; `tables` the tables a query may read (the ledger's own).
    """
    from beanquery import ParseError
    from beanquery.parser import ast, parse

    stripped = text.strip()
    if not stripped:
        raise Refused(f"{REFUSED}: the query is empty")
    word = stripped.split(None, 1)[0].lower()
    if word.startswith(".") or word.startswith(("!", "?")):
        raise Refused(f"{REFUSED}: {word!r} is a shell command")
    if word == "run":
        return _run(stripped, named, tables)
    if word not in READ_WORDS:
        raise Refused(f"{REFUSED}: {word!r} does not read")
    try:
        statement = parse(stripped)
    except ParseError as err:
        raise Refused(f"the query does not parse: {one_line(str(err))}") from None
    kind = type(statement).__name__
    if kind not in READING:
        raise Refused(f"{REFUSED}: this is {kind}")
    allowed = set(tables)
    for node in _nodes(statement):
        if isinstance(node, ast.Table) and allowed and node.name not in allowed:
            raise Refused(
                f"{REFUSED}: table {node.name!r} is not one of the ledger's"
                f" ({', '.join(sorted(allowed))})"
            )
    return stripped


def _run(text: str, named: Sequence[tuple[str, str]], tables: Iterable[str]) -> str:
    parts = text.rstrip("; \t").split(None, 1)
    name = parts[1].strip().strip("'\"") if len(parts) > 1 else ""
    for query_name, query in named:
        if query_name == name:
            stored = query.strip()
            if stored.split(None, 1)[:1] and stored.split(None, 1)[0].lower() == "run":
                raise Refused(f"{REFUSED}: query {name!r} runs another query")
            return reading_query(stored, (), tables)
    known = ", ".join(repr(n) for n, _ in named) or "none"
    raise Refused(f"no query named {name!r} in the ledger (its queries: {known})")


def _nodes(node: Any) -> Iterable[Any]:
    """Every AST node under `node` (beanquery's nodes are dataclasses, lists hold some)."""
    import dataclasses

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            yield item
            stack.extend(
                getattr(item, field.name)
                for field in dataclasses.fields(item)
                if field.name != "parseinfo"
            )


def shell_class() -> type:
    """Fava's QueryShell, answering only reading queries, each on a shell of its own."""
    from beancount.core.display_context import DisplayContext
    from beanquery.numberify import numberify_results
    from fava.core.query import QueryResultText
    from fava.core.query_shell import (
        FavaBQLShell,
        FavaShellError,
        NonExportableQueryError,
        QueryShell,
        _serialise,
    )
    from fava.util.excel import to_csv, to_excel

    class ReadingQueryShell(QueryShell):
        """Fava's query module, read-only, a new shell (and query state) for every query."""

        def _run(self, entries: Sequence[Any], query: str) -> Any:
            named = [(q.name, q.query_string) for q in self.ledger.all_entries_by_type.Query]
            try:
                text = reading_query(query, named, ledger_tables())
            except Refused as err:
                raise FavaShellError(str(err)) from None
            return FavaBQLShell(self.ledger).run(entries, text)

        def execute_query_serialised(self, entries: Sequence[Any], query: str) -> Any:
            result = self._run(entries, query)
            return QueryResultText(result) if isinstance(result, str) else _serialise(result)

        def query_to_file(
            self, entries: Sequence[Any], query_string: str, result_format: str
        ) -> tuple[str, Any]:
            words = query_string.strip().rstrip(";").split(None, 1)
            name = "query_result"
            if len(words) == 2 and words[0].lower() == "run":
                name = words[1].strip().strip("'\"")
            result = self._run(entries, query_string)
            if isinstance(result, str):
                raise NonExportableQueryError
            dcontext = self.ledger.options["dcontext"]
            assert isinstance(dcontext, DisplayContext)
            types, rows = numberify_results(result.description, result.fetchall(), dcontext.build())
            if result_format == "csv":
                return name, to_csv(types, rows)
            return name, to_excel(types, rows, result_format, query_string)

    return ReadingQueryShell


@functools.cache
def ledger_tables() -> tuple[str, ...]:
    """The tables beanquery's Beancount source gives a query (entries, postings, ...)."""
    import beanquery
    from beancount.parser import options

    connection = beanquery.connect(
        "beancount:", entries=[], errors=[], options=options.OPTIONS_DEFAULTS.copy()
    )
    return tuple(sorted(name for name in connection.tables if name))


# ---------------------------------------------------------------- files


def book_folders(ledger: Any, *, documents: bool = True) -> list[Path]:
    """The import folders (and documents folders), resolved, that lie inside the books'
    folder."""
    root = Path(ledger.beancount_file_path).resolve().parent
    named = [*ledger.fava_options.import_dirs]
    if documents:
        named.extend(ledger.options.get("documents", []))
    folders = []
    for name in named:
        folder = (root / str(name)).resolve()
        if folder.is_relative_to(root) and folder.is_dir():
            folders.append(folder)
    return folders


def confined(name: str, folders: Sequence[Path]) -> Path:
    """`name` as a real path inside one of `folders`, a regular file; else Refused."""
    if not name or "\x00" in name:
        raise Refused("no file named")
    path = Path(name)
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise Refused(
            f"{_shown(name)} is not a file of the books' import or documents folders"
        ) from None
    if not real.is_file() or not any(real.is_relative_to(folder) for folder in folders):
        raise Refused(f"{_shown(name)} is not a file of the books' import or documents folders")
    return real


def _shown(name: str) -> str:
    return repr(name if len(name) <= 120 else name[:117] + "...")


def confined_walk(folders: Sequence[Path]) -> Iterable[Path]:
    """Every regular file under `folders` whose real path stays inside one of them."""
    seen: set[Path] = set()
    for folder in folders:
        for directory, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for file in sorted(files):
                path = Path(directory) / file
                try:
                    real = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if real in seen or not real.is_file():
                    continue
                if any(real.is_relative_to(f) for f in folders):
                    seen.add(real)
                    yield path


# ---------------------------------------------------------------- errors


def one_line(message: str) -> str:
    """An error as one line: its first line, and where it carries a traceback, the exception
    the traceback ends with (``InputError: --fees ...``); no path of the Python installation."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    traced = "Traceback (most recent call last):" in lines
    head = [line for line in lines if line != "Traceback (most recent call last):"]
    first = head[0] if head else "error"
    if traced and head[-1:] and not head[-1].startswith("File "):
        cause = re.sub(r"^(?:[A-Za-z_][\w]*\.)+(?=[A-Za-z_]\w*:)", "", head[-1])
        first = cause if first == cause else f"{first.rstrip(':')}: {cause}"
    for prefix in _INSTALL_PATHS:
        first = first.replace(prefix, "...")
    first = re.sub(r'File "[^"]*"', 'File "..."', first)
    return first if len(first) <= 300 else first[:297] + "..."


# ---------------------------------------------------------------- into Fava


def install(app: Flask) -> None:
    """Put the rules above into Fava's `app` (before every request; on every error)."""
    from fava.helpers import FavaAPIError
    from flask import g, request

    shell_type = shell_class()

    @app.before_request
    def _confine() -> Response | WerkzeugResponse | None:
        if request.endpoint == "jump":
            return _jump()
        ledger = getattr(g, "ledger", None)
        if ledger is None:
            return None
        if not isinstance(ledger.query_shell, shell_type):
            ledger.query_shell = shell_type(ledger)
        _confine_imports(ledger)
        endpoint = request.endpoint or ""
        try:
            if endpoint in QUERY_ROUTES:
                named = [(q.name, q.query_string) for q in ledger.all_entries_by_type.Query]
                reading_query(request.args.get("query_string", ""), named, ledger_tables())
            elif endpoint in FILE_ROUTES:
                argument, documents = FILE_ROUTES[endpoint]
                folders = book_folders(ledger, documents=documents)
                confined(request.args.get(argument, ""), folders)
                if endpoint == "json_api.get_extract":
                    _known_importer(ledger, request.args.get("importer", ""))
            elif endpoint == "statement":
                path = ledger.statement_path(
                    request.args.get("entry_hash", ""), request.args.get("key", "")
                )
                confined(str(path), book_folders(ledger))
        except Refused as err:
            return _refusal(endpoint, str(err), 400 if endpoint in QUERY_ROUTES else 404)
        except FavaAPIError as err:
            return _refusal(endpoint, one_line(err.message), 404)
        return None

    @app.after_request
    def _one_line_errors(response: Response) -> Response:
        if response.status_code < 400 or response.mimetype != "application/json":
            return response
        try:
            body = json.loads(response.get_data(as_text=True))
        except ValueError:
            return response
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            body["error"] = one_line(body["error"])
            response.set_data(json.dumps(body))
            if response.status_code == 500:  # Fava's answer to every FavaAPIError: a refusal
                response.status_code = 400
        return response

    @app.errorhandler(FavaAPIError)
    def _page_error(error: FavaAPIError) -> tuple[str, int, dict[str, str]]:
        message = one_line(error.message)
        prefix = "" if message.startswith("onebox-ledger serve") else "onebox-ledger serve: "
        return (
            f"{prefix}{message}\n",
            400,
            {"Content-Type": "text/plain; charset=utf-8"},
        )


def _known_importer(ledger: Any, name: str) -> None:
    config = ledger.ingest.loaded_config
    names = sorted(config.importers) if config else []
    if name not in names:
        raise Refused(
            f"no importer named {_shown(name)} in the import configuration"
            f" ({', '.join(names) or 'none'})"
        )


def _jump() -> WerkzeugResponse:
    """Fava's /jump (back to the referring page with some parameters replaced), never to
    another site: the Referer's path only."""
    from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

    from flask import redirect, request

    url = urlparse(request.referrer or "/")
    query = parse_qsl(url.query)
    for key, values in request.args.lists():
        query = [pair for pair in query if pair[0] != key]
        if values != [""]:
            query.extend((key, value) for value in values)
    path = url.path if url.path.startswith("/") and not url.path.startswith("//") else "/"
    return redirect(urlunparse(("", "", path, "", urlencode(query), "")))


def _refusal(endpoint: str, message: str, status: int) -> Response:
    from flask import jsonify, make_response

    if endpoint.startswith("json_api."):
        response = make_response(jsonify({"error": message}), status)
    else:
        prefix = "" if message.startswith("onebox-ledger serve") else "onebox-ledger serve: "
        response = make_response(f"{prefix}{message}\n", status)
        response.mimetype = "text/plain"
    return response


def _confine_imports(ledger: Any) -> None:
    """Fava's import page lists the files of the import folders that stay inside them."""
    ingest = ledger.ingest
    if getattr(ingest, "_onebox_confined", False):
        return
    from fava.core import ingest as fava_ingest

    def import_data() -> list[Any]:
        config = ingest.loaded_config
        if not config:
            return []
        importers = list(config.importers.values())
        out = []
        for path in confined_walk(book_folders(ledger, documents=False)):
            if path.stat().st_size > fava_ingest._FILE_TOO_LARGE_THRESHOLD:
                continue
            out.append(
                fava_ingest.FileImporters(
                    name=str(path),
                    basename=path.name,
                    importers=[
                        importer.file_import_info(path)
                        for importer in importers
                        if importer.identify(path)
                    ],
                )
            )
        return out

    ingest.import_data = import_data
    ingest._onebox_confined = True
