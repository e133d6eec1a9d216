from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic.views import core, profile

handler404 = "clinic.api.errors.handler404"
handler500 = "clinic.api.errors.handler500"

urlpatterns = [
    path("", core.HomeView.as_view(), name="home"),
    path("health/", core.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", profile.ProfileView.as_view(), name="profile"),
    path("accounts/profile/api-key/", profile.ApiKeyCreateView.as_view(), name="profile-api-key"),
    path("accounts/profile/api-key/revoke/", profile.ApiKeyRevokeView.as_view(), name="profile-api-key-revoke"),
    path("accounts/profile/password/", profile.PasswordChangeView.as_view(), name="profile-password"),
    path("accounts/profile/language/", profile.LanguageView.as_view(), name="profile-language"),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", core.HistoryView.as_view(), name="history"),
    path("clinic/", include("clinic.setup_urls")),
    path("protocols/", include("protocols.urls")),
    path("patients/", include("patients.urls")),
    path("booking/", include("patients.booking.urls")),
    path("reminders/", include("patients.reminders.urls")),
    path("treatment/", include("patients.records.urls")),
    path("outcomes/", include("patients.outcomes.urls")),
    path("photos/", include("patients.outcomes.photo_urls")),
    path("api/v1/", include("clinic.api.urls")),
    # Signed links in patient emails (no staff login).
    path("p/", include("patients.reminders.link_urls")),
    # The patient's own page (its own cookie, no staff login).
    path("portal/", include("patients.portal.urls")),
    # Practitioners' calendar feeds, polled by calendar apps (no staff login: the URL is the key).
    path("feeds/", include("patients.booking.feed_urls")),
    # Delivery events from the sending service (anymail: basic auth with ANYMAIL_WEBHOOK_SECRET).
    path("anymail/", include("anymail.urls")),
    path("django-admin/", admin.site.urls),
]
