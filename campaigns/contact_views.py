"""Contact pages: the list with bulk actions and export, create/edit, import, number checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Ability, require
from campaigns import contact_services
from campaigns.contact_export import contact_rows, csv_lines, error_rows
from campaigns.contact_forms import (
    BulkActionForm,
    ContactFilterForm,
    ContactForm,
    MappingForm,
    NumberCheckForm,
    UploadForm,
)
from campaigns.imports.job import is_interrupted
from campaigns.imports.reading import UnreadableFile
from campaigns.imports.services import preview_rows, receive_upload, resume_import, start_import
from campaigns.models import Contact, ContactImport, NumberCheck, Tag
from campaigns.number_checks import CheckRefused, start_number_check, stop_number_check
from config.live import cursor_of, render_live_region

PAGE_SIZE = 50
IMPORT_DONE = {ContactImport.Status.FINISHED, ContactImport.Status.FAILED}


def _get_contact_for_user(request, pk: int) -> Contact:
    """Everyone who may manage contacts manages all of them; the decorator checked the role."""
    return get_object_or_404(Contact, pk=pk)


def _get_import_for_user(request, pk: int) -> ContactImport:
    return get_object_or_404(ContactImport, pk=pk)


@require(Ability.MANAGE_CONTACTS)
@require_GET
def contact_list(request):
    filters = ContactFilterForm(request.GET or None)
    arguments = filters.matching_arguments()
    contacts = contact_services.contacts_matching(**arguments)
    paginator = Paginator(contacts.prefetch_related("tags").order_by("name", "phone"), PAGE_SIZE)
    paginator.count = contact_services.count_matching(**arguments)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "has_contacts": page.paginator.count > 0 or Contact.objects.exists(),
        "tags": Tag.objects.all(),
        "bulk_actions": BulkActionForm.ACTIONS,
    }
    return render(request, "campaigns/contacts/contact_list.html", context)


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def contact_create(request):
    return _contact_form(request, Contact())


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    return _contact_form(request, _get_contact_for_user(request, pk))


def _contact_form(request, contact: Contact):
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        contact = contact_services.save_contact(
            form.save(commit=False),
            custom_fields=form.cleaned_data["fields_text"],
            tag_names=form.cleaned_data["tags_text"],
        )
        messages.success(request, f"Saved {contact}.")
        return redirect("contacts:list")
    return render(
        request, "campaigns/contacts/contact_form.html", {"form": form, "contact": contact}
    )


@require(Ability.MANAGE_CONTACTS)
@require_POST
def contact_opt(request, pk: int):
    """Opt a contact out (with a reason) or back in, from its page."""
    contact = _get_contact_for_user(request, pk)
    if contact.opted_out:
        contact_services.opt_in(contact)
        messages.success(request, f"{contact} may be messaged again.")
    else:
        reason = request.POST.get("reason", "").strip()[:200] or "Opted out by hand"
        contact_services.opt_out(contact, reason)
        messages.success(request, f"{contact} is opted out and will not be messaged.")
    return redirect("contacts:edit", pk=pk)


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def contact_bulk(request):
    """GET shows what would happen to which contacts; POST does it."""
    form = BulkActionForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back_to_list(request))
    data = form.cleaned_data
    selected = form.selected()
    if request.method == "GET":
        context = {
            "form": form,
            "title": form.title,
            "count": selected.count(),
            "sample": selected.order_by("name", "phone")[:10],
            "back": _back_to_list(request),
        }
        return render(request, "campaigns/contacts/bulk_confirm.html", context)
    count = _apply_bulk(data, selected)
    messages.success(request, f"{form.title}: {count} contact{'s' if count != 1 else ''}.")
    return redirect(_back_to_list(request))


def _apply_bulk(data: dict, selected) -> int:
    action = data["action"]
    with transaction.atomic():
        if action == "tag":
            (tag,) = contact_services.tags_named([data["tag_name"]])
            return contact_services.tag_contacts(selected, tag)
        if action == "untag":
            tag = Tag.objects.filter(name__iexact=data["tag_name"].strip()).first()
            return contact_services.untag_contacts(selected, tag) if tag else 0
        if action == "opt_out":
            reason = data["reason"].strip() or "Opted out by hand"
            return contact_services.opt_out_contacts(selected, reason)
        return contact_services.delete_contacts(selected)


def _back_to_list(request) -> str:
    back = request.POST.get("back") or request.GET.get("back") or ""
    # Only our own list, with its filters: never an address from elsewhere.
    list_url = reverse("contacts:list")
    return back if back.startswith(list_url + "?") or back == list_url else list_url


@require(Ability.MANAGE_CONTACTS)
@require_GET
def contact_export(request):
    filters = ContactFilterForm(request.GET or None)
    contacts = contact_services.contacts_matching(**filters.matching_arguments())
    response = StreamingHttpResponse(
        csv_lines(contact_rows(contacts)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="contacts.csv"'
    return response


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_import = receive_upload(form.cleaned_data["file"], request.user)
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("contacts:import_detail", pk=contact_import.pk)
    recent = ContactImport.objects.select_related("created_by")[:10]
    return render(
        request, "campaigns/contacts/import_upload.html", {"form": form, "recent": recent}
    )


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def import_detail(request, pk: int):
    """Choosing columns (with a preview) while the import waits for them; then its progress."""
    contact_import = _get_import_for_user(request, pk)
    if contact_import.status == ContactImport.Status.MAPPING:
        return _import_mapping(request, contact_import)
    if request.method == "POST":
        return redirect("contacts:import_detail", pk=pk)
    template = "campaigns/contacts/import_detail.html"
    if request.htmx:
        template += "#import-progress"
    interrupted = is_interrupted(contact_import)
    return render_live_region(
        request,
        template,
        cursor=cursor_of(
            contact_import.status, contact_import.rows_done, contact_import.total_rows, interrupted
        ),
        context=lambda: {"contact_import": contact_import, "interrupted": interrupted},
        final=contact_import.status in IMPORT_DONE,
    )


def _import_mapping(request, contact_import: ContactImport):
    form = MappingForm(request.POST or None, contact_import=contact_import)
    if request.method == "POST" and "start" in request.POST and form.is_valid():
        try:
            start_import(contact_import, form.roles(), form.cleaned_data["tag_all"])
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("contacts:import_detail", pk=contact_import.pk)
    try:
        preview, problem = preview_rows(contact_import, form.roles()), ""
    except UnreadableFile as exc:
        preview, problem = [], str(exc)
    context = {
        "contact_import": contact_import,
        "form": form,
        "preview": preview,
        "preview_problem": problem,
    }
    return render(request, "campaigns/contacts/import_mapping.html", context)


@require(Ability.MANAGE_CONTACTS)
@require_POST
def import_resume(request, pk: int):
    contact_import = _get_import_for_user(request, pk)
    try:
        resume_import(contact_import)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Resuming after row {contact_import.rows_done}.")
    return redirect("contacts:import_detail", pk=pk)


@require(Ability.MANAGE_CONTACTS)
@require_GET
def import_errors(request, pk: int):
    contact_import = _get_import_for_user(request, pk)
    response = StreamingHttpResponse(
        csv_lines(error_rows(contact_import)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{pk}-errors.csv"'
    return response


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def check_start(request):
    form = NumberCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = start_number_check(data["instance"], data["scope"], data["tag"], request.user)
        except CheckRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("contacts:check_detail", pk=check.pk)
    recent = NumberCheck.objects.select_related("instance")[:10]
    return render(request, "campaigns/contacts/check_form.html", {"form": form, "recent": recent})


@require(Ability.MANAGE_CONTACTS)
@require_GET
def check_detail(request, pk: int):
    check = get_object_or_404(NumberCheck.objects.select_related("instance", "tag"), pk=pk)
    template = "campaigns/contacts/check_detail.html"
    if request.htmx:
        template += "#check-progress"
    return render_live_region(
        request,
        template,
        cursor=cursor_of(check.status, check.checked, check.found, check.error),
        context=lambda: {"check": check},
        final=check.status != NumberCheck.Status.RUNNING,
    )


@require(Ability.MANAGE_CONTACTS)
@require_POST
def check_stop(request, pk: int):
    check = get_object_or_404(NumberCheck, pk=pk)
    stop_number_check(check)
    messages.success(request, "Number check stopped.")
    return redirect("contacts:check_detail", pk=pk)
