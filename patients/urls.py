from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PatientUpdateView.as_view(), name="update"),
    path("<int:pk>/consent/", views.ConsentView.as_view(), name="consent"),
    path("<int:pk>/screenings/new/", views.ScreeningCreateView.as_view(), name="screening-create"),
    path("<int:pk>/access-log/", views.PatientAccessLogView.as_view(), name="access-log"),
    path("screenings/<int:pk>/override/", views.ScreeningOverrideView.as_view(), name="screening-override"),
    path("screenings/<int:pk>/ask-a-doctor/", views.ScreeningReviewRequestView.as_view(),
         name="screening-review-request"),
]
