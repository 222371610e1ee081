"""A real SMTP server in the test process (aiosmtpd), which records what it accepts and can
refuse addresses (4xx or 5xx), be slow, or be down."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Delivered:
    to: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(cast(EmailMessage, body).get_content())

    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        assert body is not None
        return str(cast(EmailMessage, body).get_content())


@dataclass
class Recorder:
    """The handler: accepts, refuses or delays; keeps what it accepted while the client was
    still there to hear the acceptance (a client that died mid-DATA never got a 250)."""

    delivered: list[Delivered] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> reply, e.g. "550 5.1.1 no"
    delay: float = 0.0
    in_data: int = 0  # DATA commands started
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        del server, session, rcpt_options
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del session
        with self.lock:
            self.in_data += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            return "451 client gone"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.delivered.append(Delivered(list(envelope.rcpt_tos), cast(EmailMessage, parsed)))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.delivered)


class SmtpServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.host = "127.0.0.1"
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
