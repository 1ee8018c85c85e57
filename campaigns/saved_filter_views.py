"""Saved contact filters: the contact list's filters kept under a name, to find the same
contacts again and to address campaigns (campaigns/forms.py, AudienceForm)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Ability, require
from campaigns.contact_forms import ContactFilterForm, SavedFilterNameForm
from campaigns.models import SavedFilter

TAKEN = "A saved filter with this name exists already."
FILTERS_PAGE_SIZE = 25


def _get_saved_filter_for_user(request, pk: int) -> SavedFilter:
    """Everyone who may manage contacts manages all saved filters; the decorator checked."""
    return get_object_or_404(SavedFilter, pk=pk)


def _list_url(query: dict) -> str:
    url = reverse("contacts:list")
    return f"{url}?{urlencode(query)}" if query else url


@require(Ability.MANAGE_CONTACTS)
@require_POST
def saved_filter_create(request):
    """Save the contact list's current filters (posted with the name) as a named filter."""
    filters = ContactFilterForm(request.POST)
    back = {name: request.POST.get(name, "") for name in filters.fields if request.POST.get(name)}
    if not filters.savable:
        messages.error(request, "Filter the list by a search, a tag or a custom field first.")
        return redirect(_list_url(back))
    name_form = SavedFilterNameForm(request.POST)
    if not name_form.is_valid():
        for error in name_form.errors["name"]:
            messages.error(request, error)
        return redirect(_list_url(back))
    saved = filters.saved_filter(name_form.cleaned_data["name"])
    saved.created_by = request.user
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:
        # Saved under the same name by someone else since the form checked.
        messages.error(request, TAKEN)
        return redirect(_list_url(back))
    messages.success(request, f"Saved the filter “{saved.name}”.")
    return redirect(saved)


@require(Ability.MANAGE_CONTACTS)
@require_GET
def saved_filter_list(request):
    saved_filters = SavedFilter.objects.select_related("tag", "created_by")
    page = Paginator(saved_filters, FILTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/contacts/saved_filter_list.html",
        {"page": page, "saved_filters": page.object_list},
    )


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def saved_filter_rename(request, pk: int):
    saved = _get_saved_filter_for_user(request, pk)
    form = SavedFilterNameForm(request.POST or None, instance=saved)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            form.add_error("name", TAKEN)
        else:
            messages.success(request, f"Renamed the filter to “{saved.name}”.")
            return redirect("contacts:filters")
    return render(
        request, "campaigns/contacts/saved_filter_form.html", {"form": form, "saved": saved}
    )


@require(Ability.MANAGE_CONTACTS)
@require_http_methods(["GET", "POST"])
def saved_filter_delete(request, pk: int):
    """GET asks for confirmation; POST deletes. Campaigns keep the recipients it gave them."""
    saved = _get_saved_filter_for_user(request, pk)
    if request.method == "POST":
        saved.delete()
        messages.success(request, f"Deleted the filter “{saved.name}”.")
        return redirect("contacts:filters")
    return render(request, "campaigns/contacts/saved_filter_delete.html", {"saved": saved})
