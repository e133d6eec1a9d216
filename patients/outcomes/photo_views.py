"""The photo pages, under /photos/ (doctors and admins only): a visit's photos with the upload
form, one photo's bytes, and two visits side by side.

Thin like the other pages: check the role, read the form, call patients.outcomes.photos, put a
refusal by its field. The bytes come from the private storage through `photo_response` (the
API's), never from a public URL, and every page or image shown is in the access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from clinic.errors import DomainError
from clinic.permissions import RoleRequiredMixin
from clinic.roles import Role
from patients.booking.models import Session
from patients.records.record_views import next_url
from patients.records.selectors import session_local_date
from patients.registry.models import Patient, PatientAccess
from patients.registry.services import patient_access_record

from . import photo_selectors, photos
from .photo_api import photo_response
from .photo_forms import CompareForm, PhotoUploadForm
from .photo_models import Photo
from .uploads import limit_photo_uploads, too_large_message, upload_too_large


def _log(request: HttpRequest, patient_id: int) -> None:
    patient_access_record(request=request, patients=[patient_id], what=PatientAccess.What.PHOTOS)


@method_decorator(csrf_exempt, name="dispatch")  # checked in post(), once the upload limit is in place
class SessionPhotosView(RoleRequiredMixin, View):
    """A visit's photos, and the form to add one (the session panel's upload form posts here)."""

    required_role = Role.DOCTOR

    @cached_property
    def session(self) -> Session:
        return get_object_or_404(Session.objects.select_related("patient", "location", "course__protocol"),
                                 pk=self.kwargs["pk"])

    def page(self, request: HttpRequest, form: PhotoUploadForm, *, status: int = 200, **context: Any) -> HttpResponse:
        visit = next((v for v in photo_selectors.photo_visits(self.session.patient_id)
                      if v.session_id == self.session.pk), None)
        _log(request, self.session.patient_id)
        return render(request, "outcomes/photo_session.html", {
            "session": self.session, "patient": self.session.patient, "form": form, "visit": visit,
            "local_day": session_local_date(self.session),
            "next": next_url(request, reverse("photos:session", args=[self.session.pk])), **context,
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, PhotoUploadForm(initial={"view": request.GET.get("view", "")}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        limit_photo_uploads(request)
        return csrf_protect(self._upload)(request)

    def _upload(self, request: HttpRequest) -> HttpResponse:
        form = PhotoUploadForm(request.POST, request.FILES)
        if upload_too_large(request):
            form.is_valid()
            form.errors.pop("image", None)
            form.add_error("image", too_large_message())
            return self.page(request, form, status=400)
        form.is_valid()  # the service's refusals below replace the form's own, field by field
        try:
            photo = photos.photo_add(session=self.session, view=form.data.get("view"),
                                     upload=request.FILES.get("image"), by=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.errors.pop(field, None)
                form.add_error(field if field in form.fields else None, problems)
            return self.page(request, form, status=400)
        except DomainError as error:
            codes = error.extra.get("documents", []) if error.code == "consent_required" else []
            return self.page(request, form, status=error.status, refusal=error.detail, consent_codes=codes)
        messages.success(request, _("%(view)s photo of session %(number)s stored (location and camera data removed).")
                         % {"view": photo.get_view_display(), "number": self.session.number})
        return HttpResponseRedirect(next_url(request, reverse("photos:session", args=[self.session.pk])))


class PhotoImageView(RoleRequiredMixin, View):
    """One photo's bytes for a page's <img>: doctors and admins, private, never cached."""

    required_role = Role.DOCTOR

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        photo = get_object_or_404(Photo.objects.select_related("session"), pk=pk)
        try:
            response = photo_response(photo)
        except FileNotFoundError:
            raise Http404 from None
        _log(request, photo.session.patient_id)
        return response


class PhotoCompareView(RoleRequiredMixin, View):
    """Two visits of a patient side by side, view by view (baseline and latest unless chosen),
    with each visit's date and its day since the course's anchor."""

    required_role = Role.DOCTOR

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        patient = get_object_or_404(Patient, pk=pk)
        visits = photo_selectors.photo_visits(patient.pk)
        by_session = {visit.session_id: visit for visit in visits}
        pairs, status = [], 200
        if "before" in request.GET or "after" in request.GET:
            form = CompareForm(request.GET, visits=visits)
            if form.is_valid():
                before, after = by_session[form.cleaned_data["before"]], by_session[form.cleaned_data["after"]]
            else:
                before = after = None
                status = 400
        elif len(visits) >= 2:
            before, after = visits[0], visits[-1]
            form = CompareForm(initial={"before": before.session_id, "after": after.session_id}, visits=visits)
        else:
            before = after = None
            form = CompareForm(visits=visits)
        if before and after:
            pairs = photo_selectors.compared(before, after)
        _log(request, patient.pk)
        return render(request, "outcomes/photo_compare.html", {
            "patient": patient, "visits": visits, "form": form, "before": before, "after": after, "pairs": pairs,
        }, status=status)
