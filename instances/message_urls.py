from django.urls import path

from instances import message_views as views

app_name = "messages"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("compose/", views.compose, name="compose"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.message_action, name="action"),
    path("instances/<int:pk>/resume/", views.message_resume, name="resume"),
    path("media/<str:token>/", views.outbound_media, name="media"),
]
