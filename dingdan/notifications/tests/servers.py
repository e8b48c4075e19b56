"""Real servers for notification tests: an HTTP receiver (webhooks, SMS gateway) on a thread
and an SMTP server (aiosmtpd), both recording what arrived and when."""

import email
import email.policy
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class HttpReceiver:
    """Answers every POST with `status()` (200 unless changed) after recording it."""

    host: str = "127.0.0.1"
    received: list[Received] = field(default_factory=list)
    status: Callable[[Received], int] = lambda request: 200
    location: str = ""  # sent with 3xx answers
    incomplete: int = 0  # requests whose body was cut off (the sender died): not answered
    server: Any = None

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # a real receiver never accepts half a request
                    receiver.incomplete += 1
                    return
                request = Received(self.path, dict(self.headers.items()), body, time.time())
                receiver.received.append(request)
                code = receiver.status(request)
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[float, email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((time.time(), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a free port; `messages` holds (arrival time, message)."""

    def __init__(self) -> None:
        self.mailbox = _Mailbox()
        self.port = _free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[tuple[float, email.message.EmailMessage]]:
        return self.mailbox.messages

    def close(self) -> None:
        self.controller.stop()
