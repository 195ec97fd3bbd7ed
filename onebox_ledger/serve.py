"""``onebox-ledger serve``: Fava on these books, read-only, for the hosts it is meant for.

Plain ``fava main.beancount`` must not serve these books: it is writable
(``PUT /api/source`` rewrites a sealed month under another command's lock,
``PUT /api/add_entries`` writes into ``main.beancount``, a document upload plus a
``plugin`` line runs Python), it has no authentication, and it answers any
``Host:`` header, so a web page on another site can reach it by DNS rebinding.
:func:`make_app` is Fava's own app (``fava.application.create_app``, read-only,
with the OneBox page) behind :class:`Guard`, a WSGI middleware that answers,
in this order::

    Host: evil.example:5000            400  not one of the served hosts
    (with --password-file) no or wrong Basic credentials
                                       401  WWW-Authenticate: Basic realm="onebox-ledger"
    Origin: http://evil.example, or Sec-Fetch-Site: cross-site (or same-site) but for
    following a link to a page         403  another site's page cannot send requests
    PUT /demo/api/source               405  Allow: GET (every method but GET)
    GET /demo/extension/OneBox/        Fava's answer

The served hosts are the address served, ``localhost``, ``127.0.0.1`` and
``[::1]``, each on the served port (a Host header without a port means port 80),
plus each ``--allow-host NAME`` (any port) or ``NAME:PORT``: the public name of a
reverse proxy. Names compare case-insensitively.

Passwords (``--password-file``): one ``user:hash`` line per user, ``#`` comments
and blank lines ignored; the hash is scrypt (``hashlib.scrypt``, N=2^14, r=8,
p=1, a 16-byte random salt, 32 bytes), written ``scrypt$N$r$p$salt$hash`` with
salt and hash in base64, as :func:`hash_password` makes it::

    alice:scrypt$16384$8$1$Xk2n...==$Jw1P...=

A credential that verified once is remembered (a digest of the header, at most
:data:`REMEMBERED`), so only the first request of a session pays scrypt's cost.

Threat model: ``serve`` loads the ledger as ``bean-check`` does, so the
``plugin`` lines, the ``fava-extension`` line and an ``import-config`` of
``main.beancount`` run their Python code in the serving process. Whoever can
write the ledger's files can already run code (every command loads them);
nothing ``serve`` answers can write a file, so a browser cannot add such a line.
Inside Fava, onebox_ledger.serve_rules keeps every GET reading, and reading only
inside the books: queries that only read, each on its own state; files only
from the import and documents folders; errors of one line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import serve_rules
from .values import InputError, show_value

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from flask import Flask

REALM = "onebox-ledger"
READ_METHODS = ("GET",)  # as fava --read-only: even HEAD is refused
REMEMBERED = 64  # verified credentials kept in memory
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024
SALT_BYTES, HASH_BYTES = 16, 32
MIN_PASSWORD = 8
HASH_HINT = "make one with: onebox-ledger serve --hash-password USER >> FILE"

_NAME_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
_HOST_RE = re.compile(rf"(?P<name>{_NAME_RE.pattern})(?::(?P<port>[0-9]{{1,5}}))?")
_USER_RE = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class Hosts:
    """The Host headers served: (name, port) pairs, and names accepted on any port."""

    exact: frozenset[tuple[str, int]]
    any_port: frozenset[str]

    def allows(self, header: str) -> bool:
        match = _HOST_RE.fullmatch(header)
        if match is None:
            return False
        name = match["name"].lower()
        port = int(match["port"]) if match["port"] else 80
        return name in self.any_port or (name, port) in self.exact


def url_host(host: str) -> str:
    """The address as a URL and a Host header write it: '::1' -> '[::1]'."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1; any other name or address reaches beyond this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_hosts(host: str, port: int, allow: Sequence[str] = ()) -> Hosts:
    """The served address, localhost, 127.0.0.1 and [::1] on `port`, plus each NAME[:PORT]."""
    exact = {(name, port) for name in (url_host(host).lower(), *LOOPBACK_NAMES)}
    any_port = set()
    for value in allow:
        match = _HOST_RE.fullmatch(value)
        if match is None or (match["port"] and not 0 < int(match["port"]) < 65536):
            raise InputError(
                f"--allow-host {show_value(value)} is not a host name, an address or NAME:PORT"
            )
        if match["port"]:
            exact.add((match["name"].lower(), int(match["port"])))
        else:
            any_port.add(match["name"].lower())
    return Hosts(frozenset(exact), frozenset(any_port))


# ---------------------------------------------------------------- passwords


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=HASH_BYTES
    )


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'scrypt$16384$8$1$<salt>$<hash>' for `password`, with a new random salt by default."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


@dataclass(frozen=True)
class Hashed:
    """A parsed password hash."""

    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def matches(self, password: str) -> bool:
        return hmac.compare_digest(
            _scrypt(password, self.salt, self.n, self.r, self.p), self.digest
        )


def parse_hash(text: str) -> Hashed:
    """'scrypt$N$r$p$salt$hash' -> Hashed; ValueError (one line) when it is not one we make."""
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("the hash is not 'scrypt$N$r$p$salt$hash'")
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("the hash's numbers or base64 are malformed") from None
    if n < 2**10 or n > 2**20 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise ValueError(f"scrypt parameters N={n} r={r} p={p} are out of range")
    if 128 * r * n * p > SCRYPT_MAXMEM // 2:
        raise ValueError(f"scrypt parameters N={n} r={r} p={p} need too much memory")
    if len(salt) < SALT_BYTES or len(digest) != HASH_BYTES:
        raise ValueError(f"the salt needs at least {SALT_BYTES} bytes and the hash {HASH_BYTES}")
    return Hashed(n, r, p, salt, digest)


def check_user(user: str) -> str:
    if not _USER_RE.fullmatch(user):
        raise InputError(f"user {show_value(user)} must be 1 to 64 letters, digits and . _ @ + -")
    return user


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    if any(ord(char) < 32 or ord(char) == 127 for char in password):
        raise InputError("the password contains a control character")
    return password


def parse_password_file(text: str, name: str) -> dict[str, Hashed]:
    """The users of a password file's text; InputError naming the file and line otherwise."""
    users: dict[str, Hashed] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        user, colon, encoded = line.strip().partition(":")
        where = f"--password-file {name} line {number}"
        if not colon or not _USER_RE.fullmatch(user):
            raise InputError(f"{where} is not 'user:hash' ({HASH_HINT})")
        if user in users:
            raise InputError(f"{where}: user {user!r} appears twice")
        try:
            users[user] = parse_hash(encoded)
        except ValueError as err:
            raise InputError(f"{where}: {err} ({HASH_HINT})") from None
    if not users:
        raise InputError(f"--password-file {name} has no 'user:hash' line ({HASH_HINT})")
    return users


def read_password_file(path: Path) -> dict[str, Hashed]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"--password-file {path} is not UTF-8 text") from None
    except OSError as err:
        raise InputError(f"--password-file {path}: {err.strerror or err}") from None
    return parse_password_file(text, str(path))


# ---------------------------------------------------------------- the middleware


class Guard:
    """WSGI middleware: the Host check, Basic authentication (when users are given) and
    read-only (GET only), in that order, around `app` (see the module docs)."""

    def __init__(
        self, app: WSGIApplication, hosts: Hosts, users: Mapping[str, Hashed] | None = None
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.users = dict(users) if users else None
        self._verified: dict[bytes, str] = {}
        # verifying an unknown user costs what a known one does (no timing oracle)
        self._decoy = parse_hash(hash_password("decoy password", b"\0" * SALT_BYTES))

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        host = str(environ.get("HTTP_HOST", ""))
        if not self.hosts.allows(host):
            return _answer(
                start_response, "400 Bad Request",
                f"onebox-ledger serve: Host {host!r} is not served here\n",
            )  # fmt: skip
        if self.users is not None and not self._authorized(environ):
            return _answer(
                start_response, "401 Unauthorized", "onebox-ledger serve: log in\n",
                [("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')],
            )  # fmt: skip
        if not self._same_site(environ):
            return _answer(
                start_response, "403 Forbidden",
                "onebox-ledger serve: a request from another site is refused (open the page"
                " itself)\n",
            )  # fmt: skip
        method = str(environ.get("REQUEST_METHOD", ""))
        if method not in READ_METHODS:
            path = str(environ.get("PATH_INFO", ""))
            return _answer(
                start_response, "405 Method Not Allowed",
                f"onebox-ledger serve is read-only: {method} {path} refused\n",
                [("Allow", ", ".join(READ_METHODS))],
            )  # fmt: skip
        return self.app(environ, start_response)

    def _same_site(self, environ: WSGIEnvironment) -> bool:
        """False for what another site's page sends: an Origin that is not a served host, or a
        browser's Sec-Fetch-Site other than same-origin or none, unless the person followed a
        link to a page (a top-level navigation, which another site's script cannot read)."""
        origin = str(environ.get("HTTP_ORIGIN", ""))
        if origin:
            scheme, _, host = origin.partition("://")
            if scheme not in ("http", "https") or not self.hosts.allows(host or "?"):
                return False
        site = str(environ.get("HTTP_SEC_FETCH_SITE", "")).lower()
        if site in ("", "same-origin", "none"):
            return True
        navigate = str(environ.get("HTTP_SEC_FETCH_MODE", "")).lower() == "navigate"
        document = str(environ.get("HTTP_SEC_FETCH_DEST", "")).lower() in ("document", "")
        return navigate and document and not origin

    def _authorized(self, environ: WSGIEnvironment) -> bool:
        assert self.users is not None
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        key = hashlib.sha256(header.encode("utf-8", "surrogateescape")).digest()
        if key in self._verified:
            return True
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, colon, password = decoded.partition(":")
        if not colon:
            return False
        hashed = self.users.get(user)
        matches = (hashed or self._decoy).matches(password)
        if hashed is None or not matches:
            return False
        if len(self._verified) >= REMEMBERED:
            self._verified.clear()
        self._verified[key] = user
        return True


def _answer(
    start_response: StartResponse,
    status: str,
    text: str,
    headers: Sequence[tuple[str, str]] = (),
) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *headers,
        ],
    )
    return [body]


def make_app(
    main: Path,
    hosts: Hosts,
    users: Mapping[str, Hashed] | None = None,
    *,
    load: bool = True,
    poll_watcher: bool = False,
) -> Flask:
    """Fava's app for `main`, read-only, behind a Guard (its test_client goes through it)."""
    from fava.application import create_app

    app: Flask = create_app([str(main)], read_only=True, load=load, poll_watcher=poll_watcher)
    serve_rules.install(app)
    app.wsgi_app = Guard(app.wsgi_app, hosts, users)  # type: ignore[method-assign]
    return app


def first_slug(app: Flask) -> str:
    """The URL slug of the served ledger (its title, slugified by Fava)."""
    return str(app.config["LEDGERS"].first_slug())
