"""Before the first visit, at home: the screening questionnaire in plain words (a screening
reported by the patient, judged by the usual rules) and the consent documents that apply to the
course, signed on the phone with the desk's form and service (same signature record)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinic.lockout import client_ip_address
from patients.consent.forms import SignForm
from patients.consent.markdown import markdown_html
from patients.consent.selectors import document_shown
from patients.consent.services import SignatureInvalid
from patients.models import ConsentDocument
from patients.portal import cookie, selectors, services
from patients.portal.cookie import portal_page
from patients.screening import rules

# The screening questions as a patient reads them at home (the desk's labels are for staff).
PLAIN_QUESTIONS: dict[str, str] = {
    "pregnant_or_breastfeeding": _("Are you pregnant or breastfeeding?"),
    "may_become_pregnant": _("Could you become pregnant in the coming months?"),
    "active_scalp_infection": _("Do you have an infection, an open wound or strong inflammation on your scalp?"),
    "active_cancer": _("Are you being treated for cancer, or do you have cancer now?"),
    "fever_or_recent_illness": _("Have you had a fever or been ill in the last two weeks?"),
    "platelet_disorder": _("Have you been told you have low platelets or a blood clotting disorder?"),
    "strong_anticoagulant": _("Do you take a strong blood thinner (warfarin, rivaroxaban, dabigatran or similar)?"),
    "autoimmune_disease": _("Do you have an autoimmune disease (for example lupus or rheumatoid arthritis)?"),
    "nsaid_last_48h": _("Have you taken ibuprofen, naproxen or a similar painkiller in the last two days?"),
    "aspirin_or_clopidogrel": _("Do you take aspirin or clopidogrel?"),
    "recent_steroids": _("Have you had a steroid injection in the scalp in the last month, or steroid tablets in the "
                         "last two weeks?"),
    "liver_disease": _("Do you have a long-term liver disease?"),
    "heavy_smoking_or_drinking": _("Do you smoke heavily or drink a lot of alcohol?"),
    "scarring_alopecia_or_radiation": _("Do you have scarring hair loss, or have you had radiation treatment on "
                                        "your head?"),
    "heart_disease": _("Do you have a heart condition?"),
}
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class HomeScreeningForm(forms.Form):
    """Every question answered yes or no: an unanswered question is not a "no"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key in rules.ANSWER_KEYS:
            self.fields[key] = forms.ChoiceField(label=PLAIN_QUESTIONS[key], choices=YES_NO,
                                                 widget=forms.RadioSelect, error_messages={
                                                     "required": _("Please answer this question.")})

    def answers(self) -> dict[str, bool]:
        return {key: self.cleaned_data[key] == "yes" for key in rules.ANSWER_KEYS}


@portal_page
def screening(request: HttpRequest) -> HttpResponse:
    patient = request.portal_patient
    form = HomeScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.portal_screening_record(patient=patient, answers=form.answers())
        return render(request, "portal/screening_done.html", {
            "needs_review": bool(result.hard_stops), "warnings": bool(result.warnings), **cookie.page_context()})
    return render(request, "portal/screening.html", {"form": form, **cookie.page_context()},
                  status=400 if form.errors else 200)


def _signable(patient, pk: str) -> ConsentDocument:
    """A document the patient still has to sign for a course to come; PortalNotFound otherwise."""
    from django.utils import timezone

    pending = selectors.pending_forms(patient, timezone.now()).documents
    document = next((d for d in pending if str(d.pk) == pk), None)
    if document is None:
        raise selectors.PortalNotFound(translation.gettext("Not found."))
    return document


@portal_page
def consent(request: HttpRequest, pk: str) -> HttpResponse:
    """Read a consent document in the page's language (else English) and sign it."""
    patient = request.portal_patient
    document = _signable(patient, pk)
    shown = document_shown(document, request.POST.get("language") or translation.get_language())
    form = SignForm(request.POST or None, language=shown.language,
                    initial={"sha256": shown.sha256, "language": shown.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_consent_sign(
                patient=patient, document=document, signed_name=form.cleaned_data["signed_name"],
                agree=form.cleaned_data["agree"], language=shown.language, ip=client_ip_address(request),
                user_agent=request.headers.get("User-Agent", ""), shown_sha256=form.cleaned_data["sha256"])
        except SignatureInvalid as error:
            form.add_error(None, error.detail)
        else:
            return redirect("portal:home")
    return render(request, "portal/consent.html", {
        "document": document, "shown": shown, "body": markdown_html(shown.body), "form": form,
        **cookie.page_context()}, status=400 if form.errors else 200)
