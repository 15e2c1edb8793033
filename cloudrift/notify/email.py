"""``smtp://USER:PASSWORD@HOST:587?from=…&to=…``: one e-mail per notice, text and HTML.

``smtp://`` upgrades with STARTTLS (required: a server that does not offer it is a failure, not a
reason to send in clear; ``starttls=0`` for a local relay without a password), ``smtps://`` is
TLS from the first byte (port 465). Certificates are verified (``cafile=`` for a private CA).
The message is ``multipart/alternative`` with a plain-text part and an HTML part in which every
value is escaped.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from cloudrift.notify.changes import Notice, detail_lines, group_text, headline
from cloudrift.notify.channel import Payload
from cloudrift.notify.delivery import DeliveryError
from cloudrift.notify.targets import Target
from cloudrift.report.markdown import _visible

MAX_ITEMS = 200
_COLORS = {"new": "#b42318", "reopened": "#b42318", "resolved": "#067647"}


def _text(notice: Notice) -> str:
    lines = [notice.title, notice.context, ""]
    if notice.digest:
        lines.append(f"{len(notice.changes)} changes, by kind and type:")
        lines += [f"  {group_text(g)}" for g in notice.groups]
    else:
        for change in notice.changes[:MAX_ITEMS]:
            lines.append(headline(change))
            lines += [f"    {line}" for line in detail_lines(change)]
            lines.append("")
        if len(notice.changes) > MAX_ITEMS:
            lines.append(f"…and {len(notice.changes) - MAX_ITEMS} more changes")
    if notice.link:
        lines += ["", f"Full report: {notice.link}"]
    return "\n".join(lines).rstrip() + "\n"


def _e(text: str) -> str:
    return html.escape(_visible(text), quote=True)


def _html(notice: Notice) -> str:
    parts = [f"<h2>{_e(notice.title)}</h2>", f"<p style=\"color:#555\">{_e(notice.context)}</p>"]
    if notice.digest:
        parts.append(f"<p>{len(notice.changes)} changes, by kind and type:</p><ul>")
        parts += [f"<li>{_e(group_text(g))}</li>" for g in notice.groups]
        parts.append("</ul>")
    else:
        for change in notice.changes[:MAX_ITEMS]:
            color = _COLORS.get(change.event, "#344054")
            parts.append(f"<h3 style=\"color:{color}\">{_e(headline(change))}</h3><ul>")
            parts += [f"<li><code>{_e(line)}</code></li>" for line in detail_lines(change)]
            parts.append("</ul>")
        if len(notice.changes) > MAX_ITEMS:
            parts.append(f"<p>…and {len(notice.changes) - MAX_ITEMS} more changes</p>")
    if notice.link:
        link = notice.link
        if link.startswith(("https://", "http://")):
            parts.append(f"<p><a href=\"{_e(link)}\">Full report</a></p>")
        else:
            parts.append(f"<p>Full report: {_e(link)}</p>")
    body = "\n".join(parts)
    return f"<!doctype html>\n<html><body>\n{body}\n</body></html>\n"


def compose(notice: Notice, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = notice.title + (f" (scan {notice.report.scan_id})"
                                         if notice.report.scan_id else "")
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    message.set_content(_text(notice))
    message.add_alternative(_html(notice), subtype="html")
    return message


class EmailChannel:
    def __init__(self, target: Target) -> None:
        self.target = target

    def render(self, notice: Notice) -> list[Payload]:
        options = self.target.options
        return [Payload("e-mail", compose(notice, options["from"], self.target.recipients))]

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.target.options.get("cafile"))

    def deliver(self, payload: Payload, timeout: float) -> None:
        target = self.target
        timeout = float(target.options.get("timeout", timeout))
        try:
            if target.options.get("tls") == "1":
                client: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port,
                                                        timeout=timeout, context=self._context())
            else:
                client = smtplib.SMTP(target.host, target.port, timeout=timeout)
            with client:
                client.ehlo()
                if target.options.get("starttls") == "1":
                    if not client.has_extn("starttls"):
                        raise DeliveryError("the server does not offer STARTTLS",
                                            retryable=False)
                    client.starttls(context=self._context())
                    client.ehlo()
                if target.username and target.password is not None:
                    client.login(target.username, target.password)
                refused = client.send_message(payload.body)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"authentication refused (SMTP {exc.smtp_code})",
                                retryable=False, status=exc.smtp_code) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise DeliveryError(f"every recipient refused (SMTP {codes})",
                                retryable=all(400 <= c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            # 4xx is a transient refusal (greylisting, a full queue): worth another attempt
            raise DeliveryError(f"SMTP {exc.smtp_code}", retryable=400 <= exc.smtp_code < 500,
                                status=exc.smtp_code) from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS failed ({exc.reason or exc})", retryable=False) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"cannot deliver ({type(exc).__name__}: {exc})",
                                retryable=True) from None
        if refused:
            raise DeliveryError(f"{len(refused)} of {len(target.recipients)} recipients "
                                "refused", retryable=False)

    def show(self, payload: Payload) -> str:
        """The headers and both parts, decoded (the wire form is quoted-printable)."""
        message: EmailMessage = payload.body
        head = "\n".join(f"{name}: {message[name]}" for name in ("Subject", "From", "To"))
        text = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        parts = [str(p.get_content()) for p in (text, html_part) if isinstance(p, EmailMessage)]
        return f"{head}\n\n" + "\n--- HTML part\n".join(parts)
