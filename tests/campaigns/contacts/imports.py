"""Helpers for import tests: an uploaded file turned into a ContactImport ready to run."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.imports.services import receive_upload, start_import
from campaigns.models import ContactImport


def uploaded(data: bytes, name: str = "contacts.csv") -> ContactImport:
    return receive_upload(SimpleUploadedFile(name, data))


def started(data: bytes, roles: list[str] | None = None, tag_all: str = "") -> ContactImport:
    contact_import = uploaded(data)
    start_import(contact_import, roles or contact_import.mapping, tag_all)
    return contact_import
