"""The forms of the photo pages: a photo to upload (from the tablet's camera or a file), and the
two visits to compare. Their rules are the service's (patients.outcomes.photos): the upload view
puts its refusals by these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.formats import written_date

from .photo_models import View
from .photo_selectors import PhotoVisit


class PhotoUploadForm(forms.Form):
    view = forms.ChoiceField(label=_("View"), choices=[("", _("Choose the view…")), *View.choices])
    image = forms.FileField(
        label=_("Photo"), allow_empty_file=True,
        help_text=_("Take it with the tablet's camera or choose a file: JPEG or PNG, at most 20 MB, "
                    "at least 800 px on its short side. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))

    def __init__(self, *args: Any, prefix_id: str = "photo", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)


def _visit_label(visit: PhotoVisit) -> str:
    count = len(visit.photos)
    views = ngettext("%(count)s view", "%(count)s views", count) % {"count": count}
    return _("%(date)s · session %(number)s of %(protocol)s · day %(day)s · %(views)s") % {
        "date": written_date(visit.taken_on, "date"), "number": visit.number, "protocol": visit.protocol_code,
        "day": visit.day, "views": views}


class CompareForm(forms.Form):
    """Two of the patient's visits with photos; anything else (another patient's session, a
    typed id) is refused by its field."""

    before = forms.TypedChoiceField(label=_("Before"), coerce=int)
    after = forms.TypedChoiceField(label=_("After"), coerce=int)

    def __init__(self, *args: Any, visits: list[PhotoVisit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(visit.session_id, _visit_label(visit)) for visit in visits]
        for name in ("before", "after"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _(
                "That visit is not one of this patient's visits with photos: choose one from the list.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("before") is not None and data.get("before") == data.get("after"):
            self.add_error("after", _("Choose another visit than the one before."))
        return data
