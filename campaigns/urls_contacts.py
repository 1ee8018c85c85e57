from django.urls import path

from campaigns import views

app_name = "contacts"

urlpatterns = [path("", views.contact_list, name="list")]
