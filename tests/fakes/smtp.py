"""A local SMTP server (aiosmtpd) that receives, parses and keeps every message.

    with FakeSMTP(security="starttls", users={"crieur": "secret"}) as fake:
        config = EmailConfig(fake.host, "Mairie <infos@mairie.example>", port=fake.port,
                             username="crieur", password="secret", ca_file=fake.ca_file)
        ...
        fake.received[0].message["List-Unsubscribe"]   # parsed with email.policy.default

`security`: `starttls` (STARTTLS required before AUTH and MAIL), `tls` (implicit TLS) or
`none`. Its certificate comes from a throwaway CA (trustme), whose PEM is at `ca_file`.
`unknown` addresses are refused at RCPT with 550 5.1.1. Faults, per message, in order:
`fail_next("451")` (4.3.0 try again), `"554"` (5.7.1 refused as spam), `"452"` at RCPT,
`"timeout_after_accept"` (kept, but the reply to DATA comes after `delay` seconds).

As a process (benchmarks): `python -m tests.fakes.smtp --security starttls --user u:p`
prints `ready <host> <port> <ca_file or ->` and then answers each line read on stdin:
`count` (messages received), `sessions` (connections accepted), `reset`.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import functools
import itertools
import ssl
import sys
import tempfile
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOSTNAME = "smtp.fake.test"
SECURITY = ("starttls", "tls", "none")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str

    @functools.cached_property
    def message(self) -> EmailMessage:
        """Parsed when first read, so parsing does not slow the server down."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


class _Handler:
    def __init__(self, fake: FakeSMTP) -> None:
        self.fake = fake

    async def handle_RCPT(self, server, session, envelope, address: str, options) -> str:
        fault = self.fake._fault("rcpt")
        if fault == "452":
            return "452 4.5.3 Too many recipients, try again later"
        if address.lower() in self.fake.unknown:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self.fake._fault("data")
        if fault == "451":
            return "451 4.3.0 Temporary failure, please try again later"
        if fault == "554":
            return "554 5.7.1 Message rejected as spam"
        raw = bytes(envelope.original_content or envelope.content or b"")
        login = session.auth_data.login.decode() if session.auth_data else ""
        received = Received(str(envelope.mail_from), list(envelope.rcpt_tos), raw, login)
        with self.fake.lock:
            self.fake.received.append(received)
            queue_id = f"{next(self.fake._ids):08X}"
        if fault == "timeout_after_accept":
            await asyncio.sleep(self.fake.fault_delay)
        return f"250 2.0.0 Ok: queued as {queue_id}"


class FakeSMTP:
    def __init__(
        self,
        *,
        security: str = "starttls",
        users: dict[str, str] | None = None,
        unknown: set[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if security not in SECURITY:
            raise ValueError(f"security must be one of {SECURITY}")
        self.security = security
        self.users = dict(users or {})
        self.unknown = {a.lower() for a in unknown or ()}
        self.host = host
        self.port = port
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.fault_delay = 1.0
        self.sessions = 0
        self._faults: list[tuple[str, str]] = []
        self._ids = itertools.count(0xC0FFEE)
        self._folder = tempfile.TemporaryDirectory(prefix="fake-smtp-")
        self.ca_file = ""
        self._context: ssl.SSLContext | None = None
        if security != "none":
            authority = trustme.CA()
            certificate = authority.issue_cert(HOSTNAME, host, "localhost")
            self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            certificate.configure_cert(self._context)
            self.ca_file = str(Path(self._folder.name) / "ca.pem")
            authority.cert_pem.write_to_path(self.ca_file)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    # faults and inspection ---------------------------------------------------------------

    def fail_next(self, kind: str, *, times: int = 1, delay: float = 1.0) -> None:
        stage = "rcpt" if kind == "452" else "data"
        with self.lock:
            self.fault_delay = delay
            self._faults.extend((stage, kind) for _ in range(times))

    def _fault(self, stage: str) -> str | None:
        with self.lock:
            if self._faults and self._faults[0][0] == stage:
                return self._faults.pop(0)[1]
        return None

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self._faults.clear()

    # lifecycle ---------------------------------------------------------------------------

    def _authenticate(self, server, session, envelope, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            if login in self.users and self.users[login] == password:
                return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    def _protocol(self) -> SMTP:
        with self.lock:
            self.sessions += 1
        return SMTP(
            _Handler(self),
            hostname=HOSTNAME,
            tls_context=self._context if self.security == "starttls" else None,
            require_starttls=self.security == "starttls",
            authenticator=self._authenticate if self.users else None,
            auth_required=bool(self.users),
            # Implicit TLS is encrypted from the start: aiosmtpd only tracks STARTTLS.
            auth_require_tls=self.security == "starttls",
            loop=self._loop,
        )

    def start(self) -> FakeSMTP:
        self._thread.start()
        ssl_context = self._context if self.security == "tls" else None
        coroutine = self._loop.create_server(self._protocol, self.host, self.port, ssl=ssl_context)
        self._server = asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def drop_sessions(self) -> None:
        """Close every open session, as a server does with idle ones."""
        asyncio.run_coroutine_threadsafe(self._close_sessions(), self._loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        self._folder.cleanup()

    async def _shutdown(self) -> None:
        # In the loop's own thread: asyncio servers are not thread-safe.
        if self._server is not None:
            self._server.close()
        await self._close_sessions()

    async def _close_sessions(self) -> None:
        # Clients may keep sessions open (the channel keeps one per thread): end them.
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> FakeSMTP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.smtp", description=__doc__)
    parser.add_argument("--security", choices=SECURITY, default="none")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", action="append", default=[], metavar="LOGIN:PASSWORD")
    args = parser.parse_args()
    users = dict(u.split(":", 1) for u in args.user)
    with FakeSMTP(security=args.security, users=users, port=args.port) as fake:
        print(f"ready {fake.host} {fake.port} {fake.ca_file or '-'}", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                print(fake.count(), flush=True)
            elif command == "sessions":
                print(fake.sessions, flush=True)
            elif command == "reset":
                fake.reset()
                print("ok", flush=True)


if __name__ == "__main__":
    main()
