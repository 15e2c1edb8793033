"""A real SMTP server on 127.0.0.1 for e-mail tests: aiosmtpd with STARTTLS (or implicit TLS)
on a self-signed certificate, and AUTH that accepts one user and password, only over TLS.

``messages`` holds every message received (parsed), ``logins`` every AUTH attempt
(user, accepted?), ``tls_sessions`` whether each message arrived over TLS. aiosmtpd is a
development dependency: import this module only in tests.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import warnings
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from cloudrift.testing.servers import self_signed_certificate


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpReceiver:
    def __init__(self, tls_directory: str | os.PathLike[str], *, username: str = "drift-bot",
                 password: str = "sMtP-pAsSwOrD-7f3a91", implicit_tls: bool = False,
                 refuse_recipients: bool = False) -> None:
        self.username = username
        self.password = password
        self.implicit_tls = implicit_tls
        self.refuse_recipients = refuse_recipients
        self.certificate, self.key = self_signed_certificate(tls_directory)
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, bool]] = []
        self.tls_sessions: list[bool] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller: Any = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, sender: str = "cloudrift@example.com",
            recipients: tuple[str, ...] = ("ops@example.com",), *,
            password: str | None = None) -> str:
        """The ``--notify`` target for this server, trusting its certificate."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        secret = quote(self.password if password is None else password, safe="")
        query = urlencode([("from", sender), *(("to", r) for r in recipients),
                           ("cafile", str(self.certificate))])
        return f"{scheme}://{quote(self.username, safe='')}:{secret}@{self.host}:{self.port}" \
            f"?{query}"

    def _context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = False
        login = ""
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode()
            ok = login == self.username and auth_data.password.decode() == self.password
        with self._lock:
            self.logins.append((login, ok))
        # not handled: aiosmtpd answers 535 itself
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpReceiver:
        from aiosmtpd.controller import Controller

        receiver = self

        class Handler:
            async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                                  address: str, rcpt_options: list[str]) -> str:
                if receiver.refuse_recipients:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any,  # noqa: N802
                                  envelope: Any) -> str:
                parsed = message_from_bytes(envelope.content, policy=policy.default)
                assert isinstance(parsed, EmailMessage)
                with receiver._lock:
                    receiver.messages.append(parsed)
                    receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                    # STARTTLS or implicit TLS alike: the socket under the session
                    receiver.tls_sessions.append(
                        server.transport.get_extra_info("ssl_object") is not None)
                return "250 OK"

        options: dict[str, Any] = {
            "hostname": self.host, "port": self.port, "authenticator": self._authenticate,
            "auth_required": True, "auth_require_tls": True,
        }
        if self.implicit_tls:
            options["ssl_context"] = self._context()
            # aiosmtpd counts only STARTTLS as TLS for AUTH; here every byte is TLS already
            options["auth_require_tls"] = False
        else:
            options["tls_context"] = self._context()
            options["require_starttls"] = True
        if self.implicit_tls:
            # aiosmtpd warns on each connection about AUTH without required TLS, which
            # implicit TLS makes moot
            warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS",
                                    category=UserWarning)
        self._controller = Controller(Handler(), **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpReceiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def tls_directory(self) -> Path:
        return Path(self.certificate).parent
