"""Contacts, their tags, and (with the campaigns issue) campaigns and their recipients."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


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
