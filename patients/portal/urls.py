"""The patient's own pages, under /portal/ (no staff login: the portal's own cookie)."""

from django.urls import path

from patients.portal import change_views, form_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("language/", views.set_language, name="language"),
    path("sessions/<str:pk>/move/", change_views.move, name="move"),
    path("sessions/<str:pk>/cancel/", change_views.cancel, name="cancel"),
    path("sessions/<str:pk>/ask/", change_views.ask, name="ask"),
    path("sessions/<str:pk>/calendar.ics", views.session_ics, name="ics"),
    path("screening/", form_views.screening, name="screening"),
    path("consents/<str:pk>/", form_views.consent, name="consent"),
    # A link from an email or a QR code (a token always holds a colon, so it never names a page above).
    path("<str:token>/", views.portal_open, name="open"),
]
