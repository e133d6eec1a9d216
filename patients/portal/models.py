"""The patient's own page: what makes a portal link valid, and the log that limits link requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from clinic.audit import audited
from patients.registry.models import Patient


@audited()
class PortalAccess(models.Model):
    """A patient's portal links. Every link signs the patient's `epoch`; revoking raises it, so
    every link made before stops working at once (a patient without this row is at epoch 0)."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="portal_access")
    epoch = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = gettext_lazy("portal access")

    def __str__(self) -> str:
        return f"Portal links of patient #{self.patient_id} (epoch {self.epoch})"


class PortalLinkRequest(models.Model):
    """One "email me a new link" asked on the portal's sign-in page, known address or not: the
    rows the per-address and per-client limits count. The address is kept as its SHA-256 only."""

    email_sha256 = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    requested_at = models.DateTimeField()
    # How many patients got a link (0 for an unknown address, or a request over the limit).
    sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["email_sha256", "requested_at"], name="portal_request_email"),
            models.Index(fields=["ip", "requested_at"], name="portal_request_ip"),
        ]

    def __str__(self) -> str:
        return f"Portal link request at {self.requested_at:%Y-%m-%d %H:%M}"
