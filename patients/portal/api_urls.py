"""The portal's API routes, under /api/v1/ (api-contract.md, "The patient's own page")."""

from django.urls import path

from patients.portal import api

urlpatterns = [
    path("patients/<str:pk>/portal-link/", api.PortalLinkView.as_view(), name="api-portal-link"),
    path("patients/<str:pk>/portal-link/revoke/", api.PortalLinkRevokeView.as_view(), name="api-portal-link-revoke"),
    path("portal/links/", api.PortalLinkRequestView.as_view(), name="api-portal-links"),
    path("portal/me/", api.PortalMeView.as_view(), name="api-portal-me"),
    path("portal/sessions/<str:pk>/slots/", api.PortalSlotsView.as_view(), name="api-portal-slots"),
    path("portal/sessions/<str:pk>/reschedule/", api.PortalRescheduleView.as_view(), name="api-portal-reschedule"),
    path("portal/sessions/<str:pk>/cancel/", api.PortalCancelView.as_view(), name="api-portal-cancel"),
    path("portal/screenings/", api.PortalScreeningView.as_view(), name="api-portal-screenings"),
    path("portal/consents/<str:document_id>/sign/", api.PortalConsentSignView.as_view(), name="api-portal-sign"),
]
