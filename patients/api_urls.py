from rest_framework.routers import SimpleRouter

from .api import PatientViewSet, ScreeningViewSet

router = SimpleRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("screenings", ScreeningViewSet, basename="screening")

urlpatterns = router.urls
