"""EMAIL_URL read into Django's MAILERS and anymail's settings, and addresses checked before a send."""

import pytest
from django.core import mail

from clinic.mail import addr_spec, mail_settings

FILES = "/srv/var/mail"


def parse(url, **kwargs):
    return mail_settings(url, file_path=FILES, **kwargs)


def test_no_url_writes_files_and_an_smtp_url_names_its_server():
    assert parse("") == (
        {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": FILES}}},
        {},
    )
    mailers, anymail = parse("smtp+tls://mailer:s%40cret@smtp.example.com:587", timeout=9)
    assert mailers["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailers["default"]["OPTIONS"] == {
        "host": "smtp.example.com", "port": 587, "username": "mailer", "password": "s@cret",
        "use_tls": True, "use_ssl": False, "timeout": 9,
    }
    assert anymail == {}
    assert parse("smtp://127.0.0.1:2525")[0]["default"]["OPTIONS"]["port"] == 2525


@pytest.mark.parametrize(
    ("url", "backend", "settings"),
    [
        ("postmark://server-token@", "postmark", {"POSTMARK_SERVER_TOKEN": "server-token"}),
        ("mailgun://key-123@mg.example.com", "mailgun",
         {"MAILGUN_API_KEY": "key-123", "MAILGUN_SENDER_DOMAIN": "mg.example.com"}),
        ("mailgun://key-123@mg.example.com?api_url=https://api.eu.mailgun.net/v3", "mailgun",
         {"MAILGUN_API_KEY": "key-123", "MAILGUN_SENDER_DOMAIN": "mg.example.com",
          "MAILGUN_API_URL": "https://api.eu.mailgun.net/v3"}),
        ("sendgrid://SG.abc@", "sendgrid", {"SENDGRID_API_KEY": "SG.abc"}),
        ("brevo://xkeysib-1@", "brevo", {"BREVO_API_KEY": "xkeysib-1"}),
        ("ses://", "amazon_ses", {"AMAZON_SES_CLIENT_PARAMS": {"config": {"connect_timeout": 15, "read_timeout": 15}}}),
        ("ses://eu-west-1", "amazon_ses",
         {"AMAZON_SES_CLIENT_PARAMS": {"region_name": "eu-west-1", "config": {"connect_timeout": 15,
                                                                              "read_timeout": 15}}}),
        ("ses://AKIA1:se%2Fcret@us-east-1", "amazon_ses",
         {"AMAZON_SES_CLIENT_PARAMS": {"region_name": "us-east-1", "aws_access_key_id": "AKIA1",
                                       "aws_secret_access_key": "se/cret",
                                       "config": {"connect_timeout": 15, "read_timeout": 15}}}),
    ],
)
def test_a_sending_service_url_picks_anymails_backend_and_its_settings(url, backend, settings):
    mailers, anymail = parse(url, webhook_secret="hook:pass")
    assert mailers == {"default": {"BACKEND": f"anymail.backends.{backend}.EmailBackend"}}
    assert anymail == {**settings, "WEBHOOK_SECRET": "hook:pass"}


def test_mailguns_webhook_signing_key_is_passed_on():
    _, anymail = parse("mailgun://key@mg.example.com", webhook_signing_key="sign-me")
    assert anymail["MAILGUN_WEBHOOK_SIGNING_KEY"] == "sign-me"


@pytest.mark.parametrize("url", ["postmark://", "sendgrid://@", "mailgun://key@", "sparkpost://k@", "http://x"])
def test_a_url_missing_its_key_or_domain_or_of_an_unknown_scheme_is_refused_by_name(url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        parse(url)


def test_each_services_backend_is_one_django_can_load(settings):
    for url in ("postmark://t@", "mailgun://k@mg.example.com", "sendgrid://k@", "brevo://k@", "ses://eu-west-1"):
        settings.MAILERS, settings.ANYMAIL = parse(url)
        backend = mail.mailers.default
        assert type(backend).__module__.startswith("anymail.backends.")


def test_addresses_are_checked_and_international_domains_encoded():
    assert addr_spec("ayse@bücher.example") == "ayse@xn--bcher-kva.example"
    for bad in ("ayşe@example.test", "no-at-sign", "a@b@c", "x@example.test\r\nBcc: y@example.test", ""):
        with pytest.raises(ValueError):
            addr_spec(bad)
