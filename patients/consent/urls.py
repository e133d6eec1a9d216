"""The desk's consent pages, under /patients/ (namespace "patients")."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/consents/sign/<int:document_pk>/", views.ConsentSignView.as_view(), name="consent-sign"),
    path("<int:pk>/consents/<int:signature_pk>/", views.ConsentSignedView.as_view(), name="consent-signed"),
    path("<int:pk>/consents/<int:signature_pk>/pdf/", views.ConsentPdfView.as_view(), name="consent-pdf"),
]
