"""A real SMTP server for the tests (aiosmtpd on a free port, in a thread), collecting what it gets.

`refuse` holds addresses answered 550 at RCPT; `busy` addresses answered 451 (try later); `delay`
makes each DATA take that long after the message is recorded (the kill -9 test's window).
"""
from __future__ import annotations

import asyncio
import email
import socket
import threading
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """The handler: records every accepted message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.busy: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.busy:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        """The Message-IDs received, in order."""
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


class SmtpServer:
    """A started aiosmtpd server: host, port, and its collector."""

    def __init__(self) -> None:
        self.collector = Collector()
        self.host, self.port = "127.0.0.1", free_port()
        self.controller = Controller(self.collector, hostname=self.host, port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def config(self) -> dict:
        """The app settings that send through this server."""
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port, "SMTP_SECURITY": "none",
                "SMTP_FROM": "madoguchi@example.jp"}
