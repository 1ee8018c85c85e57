from django.urls import path

from api.outgoing import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscriber_list, name="list"),
    path("new/", views.subscriber_create, name="create"),
    path("<int:pk>/", views.subscriber_detail, name="detail"),
    path("<int:pk>/state/", views.subscriber_state, name="state"),
    path("<int:pk>/test/", views.subscriber_test, name="test"),
    path("<int:pk>/delete/", views.subscriber_delete, name="delete"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
