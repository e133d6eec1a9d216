"""The "here is your link" email a patient asks for on the portal's sign-in page."""

from __future__ import annotations

from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from clinic.formats import written_date
from clinic.mail import addr_spec
from patients.models import Course, Patient
from patients.portal.tokens import portal_url
from patients.reminders.emails import one_line


def portal_link_message(patient: Patient) -> EmailMultiAlternatives:
    """A plain-text and HTML email in the patient's language with a fresh link to their page."""
    link = portal_url(patient)
    course = Course.objects.filter(patient=patient).select_related("location").order_by("-created_at").first()
    location = course.location if course else None
    with translation.override(patient.language or "en"):
        context = {
            "kind": "portal_link",
            "patient_name": one_line(patient.first_name),
            "clinic_name": one_line(location.name) if location else "Anagen",
            "clinic_address": location.address if location else "",
            "portal_url": link.url,
            "expires": written_date(link.expires_at.date(), "long_date"),
            "rtl": translation.get_language_bidi(),
            "language": translation.get_language(),
        }
        subject = one_line(render_to_string("emails/portal_link_subject.txt", context))
        text = render_to_string("emails/portal_link_body.txt", context)
        html = render_to_string("emails/portal_link_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[str(Address(display_name=one_line(str(patient)), addr_spec=addr_spec(patient.email)))],
        headers={"Content-Language": patient.language or "en", "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
