from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Max, OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.roles import Ability, require
from config.live import cursor_of, render_live_region
from inbox import services, team
from inbox.forms import (
    EMOJIS,
    AssignForm,
    ChatFilterForm,
    EventFilterForm,
    LabelsForm,
    NoteForm,
    ReactForm,
    ReplyForm,
)
from inbox.media import retry_media
from inbox.models import CannedReply, Chat, ConversationMessage, WebhookEvent
from inbox.search import search_chats
from inbox.signatures import hmac_is_valid, token_is_valid
from instances.instance_cache import kept_instance
from instances.models import OutboundMessage
from instances.outbound import OutboundValidationError

logger = logging.getLogger(__name__)
PAGE_SIZE = 30
# Messages a thread shows at once; earlier ones are a link away.
THREAD_SIZE = 50
EVENT_PAGE_SIZE = 50
CHANGED = "inbox-changed"
# Types a browser may show inline; anything else from a customer is a download, so a crafted
# file (HTML, SVG) never runs in the app's origin.
INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "audio/ogg", "audio/mpeg", "video/mp4"}
)


# The conversation list.


def _filtered_chats(request, filters: ChatFilterForm):
    chats = Chat.objects.all()
    data = filters.cleaned_data if filters.is_valid() else {}
    show = data.get("show") or "all"
    chats = chats.filter(state=Chat.State.CLOSED if show == "closed" else Chat.State.OPEN)
    if show == "mine":
        chats = chats.filter(assignee=request.user)
    elif show == "unassigned":
        chats = chats.filter(assignee__isnull=True)
    elif show == "unread":
        chats = chats.filter(unread_count__gt=0)
    if data.get("instance"):
        chats = chats.filter(instance=data["instance"])
    if data.get("label"):
        chats = chats.filter(labels=data["label"])
    if data.get("q"):
        chats = search_chats(chats, data["q"])
    return chats


def _list_context(request, filters: ChatFilterForm, chats, open_chat: Chat | None) -> dict:
    rows = chats.select_related("instance", "contact", "assignee").prefetch_related("labels")
    page = Paginator(rows.order_by("-last_message_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {"filters": filters, "page": page, "open_chat": open_chat, "query": _query(request)}


def _query(request) -> str:
    """The list's filters, kept on every link and poll."""
    kept = request.GET.copy()
    for key in ("cursor", "quote", "page", "open", "before"):
        kept.pop(key, None)
    return kept.urlencode()


def _list_cursor(request, open_chat: Chat | None) -> str:
    """The latest change to any conversation: one index look-up however many there are. A
    filtered list must notice a chat that left it too (read, reassigned), and that chat's
    change moves this cursor as well."""
    changed = Chat.objects.aggregate(changed=Max("changed_at"))["changed"]
    return cursor_of(changed, _query(request), request.GET.get("page"), open_chat and open_chat.pk)


@require(Ability.USE_INBOX)
@require_GET
def chat_list(request):
    """The inbox; as an htmx poll, only the list region, and 204 when it did not change."""
    filters = ChatFilterForm(request.GET or None)
    chats = _filtered_chats(request, filters)
    open_chat = _open_chat(request.GET.get("open"))
    if request.htmx:
        return render_live_region(
            request,
            "inbox/inbox.html#chat-list",
            cursor=_list_cursor(request, open_chat),
            context=lambda: _list_context(request, filters, chats, open_chat),
        )
    context = _list_context(request, filters, chats, None)
    context["list_cursor"] = _list_cursor(request, None)
    return render(request, "inbox/inbox.html", context)


def _open_chat(value) -> Chat | None:
    return Chat.objects.filter(pk=value).first() if str(value or "").isdigit() else None


# One conversation.


def _get_chat_for_user(pk: int) -> Chat:
    """Everyone who may use the inbox sees every conversation (a shared team inbox).

    `ticks_at` is the latest status change of our sends among the messages the thread shows:
    the queue moves them without touching the chat, and the thread's cursor must see it.
    """
    shown = (
        ConversationMessage.objects.filter(chat=OuterRef(OuterRef("pk")))
        .order_by("-sent_at", "-id")
        .values("outbound_id")[:THREAD_SIZE]
    )
    latest_tick = (
        OutboundMessage.objects.filter(pk__in=shown)
        .order_by("-status_changed_at")
        .values("status_changed_at")[:1]
    )
    return get_object_or_404(
        Chat.objects.select_related("instance", "contact", "assignee").annotate(
            ticks_at=Subquery(latest_tick)
        ),
        pk=pk,
    )


def _thread_cursor(chat: Chat) -> str:
    return cursor_of(chat.changed_at, chat.ticks_at)


def _thread_context(request, chat: Chat) -> dict:
    rows = chat.messages.select_related("outbound", "quoted", "author").order_by("-sent_at", "-id")
    before = request.GET.get("before")
    if before and before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    latest = list(rows[: THREAD_SIZE + 1])
    return {
        "chat": chat,
        # Newest first: the page shows them bottom-up (static/css/app.css, `.bubbles`).
        "thread": latest[:THREAD_SIZE],
        "earlier": latest[THREAD_SIZE].pk if len(latest) > THREAD_SIZE else None,
        "labels": list(chat.labels.all()),
        "emojis": EMOJIS,
    }


def _side_context(chat: Chat) -> dict:
    contact = chat.contact
    return {
        "chat": chat,
        "contact": contact,
        "tags": list(contact.tags.all()) if contact else [],
        "notes": list(chat.notes.select_related("author")),
        "assign_form": AssignForm(initial={"assignee": chat.assignee_id}),
        "labels_form": LabelsForm(initial={"labels": [label.pk for label in chat.labels.all()]}),
        "note_form": NoteForm(),
        "canned": list(CannedReply.objects.all()[:50]),
        # Until campaigns exist, what the queue sent them (compose, campaigns, API, replies).
        "sent_to_them": OutboundMessage.objects.filter(
            instance=chat.instance_id, chat_id=chat.chat_id
        ).count(),
    }


def _side_cursor(chat: Chat) -> str:
    """Team actions and opt-outs touch the chat; the sends it counts move the ticks."""
    contact = chat.contact
    return cursor_of(
        chat.changed_at,
        chat.ticks_at,
        contact and (contact.name, contact.opted_out, contact.opted_out_at),
    )


@require(Ability.USE_INBOX)
@require_GET
def chat_detail(request, pk: int):
    """Three panes: the list (with the same filters), the thread, the side panel."""
    chat = _get_chat_for_user(pk)
    filters = ChatFilterForm(request.GET or None)
    chats = _filtered_chats(request, filters)
    quoted = _quoted(chat, request.GET.get("quote"))
    context = {
        **_list_context(request, filters, chats, chat),
        **_thread_context(request, chat),
        **_side_context(chat),
        "list_cursor": _list_cursor(request, chat),
        "cursor": _thread_cursor(chat),
        "side_cursor": _side_cursor(chat),
        "reply_form": ReplyForm(initial={"quoted": quoted.pk if quoted else None}),
        "quoted": quoted,
    }
    return render(request, "inbox/inbox.html", context)


@require(Ability.USE_INBOX)
@require_GET
def thread(request, pk: int):
    """The thread region, polled on its own: the reply box is never part of it."""
    chat = _get_chat_for_user(pk)
    if not request.htmx:
        return redirect("inbox:chat", pk=pk)
    return render_live_region(
        request,
        "inbox/inbox.html#thread",
        cursor=_thread_cursor(chat),
        context=lambda: {**_thread_context(request, chat), "query": _query(request)},
    )


@require(Ability.USE_INBOX)
@require_GET
def side_panel(request, pk: int):
    """The side panel, polled on its own so an assignment by someone else shows here. The page
    skips a poll while the viewer is filling in one of its forms (static/js/live_forms.js)."""
    chat = _get_chat_for_user(pk)
    if not request.htmx:
        return redirect(reverse("inbox:chat", args=[pk]) + "#details")
    return render_live_region(
        request,
        "inbox/inbox.html#side-panel",
        cursor=_side_cursor(chat),
        context=lambda: _side_context(chat),
    )


def _quoted(chat: Chat, value) -> ConversationMessage | None:
    if not str(value or "").isdigit():
        return None
    return chat.messages.filter(pk=int(value)).first()


def _back(request, chat: Chat, *, status: int = 204):
    """After an action: htmx refreshes the live regions at once; a plain form goes back."""
    if request.htmx:
        return trigger_client_event(HttpResponse(status=status), CHANGED)
    return redirect(reverse("inbox:chat", args=[chat.pk]))


@require(Ability.USE_INBOX)
@require_http_methods(["GET", "POST"])
def reply(request, pk: int):
    chat = _get_chat_for_user(pk)
    if request.method == "GET":
        return redirect("inbox:chat", pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        quoted = _quoted(chat, form.cleaned_data.get("quoted"))
        try:
            team.send_reply(
                chat,
                request.user,
                form.cleaned_data["text"] or "",
                quoted=quoted,
                attachment=form.cleaned_data.get("attachment"),
            )
        except OutboundValidationError as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(None, f"{field}: {problem}")
        else:
            if not request.htmx:
                return redirect("inbox:chat", pk=pk)
            form = ReplyForm()
            response = render(
                request, "inbox/inbox.html#reply-form", {"chat": chat, "reply_form": form}
            )
            return trigger_client_event(response, CHANGED)
    if not request.htmx:
        flash.error(request, "The reply was not sent: " + " ".join(_all_errors(form)))
        return redirect("inbox:chat", pk=pk)
    # Status 200 so htmx swaps the form back in, with the text as typed and the errors.
    context = {
        "chat": chat,
        "reply_form": form,
        "quoted": _quoted(chat, request.POST.get("quoted")),
    }
    return render(request, "inbox/inbox.html#reply-form", context)


def _all_errors(form) -> list[str]:
    return [error for errors in form.errors.values() for error in errors]


@require(Ability.USE_INBOX)
@require_GET
def quote(request, pk: int, message_pk: int):
    """Reply to one message: htmx swaps only the quote box, so the typed text stays."""
    chat = _get_chat_for_user(pk)
    quoted = get_object_or_404(chat.messages, pk=message_pk)
    if not request.htmx:
        return redirect(f"{reverse('inbox:chat', args=[pk])}?quote={quoted.pk}#reply")
    return render(request, "inbox/inbox.html#quote-slot", {"quoted": quoted, "chat": chat})


@require(Ability.USE_INBOX)
@require_POST
def react(request, pk: int, message_pk: int):
    chat = _get_chat_for_user(pk)
    message = get_object_or_404(chat.messages.select_related("chat__instance"), pk=message_pk)
    form = ReactForm(request.POST)
    if not form.is_valid() or form.cleaned_data["emoji"] not in ("", *EMOJIS):
        return HttpResponse("Choose one of the offered reactions.", status=400)
    try:
        team.react(message, form.cleaned_data["emoji"])
    except (ValueError, OutboundValidationError) as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=409)
        flash.error(request, str(exc))
    return _back(request, chat)


# What the conversation's header buttons do: (service, what the flash says).
CHAT_ACTIONS = {
    "take": (lambda request, chat: team.assign_chat(chat, request.user), "Assigned to you."),
    "read": (lambda request, chat: team.mark_read(chat), "Marked as read."),
    "unread": (lambda request, chat: team.mark_unread(chat), "Marked as unread."),
    "close": (lambda request, chat: team.set_state(chat, Chat.State.CLOSED), "Closed."),
    "reopen": (lambda request, chat: team.set_state(chat, Chat.State.OPEN), "Reopened."),
}


@require(Ability.USE_INBOX)
@require_POST
def chat_action(request, pk: int, action: str):
    chat = _get_chat_for_user(pk)
    if action not in CHAT_ACTIONS:
        raise Http404("No such action.")
    service, done = CHAT_ACTIONS[action]
    service(request, chat)
    if not request.htmx:
        flash.success(request, done)
    return _back(request, chat)


def _side_panel(request, chat: Chat, **forms):
    if not request.htmx:
        return redirect("inbox:chat", pk=chat.pk)
    chat = _get_chat_for_user(chat.pk)
    context = {**_side_context(chat), "cursor": _side_cursor(chat), **forms}
    return trigger_client_event(render(request, "inbox/inbox.html#side-panel", context), CHANGED)


@require(Ability.USE_INBOX)
@require_POST
def assign(request, pk: int):
    chat = _get_chat_for_user(pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        team.assign_chat(chat, form.cleaned_data["assignee"])
        return _side_panel(request, chat)
    return _side_panel(request, chat, assign_form=form)


@require(Ability.USE_INBOX)
@require_POST
def labels(request, pk: int):
    chat = _get_chat_for_user(pk)
    form = LabelsForm(request.POST)
    if form.is_valid():
        team.set_labels(chat, form.cleaned_data["labels"], form.cleaned_data["new_label"])
        return _side_panel(request, chat)
    return _side_panel(request, chat, labels_form=form)


@require(Ability.USE_INBOX)
@require_POST
def note(request, pk: int):
    chat = _get_chat_for_user(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        team.add_note(chat, request.user, form.cleaned_data["body"])
        return _side_panel(request, chat)
    return _side_panel(request, chat, note_form=form)


# Media.


def _get_message_for_user(pk: int) -> ConversationMessage:
    return get_object_or_404(ConversationMessage.objects.select_related("chat"), pk=pk)


@require(Ability.USE_INBOX)
@require_GET
def media(request, message_pk: int):
    """A stored file, from Django's storage: the engine's address and key never reach here."""
    message = _get_message_for_user(message_pk)
    if message.media_state != ConversationMessage.Media.STORED or not message.media_file:
        raise Http404("This file is not stored.")
    mimetype = message.media_mimetype.split(";")[0].strip().lower()
    inline = mimetype in INLINE_TYPES
    try:
        handle = message.media_file.open("rb")
    except OSError:
        raise Http404("The stored file is missing.") from None
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=message.media_filename or message.media_file.name.rsplit("/", 1)[-1],
        content_type=mimetype if inline else "application/octet-stream",
    )


@require(Ability.USE_INBOX)
@require_POST
def media_retry(request, message_pk: int):
    message = _get_message_for_user(message_pk)
    if not retry_media(message) and not request.htmx:
        flash.error(request, "The engine gave no address for this file; it cannot be fetched.")
    return _back(request, message.chat)


# The event log (admins).


@require(Ability.MANAGE_INSTANCES)
@require_GET
def event_list(request):
    filters = EventFilterForm(request.GET or None)
    events = _filtered_events(filters)
    page = Paginator(events.select_related("instance"), EVENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    failed = events.filter(state=WebhookEvent.State.FAILED).count()
    context = {"filters": filters, "page": page, "failed": failed, "query": _query(request)}
    return render(request, "inbox/event_list.html", context)


def _filtered_events(filters: EventFilterForm):
    events = WebhookEvent.objects.all()
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("instance"):
            events = events.filter(instance=data["instance"])
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("state"):
            events = events.filter(state=data["state"])
    return events


@require(Ability.MANAGE_INSTANCES)
@require_GET
def event_detail(request, pk: int):
    event = get_object_or_404(WebhookEvent.objects.select_related("instance"), pk=pk)
    raw = json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True)
    return render(request, "inbox/event_detail.html", {"event": event, "raw": raw})


@require(Ability.MANAGE_INSTANCES)
@require_POST
def event_reprocess(request):
    """Apply again: the events ticked on the page, or every failed one the filters show."""
    if request.POST.get("all_failed"):
        events = _filtered_events(EventFilterForm(request.GET or None))
    else:
        ids = [value for value in request.POST.getlist("events") if value.isdigit()][:500]
        events = WebhookEvent.objects.filter(pk__in=ids)
    result = services.reprocess_events(events)
    flash.success(
        request,
        f"Reprocessed: {result.applied} applied, {result.failed} failed again, "
        f"{result.skipped} left as they were.",
    )
    query = _query(request)
    return redirect(reverse("inbox:events") + (f"?{query}" if query else ""))


# The webhook receiver.


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
@require_POST
def receive_webhook(request, instance_uuid, token: str = ""):
    """Engines post events here, to an address with the secret; a signature, when sent, must
    be valid, and the address without the secret requires one. Never a 500."""
    if _declared_length(request) > settings.WEBHOOK_MAX_BODY_BYTES:
        return _error(413, f"body larger than {settings.WEBHOOK_MAX_BODY_BYTES} bytes")
    instance = kept_instance(instance_uuid)
    if instance is None:
        return _error(404, "unknown instance")
    body = request.body
    if token and not token_is_valid(token, instance.webhook_secret):
        return _error(401, "bad secret")
    signature = request.headers.get("X-Webhook-Hmac", "")
    if signature or not token:
        algorithm = request.headers.get("X-Webhook-Hmac-Algorithm", "sha512")
        if not hmac_is_valid(body, instance.webhook_secret, signature, algorithm):
            return _error(401, "bad signature")
    try:
        events = services.parse_webhook(instance, dict(request.headers), body)
    except ValueError as exc:
        return _error(400, f"not a webhook envelope: {exc}"[:200])
    try:
        result = services.ingest_events(instance, events, body)
    except DatabaseError:
        # Nothing was stored: say so, and the engine delivers the event again later.
        logger.exception("Storing a webhook for instance %s failed", instance.pk)
        response = _error(503, "could not store the event now; retry later")
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"stored": result.stored, "duplicates": result.duplicates})


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
