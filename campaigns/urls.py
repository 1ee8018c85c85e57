from django.urls import path

from campaigns import recipient_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("preview/", views.campaign_preview, name="preview"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/schedule/", views.campaign_schedule, name="schedule"),
    path("<int:pk>/recipients/add/", recipient_views.recipients_add, name="recipients_add"),
    path(
        "<int:pk>/recipients/remove/", recipient_views.recipients_remove, name="recipients_remove"
    ),
    path("<int:pk>/recipients.csv", recipient_views.recipients_export, name="recipients_export"),
    path("<int:pk>/<slug:action>/", views.campaign_action, name="action"),
]
