from django.urls import path

from instances import views

app_name = "instances"

urlpatterns = [
    path("", views.instance_list, name="list"),
    path("new/", views.instance_create, name="create"),
    path("test-connection/", views.instance_test_connection, name="test_connection"),
    path("<int:pk>/", views.instance_detail, name="detail"),
    path("<int:pk>/edit/", views.instance_edit, name="edit"),
    path("<int:pk>/test-connection/", views.instance_test_connection, name="test_connection_saved"),
    path("<int:pk>/qr/", views.instance_qr, name="qr"),
    path("<int:pk>/pairing-code/", views.instance_pairing_code, name="pairing_code"),
    path("<int:pk>/screenshot/", views.instance_screenshot, name="screenshot"),
    path("<int:pk>/refresh/", views.instance_refresh, name="refresh"),
    path("<int:pk>/delete/", views.instance_delete, name="delete"),
    path("<int:pk>/pace/", views.instance_queue_settings, name="queue_settings"),
    path("<int:pk>/engine-queue/", views.instance_engine_queue, name="engine_queue"),
    path(
        "<int:pk>/engine-queue/clear/",
        views.instance_clear_engine_queue,
        name="clear_engine_queue",
    ),
    path("<int:pk>/<str:action>/", views.instance_action, name="action"),
]
