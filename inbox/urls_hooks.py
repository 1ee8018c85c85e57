from django.urls import path

from inbox import views

app_name = "hooks"

urlpatterns = [
    path("<uuid:instance_uuid>/", views.receive_webhook, name="receive"),
    path("<uuid:instance_uuid>/<str:token>/", views.receive_webhook, name="receive_with_token"),
]
