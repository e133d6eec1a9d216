from django.urls import path

from . import views

app_name = "protocols"

urlpatterns = [
    path("", views.ProtocolListView.as_view(), name="list"),
    path("new/", views.ProtocolFormView.as_view(), name="create"),
    path("<int:pk>/", views.ProtocolDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ProtocolFormView.as_view(), name="edit"),
    path("<int:pk>/<str:action>/", views.ProtocolActionView.as_view(), name="action"),
    path("versions/<str:code>/", views.ProtocolVersionsView.as_view(), name="versions"),
]
