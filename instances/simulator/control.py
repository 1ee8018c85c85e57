"""The simulator's own routes (`/simulator/...`): what a phone, a customer or a test would do.

They need the same API key as WAHA's routes. POST actions answer 201 like WAHA's do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .server import Route, route
from .transport import Request, Response, empty_response, json_response
from .validation import require_object

if TYPE_CHECKING:
    from .app import Simulator


def scan(sim: Simulator, request: Request, session: str) -> Response:
    """Body (optional): {"phone": "+15550001234", "pushName": "Ada"}."""
    body = require_object(request.json())
    phone, push_name = body.get("phone") or "", body.get("pushName") or ""
    return json_response(201, sim.state.scan(session, phone=str(phone), push_name=str(push_name)))


def fail(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(201, sim.state.fail_session(session))


def inbound(sim: Simulator, request: Request, session: str) -> Response:
    """Body: {"from", "text", "media"?: {"mimetype", "filename", "error"?}, "pushName"?, ...}."""
    return json_response(201, sim.state.inbound(session, request.json()))


def messages(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(200, [record.to_json() for record in sim.state.messages(session)])


def actions(sim: Simulator, request: Request, session: str) -> Response:
    return json_response(200, sim.state.actions(session))


def get_faults(sim: Simulator, request: Request) -> Response:
    return json_response(200, sim.state.faults.to_json())


def set_faults(sim: Simulator, request: Request) -> Response:
    return json_response(201, sim.state.set_faults(request.json()).to_json())


def clear_faults(sim: Simulator, request: Request) -> Response:
    return json_response(200, sim.state.clear_faults().to_json())


def reset(sim: Simulator, request: Request) -> Response:
    sim.state.reset()
    return empty_response(204)


def stats(sim: Simulator, request: Request) -> Response:
    return json_response(200, {"webhooks": sim.dispatcher.stats()})


ROUTES: list[Route] = [
    route("POST", "/simulator/sessions/{session}/scan", scan),
    route("POST", "/simulator/sessions/{session}/fail", fail),
    route("POST", "/simulator/sessions/{session}/inbound", inbound),
    route("GET", "/simulator/sessions/{session}/messages", messages),
    route("GET", "/simulator/sessions/{session}/actions", actions),
    route("GET", "/simulator/faults", get_faults),
    route("POST", "/simulator/faults", set_faults),
    route("DELETE", "/simulator/faults", clear_faults),
    route("POST", "/simulator/reset", reset),
    route("GET", "/simulator/stats", stats),
]
