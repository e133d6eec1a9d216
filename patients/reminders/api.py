"""The reminders API: the outbox rows of a patient, a course or a session, read-only."""

import django_filters
from rest_framework import serializers

from clinic.api.viewsets import ReadOnlyModelViewSet
from patients.models import PatientAccess, Reminder
from patients.registry.api import AccessLoggedMixin


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = [
            "id",
            "session",
            "course",
            "patient",
            "kind",
            "offset",
            "send_at",
            "status",
            "sent_at",
            "attempts",
            "last_error",
            "message_id",
        ]
        read_only_fields = fields


class ReminderFilter(django_filters.FilterSet):
    class Meta:
        model = Reminder
        fields = ["session", "patient", "status", "kind", "course"]


class ReminderViewSet(AccessLoggedMixin, ReadOnlyModelViewSet):
    access_what = PatientAccess.What.REMINDER
    queryset = Reminder.objects.order_by("-send_at", "-id")
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
