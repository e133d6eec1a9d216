"""The reminder log and the emails as the patients saw them, under /reminders/."""

from django.urls import path

from patients.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.ReminderLogView.as_view(), name="log"),
    path("failed-badge/", views.FailedBadgeView.as_view(), name="failed-badge"),
    path("<int:pk>/", views.ReminderDetailView.as_view(), name="detail"),
    path("<int:pk>/retry/", views.ReminderRetryView.as_view(), name="retry"),
]
