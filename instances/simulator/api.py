"""WAHA's own routes (`/api/...`), answered from the simulator's state.

Paths, status codes and bodies follow WAHA 2024.10.8's OpenAPI document and the answers of a
real server (docs/gateways.md); routes newer than that release (sendList,
sendLinkCustomPreview, lids, message lookup) follow WAHA's docs. Where the `core-2024.10`
profile answers differently, the handler says so.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from . import groups
from .images import media_content, qr_png, text_png
from .messages import MESSAGE_ENDPOINTS
from .server import Route, route
from .transport import Request, Response, empty_response, json_response, png_response
from .validation import validate_session_create, validate_session_update

# How long a pairing-code request on a STARTING session goes unanswered on old Core: longer
# than any client waits (170 s and more were observed).
UNANSWERED_SECONDS = 600.0

if TYPE_CHECKING:
    from .app import Simulator
    from .profiles import Profile


def list_sessions(sim: Simulator, request: Request) -> Response:
    include_stopped = request.query.get("all", "").lower() in ("true", "1")
    return json_response(200, sim.state.list_sessions(include_stopped=include_stopped))


def create_session(sim: Simulator, request: Request) -> Response:
    events = sim.profile.allowed_events
    name, start, config = validate_session_create(request.json(), events)
    return json_response(201, sim.state.create_session(name, config, start=start))


def get_session(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(200, sim.state.get_session(session))


def update_session(sim: Simulator, request: Request, session: str) -> Response:
    config = validate_session_update(request.json(), sim.profile.allowed_events)
    return json_response(200, sim.state.update_session(session, config))


def delete_session(sim: Simulator, request: Request, session: str) -> Response:
    sim.state.delete_session(session)
    return empty_response(200)


def start_session(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(201, sim.state.start_session(session))


def stop_session(sim: Simulator, request: Request, session: str) -> Response:
    if sim.profile.stop_missing_empty and not sim.state.has_session(session):
        return empty_response(201)
    return json_response(201, sim.state.stop_session(session))


def restart_session(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(201, sim.state.restart_session(session))


def logout_session(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(201, sim.state.logout_session(session))


def get_me(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(200, sim.state.me(session))


def get_qr(sim: Simulator, request: Request, session: str) -> Response:
    value = sim.state.qr_value(session)
    if request.query.get("format") == "raw":
        return json_response(200, {"value": value})
    return _image(request, qr_png(value))


def request_code(sim: Simulator, request: Request, session: str) -> Response:
    if sim.profile.pairing_code_hangs_while_starting and _is_starting(sim, session):
        response = empty_response(504)
        response.hold_seconds = UNANSWERED_SECONDS
        return response
    body = request.json()
    phone = body.get("phoneNumber") if isinstance(body, dict) else None
    return json_response(201, {"code": sim.state.request_code(session, phone)})


def screenshot(sim: Simulator, request: Request) -> Response:
    text, is_qr = sim.state.screenshot_text(request.query.get("session") or "default")
    return _image(request, qr_png(text) if is_qr else text_png(text))


def check_exists(sim: Simulator, request: Request) -> Response:
    session = request.query.get("session") or "default"
    return json_response(200, sim.state.check_exists(session, request.query.get("phone")))


def get_message(
    sim: Simulator, request: Request, session: str, chat_id: str, message_id: str
) -> Response:
    return json_response(200, sim.state.find_message(session, chat_id, message_id))


def get_lid(sim: Simulator, request: Request, session: str, lid: str) -> Response:
    return json_response(200, sim.state.lookup_lid(session, lid))


def get_file(sim: Simulator, request: Request, session: str, filename: str) -> Response:
    mimetype, original_name = sim.state.media_file(session, filename)
    return Response(200, media_content(mimetype, original_name), content_type=mimetype)


def version(sim: Simulator, request: Request) -> Response:
    return json_response(200, sim.profile.environment)


def ping(sim: Simulator, request: Request) -> Response:
    return json_response(200, {"message": "pong"})


def _is_starting(sim: Simulator, session: str) -> bool:
    return sim.state.has_session(session) and sim.state.status(session) == "STARTING"


def _image(request: Request, png: bytes) -> Response:
    # WAHA answers PNG bytes, or base64 in JSON when the client asks for JSON.
    if request.wants_json():
        data = base64.b64encode(png).decode()
        return json_response(200, {"mimetype": "image/png", "data": data})
    return png_response(png)


def _send(endpoint: str) -> Route:
    # The OpenAPI document: sends answer 201, except PUT /api/reaction which answers 200.
    status = 200 if endpoint == "reaction" else 201

    def handler(sim: Simulator, request: Request) -> Response:
        sent = sim.state.send(endpoint, request.json())
        if endpoint == "sendContactVcard" and sim.profile.contact_card_empty:
            return empty_response(201)
        return json_response(status, sent)

    method = "PUT" if endpoint == "reaction" else "POST"
    return route(method, f"/api/{endpoint}", handler, send=True)


def _chat_action(endpoint: str) -> Route:
    def handler(sim: Simulator, request: Request) -> Response:
        sim.state.record_action(endpoint, request.json())
        # sendSeen answers an (empty) object; the typing calls answer no body at all.
        return json_response(201, {}) if endpoint == "sendSeen" else empty_response(201)

    return route("POST", f"/api/{endpoint}", handler)


ROUTES: list[Route] = [
    route("GET", "/ping", ping),
    route("GET", "/api/version", version),
    route("GET", "/api/server/version", version),
    route("GET", "/api/sessions", list_sessions),
    route("POST", "/api/sessions", create_session),
    route("GET", "/api/sessions/{session}", get_session),
    route("PUT", "/api/sessions/{session}", update_session),
    route("DELETE", "/api/sessions/{session}", delete_session),
    route("GET", "/api/sessions/{session}/me", get_me),
    route("POST", "/api/sessions/{session}/start", start_session),
    route("POST", "/api/sessions/{session}/stop", stop_session),
    route("POST", "/api/sessions/{session}/restart", restart_session),
    route("POST", "/api/sessions/{session}/logout", logout_session),
    route("GET", "/api/{session}/auth/qr", get_qr),
    route("POST", "/api/{session}/auth/request-code", request_code),
    route("GET", "/api/screenshot", screenshot),
    route("GET", "/api/contacts/check-exists", check_exists),
    route("GET", "/api/{session}/lids/{lid}", get_lid),
    route("GET", "/api/files/{session}/{filename}", get_file),
    *(_send(endpoint) for endpoint in sorted(MESSAGE_ENDPOINTS)),
    *(_chat_action(endpoint) for endpoint in ("sendSeen", "startTyping", "stopTyping")),
    *groups.ROUTES,
]
# Not in WAHA 2024.10: there, this path answers "Cannot GET ...".
MESSAGE_LOOKUP = route("GET", "/api/{session}/chats/{chat_id}/messages/{message_id}", get_message)


def routes_for(profile: Profile) -> list[Route]:
    return [*ROUTES, MESSAGE_LOOKUP] if profile.message_lookup else list(ROUTES)
