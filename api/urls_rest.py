"""The API under `/api/v1/` and, as seed 002's base URL has it, the same routes under `/api/`.
Any other path below `/api/` answers the error envelope, never an HTML page."""

from django.urls import include, path, re_path

from api.reference import reference
from api.rest import unknown_path, url_patterns

urlpatterns = [
    path("v1/", include(([path("docs", reference, name="docs"), *url_patterns()], "api"))),
    path("", include((url_patterns(), "api_root"))),
    re_path(r"^", unknown_path),
]
