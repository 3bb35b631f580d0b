"""Copies of attachments with no personal or organisational metadata, for a blind jury.

What is removed, by kind of file:

- PDF (pikepdf): the document information dictionary (Author, Title, Creator, Producer …),
  every XMP ``/Metadata`` stream (the document's, pages' and images'), applications' private
  ``/PieceInfo``, the author (``/T``) of every annotation, and the EXIF, XMP, IPTC and
  comments of JPEG photos placed in it (their segments cut out, the picture untouched). The
  file is written anew, so earlier incremental updates, which may still hold the old values,
  are gone too.
- Office Open XML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS, ODP): the core, extended
  (app) and custom properties (``docProps/*.xml``, ``meta.xml``) are emptied; the authors,
  initials and account ids of comments, tracked changes and the documents' people lists are
  blanked in every XML part; the path a workbook was saved from (``absPath``) and a document's
  template path are dropped; pictures inside are cleaned as images are, and Office files
  inside (a chart's workbook) as Office files are; the printer's name is blanked in the
  printer settings. A file holding an object this cannot read (an OLE object, macros, a file
  attached to a PDF) cannot be cleaned.
- JPEG and PNG (Pillow): written anew from their pixels with the colour profile only, so EXIF
  (camera owner, artist, GPS), XMP, IPTC, comments and text chunks are left behind. A JPEG's
  orientation is applied to its pixels first, so it still shows the right way up.

A file that cannot be read as its kind (encrypted, damaged, a picture too large to decode
safely) raises ``CannotClean`` with the reason's code (``BlindCopy``): it must not reach a
blind jury as it is.
"""

import io
import logging
import warnings
import zipfile
from pathlib import PurePath

import pikepdf
from django.conf import settings
from lxml import etree
from PIL import Image, ImageOps

# Attributes, by local name, that carry a person's name or account in OOXML and ODF parts:
# comments and tracked changes (w:author, w:initials), the people lists of Word and PowerPoint
# (w15:person, p188:author: userId, providerId), Excel's threaded-comment persons.
PERSON_ATTRIBUTES = {"author", "initials", "userId", "providerId", "displayName", "userName"}
# Elements whose attribute ``name`` is a person: PowerPoint's comment authors, the users of
# Excel's shared-workbook revisions.
PERSON_NAME_ELEMENTS = {"cmAuthor", "author", "person", "userInfo"}
# Elements whose text is a person: Excel's legacy comment authors, ODF's creators of
# annotations and tracked changes, the ODF metadata's creators, SharePoint's person fields.
PERSON_TEXT_ELEMENTS = {"author", "creator", "initial-creator", "printed-by", "DisplayName"}
# Elements removed outright: a workbook's saved-from path, a document's template path.
DROPPED_ELEMENTS = {"absPath", "attachedTemplate"}
# ODF settings removed: the printer's name and set-up often name the office and its unit.
DROPPED_SETTINGS = {"PrinterName", "PrinterSetup"}
# Property parts emptied to their root element.
PROPERTY_PARTS = {"docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "meta.xml"}
# Files inside an Office file that hold their own metadata in a format not cleaned here:
# OLE objects (Office 97 files and other programs' objects embedded in a document).
OPAQUE_SUFFIXES = {".bin", ".doc", ".xls", ".ppt", ".msg", ".pdf"}
# A part naming none of these holds nothing ``_blank_people`` would change.
PEOPLE_WORDS = [
    word.encode()
    for word in PERSON_ATTRIBUTES
    | PERSON_NAME_ELEMENTS
    | PERSON_TEXT_ELEMENTS
    | DROPPED_ELEMENTS
    | {"config-item"}
]
# How deep Office files inside Office files (a chart's workbook in a document) are cleaned.
MAX_NESTING = 2
IMAGE_SUFFIXES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
# What Pillow may call a file of each format: a phone's JPEG is often an MPO, a JPEG with more
# pictures after it (the copy keeps the first).
READ_AS = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}}
ZIP_KINDS = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}
# A phone's camera takes at most about 50 megapixels; decoding more would hold too much memory.
MAX_PIXELS = 60_000_000

logger = logging.getLogger(__name__)


class CannotClean(Exception):
    """The file could not be read as its kind, so its metadata could not be removed."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


ENCRYPTED = "encrypted"
UNREADABLE = "unreadable"
TOO_LARGE = "too_large"
EMBEDDED = "embedded"


def clean(data: bytes, suffix: str) -> bytes:
    """``data``, a file of the kind its ``suffix`` names, without its metadata."""
    suffix = suffix.lower()
    try:
        if suffix == ".pdf":
            return clean_pdf(data)
        if suffix in IMAGE_SUFFIXES:
            return clean_image(data, IMAGE_SUFFIXES[suffix])
        if suffix in ZIP_KINDS:
            return clean_zip(data)
    except CannotClean:
        raise
    except Exception as surprise:
        # The bytes are a stranger's, read by C libraries: whatever they raise, the file is not
        # one we could clean, and the person who uploaded it must not meet an error page.
        logger.warning("A %s attachment could not be cleaned", suffix, exc_info=True)
        raise CannotClean(UNREADABLE) from surprise
    raise CannotClean(UNREADABLE)


# --- PDF --------------------------------------------------------------------------------------


def clean_pdf(data: bytes) -> bytes:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as locked:
        raise CannotClean(ENCRYPTED) from locked
    except pikepdf.PdfError as damaged:
        raise CannotClean(UNREADABLE) from damaged
    with pdf:
        if pdf.is_encrypted:
            # Only an owner password: readable, but keep the rule simple and visible.
            raise CannotClean(ENCRYPTED)
        if pdf.attachments or any(
            annotation.get("/Subtype") == "/FileAttachment"
            for page in pdf.pages
            for annotation in page.get("/Annots", [])
        ):
            raise CannotClean(EMBEDDED)
        try:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    _clean_pdf_dictionary(obj)
            output = io.BytesIO()
            pdf.save(output, fix_metadata_version=False, deterministic_id=True)
        except pikepdf.PdfError as damaged:
            raise CannotClean(UNREADABLE) from damaged
    return output.getvalue()


def _clean_pdf_dictionary(obj) -> None:
    for key in ("/Metadata", "/PieceInfo"):
        if key in obj:
            del obj[key]
    if (
        isinstance(obj, pikepdf.Stream)
        and obj.get("/Subtype") == "/Image"
        and obj.get("/Filter") == "/DCTDecode"
    ):
        # A photo placed as it was taken (scanners, "photo to PDF" tools) keeps its EXIF.
        obj.write(strip_jpeg_metadata(obj.read_raw_bytes()), filter=pikepdf.Name.DCTDecode)
    # An annotation's /T is its author; a form field's (a widget) is the field's name.
    is_annotation = obj.get("/Type") == "/Annot" or ("/Subtype" in obj and "/Rect" in obj)
    if is_annotation and obj.get("/Subtype") != "/Widget" and "/T" in obj:
        del obj["/T"]


# --- Office Open XML and OpenDocument ---------------------------------------------------------

XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def clean_zip(data: bytes, depth: int = 0) -> bytes:
    if depth > MAX_NESTING:
        raise CannotClean(EMBEDDED)
    output = io.BytesIO()
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as source,
            zipfile.ZipFile(output, "w") as target,
        ):
            if sum(entry.file_size for entry in source.infolist()) > max_unzipped_size():
                raise CannotClean(UNREADABLE)
            for entry in source.infolist():
                if entry.flag_bits & 0x1:
                    raise CannotClean(ENCRYPTED)
                content = _clean_part(entry.filename, source.read(entry), depth)
                # Same order, names and compression: ODF needs "mimetype" first and stored.
                info = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = entry.compress_type
                info.external_attr = entry.external_attr
                target.writestr(info, content)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError) as damaged:
        raise CannotClean(UNREADABLE) from damaged
    except NotImplementedError as unsupported:  # an unknown compression method
        raise CannotClean(UNREADABLE) from unsupported
    return output.getvalue()


def _clean_part(name: str, content: bytes, depth: int) -> bytes:
    suffix = PurePath(name).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return clean_image(content, IMAGE_SUFFIXES[suffix])
    if suffix in ZIP_KINDS:  # an embedded workbook, such as a chart's data
        return clean_zip(content, depth + 1)
    if suffix == ".bin" and PurePath(name).name.startswith("printerSettings"):
        # Windows' DEVMODE, which begins with the printer's name in 32 UTF-16 characters.
        return bytes(min(64, len(content))) + content[64:]
    if suffix in OPAQUE_SUFFIXES:
        raise CannotClean(EMBEDDED)
    if suffix not in {".xml", ".rels"}:
        return content
    is_properties = name in PROPERTY_PARTS or PurePath(name).name == "meta.xml"
    if not is_properties and not any(word in content for word in PEOPLE_WORDS):
        return content  # a sheet's or slide's content, often the largest part: nothing to do
    try:
        root = etree.fromstring(content, XML_PARSER)
    except etree.XMLSyntaxError as damaged:
        raise CannotClean(UNREADABLE) from damaged
    if root.getroottree().docinfo.doctype:
        raise CannotClean(UNREADABLE)
    # An ODF file's embedded objects ("Object 1/meta.xml") have properties of their own.
    if is_properties:
        _empty_properties(root)
    else:
        _blank_people(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(name: str) -> str:
    return etree.QName(name).localname


def _empty_properties(root) -> None:
    if name_is(root, "document-meta"):  # ODF: <office:document-meta><office:meta>…
        for meta in root:
            for child in list(meta):
                meta.remove(child)
        return
    for child in list(root):
        root.remove(child)


def name_is(element, local_name: str) -> bool:
    return isinstance(element.tag, str) and _local(element.tag) == local_name


def _blank_people(root) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        local = _local(element.tag)
        if local in DROPPED_ELEMENTS or (
            local == "config-item" and _setting_name(element) in DROPPED_SETTINGS
        ):
            element.getparent().remove(element)
            continue
        for attribute in element.attrib:
            attribute_local = _local(attribute)
            if attribute_local in PERSON_ATTRIBUTES or (
                attribute_local == "name" and local in PERSON_NAME_ELEMENTS
            ):
                element.set(attribute, "")
        if local in PERSON_TEXT_ELEMENTS and len(element) == 0:
            element.text = ""


def _setting_name(element) -> str:
    return next((v for k, v in element.attrib.items() if _local(k) == "name"), "")


def max_unzipped_size() -> int:
    return settings.IDEATORI_ATTACHMENT_MAX_UNZIPPED


# --- images -----------------------------------------------------------------------------------


# JPEG segments that hold metadata: APP1 (EXIF, XMP), APP13 (IPTC), comments. The others
# (JFIF, the ICC profile in APP2, Adobe's colour transform in APP14, the tables) are kept.
JPEG_METADATA_MARKERS = {0xE1, 0xED, 0xFE}


def strip_jpeg_metadata(data: bytes) -> bytes:
    """``data``, a JPEG, without its metadata segments; the compressed picture untouched."""
    if data[:2] != b"\xff\xd8":
        raise CannotClean(UNREADABLE)
    kept = [data[:2]]
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise CannotClean(UNREADABLE)
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the picture itself follows, to the end
            kept.append(data[position:])
            return b"".join(kept)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        segment = data[position : position + 2 + length]
        if length < 2 or len(segment) != 2 + length:
            raise CannotClean(UNREADABLE)
        if marker not in JPEG_METADATA_MARKERS:
            kept.append(segment)
        position += 2 + length
    raise CannotClean(UNREADABLE)


def clean_image(data: bytes, image_format: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in READ_AS[image_format]:
                    raise CannotClean(UNREADABLE)
                if image.width * image.height > MAX_PIXELS:
                    raise CannotClean(TOO_LARGE)
                image.load()
                icc_profile = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)
                # A fresh image holds the pixels and nothing else of the original.
                fresh = Image.new(upright.mode, upright.size)
                fresh.paste(upright)
                if upright.mode == "P":
                    fresh.putpalette(upright.getpalette())
                    if "transparency" in upright.info:
                        fresh.info["transparency"] = upright.info["transparency"]
                options = {"icc_profile": icc_profile} if icc_profile else {}
                if image_format == "JPEG":
                    options |= {"quality": 95, "subsampling": 0}
                if image_format == "PNG" and "transparency" in fresh.info:
                    options["transparency"] = fresh.info["transparency"]
                output = io.BytesIO()
                fresh.save(output, image_format, **options)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as damaged:
        raise CannotClean(UNREADABLE) from damaged
    except Image.DecompressionBombWarning as too_large:
        raise CannotClean(TOO_LARGE) from too_large
    return output.getvalue()
