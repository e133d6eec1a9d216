"""Where outgoing email goes: EMAIL_URL read into Django's MAILERS (and anymail's ANYMAIL settings).

    (unset)                      files under var/mail/ (Django's file backend)
    smtp://host:25               SMTP; smtp+tls:// (STARTTLS) and smtps:// (TLS) with user:password@
    ses://                       Amazon SES through boto3's usual credentials; ses://region (ses://eu-west-1),
                                 ses://KEY_ID:SECRET@region to name the keys
    postmark://SERVER_TOKEN@     Postmark
    mailgun://API_KEY@domain     Mailgun (?api_url=https://api.eu.mailgun.net/v3 for its EU region)
    sendgrid://API_KEY@          SendGrid
    brevo://API_KEY@             Brevo

The messages themselves are Django's EmailMultiAlternatives (patients/emails.py); every backend here
sends them as they are. `addr_spec` checks an address before a message is built for it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import environ

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

# scheme: (anymail backend, ANYMAIL setting the URL's user part goes to)
ESP_SCHEMES = {
    "ses": ("anymail.backends.amazon_ses.EmailBackend", None),
    "postmark": ("anymail.backends.postmark.EmailBackend", "POSTMARK_SERVER_TOKEN"),
    "mailgun": ("anymail.backends.mailgun.EmailBackend", "MAILGUN_API_KEY"),
    "sendgrid": ("anymail.backends.sendgrid.EmailBackend", "SENDGRID_API_KEY"),
    "brevo": ("anymail.backends.brevo.EmailBackend", "BREVO_API_KEY"),
}


def mail_settings(
    url: str, *, file_path: str, timeout: int = 15, webhook_secret: str = "", webhook_signing_key: str = ""
) -> tuple[dict, dict]:
    """(MAILERS, ANYMAIL) for an EMAIL_URL. ValueError for a scheme it does not know.

    `webhook_secret` ("user:password") guards anymail's tracking webhooks with basic auth;
    `webhook_signing_key` is Mailgun's webhook signing key (Mailgun signs its webhooks)."""
    anymail: dict = {}
    if webhook_secret:
        anymail["WEBHOOK_SECRET"] = webhook_secret
    if not url:
        return {"default": {"BACKEND": FILE_BACKEND, "OPTIONS": {"file_path": file_path}}}, anymail
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("smtp", "smtp+tls", "smtps", "submission"):
        config = environ.Env.email_url_config(url)
        options = {
            "host": config.get("EMAIL_HOST") or "localhost",
            "port": int(config.get("EMAIL_PORT") or 25),
            "username": config.get("EMAIL_HOST_USER") or "",
            "password": config.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": timeout,
        }
        return {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": options}}, anymail
    if scheme not in ESP_SCHEMES:
        known = ", ".join(["smtp", "smtp+tls", "smtps", *ESP_SCHEMES])
        raise ValueError(f"EMAIL_URL: unknown scheme {scheme!r} (known: {known}).")
    backend, key_setting = ESP_SCHEMES[scheme]
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    host = parts.hostname or ""
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    if scheme == "ses":
        client: dict = {"config": {"connect_timeout": timeout, "read_timeout": timeout}}
        if host:
            client["region_name"] = host
        if user and password:
            client["aws_access_key_id"], client["aws_secret_access_key"] = user, password
        anymail["AMAZON_SES_CLIENT_PARAMS"] = client
    else:
        if not user:
            raise ValueError(f"EMAIL_URL: {scheme}:// needs its key before an '@', e.g. {scheme}://KEY@")
        anymail[key_setting] = user
    if scheme == "mailgun":
        if not host:
            raise ValueError("EMAIL_URL: mailgun:// needs the sending domain, e.g. mailgun://KEY@mg.example.com")
        anymail["MAILGUN_SENDER_DOMAIN"] = host
        if "api_url" in query:
            anymail["MAILGUN_API_URL"] = query["api_url"]
        if webhook_signing_key:
            anymail["MAILGUN_WEBHOOK_SIGNING_KEY"] = webhook_signing_key
    return {"default": {"BACKEND": backend}}, anymail


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
