"""`/profiles/...`: seed 002's profiles are Switchboard's instances, driven through
`instances.services` like the instance pages."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.http import HttpRequest
from ninja import Query, Router, Status

from accounts.roles import Ability
from api import schemas
from api.auth import instance_for_key, require_ability
from api.envelope import ApiError, Code, invalid, success
from api.pagination import PageQuery, page_of
from instances import services
from instances.actions import Action
from instances.engines.base import Capability
from instances.engines.errors import WrongStateError
from instances.forms import InstanceForm
from instances.models import Instance, InstanceStatus

router = Router(tags=["Profiles"])


def profile_data(instance: Instance) -> dict[str, Any]:
    return {
        "id": str(instance.uuid),
        "name": instance.name,
        "engine": instance.engine,
        "status": instance.status,
        "phone": instance.phone or None,
        "pushName": instance.push_name or None,
        "statusChangedAt": instance.status_changed_at,
        "lastError": instance.last_error or None,
    }


@router.get(
    "",
    response=schemas.answers(200, schemas.ProfileListEnvelope, 403),
    summary="List the profiles (instances)",
)
def list_profiles(request: HttpRequest, query: Query[PageQuery]):
    key = require_ability(request, Ability.VIEW_INSTANCES)
    instances = Instance.objects.order_by("name")
    if key.allowed_instance_ids is not None:
        instances = instances.filter(pk__in=key.allowed_instance_ids)
    page_items, place = page_of(instances, query)
    return success([profile_data(instance) for instance in page_items], **place)


# The instance form's field names as the request spells them.
FORM_FIELDS = {"base_url": "baseUrl", "session_name": "sessionName", "api_key": "apiKey"}


@router.post(
    "",
    response=schemas.answers(201, schemas.ProfileEnvelope, 403, 502),
    summary="Create a profile (instance)",
)
def create_profile(request: HttpRequest, body: schemas.ProfileIn):
    """Validated as on the Add instance page; a sessionless gateway is set up at once."""
    key = require_ability(request, Ability.MANAGE_INSTANCES)
    if key.allowed_instance_ids is not None:
        raise ApiError(Code.FORBIDDEN, "A key restricted to some profiles cannot create one.")
    form = InstanceForm(
        {
            "name": body.name,
            "engine": body.engine,
            "base_url": body.baseUrl,
            "session_name": body.sessionName,
            "api_key": body.apiKey,
        }
    )
    if not form.is_valid():
        details = {
            FORM_FIELDS.get(field, field): list(messages) for field, messages in form.errors.items()
        }
        raise invalid(details)
    instance = form.save()
    services.ready_saved_instance(instance)
    instance.refresh_from_db()
    return Status(201, success(profile_data(instance)))


@router.delete(
    "/{profile_id}",
    response=schemas.answers(200, schemas.DeletedEnvelope, 403, 404, 409, 502),
    summary="Delete a profile",
)
def delete_profile(request: HttpRequest, profile_id: str):
    """Deletes the session on the engine too; a profile with messages is kept (409)."""
    key = require_ability(request, Ability.MANAGE_INSTANCES)
    instance = instance_for_key(key, profile_id)
    try:
        services.delete_instance(instance)
    except services.InstanceInUseError as exc:
        raise ApiError(Code.CONFLICT, str(exc)) from None
    return success({"id": profile_id, "deleted": True})


@router.get(
    "/{profile_id}",
    response=schemas.answers(200, schemas.ProfileEnvelope, 403, 404),
    summary="One profile",
)
def get_profile(request: HttpRequest, profile_id: str):
    key = require_ability(request, Ability.VIEW_INSTANCES)
    return success(profile_data(instance_for_key(key, profile_id)))


def _act(request: HttpRequest, profile_id: str, action: Action) -> dict[str, Any]:
    key = require_ability(request, Ability.MANAGE_INSTANCES)
    instance = instance_for_key(key, profile_id)
    if not instance.supports(action.capability):
        raise ApiError(
            Code.CONFLICT, f"{instance.engine_class.label} cannot {action.value} a session."
        )
    services.perform_action(instance, action)
    instance.refresh_from_db()
    return success(profile_data(instance))


@router.post(
    "/{profile_id}/connect",
    response=schemas.answers(200, schemas.ProfileEnvelope, 403, 404, 409, 502),
    summary="Start the session",
)
def connect_profile(request: HttpRequest, profile_id: str):
    """Starts the session; poll `GET /profiles/{id}/qr` for the code to scan."""
    return _act(request, profile_id, Action.START)


@router.post(
    "/{profile_id}/disconnect",
    response=schemas.answers(200, schemas.ProfileEnvelope, 403, 404, 409, 502),
    summary="Stop the session",
)
def disconnect_profile(request: HttpRequest, profile_id: str):
    """Stops the session; the number stays linked (the next connect needs no scan)."""
    return _act(request, profile_id, Action.STOP)


@router.get(
    "/{profile_id}/qr",
    response=schemas.answers(200, schemas.QrEnvelope, 403, 404, 409, 502),
    summary="The QR code to scan",
)
def profile_qr(request: HttpRequest, profile_id: str):
    key = require_ability(request, Ability.MANAGE_INSTANCES)
    instance = instance_for_key(key, profile_id)
    if not instance.supports(Capability.QR):
        raise ApiError(Code.CONFLICT, f"{instance.engine_class.label} has no QR code login.")
    if instance.status != InstanceStatus.SCAN_QR_CODE:
        services.poll_status(instance)
        instance.refresh_from_db()
    if instance.status != InstanceStatus.SCAN_QR_CODE:
        raise ApiError(
            Code.CONFLICT,
            f"No QR code while the profile is {instance.get_status_display().lower()}"
            + (": connect it first." if instance.status == InstanceStatus.STOPPED else "."),
        )
    try:
        qr = services.fetch_qr(instance)
    except WrongStateError as exc:
        services.poll_status(instance)
        raise ApiError(Code.CONFLICT, exc.message) from None
    png = qr.png or segno.make(qr.value, error="l").png_data_uri(scale=5, border=2)
    image = (
        png if isinstance(png, str) else "data:image/png;base64," + base64.b64encode(png).decode()
    )
    return success({"status": instance.status, "qr": qr.value or None, "image": image})
