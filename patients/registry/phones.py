"""Phone numbers as the clinic writes them: read with the location's country as the default
region, shown in national format for that country and international format otherwise."""

from typing import Any

import phonenumbers
from django.conf import settings

from clinic.selectors import default_location
from patients.models import Course, Patient


def phone_region(patient: Patient | None = None) -> str | None:
    """The region a typed number without +country is read in: the country of the patient's
    location (of their latest course), else of the clinic's default location."""
    if patient is not None and patient.pk:
        course = Course.objects.filter(patient=patient).select_related("location").order_by("-created_at").first()
        if course is not None and course.location.country:
            return course.location.country.upper()
    location = default_location()
    if location is not None and location.country:
        return location.country.upper()
    return getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)


def phone_example(region: str | None) -> str:
    """A number of that region as the clinic would type it, for a placeholder."""
    if region:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "+90 532 123 45 67"


def phone_display(number: Any, region: str | None) -> str:
    """National format for a number of the clinic's country, international for any other."""
    if not number:
        return ""
    parsed = number if isinstance(number, phonenumbers.PhoneNumber) else None
    if parsed is None:
        try:
            parsed = phonenumbers.parse(str(number), region)
        except phonenumbers.NumberParseException:
            return str(number)
    if region and phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
