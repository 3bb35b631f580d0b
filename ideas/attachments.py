"""What may be attached to an idea, checked by extension and by the file's own bytes."""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ATTACHMENTS = 5
MAX_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    content_type: str
    # For Office Open XML and OpenDocument files: the zip entry that shows what the file is.
    zip_marker: str | None = None
    magic: bytes | None = None


KINDS = {
    ".pdf": Kind("application/pdf", magic=b"%PDF-"),
    ".png": Kind("image/png", magic=b"\x89PNG\r\n\x1a\n"),
    ".jpg": Kind("image/jpeg", magic=b"\xff\xd8\xff"),
    ".jpeg": Kind("image/jpeg", magic=b"\xff\xd8\xff"),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        zip_marker="word/document.xml",
    ),
    ".xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        zip_marker="xl/workbook.xml",
    ),
    ".pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        zip_marker="ppt/presentation.xml",
    ),
    ".odt": Kind("application/vnd.oasis.opendocument.text", zip_marker="mimetype"),
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _zip_has(upload: UploadedFile, marker: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if marker not in names or "[Content_Types].xml" not in names and marker != "mimetype":
                return False
            if marker == "mimetype":
                with archive.open("mimetype") as entry:
                    return entry.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE
            return True
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def validate_attachment(upload: UploadedFile) -> str:
    """Return the content type to serve ``upload`` with, or raise ValidationError.

    The size is read from the upload's metadata before any byte of it is; the content check
    reads only the first bytes, or a zip's directory.
    """
    suffix = PurePath(upload.name or "").suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        raise ValidationError(
            _("Only PDF, DOCX, ODT, XLSX, PPTX, PNG and JPG files can be attached."),
            code="file_type",
        )
    if upload.size > MAX_SIZE:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_SIZE)},
            code="file_size",
        )
    upload.seek(0)
    if kind.magic is not None:
        matches = upload.read(len(kind.magic)) == kind.magic
    else:
        matches = _zip_has(upload, kind.zip_marker)
    upload.seek(0)
    if not matches:
        raise ValidationError(
            _("The file's content is not a valid %(type)s file, although its name says so.")
            % {"type": suffix.lstrip(".").upper()},
            code="file_content",
        )
    return kind.content_type
