"""The treatment-room pages, under /treatment/: recording visits, lots and recalls, adverse events."""

from django.urls import path

from patients.records import event_views, lot_views, record_views

app_name = "records"

urlpatterns = [
    path("sessions/<int:pk>/record/", record_views.SessionRecordView.as_view(), name="session-record"),
    path("records/<int:pk>/amend/", record_views.SessionRecordAmendView.as_view(), name="record-amend"),
    path("lots/", lot_views.LotListView.as_view(), name="lots"),
    path("lots/new/", lot_views.LotCreateView.as_view(), name="lot-new"),
    path("lots/<int:pk>/", lot_views.LotDetailView.as_view(), name="lot"),
    path("lots/<int:pk>/recall/", lot_views.LotRecallView.as_view(), name="lot-recall"),
    path("products/new/", lot_views.ProductCreateView.as_view(), name="product-new"),
    path("events/", event_views.AdverseEventListView.as_view(), name="events"),
    path("patients/<int:pk>/events/new/", event_views.AdverseEventCreateView.as_view(), name="event-new"),
    path("events/<int:pk>/edit/", event_views.AdverseEventUpdateView.as_view(), name="event-edit"),
    path("events/<int:pk>/review/", event_views.AdverseEventReviewView.as_view(), name="event-review"),
]
