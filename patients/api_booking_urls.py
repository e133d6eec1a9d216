from rest_framework.routers import SimpleRouter

from .api_booking import CourseViewSet, ReminderViewSet, SessionViewSet

router = SimpleRouter()
router.register("courses", CourseViewSet, basename="course")
router.register("sessions", SessionViewSet, basename="session")
router.register("reminders", ReminderViewSet, basename="reminder")

urlpatterns = router.urls
