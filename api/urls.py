from django.urls import path

from api import views

app_name = "api_keys"

urlpatterns = [
    path("", views.key_list, name="list"),
    path("new/", views.key_create, name="create"),
    path("<int:pk>/revoke/", views.key_revoke, name="revoke"),
]
