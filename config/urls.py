from django.contrib import admin
from django.urls import include, path

from accounts.sign_in_forms import AdminSignInForm
from config import views

admin.site.site_header = "Switchboard administration"
admin.site.site_title = "Switchboard admin"
# The admin signs in through the same throttle as the login page, with the same message.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("instances/", include("instances.urls")),
    path("messages/", include("instances.message_urls")),
    path("contacts/", include("campaigns.urls_contacts")),
    path("campaigns/", include("campaigns.urls")),
    path("inbox/", include("inbox.urls")),
    path("hooks/", include("inbox.urls_hooks")),
    path("api/", include("api.urls_rest")),
    path("api-keys/", include("api.urls")),
    path("webhooks/", include("api.urls_webhooks")),
    path("admin/", admin.site.urls),
]
