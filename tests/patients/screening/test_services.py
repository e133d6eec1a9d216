"""Screening services and selectors: answers, hard stops, overrides, the check booking relies on."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from clinic.errors import DomainError
from patients.models import Screening, ScreeningOverride
from patients.screening import selectors, services
from tests.factories import PatientFactory, ScreeningFactory, ScreeningOverrideFactory, no_answers

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 5, 4, 9, 0, tzinfo=timezone.UTC)


@dataclass
class Protocol:
    uses_prp: bool = False
    uses_finasteride: bool = False
    uses_minoxidil: bool = False


def test_a_screening_stores_the_hard_stops_and_warnings_before_any_protocol(receptionist):
    patient = PatientFactory()
    screening = services.screening_record(
        patient=patient, answers=no_answers(may_become_pregnant=True, heart_disease=True), by=receptionist
    )
    assert screening.hard_stops == ["may_become_pregnant"]
    assert screening.warnings == ["heart_disease"]
    assert screening.status == "hard_stop"


def test_an_incomplete_screening_changes_nothing(receptionist):
    answers = no_answers()
    del answers["heart_disease"]
    with pytest.raises(ValidationError) as raised:
        services.screening_record(patient=PatientFactory(), answers=answers, by=receptionist)
    assert "heart_disease" in raised.value.message_dict
    assert not Screening.objects.exists()


def test_only_a_doctor_overrides(receptionist, doctor, admin_user):
    screening = ScreeningFactory(active_cancer=True)
    with pytest.raises(DomainError) as raised:
        services.screening_override(screening=screening, reason="Because.", by=receptionist)
    assert (raised.value.status, raised.value.code) == (403, "forbidden")
    services.screening_override(screening=screening, reason="  Remission for 5 years.  ", by=doctor)
    assert ScreeningOverride.objects.get().reason == "Remission for 5 years."
    other = ScreeningFactory(active_cancer=True)
    assert services.screening_override(screening=other, reason="Admin is a doctor too.", by=admin_user)


def test_the_database_refuses_an_override_without_a_reason():
    screening = ScreeningFactory(active_cancer=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningOverrideFactory(screening=screening, reason="  ")


class TestScreeningValidForBooking:
    def test_no_screening_means_screening_required(self):
        assert selectors.screening_valid_for_booking(PatientFactory(), Protocol(), NOW) == (None, [])

    @override_settings(SCREENING_VALID_DAYS=30)
    def test_a_screening_counts_for_thirty_days(self):
        patient = PatientFactory()
        screening = ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=30))
        assert selectors.screening_valid_for_booking(patient, Protocol(), NOW) == (screening, [])
        later = NOW + timedelta(seconds=1)
        assert selectors.screening_valid_for_booking(patient, Protocol(), later) == (None, [])

    @override_settings(SCREENING_VALID_DAYS=7)
    def test_the_validity_is_a_setting(self):
        patient = PatientFactory()
        ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=8))
        assert selectors.screening_valid_for_booking(patient, Protocol(), NOW)[0] is None

    def test_the_newest_screening_supersedes_older_ones(self):
        patient = PatientFactory()
        ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=3), active_cancer=True)
        newest = ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=1))
        assert selectors.screening_valid_for_booking(patient, Protocol(), NOW) == (newest, [])

    def test_blocks_depend_on_the_protocol(self):
        patient = PatientFactory(sex="female")
        screening = ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=1),
                                     strong_anticoagulant=True, may_become_pregnant=True)
        assert selectors.screening_valid_for_booking(patient, Protocol(), NOW) == (screening, [])
        assert selectors.screening_valid_for_booking(patient, Protocol(uses_prp=True), NOW)[1] == [
            "strong_anticoagulant"]
        assert selectors.screening_valid_for_booking(patient, Protocol(uses_finasteride=True), NOW)[1] == [
            "may_become_pregnant"]

    def test_an_override_clears_the_blocks(self, doctor):
        patient = PatientFactory()
        screening = ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=1), pregnant_or_breastfeeding=True)
        assert selectors.screening_valid_for_booking(patient, Protocol(), NOW)[1] == ["pregnant_or_breastfeeding"]
        with time_machine.travel(NOW):
            services.screening_override(screening=screening, reason="Stopped breastfeeding in March.", by=doctor)
        assert selectors.screening_valid_for_booking(patient, Protocol(), NOW) == (screening, [])

    def test_it_costs_one_query(self, django_assert_num_queries):
        patient = PatientFactory(sex="male")
        ScreeningFactory(patient=patient, taken_at=NOW - timedelta(days=1), platelet_disorder=True)
        with django_assert_num_queries(1):
            assert selectors.screening_valid_for_booking(patient, Protocol(uses_prp=True), NOW)[1] == [
                "platelet_disorder"]
