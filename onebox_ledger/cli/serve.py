"""``onebox-ledger serve``: browse the books in Fava, read-only, on loopback by default.

The rules are in onebox_ledger.serve; this command checks its options, the
ledger and the password file before it listens, and stops cleanly on Ctrl-C or
SIGTERM::

    $ onebox-ledger serve
    serving /books/main.beancount read-only on http://127.0.0.1:5000/ (Ctrl-C stops)
    OneBox page: http://127.0.0.1:5000/onebox-partner/extension/OneBox/
    ^C
    stopped
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from .. import serve as web
from ..values import InputError
from . import cli
from .common import echo, ledger


@cli.command(short_help="Browse the books in Fava, read-only, on this machine.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address to listen on. Any but loopback needs --password-file.",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=5000, show_default=True, help="Port."
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ask for a user and password (HTTP basic auth) from FILE's 'user:hash' lines.",
)
@click.option(
    "--allow-host",
    multiple=True,
    metavar="NAME[:PORT]",
    help="Also answer this Host header (a reverse proxy's public name). Repeatable.",
)
@click.option(
    "--hash-password",
    metavar="USER",
    help="Print a password-file line for USER (password from standard input); serve nothing.",
)
def serve(
    host: str,
    port: int,
    password_file: Path | None,
    allow_host: tuple[str, ...],
    hash_password: str | None,
) -> None:
    """Browse the books in Fava, read-only, on this machine.

    Fava with the OneBox page, refusing every write (405), every Host header
    but this address, localhost, 127.0.0.1 and [::1] on --port (400), and,
    with --password-file, requests without the right user and password (401).
    Another address than loopback needs --password-file. Ctrl-C stops.

    \b
    Example:
      onebox-ledger serve                      # http://127.0.0.1:5000
      onebox-ledger serve --hash-password alice > books.passwd
      onebox-ledger serve --host 0.0.0.0 --password-file books.passwd \\
          --allow-host books.lan
    """
    if hash_password is not None:
        user = web.check_user(hash_password)
        echo(f"{user}:{web.hash_password(web.check_password(_read_password()))}")
        return
    if not web.is_loopback(host) and password_file is None:
        raise InputError(
            f"--host {host} is not a loopback address: serving beyond this machine needs"
            " --password-file FILE (see onebox-ledger serve --help)"
        )
    hosts = web.served_hosts(host, port, allow_host)
    users = web.read_password_file(password_file) if password_file is not None else None
    books = ledger()
    bind = "127.0.0.1" if host.lower() == "localhost" else host.strip("[]")
    where = f"{web.url_host(bind)}:{port}"
    try:
        _probe(bind, port)  # before the load; cheroot's own error hides the reason in a long text
    except OSError as err:
        hint = " (choose another with --port)" if err.errno == errno.EADDRINUSE else ""
        raise click.ClickException(
            f"cannot listen on {where}: {err.strerror or err}{hint}"
        ) from None
    app = web.make_app(books.main, hosts, users)
    from cheroot.wsgi import Server

    server = Server((bind, port), app)
    try:
        server.prepare()
    except OSError as err:  # taken since the probe
        raise click.ClickException(f"cannot listen on {where}: {err}") from None
    url = f"http://{where}"
    echo(f"serving {books.main} read-only on {url}/ (Ctrl-C stops)")
    echo(f"OneBox page: {url}/{web.first_slug(app)}/extension/OneBox/")
    sys.stdout.flush()
    # SIGTERM, and SIGINT even when started ignoring it (a shell's background job), stop it
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # cheroot joins its workers (one still in a request or a kept-alive connection can hold
        # the join) and at exit Fava joins its file watchers: bounded here, so Ctrl-C always stops
        stopping = threading.Thread(target=server.stop, daemon=True)
        stopping.start()
        stopping.join(STOP_SECONDS)
    echo("stopped")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing is left to write: the served books are read-only


STOP_SECONDS = 5  # what Ctrl-C waits for requests in flight before the process ends


def _probe(bind: str, port: int) -> None:
    """Bind (and release) the address as cheroot will: OSError with the reason if it cannot."""
    family, kind, proto, _, address = socket.getaddrinfo(
        bind, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server as Ctrl-C does."""
    del signum, frame
    raise KeyboardInterrupt


def _read_password() -> str:
    """The password: prompted twice, hidden, on a terminal; else the first line of stdin."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")
