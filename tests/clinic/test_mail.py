"""Emails written straight to their wire bytes: what any mail reader must find in them."""

import email
import email.policy
from email.header import decode_header, make_header

import pytest
from django.core import mail

from clinic.mail import Attachment, addr_spec, wire_email

ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def build(**overrides):
    fields = {
        "sender": ("Anagen", "no-reply@anagen.local"),
        "recipient": ("Ayşe Yılmaz", "ayse@example.test"),
        "subject": "Hatırlatma: 5 seansın 2. seansı, 1 Mart 2027 Pazartesi, 10:00",
        "text": "Merhaba Ayşe,\n\nSeansınız yaklaşıyor.\n",
        "html": "<p dir=\"rtl\">مرحبا</p>\n<p>Zweite Zeile: Grüße</p>",
        "headers": {"Message-ID": "<anagen-reminder-1@clinic.example.com>", "Content-Language": "tr"},
    }
    return wire_email(**(fields | overrides))


def parse(message):
    return email.message_from_bytes(message.wire_bytes, policy=email.policy.default)


def test_the_text_the_html_and_the_headers_read_back_exactly_and_without_defects():
    message = build()
    parsed = parse(message)
    assert parsed.defects == [] and all(part.defects == [] for part in parsed.walk())
    assert parsed.get_content_type() == "multipart/alternative"
    assert str(parsed["Subject"]) == "Hatırlatma: 5 seansın 2. seansı, 1 Mart 2027 Pazartesi, 10:00"
    assert parsed["Message-ID"] == "<anagen-reminder-1@clinic.example.com>"
    assert parsed["Content-Language"] == "tr" and parsed["MIME-Version"] == "1.0" and parsed["Date"]
    assert parsed["To"].addresses[0].display_name == "Ayşe Yılmaz"
    assert parsed["To"].addresses[0].addr_spec == "ayse@example.test"
    assert parsed.get_body(("plain",)).get_content() == "Merhaba Ayşe,\r\n\r\nSeansınız yaklaşıyor.\r\n"
    assert "مرحبا" in parsed.get_body(("html",)).get_content()
    assert message.subject.startswith("Hatırlatma") and message.body.startswith("Merhaba") and "مرحبا" in message.html


def test_long_names_and_subjects_fold_between_words_and_no_line_passes_the_limit():
    name = "عبد الرحمن بن محمد بن عبد الله آل الطويل الأحمد المصري القاهري"
    subject = "تذكير: الجلسة 2 من 5 يوم الاثنين 1 مارس 2027، 10:00 (توقيت العيادة، Europe/Istanbul) — " * 2
    raw = build(recipient=(name, "a@example.test"), subject=subject).wire_bytes
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"\n" not in raw.replace(b"\r\n", b"") and raw.isascii()
    # A reader that follows RFC 2047 drops the folding between encoded words and gets the text back.
    parsed = email.message_from_bytes(raw)
    assert str(make_header(decode_header(parsed["Subject"]))) == subject
    assert str(make_header(decode_header(parsed["To"]))).startswith(name)


def test_an_ascii_subject_folds_at_spaces():
    subject = "Reminder: session 2 of 5 on Monday 1 March 2027, 10:00 at the Istanbul clinic, Nişantaşı branch"
    raw = build(subject=subject.replace("ş", "s").replace("ı", "i")).wire_bytes
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "Subject: Reminder: session 2 of 5" in head and "\r\n " in head.split("Subject:", 1)[1].split("\r\nDate")[0]
    parsed = parse(build(subject=subject.replace("ş", "s").replace("ı", "i")))
    assert str(parsed["Subject"]) == subject.replace("ş", "s").replace("ı", "i")


def test_a_calendar_part_carries_its_method_and_its_bytes():
    parsed = parse(build(attachment=Attachment(ICS, "text/calendar", "anagen.ics", (("method", "REQUEST"),))))
    assert parsed.get_content_type() == "multipart/mixed"
    [calendar] = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST" and calendar.get_filename() == "anagen.ics"
    assert calendar.get_content() == ICS.decode()


def test_line_breaks_in_a_header_are_refused_not_sent():
    with pytest.raises(ValueError, match="line break"):
        build(subject="Hello\r\nBcc: victim@example.com")
    with pytest.raises(ValueError, match="line break"):
        build(recipient=("Ayşe\nBcc: victim@example.com", "ayse@example.test"))


def test_addresses_are_checked_and_international_domains_encoded():
    assert addr_spec("ayse@bücher.example") == "ayse@xn--bcher-kva.example"
    parsed = parse(build(recipient=("Ayşe", "ayse@bücher.example")))
    assert parsed["To"].addresses[0].addr_spec == "ayse@xn--bcher-kva.example"
    for bad in ("ayşe@example.test", "no-at-sign", "a@b@c", "x@example.test\r\nBcc: y@example.test", ""):
        with pytest.raises(ValueError):
            addr_spec(bad)


def test_the_file_and_in_memory_backends_take_it_too(tmp_path, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert mail.mailers.default.send_messages([build()]) == 1
    [sent] = mail.outbox
    assert sent.message()["Message-ID"] == "<anagen-reminder-1@clinic.example.com>"
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": tmp_path}}
    }
    assert mail.mailers.default.send_messages([build()]) == 1
    [written] = tmp_path.iterdir()
    assert b"Message-ID: <anagen-reminder-1@clinic.example.com>" in written.read_bytes()
