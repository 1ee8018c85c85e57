from django.urls import path

from instances import message_views as views

app_name = "messages"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("compose/", views.compose, name="compose"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.message_action, name="action"),
    path("instances/<int:pk>/resume/", views.message_resume, name="resume"),
    path("instances/<int:pk>/retry-failed/", views.retry_all_failed, name="retry_failed"),
    path("instances/<int:pk>/clear-queue/", views.clear_instance_queue, name="clear_queue"),
    path("media/<str:token>/", views.outbound_media, name="media"),
]
