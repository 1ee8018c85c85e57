"""Contacts, their tags, imports and number checks; campaigns, the numbers sending them and
their recipients."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Tag(models.Model):
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tag_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """One person, known by one E.164 phone number."""

    phone = models.CharField("phone (E.164)", max_length=20, unique=True)
    chat_id = models.CharField("WhatsApp chat id", max_length=120, blank=True)
    lid = models.CharField("WhatsApp LID", max_length=120, blank=True, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    opted_out = models.BooleanField(default=False, db_index=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opt_out_reason = models.CharField(max_length=200, blank=True)
    # What the last number check said (None: never checked), and when.
    on_whatsapp = models.BooleanField(null=True, blank=True)
    checked_at = models.DateTimeField("checked on WhatsApp at", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "phone"]
        indexes = [
            models.Index(Lower("name"), name="contact_name_lower"),
            # The contact list's order: its pages read the index instead of sorting everyone.
            models.Index(fields=["name", "phone"], name="contact_name_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.name else self.phone


class SavedFilter(models.Model):
    """A named contact filter: the contact list shows it again, and a campaign can take its
    contacts as recipients. Opted-out contacts are never among them."""

    name = models.CharField(max_length=80)
    search = models.CharField(max_length=100, blank=True)
    # Protected: deleting the tag would silently widen the filter to everyone.
    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.PROTECT, related_name="saved_filters"
    )
    field_key = models.CharField("custom field", max_length=40, blank=True)
    field_value = models.CharField("custom field equals", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="saved_filter_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The contact list showing this filter's contacts."""
        query = {"q": self.search, "tag": self.tag_id or "", "opted_out": "no"}
        query.update(field=self.field_key, value=self.field_value)
        query = {key: str(value) for key, value in query.items() if value}
        return f"{reverse('contacts:list')}?{urlencode(query)}"


class ContactImport(models.Model):
    """One uploaded file and how far importing it got.

    Rows are committed in batches together with `rows_done` (the spreadsheet number of the last
    row handled), so a worker killed mid-import leaves a consistent point to resume from and no
    row is imported twice.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for columns to be chosen"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    file = models.FileField(upload_to="contact-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    columns = models.JSONField(default=list)
    # One entry per column: "skip", "phone", "name", "tags" or "field:<key>".
    mapping = models.JSONField(default=list, blank=True)
    tag_all = models.CharField("tag every imported contact with", max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    # Spreadsheet row numbers: the header is row 1, so the first contact is row 2.
    rows_done = models.PositiveIntegerField(default=1)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with every batch: a running import whose heartbeat stopped was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def handled_rows(self) -> int:
        return self.rows_done - 1

    @property
    def percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.handled_rows * 100 // self.total_rows)


class ContactImportError(models.Model):
    """A row the import skipped, and why (the downloadable error report)."""

    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.CASCADE, related_name="errors"
    )
    row_number = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["contact_import", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_import", "row_number"], name="one_error_per_import_row"
            )
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"


class NumberCheck(models.Model):
    """A paced run of "is this number on WhatsApp?" over some contacts, through one instance.

    Contacts are checked in id order after `last_contact_id`; a check run is one background task
    at a time that hands over to its successor, so a long run survives the task timeout.
    """

    class Scope(models.TextChoices):
        UNCHECKED = "unchecked", "Contacts never checked"
        ALL = "all", "All contacts"
        TAG = "tag", "Contacts with a tag"

    class Status(models.TextChoices):
        RUNNING = "running", "Checking"
        FINISHED = "finished", "Finished"
        STOPPED = "stopped", "Stopped"
        FAILED = "failed", "Failed"

    instance = models.ForeignKey("instances.Instance", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.UNCHECKED)
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    last_contact_id = models.BigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # The task holding the run; another task leaves it alone until the lease ends.
    lease_until = models.DateTimeField(null=True, blank=True)
    # The pause drawn after the last check, kept so a successor task honours it.
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"check via {self.instance} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        return min(100, self.checked * 100 // self.total) if self.total else 0


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"


class MediaKind(models.TextChoices):
    """What a campaign may attach, named as the outbound queue's message kinds."""

    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    DOCUMENT = "document", "Document"
    VOICE = "voice", "Audio"


MAX_VARIANTS = 5
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CampaignQuerySet(models.QuerySet):
    def locked(self) -> CampaignQuerySet:
        """The rows, locked for the transaction (what every campaign action and feed holds).
        FOR NO KEY UPDATE rather than FOR UPDATE, so that rows referring to the campaign can
        still be inserted meanwhile: an ack adding to the campaign's activity while it holds a
        counters row would otherwise wait for a feed that waits for that counters row."""
        return self.select_for_update(no_key=True)


class Campaign(models.Model):
    """A message (or up to five variants of it) sent to many recipients over some numbers,
    at a pace; the feeder (campaigns/feeder.py) queues it a little at a time."""

    name = models.CharField(max_length=120)
    status = models.CharField(
        max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, db_index=True
    )
    instances = models.ManyToManyField(
        "instances.Instance", through="CampaignInstance", related_name="campaigns"
    )
    media_kind = models.CharField(max_length=20, choices=MediaKind.choices, blank=True)
    media_url = models.URLField("media URL", max_length=1000, blank=True)
    # Pacing as seed 000 names it, per number: seconds between two messages, and a longer
    # sleep after a drawn number of messages.
    wait_between_messages_from = models.PositiveIntegerField(default=10)
    wait_between_messages_to = models.PositiveIntegerField(default=30)
    sleep_after_from = models.PositiveIntegerField(default=20)
    sleep_after_to = models.PositiveIntegerField(default=40)
    sleep_time_from = models.PositiveIntegerField(default=120)
    sleep_time_to = models.PositiveIntegerField(default=300)
    # Sending window in `time_zone`; no hours mean all day.
    time_zone = models.CharField(max_length=60, default="UTC")
    window_from = models.TimeField(null=True, blank=True)
    window_until = models.TimeField(null=True, blank=True)
    window_days = models.CharField(
        max_length=7, default="1234567", help_text="ISO weekday numbers, 1 = Monday."
    )
    # A number paused by a ban signal, repeated failures or a person pauses the campaign,
    # unless the operator chose to send that number's share from the others.
    move_from_paused_numbers = models.BooleanField(
        "if a number is paused, send its share from the other numbers", default=False
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    # When its counters (CampaignCounts, CampaignActivity) were last recounted from the rows;
    # None: never, so they are recounted before they are shown.
    counted_at = models.DateTimeField(null=True, blank=True)
    # Which number and which variant the next recipient gets (round robin).
    rotation = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def window_days_display(self) -> str:
        if set(self.window_days) >= set("1234567"):
            return "every day"
        return ", ".join(DAY_NAMES[int(day) - 1] for day in sorted(self.window_days))

    @property
    def texts(self) -> list[str]:
        return [variant.text for variant in self.variants.all()]


class CampaignVariant(models.Model):
    """One wording of the campaign's message (its caption when there is media)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=4096)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="variant_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.position + 1}"


class CampaignInstance(models.Model):
    """A number sending a campaign, with the campaign's own clock on it: when its next message
    may be due and how many it sent since it last slept."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="lanes")
    # Deleting a number takes it out of campaigns; one with messages cannot be deleted anyway
    # (OutboundMessage protects it).
    instance = models.ForeignKey(
        "instances.Instance", on_delete=models.CASCADE, related_name="campaign_lanes"
    )
    next_send_at = models.DateTimeField(null=True, blank=True)
    sent_since_sleep = models.PositiveIntegerField(default=0)
    sleep_after = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["instance__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "instance"], name="campaign_instance_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} on {self.instance_id}"


# The priority of every campaign message (campaigns/feeder.py), below the default 0 so that an
# inbox reply or a composed message goes out before the next bulk message on the same number.
CAMPAIGN_PRIORITY = -10


class RecipientStatus(models.TextChoices):
    """The recipient's side; once queued, its message's status tells the rest."""

    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    SKIPPED = "skipped", "Skipped (opted out)"
    FAILED = "failed", "Failed"


class CampaignRecipient(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField("phone (E.164)", max_length=20)
    name = models.CharField(max_length=200, blank=True)
    vars = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    instance = models.ForeignKey(
        "instances.Instance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    variant = models.PositiveSmallIntegerField(null=True, blank=True)
    # The queued message; the outbound queue knows nothing of campaigns (docs/architecture.md).
    message = models.OneToOneField(
        "instances.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_recipient",
    )
    error = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone"], name="recipient_phone_once")
        ]
        indexes = [
            # The feeder's next pending recipients, and the campaign page's table in order.
            models.Index(fields=["campaign", "status", "id"], name="recipient_next"),
            models.Index(fields=["campaign", "id"], name="recipient_in_order"),
        ]

    def __str__(self) -> str:
        return self.phone


class CampaignCounts(models.Model):
    """How many of a campaign's recipients are at each stage, per sending number (no number:
    recipients not given to one yet), so that the campaign page reads a few rows instead of
    counting every recipient (campaigns/counters.py keeps them).

    Stages are exclusive: each recipient is in exactly one column, `sent` meaning sent and not
    yet delivered, `delivered` delivered and not yet read. `replied` counts on top of them.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="counts")
    instance = models.ForeignKey(
        "instances.Instance", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Plain integers rather than positive ones: a counter that drifted below zero must not
    # make the send or the ack that moves it fail; the next recount corrects it.
    pending = models.IntegerField(default=0)
    queued = models.IntegerField(default=0)
    sent = models.IntegerField(default=0)
    delivered = models.IntegerField(default=0)
    read = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    unconfirmed = models.IntegerField(default=0)
    opted_out = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "campaign counts"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "instance"], name="counts_once_per_number"),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(instance__isnull=True),
                name="counts_once_without_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} on {self.instance_id or 'no number yet'}"


class CampaignActivity(models.Model):
    """A campaign's messages sent in one minute, and how many of those were delivered and
    read since: the campaign page's chart sums these rows by minute, hour or day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="activity")
    minute = models.DateTimeField()
    sent = models.IntegerField(default=0)
    delivered = models.IntegerField(default=0)
    read = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "campaign activity"
        ordering = ["campaign", "minute"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "minute"], name="activity_once_a_minute")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} at {self.minute:%Y-%m-%d %H:%M}"
