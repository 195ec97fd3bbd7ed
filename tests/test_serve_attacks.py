"""The catalogue of attacks on the served books: requests that must neither change a byte nor
read past the books.

One copy of the shipped demo, served as ``onebox-ledger serve`` serves it
(onebox_ledger.serve.make_app: Fava read-only, the Guard, onebox_ledger.serve_rules),
with an import configuration, an import folder, a documents folder, two ``query``
entries and a ``document`` entry naming a file outside the books. Beside the books, a
canary folder holds a bank statement and a secret. Every attack asserts its status,
a body without a traceback or a path of the Python installation, and that no byte
changed under the books or in the canary folder.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import sys
import sysconfig
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from conftest import copy_demo, load_entries
from fava.beans.funcs import hash_entry

from onebox_ledger import serve as web

ROOT = Path(__file__).resolve().parent.parent
SLUG = "demo-onebox-partner"
API = f"/{SLUG}/api"
PORT = 5000
LOCAL = {"Host": f"localhost:{PORT}"}
IMPORTER = "onebox_ledger.importers.bank.BankImporter"
PASSWORD = "correct horse battery"
CROSS_SITE = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
INSTALL = {sys.prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]}
READ_ONLY = "onebox-ledger serve answers only queries that read (SELECT, BALANCES, JOURNAL, PRINT)"


@dataclass
class Served:
    """The served books: their folder, the canary folder beside them, the app, its client."""

    books: Path
    canary: Path
    app: Any
    client: Any
    users: dict[str, web.Hashed] = field(default_factory=dict)

    def snapshot(self) -> dict[str, bytes]:
        files = [*self.books.rglob("*"), *self.canary.rglob("*")]
        return {str(p): p.read_bytes() for p in sorted(files) if p.is_file() and not p.is_symlink()}


def build(root: Path) -> tuple[Path, Path]:
    books, canary = root / "books", root / "canary"
    copy_demo(books, main=False)
    (books / "importers").mkdir()
    shutil.copy(ROOT / "importers" / "config.py", books / "importers" / "config.py")
    (books / "statements").mkdir()
    shutil.copy(
        ROOT / "tests" / "importers" / "bank-2026-11.csv", books / "statements" / "bank.csv"
    )
    (books / "documents" / "Assets" / "Bank").mkdir(parents=True)
    (books / "documents" / "Assets" / "Bank" / "2026-10-01.statement.pdf").write_bytes(b"%PDF-1")
    canary.mkdir()
    (canary / "secret.txt").write_text("the canary's secret\n")
    shutil.copy(ROOT / "tests" / "importers" / "bank-2026-11.csv", canary / "bank.csv")
    (books / "statements" / "leak.csv").symlink_to(canary / "bank.csv")
    text = (ROOT / "main.beancount").read_text(encoding="utf-8")
    text += (
        '2026-01-01 custom "fava-option" "import-config" "importers/config.py"\n'
        '2026-01-01 custom "fava-option" "import-dirs" "statements"\n'
        '2026-01-01 query "banks" "SELECT account, sum(position) WHERE account ~ \'^Assets:Bank\''
        ' GROUP BY account"\n'
        '2026-01-01 query "evil" ".output ledger/journal/2026-10.beancount"\n'
        f'2026-11-02 document Assets:Bank "{canary / "secret.txt"}"\n'
        '2026-11-02 note Assets:Bank "The bank\'s letter"\n'
        f'  statement: "{canary / "secret.txt"}"\n'
    )
    (books / "main.beancount").write_text(text, encoding="utf-8")
    return books, canary


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEBOX_TODAY", "2026-12-15")
        patch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
        loader.initialize(use_cache=False)
        books, canary = build(tmp_path_factory.mktemp("served"))
        app = web.make_app(
            books / "main.beancount",
            web.served_hosts("127.0.0.1", PORT),
            load=True,
            poll_watcher=True,
        )  # fmt: skip  (no watcher thread in the tests)
        yield Served(books, canary, app, app.test_client())


@pytest.fixture(scope="module")
def locked(served: Served) -> Iterator[Served]:
    """The same books served with --password-file (alice)."""
    users = web.parse_password_file(f"alice:{web.hash_password(PASSWORD)}\n", "books.passwd")
    app = web.make_app(
        served.books / "main.beancount",
        web.served_hosts("127.0.0.1", PORT),
        users,
        load=True,
        poll_watcher=True,
    )
    yield Served(served.books, served.canary, app, app.test_client(), users)


def alice() -> dict[str, str]:
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    return {**LOCAL, "Authorization": f"Basic {token}"}


def body_is_clean(text: str) -> None:
    assert "Traceback" not in text
    assert 'File "' not in text
    for path in INSTALL:
        assert path not in text


@dataclass(frozen=True)
class Attack:
    path: str
    query: dict[str, str] = field(default_factory=dict)
    status: int = 400
    says: str = ""  # the exact error ("error" of a JSON body), or text the body holds
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=lambda: dict(LOCAL))


def q(text: str) -> dict[str, str]:
    return {"query_string": text}


def attacks(canary: Path, books: Path) -> dict[str, Attack]:
    statement = str(books / "statements" / "bank.csv")
    return {
        # -- the query shell: only reading statements, nothing of the shell
        "output-over-a-sealed-month": Attack(
            f"{API}/query", q(".output ledger/journal/2026-10.beancount"),
            says=f"{READ_ONLY}: '.output' is a shell command",
        ),
        "set-nullvalue": Attack(
            f"{API}/query", q('.set nullvalue "include \\"/etc/passwd\\""'),
            says=f"{READ_ONLY}: '.set' is a shell command",
        ),
        "output-cross-site": Attack(
            f"{API}/query", q(".output ledger/journal/2026-10.beancount"), status=403,
            says="onebox-ledger serve: a request from another site is refused",
            headers={**LOCAL, **CROSS_SITE},
        ),
        "create-table-csv": Attack(
            f"{API}/query", q('CREATE TABLE t USING "csv:/etc/passwd"'),
            says=f"{READ_ONLY}: 'create' does not read",
        ),
        "create-table-canary": Attack(
            f"{API}/query", q(f'CREATE TABLE t (x str) USING "csv:{canary / "secret.txt"}"'),
            says=f"{READ_ONLY}: 'create' does not read",
        ),
        "insert": Attack(
            f"{API}/query", q("INSERT INTO postings VALUES (1)"),
            says=f"{READ_ONLY}: 'insert' does not read",
        ),
        "select-from-a-table-not-the-ledgers": Attack(
            f"{API}/query", q("SELECT * FROM #t"),
            says=f"{READ_ONLY}: table 't' is not one of the ledger's",
        ),
        "explain": Attack(f"{API}/query", q("explain SELECT 1"), says=f"{READ_ONLY}: 'explain' does not read"),
        "help": Attack(f"{API}/query", q("help"), says=f"{READ_ONLY}: 'help' does not read"),
        "errors": Attack(f"{API}/query", q("errors"), says=f"{READ_ONLY}: 'errors' does not read"),
        "bang": Attack(f"{API}/query", q("!ls /"), says=f"{READ_ONLY}: '!ls' is a shell command"),
        "question-mark": Attack(f"{API}/query", q("?"), says=f"{READ_ONLY}: '?' is a shell command"),
        "reload": Attack(f"{API}/query", q(".reload"), says=f"{READ_ONLY}: '.reload' is a shell command"),
        "empty": Attack(f"{API}/query", q("  "), says=f"{READ_ONLY}: the query is empty"),
        "run-a-stored-output": Attack(
            f"{API}/query", q("run evil"), says=f"{READ_ONLY}: '.output' is a shell command"
        ),
        "run-unknown": Attack(
            f"{API}/query", q("run nothing"),
            says="no query named 'nothing' in the ledger (its queries: 'banks', 'evil')",
        ),
        "select-then-output": Attack(
            f"{API}/query", q("SELECT 1; .output ledger/journal/2026-10.beancount"), status=200,
        ),
        "download-output": Attack(
            f"/{SLUG}/download-query/query_result.csv", q(".output ledger/prices.beancount"),
            says=f"{READ_ONLY}: '.output' is a shell command",
        ),
        "download-run-evil": Attack(
            f"/{SLUG}/download-query/query_result.xlsx", q("run evil"),
            says=f"{READ_ONLY}: '.output' is a shell command",
        ),
        "download-create": Attack(
            f"/{SLUG}/download-query/query_result.csv", q('CREATE TABLE t USING "csv:/etc/passwd"'),
            says=f"{READ_ONLY}: 'create' does not read",
        ),
        # -- files: only inside the import and documents folders
        "extract-outside-the-import-folder": Attack(
            f"{API}/extract", {"filename": str(canary / "bank.csv"), "importer": IMPORTER},
            status=404, says=f"{str(canary / 'bank.csv')!r} is not a file of the books' import or documents folders",
        ),
        "extract-etc-passwd": Attack(
            f"{API}/extract", {"filename": "/etc/passwd", "importer": IMPORTER},
            status=404, says="'/etc/passwd' is not a file of the books' import or documents folders",
        ),
        "extract-dot-dot": Attack(
            f"{API}/extract", {"filename": f"{books}/statements/../../canary/bank.csv", "importer": IMPORTER},
            status=404, says="is not a file of the books' import or documents folders",
        ),
        "extract-symlink-leaving": Attack(
            f"{API}/extract", {"filename": str(books / "statements" / "leak.csv"), "importer": IMPORTER},
            status=404, says="is not a file of the books' import or documents folders",
        ),
        "extract-a-document-not-an-import": Attack(
            f"{API}/extract",
            {"filename": str(books / "documents" / "Assets" / "Bank" / "2026-10-01.statement.pdf"), "importer": IMPORTER},
            status=404, says="is not a file of the books' import or documents folders",
        ),
        "extract-a-folder": Attack(
            f"{API}/extract", {"filename": str(books / "statements"), "importer": IMPORTER},
            status=404, says="is not a file of the books' import or documents folders",
        ),
        "extract-unknown-importer": Attack(
            f"{API}/extract", {"filename": statement, "importer": "os.system"}, status=404,
            says="no importer named 'os.system' in the import configuration",
        ),
        "document-etc-passwd": Attack(
            f"/{SLUG}/document/", {"filename": "/etc/passwd"}, status=404,
            says="onebox-ledger serve: '/etc/passwd' is not a file of the books' import or documents folders",
        ),
        "document-entry-outside": Attack(
            f"/{SLUG}/document/", {"filename": str(canary / "secret.txt")}, status=404,
            says="is not a file of the books' import or documents folders",
        ),
        "document-main-beancount": Attack(
            f"/{SLUG}/document/", {"filename": str(books / "main.beancount")}, status=404,
            says="is not a file of the books' import or documents folders",
        ),
        "source-etc-passwd": Attack(
            f"{API}/source", {"filename": "/etc/passwd"},
            says="Trying to read a non-source file at '/etc/passwd'",
        ),
        "source-canary": Attack(
            f"{API}/source", {"filename": str(canary / "secret.txt")},
            says="Trying to read a non-source file",
        ),
        "help-traversal": Attack(f"/{SLUG}/help/..%2F..%2F..%2Fetc%2Fpasswd", status=404),
        # -- methods and sites
        "put-source": Attack(f"{API}/source", method="PUT", status=405, says="onebox-ledger serve is read-only"),
        "delete-document": Attack(f"{API}/document", method="DELETE", status=405, says="read-only"),
        "post-upload": Attack(f"{API}/upload_import_file", method="POST", status=405, says="read-only"),
        "head-query": Attack(f"{API}/query", q("SELECT 1"), method="HEAD", status=405),
        "options": Attack(f"{API}/query", method="OPTIONS", status=405),
        "same-site-fetch": Attack(
            f"{API}/query", q("SELECT 1"), status=403,
            headers={**LOCAL, "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"},
            says="a request from another site is refused",
        ),
        "cross-site-image": Attack(
            f"{API}/query", q("SELECT 1"), status=403,
            headers={**LOCAL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
            says="a request from another site is refused",
        ),
        "origin-only": Attack(
            f"{API}/query", q("SELECT 1"), status=403,
            headers={**LOCAL, "Origin": "http://localhost:5001"},
            says="a request from another site is refused",
        ),
        "rebinding-host": Attack(f"{API}/query", q("SELECT 1"), status=400, headers={"Host": "evil.example:5000"}),
    }  # fmt: skip


CASES = list(attacks(Path("/c"), Path("/b")))


def send(client: Any, attack: Attack) -> tuple[int, str]:
    response = client.open(
        attack.path, method=attack.method, query_string=attack.query, headers=attack.headers
    )
    try:
        return response.status_code, response.get_data(as_text=True)
    finally:
        response.close()


@pytest.mark.parametrize("name", CASES)
def test_an_attack_is_answered_and_changes_nothing(name: str, served: Served) -> None:
    attack = attacks(served.canary, served.books)[name]
    before = served.snapshot()

    status, body = send(served.client, attack)

    assert status == attack.status, body
    body_is_clean(body)
    if attack.says and body.startswith("{"):
        assert attack.says in json.loads(body)["error"]
        assert "\n" not in json.loads(body)["error"]
    elif attack.says:
        assert attack.says in body
        assert body.count("\n") <= 1
    assert served.snapshot() == before


def test_the_issues_output_request_leaves_october_whole(served: Served) -> None:
    october = served.books / "ledger" / "journal" / "2026-10.beancount"
    size = october.stat().st_size
    status, _ = send(
        served.client, attacks(served.canary, served.books)["output-over-a-sealed-month"]
    )
    assert status == 400
    assert october.stat().st_size == size > 0
    assert not (served.books / "x").exists()


def test_reading_queries_still_answer_with_the_ledgers_numbers(served: Served) -> None:
    """The control: SELECT, BALANCES, JOURNAL and `run NAME` of a reading query work."""
    bank = "SELECT account, sum(number) AS total WHERE account = 'Assets:Bank' GROUP BY account"
    status, body = send(served.client, Attack(f"{API}/query", q(bank), status=200))
    assert status == 200
    rows = json.loads(body, parse_float=str)["data"]["rows"]

    expected = sum(
        (p.units.number for e in load_entries(served.books / "main.beancount")
         if hasattr(e, "postings") for p in e.postings if p.account == "Assets:Bank"),
        Decimal(0),
    )  # fmt: skip
    assert [row[0] for row in rows] == ["Assets:Bank"]
    assert Decimal(str(rows[0][1])) == expected
    for text in ("BALANCES WHERE account ~ '^Assets:Bank'", "JOURNAL 'Assets:Bank'", "run banks"):
        status, body = send(served.client, Attack(f"{API}/query", q(text), status=200))
        assert status == 200, (text, body)
        assert "Assets:Bank" in body
    status, body = send(
        served.client,
        Attack(f"/{SLUG}/download-query/query_result.csv", q(bank), status=200),
    )
    assert status == 200
    assert body.splitlines()[0] == "account,total"
    assert body.splitlines()[1].startswith("Assets:Bank,")


def test_a_statement_in_the_import_folder_extracts_and_the_page_lists_only_the_books(
    served: Served,
) -> None:
    before = served.snapshot()
    status, body = send(
        served.client,
        Attack(
            f"{API}/extract",
            {"filename": str(served.books / "statements" / "bank.csv"), "importer": IMPORTER},
            status=200,
        ),
    )
    assert status == 200, body
    # the open of the fee account, 6 receipts, the payment to OneBox and the bank fee
    assert [e["t"] for e in json.loads(body)["data"]] == ["Open"] + ["Transaction"] * 9
    status, body = send(served.client, Attack(f"{API}/imports", status=200))
    assert status == 200
    names = [item["basename"] for item in json.loads(body)["data"]]
    assert names == ["bank.csv"]  # leak.csv leaves the folder: not listed
    assert served.snapshot() == before


def test_a_document_inside_the_folders_is_served(served: Served) -> None:
    pdf = served.books / "documents" / "Assets" / "Bank" / "2026-10-01.statement.pdf"
    status, body = send(
        served.client, Attack(f"/{SLUG}/document/", {"filename": str(pdf)}, status=200)
    )
    assert (status, body) == (200, "%PDF-1")


def test_a_statement_link_to_a_file_outside_is_refused(served: Served) -> None:
    entries = [
        e for e in served.app.config["LEDGERS"][SLUG].all_entries
        if type(e).__name__ == "Note" and "statement" in e.meta
    ]  # fmt: skip
    assert len(entries) == 1
    before = served.snapshot()
    status, body = send(
        served.client,
        Attack(f"/{SLUG}/statement/", {"entry_hash": hash_entry(entries[0]), "key": "statement"}),
    )
    assert status == 404
    assert "secret" not in body.replace(str(served.canary / "secret.txt"), "")
    assert "the canary's secret" not in body
    body_is_clean(body)
    assert served.snapshot() == before


def test_a_jump_never_leaves_the_served_site(served: Served) -> None:
    response = served.client.get(
        "/jump?time=2026-10", headers={**LOCAL, "Referer": "http://evil.example/x?a=1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/x?a=1&time=2026-10"


@pytest.mark.parametrize(
    ("headers", "status"),
    [(LOCAL, 401), ({**alice(), **CROSS_SITE}, 403), (alice(), 400)],
    ids=["no-login", "login-cross-site", "login"],
)
def test_with_a_password_file_the_output_request_is_refused_at_each_step(
    locked: Served, headers: dict[str, str], status: int
) -> None:
    before = locked.snapshot()
    answer = send(
        locked.client,
        Attack(f"{API}/query", q(".output ledger/journal/2026-10.beancount"), headers=headers),
    )
    assert answer[0] == status
    body_is_clean(answer[1])
    assert locked.snapshot() == before


def test_a_cross_site_link_to_a_page_still_opens_it(served: Served) -> None:
    """A person following a link from another site (a top-level navigation) sees the page;
    the other site's script cannot read it."""
    response = served.client.get(
        f"/{SLUG}/extension/OneBox/",
        headers={**LOCAL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Sold " in response.get_data(as_text=True)


def test_concurrent_requests_share_no_query_state(served: Served) -> None:
    """The issue's race: one thread defines a table while another selects from it. Each
    query runs on its own state: the definitions are refused, the selects never see a
    table, and reading queries under different time filters get each their own answer."""
    count = "SELECT count(*) AS n"
    serial = {}
    for time in ("2026-01", "2026-10"):
        response = served.client.get(
            f"{API}/query", query_string={"query_string": count, "time": time}, headers=LOCAL
        )
        serial[time] = json.loads(response.data)["data"]["rows"][0][0]
    assert serial["2026-01"] != serial["2026-10"]
    before = served.snapshot()
    answers: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def worker(kind: str) -> None:
        client = served.app.test_client()
        for _ in range(15):
            if kind == "create":
                args = {
                    "query_string": f'CREATE TABLE t USING "csv:{served.canary / "secret.txt"}"'
                }
            elif kind == "select":
                args = {"query_string": "SELECT * FROM #t"}
            else:
                args = {"query_string": count, "time": kind}
            response = client.get(f"{API}/query", query_string=args, headers=LOCAL)
            with lock:
                answers.append((kind, response.status_code, response.get_data(as_text=True)))

    threads = [
        threading.Thread(target=worker, args=(k,))
        for k in ("create", "select", "2026-01", "2026-10")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 60
    for kind, status, body in answers:
        assert "the canary's secret" not in body
        body_is_clean(body)
        if kind in serial:
            assert status == 200
            assert json.loads(body)["data"]["rows"][0][0] == serial[kind]
        else:
            assert status == 400
    assert served.snapshot() == before


PATH_VALUES = {
    "bfile": SLUG, "report_name": "income_statement", "extension_name": "OneBox",
    "endpoint": "report", "page_slug": "..", "result_format": "csv", "name": "Assets:Bank",
    "aggregation_key": "account", "filename": "..", "subreport": "journal",
}  # fmt: skip


def every_get_route(app: Any) -> list[str]:
    """Every GET route of the served app (Fava's and the extension's), its path filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", PATH_VALUES.get(argument, "x"), path)
        paths.append(path)
    return sorted(set(paths))


def test_every_get_route_with_hostile_arguments_reads_nothing_outside(served: Served) -> None:
    """Each GET route of Fava 1.30 and of the OneBox page, with every argument a route takes
    set to something hostile: the answer is a page, a redirect or a one-line refusal, never
    the canary's secret or a traceback, and no byte changes."""
    secret = str(served.canary / "secret.txt")
    hostile = {
        "filename": secret, "query_string": f'.output {served.books / "x"}', "entry_hash": "x",
        "key": "statement", "page": "1", "order": "asc", "payee": secret, "narration": secret,
        "time": "2026-10", "importer": "os.system", "account": "Assets:Bank",
        "conversion": "at_value", "interval": "month", "filter": secret,
    }  # fmt: skip
    routes = every_get_route(served.app)
    assert len(routes) >= 40  # Fava's reports, its JSON API and the extension
    before = served.snapshot()
    for path in routes:
        status, body = send(served.client, Attack(path, hostile, status=0))
        assert status in (200, 302, 400, 404), (path, status, body[:300])
        assert "the canary's secret" not in body, path
        body_is_clean(body)
    assert served.snapshot() == before
    assert not (served.books / "x").exists()
