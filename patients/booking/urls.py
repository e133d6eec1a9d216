"""The receptionist's booking pages, under /booking/."""

from django.urls import path

from patients.booking import calendar_views, course_views, feed_views, session_views, today_views, views

app_name = "booking"

urlpatterns = [
    path("new/", views.BookCourseView.as_view(), name="new"),
    path("calendar/", calendar_views.CalendarView.as_view(), name="calendar"),
    path("calendar/feed/", calendar_views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("practitioners/<int:pk>/calendar-feed/", feed_views.PractitionerCalendarFeedView.as_view(),
         name="practitioner-calendar-feed"),
    path("today/", today_views.TodayView.as_view(), name="today"),
    path("today/sessions/<int:pk>/status/", today_views.TodayStatusView.as_view(), name="today-status"),
    path("today/sessions/<int:pk>/status/undo/", today_views.TodayUndoView.as_view(), name="today-undo"),
    path("tomorrow/", today_views.TomorrowView.as_view(), name="tomorrow"),
    path("chase/", course_views.ChaseView.as_view(), name="chase"),
    path("courses/<int:pk>/", course_views.CourseDetailView.as_view(), name="course"),
    path("courses/<int:pk>/cancel/", course_views.CourseCancelView.as_view(), name="course-cancel"),
    path("courses/<int:pk>/rebook/", course_views.CourseRebookView.as_view(), name="course-rebook"),
    path("sessions/<int:pk>/", session_views.SessionDetailView.as_view(), name="session"),
    path("sessions/<int:pk>/move/", session_views.SessionMoveView.as_view(), name="session-move"),
    path("sessions/<int:pk>/cancel/", session_views.SessionCancelView.as_view(), name="session-cancel"),
    path("sessions/<int:pk>/status/", session_views.SessionStatusView.as_view(), name="session-status"),
    path("sessions/<int:pk>/status/undo/", session_views.SessionStatusUndoView.as_view(), name="session-status-undo"),
]
