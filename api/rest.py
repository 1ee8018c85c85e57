"""The REST API (seed 002): one NinjaAPI, its routers, and one answer shape for every failure."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api import bulk, contacts, groups, messages, profiles, webhooks
from api.auth import AUTH
from api.envelope import STATUS, ApiError, Code, error_response, invalid, is_enveloped
from instances.engines.errors import EngineError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Switchboard API",
    version="1",
    description=(
        "Seed 002's self-hosted gateway API. Authenticate with an X-API-Key: <key> or an "
        "Authorization: Bearer <key> header. Every answer is {success, data, meta} or "
        "{success: false, error: {code, message}}."
    ),
    urls_namespace="api",
    auth=AUTH,
    docs_url=None,
)
api.add_router("/messages", messages.router)
api.add_router("/profiles", profiles.router)
api.add_router("/groups", groups.router)
api.add_router("/bulk", bulk.router)
api.add_router("/contacts", contacts.router)
api.add_router("/webhooks", webhooks.router)

_CODE_BY_STATUS = {status: code for code, status in STATUS.items()}
_CODE_BY_STATUS[400] = Code.VALIDATION_ERROR


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc)


@api.exception_handler(AuthenticationError)
def _no_key(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        ApiError(Code.UNAUTHORIZED, "Give an API key in X-API-Key or Authorization: Bearer.")
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = "The request body is not valid JSON." if exc.status_code == 400 else exc.message
    code = _CODE_BY_STATUS.get(exc.status_code, Code.INTERNAL_ERROR)
    return error_response(ApiError(code, message, status=exc.status_code))


def _field(loc: tuple) -> str:
    # ninja prefixes where the value came from (body, query, path) and the parameter's name.
    parts = [str(part) for part in loc if part not in ("body", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = tuple(error.get("loc", ()))
        if loc[:1] == ("query",) and len(loc) > 1 and loc[1] == "query":
            loc = loc[2:]
        details.setdefault(_field(loc), []).append(str(error.get("msg", "Invalid value.")))
    return error_response(invalid(details))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            ApiError(Code.VALIDATION_ERROR, f"The body is larger than {limit} bytes.", status=413)
        )
    return error_response(ApiError(Code.VALIDATION_ERROR, "The request was refused.", status=400))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(ApiError(Code.NOT_FOUND, "Not found."))


@api.exception_handler(EngineError)
def _engine_error(request: HttpRequest, exc: EngineError) -> HttpResponse:
    return error_response(ApiError(Code.ENGINE_ERROR, f"The gateway answered: {exc.message}"))


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path)
    return error_response(ApiError(Code.INTERNAL_ERROR, "Something went wrong on our side."))


def _error_for_status(status: int) -> ApiError:
    if status == 405:
        # The seed's codes have none for this; the status tells it apart from a 404.
        return ApiError(Code.NOT_FOUND, "This path does not take this method.", status=405)
    if status == 404:
        return ApiError(Code.NOT_FOUND, "No such API path.")
    code = _CODE_BY_STATUS.get(status, Code.INTERNAL_ERROR)
    return ApiError(code, "The request failed.", status=status)


def enveloped(view: Callable) -> Callable:
    """Answers ninja makes outside its handlers (405 for a wrong method) get the envelope."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code >= 400 and not is_enveloped(response):
            error = error_response(_error_for_status(response.status_code))
            if response.has_header("Allow"):
                error["Allow"] = response["Allow"]
            return error
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def url_patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    return [URLPattern(p.pattern, enveloped(p.callback), p.default_args, p.name) for p in patterns]


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(ApiError(Code.NOT_FOUND, "No such API path."))
