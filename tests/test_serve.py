"""``onebox-ledger serve``: Fava on the books, read-only, for the hosts it is meant for.

Fava's real app (onebox_ledger.serve.make_app) through Flask's test client, which
goes through the Guard middleware: every write endpoint of Fava 1.30 is refused
with files byte-identical (and, as a control, the same request does write on a
writable Fava), foreign Host headers are refused, Basic authentication lets in
only the right user and password. Then the command itself: its refusals before
it listens, and one real server over real HTTP. ``test_browser.py`` drives the
served page in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner, Result
from conftest import copy_demo, invoke, succeeded
from fava.application import create_app
from fava.beans.funcs import hash_entry
from werkzeug.test import EnvironBuilder, run_wsgi_app

from onebox_ledger import serve as web
from onebox_ledger.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SLUG = "demo-onebox-partner"
PAGE = f"/{SLUG}/extension/OneBox/"
PORT = 5000
LOCAL = {"Host": f"localhost:{PORT}"}
OCTOBER = "ledger/journal/2026-10.beancount"
PASSWORD = "correct horse battery"
ERROR = "onebox-ledger: error: "

Snapshot = Callable[[Path], dict[str, bytes]]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path (the lock file too: serve never takes it)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def demo(fixed_today: None, tmp_path: Path) -> Path:
    """A copy of the shipped demo, with a documents folder so that Fava's document endpoints
    have somewhere to write, and an import folder holding one statement."""
    root = tmp_path / "demo"
    copy_demo(root, main=False)
    text = (ROOT / "main.beancount").read_text(encoding="utf-8")
    text += '2026-01-01 custom "fava-option" "import-dirs" "statements"\n'
    (root / "main.beancount").write_text(text, encoding="utf-8")
    (root / "documents" / "Assets" / "Bank").mkdir(parents=True)
    (root / "documents" / "Assets" / "Bank" / "2026-10-01.statement.pdf").write_bytes(b"%PDF-1")
    (root / "statements").mkdir()
    (root / "statements" / "bank.csv").write_text("Date,Amount\n", encoding="utf-8")
    return (root / "main.beancount").resolve()


def keep_json(main: Path) -> dict[str, Any]:
    """``report keep --by stream --format json`` on `main`."""
    lines = succeeded(invoke(main, "report", "keep", "--by", "stream", "--format", "json"))
    return dict(json.loads("\n".join(lines)))


@pytest.fixture
def headline(demo: Path) -> str:
    """The page's headline: the total row of ``report keep`` on the demo, in words."""
    totals = keep_json(demo)["totals"]
    total, last = totals[0], totals[-1]
    money = {key: f"{Decimal(total[key]):,f}" for key in ("sold", "onebox_cost", "kept")}
    text = (
        f"Sold {money['sold']} USD; OneBox cost {money['onebox_cost']} USD;"
        f" kept {money['kept']} USD ({total['kept_pct']}%)."
    )
    if len(totals) > 1:  # costs below the total (bad debt): what is kept after them
        text += (
            f" {last['stream'].capitalize()} {Decimal(last['kept']):,f} USD ({last['kept_pct']}%)."
        )
    return text


def guarded(
    main: Path, users: dict[str, web.Hashed] | None = None, allow: tuple[str, ...] = ()
) -> Any:
    hosts = web.served_hosts("127.0.0.1", PORT, allow)
    return web.make_app(main, hosts, users, load=True, poll_watcher=True)


def an_entry_hash(main: Path) -> str:
    """Fava's hash of the first transaction in the October journal."""
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(main))
    assert errors == []
    october = str(main.parent / OCTOBER)
    txn = next(
        e for e in entries if isinstance(e, data.Transaction) and e.meta["filename"] == october
    )
    return str(hash_entry(txn))


def writes(main: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """Each write endpoint of Fava 1.30 (fava/json_api.py, fava/application.py) with a request
    that writes on a writable Fava: (method, path, werkzeug request arguments)."""
    root = main.parent
    october = root / OCTOBER
    source = october.read_text(encoding="utf-8")
    sha = hashlib.sha256(source.encode("utf-8")).hexdigest()
    entry = an_entry_hash(main)
    document = str(root / "documents" / "Assets" / "Bank" / "2026-10-01.statement.pdf")
    txn = {
        "t": "Transaction", "date": "2026-10-20", "flag": "*", "payee": "Mallory",
        "narration": "added through the web", "meta": {}, "tags": [], "links": [],
        "postings": [
            {"account": "Assets:Bank", "amount": "-500.00 USD"},
            {"account": "Income:Services", "amount": "500.00 USD"},
        ],
    }  # fmt: skip
    api = f"/{SLUG}/api"
    upload = {"file": (io.BytesIO(b"%PDF-1 evil"), "2026-10-02.evil.pdf")}
    return [
        ("PUT", f"{api}/source", {"json": {"file_path": str(october), "source": source + "; x\n", "sha256sum": sha}}),
        ("PUT", f"{api}/source_slice", {"json": {"entry_hash": entry, "source": '2026-10-01 * "x"\n', "sha256sum": sha}}),
        ("DELETE", f"{api}/source_slice", {"query_string": {"entry_hash": entry, "sha256sum": sha}}),
        ("PUT", f"{api}/format_source", {"json": {"source": source}}),
        ("PUT", f"{api}/add_entries", {"json": {"entries": [txn]}}),
        ("PUT", f"{api}/attach_document", {"json": {"filename": document, "entry_hash": entry}}),
        ("PUT", f"{api}/add_document", {"data": {**upload, "folder": "documents", "account": "Assets:Bank", "hash": entry}}),
        ("PUT", f"{api}/upload_import_file", {"data": {"file": (io.BytesIO(b"Date,Amount\n"), "evil.csv")}}),
        ("PUT", f"{api}/move", {"json": {"account": "Assets:Bank", "new_name": "moved.pdf", "filename": document}}),
        ("DELETE", f"{api}/document", {"query_string": {"filename": document}}),
        ("POST", f"/{SLUG}/extension/OneBox/report", {}),
        ("PUT", f"/{SLUG}/extension/OneBox/report", {}),
        ("DELETE", f"/{SLUG}/extension/OneBox/report", {}),
    ]  # fmt: skip


# ---------------------------------------------------------------- read-only


def test_the_write_endpoints_listed_are_every_write_route_of_fava() -> None:
    """A Fava upgrade that adds a write route fails here until it is looked at."""
    app = create_app([])
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in sorted(set(rule.methods or ()) - {"GET", "HEAD", "OPTIONS"})
    }
    assert routes == {
        ("PUT", "/<bfile>/api/move"),
        ("PUT", "/<bfile>/api/source"),
        ("PUT", "/<bfile>/api/source_slice"),
        ("DELETE", "/<bfile>/api/source_slice"),
        ("PUT", "/<bfile>/api/format_source"),
        ("DELETE", "/<bfile>/api/document"),
        ("PUT", "/<bfile>/api/add_document"),
        ("PUT", "/<bfile>/api/attach_document"),
        ("PUT", "/<bfile>/api/add_entries"),
        ("PUT", "/<bfile>/api/upload_import_file"),
        ("POST", "/<bfile>/extension/<extension_name>/<endpoint>"),
        ("PUT", "/<bfile>/extension/<extension_name>/<endpoint>"),
        ("DELETE", "/<bfile>/extension/<extension_name>/<endpoint>"),
    }
    assert len(writes(ROOT / "main.beancount")) == len(routes)


def test_every_write_endpoint_is_refused_and_no_file_changes(demo: Path) -> None:
    before = tree(demo.parent)
    client = guarded(demo).test_client()
    for method, path, args in writes(demo):
        response = client.open(path, method=method, headers=LOCAL, **args)
        assert (response.status_code, response.get_data(as_text=True)) == (
            405,
            f"onebox-ledger serve is read-only: {method} {path} refused\n",
        ), path
        assert response.headers["Allow"] == "GET"
    for method in ("HEAD", "PATCH", "OPTIONS", "TRACE", "PROPFIND"):
        response = client.open(PAGE, method=method, headers=LOCAL)
        assert response.status_code == 405, method
    assert tree(demo.parent) == before


def test_the_same_requests_write_on_a_writable_fava(demo: Path) -> None:
    """The control: without serve, these requests change the books (so the refusals above
    are refusals of real writes)."""
    root = demo.parent
    fava = create_app([str(demo)], read_only=False, poll_watcher=True).test_client()
    requests = {path: (method, args) for method, path, args in writes(demo)}
    for path in (f"/{SLUG}/api/source", f"/{SLUG}/api/add_entries", f"/{SLUG}/api/add_document"):
        before = tree(root)
        method, args = requests[path]
        response = fava.open(path, method=method, **args)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        changed = sorted(
            k for k in tree(root).keys() | before.keys() if tree(root).get(k) != before.get(k)
        )
        assert changed == {
            f"/{SLUG}/api/source": [OCTOBER],
            f"/{SLUG}/api/add_entries": ["main.beancount"],
            f"/{SLUG}/api/add_document": [
                "documents/Assets/Bank/2026-10-02.evil.pdf", "ledger/journal/2026-10.beancount",
            ],
        }[path]  # fmt: skip


def test_reading_works_the_page_the_report_and_the_source(demo: Path, headline: str) -> None:
    client = guarded(demo).test_client()
    page = client.get(PAGE, headers=LOCAL)
    assert page.status_code == 200
    assert f'<p id="onebox-headline"><strong>{headline}</strong></p>' in page.get_data(as_text=True)
    report = client.get(PAGE + "report", headers=LOCAL)
    keep = json.loads(report.data)["tables"]["keep-stream"]
    assert keep == keep_json(demo)
    services = keep["rows"][-1]  # no OneBox cost: all kept
    assert (services["stream"], services["onebox_cost"], services["kept_pct"]) == ("services", "0.00", "100.0")  # fmt: skip
    source = client.get(
        f"/{SLUG}/api/source", headers=LOCAL, query_string={"filename": str(demo.parent / OCTOBER)}
    )
    assert json.loads(source.data)["data"]["source"] == (demo.parent / OCTOBER).read_text("utf-8")


def test_extracting_a_statement_on_the_import_page_writes_nothing(demo: Path) -> None:
    """Fava's import page runs the importer (GET /api/extract): it shows entries, and the
    files stay as they were (recording a statement is onebox-ledger import's job)."""
    with demo.open("a", encoding="utf-8") as main:
        main.write(
            f'2026-01-01 custom "fava-option" "import-config" "{ROOT / "importers" / "config.py"}"\n'
        )
    statement = demo.parent / "statements" / "bank-2026-11.csv"
    shutil.copy(ROOT / "tests" / "importers" / "bank-2026-11.csv", statement)
    before = tree(demo.parent)
    client = guarded(demo).test_client()
    response = client.get(
        f"/{SLUG}/api/extract", headers=LOCAL,
        query_string={"filename": str(statement), "importer": "onebox_ledger.importers.bank.BankImporter"},
    )  # fmt: skip
    assert response.status_code == 200
    entries = json.loads(response.data)["data"]
    # the open of the fee account, then the 8 rows `import` books (6 receipts, 1 payment, 1 fee)
    # 6 receipts, 1 payment, 1 fee and the commission a receipt earns Acme Realty's agent
    assert [e["t"] for e in entries] == ["Open"] + ["Transaction"] * 9
    assert tree(demo.parent) == before


# ---------------------------------------------------------------- Host


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:5000", 200),
        ("127.0.0.1:5000", 200),
        ("[::1]:5000", 200),
        ("LocalHost:5000", 200),
        ("evil.example", 400),  # DNS rebinding: evil.example resolved to 127.0.0.1
        ("evil.example:5000", 400),
        ("localhost", 400),  # port 80, not the port served
        ("localhost:5001", 400),
        ("127.0.0.1:80", 400),
        ("127.0.0.1.evil.example:5000", 400),
        ("localhost.:5000", 400),
        ("localhost:5000@evil.example", 400),
        ("localhost:5000, evil.example", 400),
        ("[::1]", 400),
        ("", 400),
    ],
)
def test_only_the_served_hosts_are_answered(demo: Path, host: str, status: int) -> None:
    client = guarded(demo).test_client()
    response = client.get(PAGE, headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert response.get_data(as_text=True) == (
            f"onebox-ledger serve: Host {host!r} is not served here\n"
        )


def test_a_request_without_a_host_header_is_refused(demo: Path) -> None:
    environ = EnvironBuilder(PAGE).get_environ()
    del environ["HTTP_HOST"]
    body, status, _ = run_wsgi_app(guarded(demo).wsgi_app, environ)
    assert (status, b"".join(body)) == (
        "400 Bad Request",
        b"onebox-ledger serve: Host '' is not served here\n",
    )


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("books.example.com", 200),  # behind a reverse proxy on 443
        ("books.example.com:8443", 200),
        ("BOOKS.example.com", 200),
        ("proxy.lan:8080", 200),
        ("proxy.lan:8081", 400),
        ("proxy.lan", 400),
        ("evil.books.example.com", 400),
    ],
)
def test_allow_host_adds_a_name_on_any_port_or_name_port(
    demo: Path, host: str, status: int
) -> None:
    client = guarded(demo, allow=("books.example.com", "proxy.lan:8080")).test_client()
    assert client.get(PAGE, headers={"Host": host}).status_code == status


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True), ("127.3.2.1", True), ("localhost", True), ("LOCALHOST", True),
        ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False),
        ("192.168.1.20", False), ("books.lan", False), ("localhost.evil.example", False),
    ],
)  # fmt: skip
def test_loopback_is_localhost_127_0_0_0_8_and_ipv6_one(host: str, loopback: bool) -> None:
    assert web.is_loopback(host) is loopback


def test_an_ipv6_address_is_served_in_brackets() -> None:
    hosts = web.served_hosts("::1", 8080)
    assert [hosts.allows(h) for h in ("[::1]:8080", "localhost:8080", "[::1]:5000", "::1:8080")] == [
        True, True, False, False,
    ]  # fmt: skip


def test_a_write_from_an_unserved_host_is_refused_as_a_host(demo: Path) -> None:
    client = guarded(demo).test_client()
    response = client.put(f"/{SLUG}/api/source", headers={"Host": "evil.example:5000"})
    assert response.status_code == 400


# ---------------------------------------------------------------- Basic auth


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {**LOCAL, "Authorization": f"Basic {token}"}


@pytest.fixture(scope="module")
def alice() -> dict[str, web.Hashed]:
    return web.parse_password_file(f"alice:{web.hash_password(PASSWORD)}\n", "books.passwd")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param(LOCAL, 401, id="no-credentials"),
        pytest.param(basic("alice", "wrong horse battery"), 401, id="wrong-password"),
        pytest.param(basic("bob", PASSWORD), 401, id="unknown-user"),
        pytest.param(basic("alice", PASSWORD + " "), 401, id="password-plus-space"),
        pytest.param({**LOCAL, "Authorization": "Basic !!!"}, 401, id="not-base64"),
        pytest.param({**LOCAL, "Authorization": "Bearer abc"}, 401, id="other-scheme"),
        pytest.param(
            {**LOCAL, "Authorization": "Basic " + base64.b64encode(PASSWORD.encode()).decode()},
            401, id="no-colon",
        ),
        pytest.param(basic("alice", PASSWORD), 200, id="right"),
        pytest.param({**basic("alice", PASSWORD), "Authorization": basic("alice", PASSWORD)["Authorization"].replace("Basic", "basic")}, 200, id="scheme-any-case"),
    ],
)  # fmt: skip
def test_basic_auth_lets_in_only_the_right_user_and_password(
    demo: Path, alice: dict[str, web.Hashed], headers: dict[str, str], status: int, headline: str
) -> None:
    client = guarded(demo, alice).test_client()
    response = client.get(PAGE, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.get_data(as_text=True) == "onebox-ledger serve: log in\n"
        assert (
            response.headers["WWW-Authenticate"] == 'Basic realm="onebox-ledger", charset="UTF-8"'
        )
    else:
        assert headline in response.get_data(as_text=True)


def test_the_checks_come_in_order_host_then_login_then_read_only(
    demo: Path, alice: dict[str, web.Hashed]
) -> None:
    client = guarded(demo, alice).test_client()
    path = f"/{SLUG}/api/add_entries"
    assert (
        client.put(path, headers={**basic("alice", PASSWORD), "Host": "evil.example"}).status_code
        == 400
    )
    assert client.put(path, headers=LOCAL).status_code == 401
    assert client.put(path, headers=basic("alice", PASSWORD)).status_code == 405


def test_a_verified_login_is_remembered_and_a_wrong_one_never(alice: dict[str, web.Hashed]) -> None:
    app_calls: list[str] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        app_calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"ok"]

    guard = web.Guard(app, web.served_hosts("127.0.0.1", PORT), alice)
    right = basic("alice", PASSWORD)["Authorization"]
    wrong = basic("alice", "not the password")["Authorization"]
    for header in (right, wrong, right, wrong):
        environ = EnvironBuilder("/x", headers={**LOCAL, "Authorization": header}).get_environ()
        run_wsgi_app(guard, environ)
    assert app_calls == ["/x", "/x"]
    assert list(guard._verified.values()) == ["alice"]


# ---------------------------------------------------------------- passwords


def test_a_hash_is_salted_scrypt_and_matches_only_its_password() -> None:
    salt = bytes(range(16))
    encoded = web.hash_password(PASSWORD, salt)
    expected = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)
    assert encoded == (
        "scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw==$" + base64.b64encode(expected).decode()
    )
    hashed = web.parse_hash(encoded)
    assert hashed.matches(PASSWORD)
    assert not hashed.matches(PASSWORD.upper())
    assert web.hash_password(PASSWORD) != web.hash_password(PASSWORD)  # a new salt each time


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alice\n", "--password-file books.passwd line 1 is not 'user:hash'"
         " (make one with: onebox-ledger serve --hash-password USER >> FILE)"),
        ("# users\n\nalice:plain-text-password\n", "--password-file books.passwd line 3: the hash is"
         " not 'scrypt$N$r$p$salt$hash' (make one with: onebox-ledger serve --hash-password USER >> FILE)"),
        ("alice:scrypt$16384$8$1$!!$AAAA\n", "--password-file books.passwd line 1: the hash's numbers"
         " or base64 are malformed (make one with: onebox-ledger serve --hash-password USER >> FILE)"),
        ("alice:scrypt$1048577$8$1$AAECAwQFBgcICQoLDA0ODw==$AAAA\n", "--password-file books.passwd"
         " line 1: scrypt parameters N=1048577 r=8 p=1 are out of range (make one with:"
         " onebox-ledger serve --hash-password USER >> FILE)"),
        ("alice:scrypt$1048576$32$16$AAECAwQFBgcICQoLDA0ODw==$AAAA\n", "--password-file books.passwd"
         " line 1: scrypt parameters N=1048576 r=32 p=16 need too much memory (make one with:"
         " onebox-ledger serve --hash-password USER >> FILE)"),
        ("alice:scrypt$16384$8$1$AAAA$AAAA\n", "--password-file books.passwd line 1: the salt needs"
         " at least 16 bytes and the hash 32 (make one with: onebox-ledger serve --hash-password"
         " USER >> FILE)"),
        ("# nobody yet\n", "--password-file books.passwd has no 'user:hash' line (make one with:"
         " onebox-ledger serve --hash-password USER >> FILE)"),
    ],
)  # fmt: skip
def test_a_bad_password_file_is_one_line_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(web.InputError) as caught:
        web.parse_password_file(text, "books.passwd")
    assert str(caught.value) == message


def test_a_user_twice_is_refused() -> None:
    line = f"alice:{web.hash_password(PASSWORD, bytes(16))}\n"
    with pytest.raises(web.InputError) as caught:
        web.parse_password_file(line + line, "books.passwd")
    assert str(caught.value) == "--password-file books.passwd line 2: user 'alice' appears twice"


# ---------------------------------------------------------------- the command


def serve_cli(*args: str, input: str | None = None, ledger: Path | None = None) -> Result:
    main = ["--ledger", str(ledger)] if ledger else []
    return CliRunner().invoke(cli, [*main, "serve", *args], input=input, catch_exceptions=False)


def one_error(result: Result, code: int) -> str:
    assert (result.exit_code, result.stdout) == (code, ""), result.output
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(ERROR)
    return line[len(ERROR) :]


def test_hash_password_reads_stdin_and_prints_a_password_file_line(fixed_today: None) -> None:
    result = serve_cli("--hash-password", "alice", input=PASSWORD + "\n")
    assert (result.exit_code, result.stderr) == (0, "")
    [line] = result.stdout.splitlines()
    users = web.parse_password_file(line, "-")
    assert list(users) == ["alice"]
    assert users["alice"].matches(PASSWORD)
    assert not users["alice"].matches(PASSWORD + "\n")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--hash-password", "alice"), "short\n", "the password must have at least 8 characters"),
        (("--hash-password", "alice"), "tab\there ok\n", "the password contains a control character"),
        (("--hash-password", "al:ice"), PASSWORD + "\n", "user 'al:ice' must be 1 to 64 letters, digits and . _ @ + -"),
        (("--host", "0.0.0.0"), None, "--host 0.0.0.0 is not a loopback address: serving beyond this machine needs --password-file FILE (see onebox-ledger serve --help)"),
        (("--host", "192.168.1.20"), None, "--host 192.168.1.20 is not a loopback address: serving beyond this machine needs --password-file FILE (see onebox-ledger serve --help)"),
        (("--host", "::"), None, "--host :: is not a loopback address: serving beyond this machine needs --password-file FILE (see onebox-ledger serve --help)"),
        (("--host", "books.lan"), None, "--host books.lan is not a loopback address: serving beyond this machine needs --password-file FILE (see onebox-ledger serve --help)"),
        (("--port", "70000"), None, "Invalid value for '--port': 70000 is not in the range 1<=x<=65535."),
        (("--allow-host", "books lan"), None, "--allow-host 'books lan' is not a host name, an address or NAME:PORT"),
        (("--allow-host", "books.lan:99999"), None, "--allow-host 'books.lan:99999' is not a host name, an address or NAME:PORT"),
        (("--password-file", "/nonexistent/books.passwd"), None, "--password-file /nonexistent/books.passwd: No such file or directory"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_exit_2(
    fixed_today: None, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    assert one_error(serve_cli(*args, input=stdin, ledger=ROOT / "main.beancount"), 2) == message


def test_a_missing_ledger_is_the_usual_line_before_listening(
    fixed_today: None, tmp_path: Path
) -> None:
    missing = tmp_path / "main.beancount"
    assert one_error(serve_cli("--port", str(free_port()), ledger=missing), 1) == (
        f"ledger {missing} does not exist (create one: onebox-ledger init DIR)"
    )


def test_a_port_in_use_is_one_line(fixed_today: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve_cli("--port", str(port), ledger=ROOT / "main.beancount")
    assert one_error(result, 1) == (
        f"cannot listen on 127.0.0.1:{port}: Address already in use (choose another with --port)"
    )


def test_the_help_is_whole_with_an_example(fixed_today: None) -> None:
    result = CliRunner().invoke(cli, ["--help"], catch_exceptions=False)
    [line] = [line for line in result.stdout.splitlines() if line.strip().startswith("serve ")]
    assert line.split(None, 1)[1] == "Browse the books in Fava, read-only, on this machine."
    text = serve_cli("--help").stdout
    assert "  onebox-ledger serve                      # http://127.0.0.1:5000\n" in text


# ---------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(url: str, method: str = "GET", host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method)
    if host is not None:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def read_lines(stream: Any, count: int, seconds: float) -> str:
    """`count` lines from an unbuffered pipe, or what came before `seconds` passed."""
    text = b""
    deadline = time.monotonic() + seconds
    while text.count(b"\n") < count and time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(stream.fileno(), 4096) if ready else b""
        if ready and not chunk:
            break  # the process ended
        text += chunk
    return text.decode("utf-8")


@pytest.fixture
def server(demo: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {**os.environ, "ONEBOX_TODAY": "2026-12-15", "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "onebox_ledger", "--ledger", str(demo), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        started = read_lines(proc.stdout, 2, seconds=60)  # printed once it listens
        assert started == (
            f"serving {demo} read-only on {base}/ (Ctrl-C stops)\n"
            f"OneBox page: {base}/{SLUG}/extension/OneBox/\n"
        ), started + (read_lines(proc.stderr, 100, 1) if proc.poll() is not None else "")
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.slow  # a server process: about 2 s
def test_a_real_server_serves_the_page_refuses_other_hosts_and_writes_and_stops_on_ctrl_c(
    demo: Path, server: tuple[subprocess.Popen[bytes], int], headline: str
) -> None:
    proc, port = server
    before = tree(demo.parent)
    base = f"http://127.0.0.1:{port}"
    status, html = http(f"{base}{PAGE}")
    assert status == 200
    assert f'<p id="onebox-headline"><strong>{headline}</strong></p>' in html
    assert http(f"{base}{PAGE}", host=f"localhost:{port}")[0] == 200
    assert http(f"{base}{PAGE}", host=f"evil.example:{port}") == (
        400, f"onebox-ledger serve: Host 'evil.example:{port}' is not served here\n",
    )  # fmt: skip
    assert http(f"{base}/{SLUG}/api/add_entries", method="PUT") == (
        405, f"onebox-ledger serve is read-only: PUT /{SLUG}/api/add_entries refused\n",
    )  # fmt: skip
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    assert proc.wait(timeout=30) == 0
    assert proc.stdout is not None and proc.stderr is not None
    assert (proc.stdout.read(), proc.stderr.read()) == (b"stopped\n", b"")  # no traceback
    assert time.monotonic() - started < 10
    assert tree(demo.parent) == before
