"""What may be attached to an idea, checked by extension and by the file's own bytes.

Besides its type and size, an upload is refused when it is two things at once (a PDF, image
or Office file that also holds an HTML page, which a browser or mail client might open as one)
and when an Office or OpenDocument file would unpack to more than
``IDEATORI_ATTACHMENT_MAX_UNZIPPED`` bytes (a zip bomb).
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
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
    ".ods": Kind("application/vnd.oasis.opendocument.spreadsheet", zip_marker="mimetype"),
    ".odp": Kind("application/vnd.oasis.opendocument.presentation", zip_marker="mimetype"),
}
ZIP_MAGIC = b"PK\x03\x04"
# Where an HTML page begins: markers no PDF, PNG, JPEG or Office file holds in its own bytes.
HTML_MARKER = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s>/]", re.IGNORECASE
)


def _zip_has(upload: UploadedFile, kind: Kind) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if kind.zip_marker not in names:
                return False
            if kind.zip_marker == "mimetype":
                with archive.open("mimetype") as entry:
                    expected = kind.content_type.encode()
                    return entry.read(len(expected) + 1).strip() == expected
            return "[Content_Types].xml" in names
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def unzipped_size(upload: UploadedFile) -> int:
    """The bytes a zip's entries unpack to, as its directory declares them; reading an entry
    never yields more than it declares (``zipfile`` stops there and checks the CRC)."""
    with zipfile.ZipFile(upload) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def holds_html(upload: UploadedFile) -> bool:
    upload.seek(0)
    overlap = b""
    for chunk in upload.chunks():
        if HTML_MARKER.search(overlap + chunk):
            return True
        overlap = chunk[-32:]
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
            _("Only PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG and JPG files can be attached."),
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
        # A zip may carry anything before its first entry; an Office file does not.
        matches = upload.read(len(ZIP_MAGIC)) == ZIP_MAGIC and _zip_has(upload, kind)
    upload.seek(0)
    file_type = suffix.lstrip(".").upper()
    if not matches:
        raise ValidationError(
            _("The file's content is not a valid %(type)s file, although its name says so.")
            % {"type": file_type},
            code="file_content",
        )
    if holds_html(upload):
        upload.seek(0)
        raise ValidationError(
            _(
                "The file holds a web page besides its %(type)s content, so it could be "
                "opened as either. Save it again as a plain %(type)s file and attach that."
            )
            % {"type": file_type},
            code="file_polyglot",
        )
    limit = settings.IDEATORI_ATTACHMENT_MAX_UNZIPPED
    if kind.zip_marker is not None and unzipped_size(upload) > limit:
        upload.seek(0)
        raise ValidationError(
            _(
                "The file would unpack to more than %(limit)s, which no ordinary document "
                "does. Save it again, with smaller pictures, and attach that."
            )
            % {"limit": filesizeformat(limit)},
            code="file_unzipped_size",
        )
    upload.seek(0)
    return kind.content_type
