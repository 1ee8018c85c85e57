"""An upload's type is read from its first bytes and must agree with its extension."""

from __future__ import annotations

import pytest

from instances.outbound import OutboundValidationError
from instances.outbound.validation import SNIFF_BYTES, clean_upload, sniff_type

OGG = b"OggS\x00\x02" + bytes(60)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(40)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + bytes(40)
THREE_GP = b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00" + bytes(40)
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + bytes(40)
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(40)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(40)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
        (OGG, "audio/ogg"),
        (MP4, "video/mp4"),
        (M4A, "audio/mp4"),
        (THREE_GP, "video/3gpp"),
        (b"ID3\x04\x00" + bytes(20), "audio/mpeg"),
        (DOCX, "application/zip"),
        (DOC, "application/x-ole-storage"),
        ("name;total\nÄpfel;3\n".encode(), "text/plain"),
        (b"MZ\x90\x00\x03\x00", None),
        (b"", None),
    ],
)
def test_the_first_bytes_tell_the_type(head, expected):
    assert sniff_type(head) == expected


def test_text_cut_inside_a_character_at_the_end_of_the_head_is_still_text():
    head = ("a" * (SNIFF_BYTES - 1) + "€").encode()[:SNIFF_BYTES]

    assert sniff_type(head) == "text/plain"


@pytest.mark.parametrize(
    ("kind", "name", "head", "mimetype"),
    [
        ("voice", "note.ogg", OGG, "audio/ogg; codecs=opus"),
        ("voice", "note.m4a", M4A, "audio/mp4"),
        ("video", "clip.MP4", MP4, "video/mp4"),
        ("video", "clip.3gp", THREE_GP, "video/3gpp"),
        ("image", "photo.jpeg", JPEG, "image/jpeg"),
        (
            "document",
            "offer.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("document", "old.xls", DOC, "application/vnd.ms-excel"),
        ("document", "list.csv", b"name;total\n", "text/csv"),
    ],
)
def test_each_kind_accepts_its_formats(kind, name, head, mimetype):
    assert clean_upload(kind, name, len(head), head) == (mimetype, name)


def test_the_recipients_file_name_loses_its_folders_and_control_characters():
    assert clean_upload("document", "C:\\Users\\ana\\re\x00port.pdf", 10, b"%PDF-1.4")[1] == (
        "report.pdf"
    )


@pytest.mark.parametrize("kind", ["text", "poll", "location"])
def test_kinds_without_a_file_refuse_one(kind):
    with pytest.raises(OutboundValidationError) as caught:
        clean_upload(kind, "a.pdf", 10, b"%PDF-1.4")

    assert "Only images, documents, videos and voice notes" in caught.value.errors["file"][0]


def test_a_zip_renamed_to_a_pdf_is_refused():
    with pytest.raises(OutboundValidationError) as caught:
        clean_upload("document", "invoice.pdf", len(DOCX), DOCX)

    assert "not what its name (.pdf) says" in caught.value.errors["file"][0]
