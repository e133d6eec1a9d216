"""Outgoing email written straight to its wire bytes, and the SMTP backend that sends those bytes.

Django's EmailMessage goes through the standard library's modern email API, which parses and
refolds every header and sniffs two transfer encodings for every body: about 5 ms per email,
several times the SMTP exchange itself. Patient emails have one fixed shape (plain text and HTML,
sometimes a calendar part), so `wire_email` writes them directly: headers with RFC 2047 encoded
words where they are not ASCII, every body in base64 over CRLF lines, a boundary that base64 can
never contain. The result is a Django EmailMessage too, so the file, console and in-memory
backends keep working; `SMTPBackend` sends its bytes as they are.
"""

from __future__ import annotations

import base64
import email
import email.policy
import re
import secrets
import smtplib
from dataclasses import dataclass
from email.utils import formataddr, formatdate

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

_CRLF = "\r\n"


@dataclass(frozen=True)
class Attachment:
    """A text part sent as an attachment, e.g. `text/calendar` with `params={"method": "REQUEST"}`."""

    content: bytes
    content_type: str
    filename: str
    params: tuple[tuple[str, str], ...] = ()


class WireEmail(EmailMessage):
    """An EmailMessage whose bytes are already built; `message()` parses them for other backends."""

    def __init__(
        self, *, raw: bytes, envelope_from: str, envelope_to: str, subject: str, text: str, html: str, **kwargs
    ) -> None:
        super().__init__(subject=subject, body=text, **kwargs)
        self.html = html
        self.wire_bytes = raw
        self.envelope_from = envelope_from
        self.envelope_to = envelope_to

    def message(self, *, policy: email.policy.Policy = email.policy.default) -> email.message.Message:
        return email.message_from_bytes(self.wire_bytes, policy=policy)


class SMTPBackend(DjangoSMTPBackend):
    """Django's SMTP backend; a WireEmail goes out as its own bytes, without being rebuilt."""

    def _send(self, email_message: EmailMessage) -> bool:
        raw = getattr(email_message, "wire_bytes", None)
        if raw is None:
            return super()._send(email_message)
        try:
            self.connection.sendmail(email_message.envelope_from, [email_message.envelope_to], raw)
        except smtplib.SMTPException:  # as Django's own _send: fail_silently covers SMTP refusals only
            if not self.fail_silently:
                raise
            return False
        return True


def addr_spec(address: str) -> str:
    """The address as SMTP carries it: ASCII, its domain IDNA-encoded. ValueError otherwise."""
    if not address or any(c in address for c in '\r\n<>"(), \t') or address.count("@") != 1:
        raise ValueError(f"Invalid email address {address!r}.")
    local, domain = address.split("@")
    if not local.isascii():
        raise ValueError(f"The address {address!r} has a non-ASCII local part; it cannot be sent.")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


# An encoded word is at most 75 characters: "=?utf-8?b?" + base64 of 45 bytes (60) + "?=" is 72.
_WORD_BYTES = 45


def _encoded_words(text: str) -> str:
    """RFC 2047 encoded words (UTF-8, base64), split after spaces where possible and never inside a
    character, joined by folding whitespace (which a reader drops between encoded words)."""
    chunks, current = [], ""
    for piece in re.split(r"(?<= )", text):  # each word keeps its trailing space
        while piece:
            if len((current + piece).encode()) <= _WORD_BYTES:
                current, piece = current + piece, ""
            elif current:
                chunks.append(current)
                current = ""
            else:  # a word longer than a whole encoded word: split between characters
                cut = len(piece)
                while len(piece[:cut].encode()) > _WORD_BYTES:
                    cut -= 1
                chunks.append(piece[:cut])
                piece = piece[cut:]
    if current:
        chunks.append(current)
    return f"{_CRLF} ".join(f"=?utf-8?b?{base64.b64encode(chunk.encode()).decode()}?=" for chunk in chunks)


def _fold_ascii(name: str, value: str) -> str:
    """An ASCII header value folded at spaces to lines of about 78 characters where it can be."""
    lines, current = [], f"{name}:"
    for word in value.split(" "):
        if len(current) + 1 + len(word) > 78 and current.strip() not in ("", f"{name}:"):
            lines.append(current)
            current = ""
        current = f"{current} {word}"
    lines.append(current)
    return _CRLF.join(lines) + _CRLF


def _check_one_line(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:  # one_line() values never hold one; refuse rather than inject
        raise ValueError(f"A line break in the {name} header.")


def _header(name: str, value: str) -> str:
    _check_one_line(name, value)
    if value.isascii():
        return _fold_ascii(name, value)
    return f"{name}: {_encoded_words(value)}{_CRLF}"


def _address_header(name: str, display: str, address: str) -> str:
    _check_one_line(name, display)
    if display.isascii():
        return f"{name}: {formataddr((display, address))}{_CRLF}"
    return f"{name}: {_encoded_words(display)} <{address}>{_CRLF}"


def _base64_lines(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", _CRLF)


def _text_part(text: str, subtype: str) -> str:
    canonical = _CRLF.join(text.splitlines()) + _CRLF  # text/* travels with CRLF line ends
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{_CRLF}'
        f"Content-Transfer-Encoding: base64{_CRLF}{_CRLF}"
        f"{_base64_lines(canonical.encode('utf-8'))}"
    )


def _attachment_part(attachment: Attachment) -> str:
    params = "".join(f'; {key}="{value}"' for key, value in attachment.params)
    return (
        f'Content-Type: {attachment.content_type}; charset="utf-8"{params}{_CRLF}'
        f'Content-Disposition: attachment; filename="{attachment.filename}"{_CRLF}'
        f"Content-Transfer-Encoding: base64{_CRLF}{_CRLF}"
        f"{_base64_lines(attachment.content)}"
    )


def _multipart(subtype: str, parts: list[str]) -> str:
    # '-' and '_' are not in the base64 alphabet, so no body line can equal the boundary.
    boundary = f"=_anagen_{secrets.token_hex(12)}"
    body = "".join(f"--{boundary}{_CRLF}{part}" for part in parts)
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"{_CRLF}{_CRLF}{body}--{boundary}--{_CRLF}'


def wire_email(
    *,
    sender: tuple[str, str],
    recipient: tuple[str, str],
    subject: str,
    text: str,
    html: str,
    headers: dict[str, str],
    attachment: Attachment | None = None,
) -> WireEmail:
    """A plain-text + HTML email (and an optional attachment) written to its wire bytes."""
    envelope_from, envelope_to = addr_spec(sender[1]), addr_spec(recipient[1])
    head = [
        _address_header("From", sender[0], envelope_from),
        _address_header("To", recipient[0], envelope_to),
        _header("Subject", subject),
        _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        *(_header(name, value) for name, value in headers.items()),
        f"MIME-Version: 1.0{_CRLF}",
    ]
    body = _multipart("alternative", [_text_part(text, "plain"), _text_part(html, "html")])
    if attachment is not None:
        body = _multipart("mixed", [body, _attachment_part(attachment)])
    raw = ("".join(head) + body).encode("ascii")
    return WireEmail(
        raw=raw,
        envelope_from=envelope_from,
        envelope_to=envelope_to,
        subject=subject,
        text=text,
        html=html,
        from_email=formataddr((sender[0], envelope_from)),
        to=[formataddr((recipient[0], envelope_to))],
        headers=dict(headers),
    )
