from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_done")),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_done"),
    path("team/", views.team, name="team"),
    path("team/add/", views.member_add, name="member_add"),
    path("team/<int:pk>/", views.member_edit, name="member_edit"),
    path("team/<int:pk>/password/", views.member_password, name="member_password"),
]
