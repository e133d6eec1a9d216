import datetime

import factory
from django.contrib.auth import get_user_model

from patients.models import Consent, Patient, Screening, ScreeningOverride
from patients.screening import rules

__all__ = [
    "AuthorFactory", "PatientFactory", "ScreeningFactory", "ScreeningOverrideFactory", "ConsentFactory", "no_answers",
]


def _letters(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'ba': names hold letters only."""
    word = ""
    while True:
        word = chr(ord("a") + n % 26) + word
        n //= 26
        if not n:
            return word.capitalize()


def no_answers(**yes: bool) -> dict[str, bool]:
    """Every screening question answered "no", except those given: no_answers(active_cancer=True)."""
    return {key: bool(yes.get(key, False)) for key in rules.ANSWER_KEYS}


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Iterator(["Ayşe", "Omar", "Lucía", "Jonas", "Fatima", "Mehmet"])
    last_name = factory.Sequence(lambda n: f"Yılmaz-{_letters(n)}")
    email = factory.Sequence(lambda n: f"patient{n}@example.test")
    phone = factory.Sequence(lambda n: f"+90532{n:07d}")
    date_of_birth = datetime.date(1985, 4, 12)
    sex = Patient.Sex.MALE
    language = Patient.Language.TR
    timezone = "Europe/Istanbul"
    reminder_opt_in = True


class AuthorFactory(factory.django.DjangoModelFactory):
    """Someone to name as the author of a record; no role (use make_staff for a role)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = "records-author"


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A screening whose hard stops and warnings follow its answers, as screening_record() stores them."""

    class Meta:
        model = Screening

    patient = factory.SubFactory(PatientFactory)
    taken_by = factory.SubFactory(AuthorFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        answers = no_answers(**{k: kwargs.pop(k) for k in list(kwargs) if k in rules.ANSWER_KEYS})
        result = rules.screening_evaluate(answers)
        kwargs.setdefault("hard_stops", result.hard_stops)
        kwargs.setdefault("warnings", result.warnings)
        return super()._create(model_class, *args, **answers, **kwargs)


class ScreeningOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningOverride

    screening = factory.SubFactory(ScreeningFactory)
    doctor = factory.SubFactory(AuthorFactory)
    reason = "Reviewed with the patient: not applicable to this protocol."


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    patient = factory.SubFactory(PatientFactory)
    kind = Consent.Kind.REMINDER_EMAILS
    given = True
    recorded_by = factory.SubFactory(AuthorFactory)
