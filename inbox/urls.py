from django.urls import path

from inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.chat_list, name="list"),
    path("<int:pk>/", views.chat_detail, name="chat"),
    path("<int:pk>/thread/", views.thread, name="thread"),
    path("<int:pk>/side/", views.side_panel, name="side_panel"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/quote/<int:message_pk>/", views.quote, name="quote"),
    path("<int:pk>/react/<int:message_pk>/", views.react, name="react"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/labels/", views.labels, name="labels"),
    path("<int:pk>/notes/", views.note, name="note"),
    path("<int:pk>/do/<slug:action>/", views.chat_action, name="action"),
    path("media/<int:message_pk>/", views.media, name="media"),
    path("media/<int:message_pk>/retry/", views.media_retry, name="media_retry"),
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/reprocess/", views.event_reprocess, name="reprocess"),
]
