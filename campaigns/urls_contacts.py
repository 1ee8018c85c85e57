from django.urls import path

from campaigns import contact_views as views
from campaigns import saved_filter_views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_edit, name="edit"),
    path("<int:pk>/opt-out/", views.contact_opt, name="opt"),
    path("bulk/", views.contact_bulk, name="bulk"),
    path("export.csv", views.contact_export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/resume/", views.import_resume, name="import_resume"),
    path("import/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("checks/", views.check_start, name="check"),
    path("checks/<int:pk>/", views.check_detail, name="check_detail"),
    path("checks/<int:pk>/stop/", views.check_stop, name="check_stop"),
    path("filters/", saved_filter_views.saved_filter_list, name="filters"),
    path("filters/new/", saved_filter_views.saved_filter_create, name="filter_save"),
    path("filters/<int:pk>/", saved_filter_views.saved_filter_rename, name="filter_rename"),
    path("filters/<int:pk>/delete/", saved_filter_views.saved_filter_delete, name="filter_delete"),
]
