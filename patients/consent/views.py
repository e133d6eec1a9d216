"""The desk's consent pages: the signing page the patient fills on a tablet, the confirmation
with the printable PDF. Thin: look up, check the role, validate the form, call the service."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from clinic.lockout import client_ip_address
from clinic.permissions import RoleRequiredMixin
from patients.registry.models import Patient, PatientAccess
from patients.registry.services import patient_access_record

from . import selectors, services
from .forms import SignForm
from .markdown import markdown_html
from .models import STATUS_IN_SENTENCE, ConsentDocument, ConsentSignature, DocumentStatus
from .pdf import signature_pdf, signature_pdf_filename
from .rules import LANGUAGE_NAMES_SHOWN, LANGUAGES, RIGHT_TO_LEFT, SIGNING_WORDS


def _next_url(request: HttpRequest) -> str:
    """Where to go back to after signing (the session panel that asked for it), if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return ""


class PatientMixin(RoleRequiredMixin):
    # Looked up once RoleRequiredMixin has let the request in (never in dispatch).
    @cached_property
    def patient(self) -> Patient:
        return get_object_or_404(Patient, pk=self.kwargs["pk"])


class ConsentSignView(PatientMixin, View):
    """The text in the patient's language (English when the document has none in it: `?language=`
    picks another it has), a name to type and a box to tick. Nothing is written until both are given."""

    @cached_property
    def document(self) -> ConsentDocument:
        return get_object_or_404(ConsentDocument, pk=self.kwargs["document_pk"])

    def _language(self, request: HttpRequest) -> str:
        asked = request.POST.get("language") or request.GET.get("language")
        return asked if asked in LANGUAGES and asked in self.document.texts else self.patient.language

    def _render(self, request: HttpRequest, form: SignForm | None, shown: selectors.Shown, *,
                status: int = 200, refusal: str = "") -> HttpResponse:
        patient_access_record(request=request, patients=[self.patient], what=PatientAccess.What.RECORD)
        signed = selectors.signatures_of(self.patient).filter(document=self.document).first()
        return render(request, "patients/consent_sign.html", {
            "patient": self.patient,
            "document": self.document,
            "shown": shown,
            "body": markdown_html(shown.body),
            "form": form,
            "words": SIGNING_WORDS[shown.language],
            "other_languages": [(code, LANGUAGE_NAMES_SHOWN[code]) for code in self.document.languages
                                if code != shown.language],
            "signed": signed,
            "refusal": refusal,
            "next": _next_url(request),
        }, status=status)

    def get(self, request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
        shown = selectors.document_shown(self.document, self._language(request))
        form = None
        if self.document.status == DocumentStatus.ACTIVE:
            form = SignForm(language=shown.language, initial={"sha256": shown.sha256, "language": shown.language})
        status = STATUS_IN_SENTENCE.get(self.document.status, self.document.status)
        refusal = "" if form else (_("%(document)s is %(status)s: only the active version of a document can be "
                                     "signed.") % {"document": self.document, "status": status})
        return self._render(request, form, shown, refusal=refusal)

    def post(self, request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
        shown = selectors.document_shown(self.document, self._language(request))
        form = SignForm(request.POST, language=shown.language)
        if not form.is_valid():
            return self._render(request, form, shown, status=400)
        try:
            signature = services.consent_sign(
                patient=self.patient, document=self.document, signed_name=form.cleaned_data["signed_name"],
                agree=form.cleaned_data["agree"], language=shown.language, ip=client_ip_address(request),
                user_agent=request.headers.get("User-Agent", ""), by=request.user,
                shown_sha256=form.cleaned_data["sha256"],
            )
        except services.SignatureInvalid as error:
            for field, messages in error.errors.items():
                form.add_error(field if field in ("signed_name", "agree") else None, messages)
            return self._render(request, form, shown, status=422)
        url = reverse("patients:consent-signed", args=[self.patient.pk, signature.pk])
        next_url = _next_url(request)
        return redirect(f"{url}?next={next_url}" if next_url else url)


class SignatureMixin(PatientMixin):
    @cached_property
    def signature(self) -> ConsentSignature:
        signature = selectors.signatures_of(self.patient).filter(pk=self.kwargs["signature_pk"]).first()
        if signature is None:
            raise Http404("No such signature of this patient.")
        return signature


class ConsentSignedView(SignatureMixin, View):
    """After signing: the confirmation, the PDF for the patient's file, the next document to sign."""

    def get(self, request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
        signature = self.signature
        patient_access_record(request=request, patients=[self.patient], what=PatientAccess.What.RECORD)
        context: dict[str, Any] = {
            "patient": self.patient,
            "signature": signature,
            "words": SIGNING_WORDS[signature.language],
            "language_name": LANGUAGE_NAMES_SHOWN[signature.language],
            "direction": "rtl" if signature.language in RIGHT_TO_LEFT else "ltr",
            "to_sign": selectors.patient_consents(self.patient).to_sign,
            "next": _next_url(request),
        }
        return render(request, "patients/consent_signed.html", context)


class ConsentPdfView(SignatureMixin, View):
    """The signed document as a PDF (inline, so the desk can print it; `?download=1` saves it)."""

    def get(self, request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
        signature = self.signature
        patient_access_record(request=request, patients=[self.patient], what=PatientAccess.What.RECORD)
        response = HttpResponse(signature_pdf(signature), content_type="application/pdf")
        disposition = "attachment" if request.GET.get("download") else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{signature_pdf_filename(signature)}"'
        response["Cache-Control"] = "private, no-store"
        return response
