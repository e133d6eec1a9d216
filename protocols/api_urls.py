from rest_framework.routers import SimpleRouter

from protocols.api.views import ProtocolViewSet

router = SimpleRouter()
router.register("protocols", ProtocolViewSet, basename="protocol")

urlpatterns = router.urls
