"""A draft's recipients: add an audience, remove some or all; any campaign's export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Ability, require
from campaigns import services
from campaigns.forms import AudienceForm
from campaigns.views import get_campaign_for_user, report_problems


@require(Ability.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def recipients_add(request, pk: int):
    campaign = get_campaign_for_user(request, pk)
    form = AudienceForm(request.POST or None, request.FILES or None, required=True)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_recipients(campaign, form.adder())
        except services.CampaignActionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Added {added} recipient{'s' * (added != 1)}.")
            report_problems(request, form)
        return redirect(campaign)
    return render(request, "campaigns/recipients_add.html", {"campaign": campaign, "form": form})


@require(Ability.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def recipients_remove(request, pk: int):
    """GET confirms removing everyone; POST removes the ticked recipients, or all."""
    campaign = get_campaign_for_user(request, pk)
    if request.method == "GET":
        count = campaign.recipients.count()
        return render(
            request, "campaigns/recipients_remove.html", {"campaign": campaign, "count": count}
        )
    ids = None
    if request.POST.get("all") != "1":
        ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()][:1000]
        if not ids:
            messages.error(request, "Tick the recipients to remove first.")
            return redirect(campaign)
    try:
        removed = services.remove_recipients(campaign, ids)
    except services.CampaignActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Removed {removed} recipient{'s' * (removed != 1)}.")
    return redirect(campaign)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """Neutralise spreadsheet formulas (OWASP: https://owasp.org/www-community/attacks/CSV_Injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require(Ability.MANAGE_CAMPAIGNS)
@require_GET
def recipients_export(request, pk: int):
    campaign = get_campaign_for_user(request, pk)
    rows = campaign.recipients.select_related("message", "instance").order_by("id")
    writer = csv.writer(_Echo())
    header = ["phone", "name", "status", "number", "sent_at", "replied_at", "error", "vars"]

    def lines():
        yield writer.writerow(header)
        for r in rows.iterator(chunk_size=1000):
            status = r.message.status if r.message else r.status
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
                        r.phone,
                        r.name,
                        status,
                        r.instance.name if r.instance else "",
                        r.message.sent_at.isoformat() if r.message and r.message.sent_at else "",
                        r.replied_at.isoformat() if r.replied_at else "",
                        r.error or (r.message.last_error if r.message else ""),
                        " ".join(f"{k}={v}" for k, v in r.vars.items()),
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    return response
