"""Files a blind round's jurors receive carry no name of the team, its members or units.

The fixture files are made here with the libraries that make such files in the wild, each
naming a member, her e-mail address, the team and its unit in every place metadata hides:
PDF document information, XMP and annotation authors; DOCX and ODT properties, comment and
tracked-change authors; JPEG EXIF (artist, GPS), XMP and comment. The search reads every byte,
unzipped and with every PDF stream decoded; an open round's files show that it finds them.
"""

import io
import zipfile

import pikepdf
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageOps
from PIL.PngImagePlugin import PngInfo

from ideas import services
from ideas.models import Attachment, BlindCopy, IdeaStatus, Profile
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_round,
    make_team,
    make_unit,
    pdf_bytes,
    round_dates,
)

pytestmark = pytest.mark.django_db

MEMBER = "Niina Nurse"
EMAIL = "nurse@example.org"
TEAM = "Team Aalto"
UNIT = "Kallio Child Health Clinic"
NAMES = (MEMBER, EMAIL, TEAM, UNIT)
WHO = f"{MEMBER} ({EMAIL})"
CONTENT = "Consultation within a week"  # the files' own text, which must survive cleaning


# --- the files, as their makers write them --------------------------------------------------


def pdf_naming_the_team() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({CONTENT}) Tj ET".encode())
    pdf.docinfo["/Author"] = WHO
    pdf.docinfo["/Title"] = f"{TEAM} plan"
    pdf.docinfo["/Creator"] = UNIT
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:creator"] = [WHO]
        xmp["dc:title"] = TEAM
        xmp["xmp:CreatorTool"] = UNIT
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Text,
        Rect=[72, 600, 92, 620],
        T=pikepdf.String(WHO),
        Contents=pikepdf.String("Check the figures"),
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(note)]))
    # A photo placed as taken, EXIF and all, as "photo to PDF" tools do.
    photo = jpeg_naming_the_team()
    pdf.pages[0].Resources = pikepdf.Dictionary(
        XObject=pikepdf.Dictionary(
            Im0=pikepdf.Stream(
                pdf,
                photo,
                Type=pikepdf.Name.XObject,
                Subtype=pikepdf.Name.Image,
                Width=64,
                Height=32,
                ColorSpace=pikepdf.Name.DeviceRGB,
                BitsPerComponent=8,
                Filter=pikepdf.Name.DCTDecode,
            )
        )
    )
    output = io.BytesIO()
    # Compressed, in object streams: the names hide from a plain byte search.
    pdf.save(output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_naming_the_team() -> bytes:
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            "<cp:coreProperties xmlns:cp="
            '"http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{WHO}</dc:creator><cp:lastModifiedBy>{MEMBER}</cp:lastModifiedBy>"
            f"<dc:title>{TEAM}</dc:title></cp:coreProperties>"
        ),
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns='
            '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Company>{UNIT}</Company><Manager>{MEMBER}</Manager></Properties>"
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}">'
            f"<w:body><w:p><w:r><w:t>{CONTENT}</w:t></w:r>"
            f'<w:ins w:id="1" w:author="{EMAIL}" w:date="2026-01-01T00:00:00Z">'
            "<w:r><w:t> and follow-up</w:t></w:r></w:ins>"
            f'<w:del w:id="2" w:author="{TEAM}"><w:r><w:delText>x</w:delText></w:r></w:del>'
            "</w:p></w:body></w:document>"
        ),
        "word/comments.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W}">'
            f'<w:comment w:id="0" w:author="{WHO}" w:initials="NN">'
            f"<w:p><w:r><w:t>Ask {UNIT.split()[0]}?</w:t></w:r></w:p></w:comment></w:comments>"
        ),
        "word/people.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
            f'<w15:person w15:author="{MEMBER}"><w15:presenceInfo w15:providerId="AD" '
            f'w15:userId="{EMAIL}"/></w15:person></w15:people>'
        ),
    }
    return zipped(parts)


def odt_naming_the_team() -> bytes:
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
    )
    parts = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "META-INF/manifest.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.text"/></manifest:manifest>'
        ),
        "meta.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {namespaces}>'
            f"<office:meta><dc:creator>{MEMBER}</dc:creator>"
            f"<meta:initial-creator>{WHO}</meta:initial-creator><dc:title>{TEAM}</dc:title>"
            f'<meta:user-defined meta:name="Unit">{UNIT}</meta:user-defined>'
            "</office:meta></office:document-meta>"
        ),
        "content.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces}>'
            "<office:body><office:text><text:tracked-changes>"
            '<text:changed-region text:id="c1"><text:insertion><office:change-info>'
            f"<dc:creator>{EMAIL}</dc:creator><dc:date>2026-01-01T00:00:00</dc:date>"
            "</office:change-info></text:insertion></text:changed-region>"
            f"</text:tracked-changes><text:p>{CONTENT}"
            f"<office:annotation><dc:creator>{MEMBER}, {TEAM}</dc:creator>"
            "<text:p>Check the figures</text:p></office:annotation></text:p>"
            "</office:text></office:body></office:document-content>"
        ),
    }
    return zipped(parts)


def zipped(parts: dict[str, str | bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in parts.items():
            stored = name == "mimetype"
            archive.writestr(name, content, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return output.getvalue()


def jpeg_naming_the_team() -> bytes:
    image = Image.new("RGB", (64, 32), (200, 40, 40))
    exif = Image.Exif()
    exif[0x013B] = WHO  # Artist
    exif[0x8298] = TEAM  # Copyright
    exif[0x010E] = UNIT  # ImageDescription
    exif[0x0112] = 6  # Orientation: turned, so the copy must turn its pixels
    exif[0x8825] = {1: "N", 2: (60.0, 11.0, 30.0), 3: "E", 4: (24.0, 56.0, 10.0)}  # GPS
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
        '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="{EMAIL}"/></rdf:RDF>'
        "</x:xmpmeta>"
    )
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif, xmp=xmp.encode(), comment=f"{MEMBER} {UNIT}")
    return output.getvalue()


FILES = [
    ("plan.pdf", pdf_naming_the_team),
    ("plan.docx", docx_naming_the_team),
    ("plan.odt", odt_naming_the_team),
    ("photo.jpg", jpeg_naming_the_team),
]


# --- the search: every byte, unzipped, every PDF stream decoded -------------------------------


def everything_in(data: bytes, suffix: str) -> list[bytes]:
    parts = [data]
    if suffix == ".pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            parts.append(repr(pdf.trailer).encode())
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    parts.append(obj.read_raw_bytes())
                    try:
                        parts.append(obj.read_bytes())
                    except pikepdf.PdfError:  # a photo (DCT): its raw bytes are the JPEG
                        pass
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
                    parts.append(repr(obj).encode())
            with pdf.open_metadata() as xmp:
                parts.append(str(xmp).encode())
    elif suffix in {".docx", ".odt"}:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                parts.append(archive.read(name))
    elif suffix == ".jpg":
        with Image.open(io.BytesIO(data)) as image:
            parts.append(repr(dict(image.getexif())).encode())
            parts.append(repr(image.info).encode())
    return parts


def names_found(data: bytes, suffix: str) -> set[str]:
    haystacks = [part.lower() for part in everything_in(data, suffix)]
    found = set()
    for name in NAMES:
        for encoding in ("utf-8", "utf-16-be", "utf-16-le"):
            needle = name.lower().encode(encoding)
            if any(needle in haystack for haystack in haystacks):
                found.add(name)
    return found


def content_readable(data: bytes, suffix: str) -> bool:
    """The file is still a file of its kind, with its own content."""
    if suffix == ".pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            photo = pikepdf.PdfImage(pdf.pages[0].Resources.XObject.Im0).as_pil_image()
            assert photo.size == (64, 32) and photo.getpixel((5, 5))[0] > 150
            return CONTENT.encode() in pdf.pages[0].Contents.read_bytes()
    if suffix == ".jpg":
        with Image.open(io.BytesIO(data)) as image:
            return image.format == "JPEG" and image.size == (32, 64)  # turned upright
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if suffix == ".odt":
            assert archive.namelist()[0] == "mimetype"
            text = archive.read("content.xml")
        else:
            text = archive.read("word/document.xml")
    return CONTENT.encode() in text


# --- a round whose team attaches the files and whose juror downloads them --------------------


@pytest.fixture
def team():
    lead = UserFactory(email=EMAIL)
    Profile.objects.create(user=lead, name=MEMBER)
    return make_team(lead=lead, units=[make_unit(UNIT)], name=TEAM), lead


def attach_all(client, idea, lead, files=FILES) -> dict[str, bytes]:
    client.force_login(lead)
    originals = {}
    for name, make in files:
        originals[name] = make()
        upload = SimpleUploadedFile(name, originals[name])
        response = client.post(reverse("ideas:upload", args=[idea.pk]), {"file": upload})
        assert response.status_code == 302, response.content.decode()
    return originals


def into_judging(idea, lead):
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    competition = idea.competition
    for name, value in round_dates("judging").items():
        setattr(competition, name, value)
    competition.save()
    juror = make_juror(competition)
    make_assignment(juror, idea)
    return juror


def juror_downloads(client, juror, idea, count) -> list[bytes]:
    client.force_login(juror)
    files = []
    for number in range(1, count + 1):
        response = client.get(reverse("judging:attachment", args=[idea.pk, number]))
        assert response.status_code == 200
        assert f'filename="attachment-{number}.' in response["Content-Disposition"]
        files.append(b"".join(response.streaming_content))
    return files


def round_with_files(client, team, *, blind: bool):
    team, lead = team
    competition = make_round(phase="open", criteria=1, blind_judging=blind)
    idea = make_idea(team=team, competition=competition)
    originals = attach_all(client, idea, lead)
    juror = into_judging(idea, lead)
    return idea, lead, juror, originals


def test_blind_jurors_files_name_no_member_team_or_unit_and_the_team_keeps_its_originals(
    client, team
):
    idea, lead, juror, originals = round_with_files(client, team, blind=True)

    received = juror_downloads(client, juror, idea, len(FILES))

    for (name, _make), data in zip(FILES, received, strict=True):
        suffix = name[name.rindex(".") :]
        assert names_found(data, suffix) == set(), name
        assert content_readable(data, suffix), name
    client.force_login(lead)
    for attachment in Attachment.objects.filter(idea=idea):
        response = client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))
        assert b"".join(response.streaming_content) == originals[attachment.original_name]
        assert f'filename="{attachment.original_name}"' in response["Content-Disposition"]


def test_open_rounds_jurors_get_the_files_as_uploaded_where_the_search_finds_every_name(
    client, team
):
    idea, _lead, juror, originals = round_with_files(client, team, blind=False)

    received = juror_downloads(client, juror, idea, len(FILES))

    for (name, _make), data in zip(FILES, received, strict=True):
        assert data == originals[name]
        assert names_found(data, name[name.rindex(".") :]) == set(NAMES), name


def test_a_round_made_blind_after_the_upload_gives_its_jurors_the_clean_copies(client, team):
    idea, _lead, juror, _originals = round_with_files(client, team, blind=False)
    idea.competition.blind_judging = True
    idea.competition.save()

    received = juror_downloads(client, juror, idea, len(FILES))

    for (name, _make), data in zip(FILES, received, strict=True):
        assert names_found(data, name[name.rindex(".") :]) == set(), name


def test_a_file_uploaded_before_copies_existed_is_cleaned_when_a_juror_first_asks(client, team):
    idea, _lead, juror, _originals = round_with_files(client, team, blind=True)
    for attachment in Attachment.objects.filter(idea=idea):
        attachment.blind_file.delete(save=False)
    Attachment.objects.filter(idea=idea).update(blind_copy=BlindCopy.PENDING, blind_file="")

    received = juror_downloads(client, juror, idea, len(FILES))

    for (name, _make), data in zip(FILES, received, strict=True):
        assert names_found(data, name[name.rindex(".") :]) == set(), name
    assert set(Attachment.objects.values_list("blind_copy", flat=True)) == {BlindCopy.MADE}


def test_removing_a_file_removes_its_copy_too(client, team):
    team, lead = team
    idea = make_idea(team=team, competition=make_round(phase="open", blind_judging=True))
    attach_all(client, idea, lead, files=FILES[:1])
    attachment = Attachment.objects.get(idea=idea)
    storage = attachment.blind_file.storage
    names = [attachment.file.name, attachment.blind_file.name]
    assert all(storage.exists(name) for name in names)

    client.post(reverse("ideas:remove_attachment", args=[idea.pk, attachment.pk]))

    assert not Attachment.objects.filter(idea=idea).exists()
    assert not any(storage.exists(name) for name in names)


# --- files that cannot be cleaned -------------------------------------------------------------


def encrypted_pdf() -> bytes:
    with pikepdf.open(io.BytesIO(pdf_naming_the_team())) as pdf:
        output = io.BytesIO()
        pdf.save(output, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return output.getvalue()


def corrupt_docx() -> bytes:
    """A document whose zip directory is whole but whose text's compressed bytes are damaged,
    as a broken download leaves it."""
    parts = {
        "[Content_Types].xml": "<Types/>",
        "docProps/core.xml": f"<coreProperties><creator>{WHO}</creator></coreProperties>",
        "word/document.xml": f'<w:document xmlns:w="{W}"><w:body><w:p>{CONTENT * 50}'
        "</w:p></w:body></w:document>",
    }
    data = bytearray(zipped(parts))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        entry = archive.getinfo("word/document.xml")
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)
    data[start + 4 : start + 16] = b"\xff" * 12
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("locked.pdf", encrypted_pdf, "The file is encrypted or protected with a password."),
        ("broken.docx", corrupt_docx, "The file is damaged or cannot be read as its type."),
    ],
)
def test_a_file_that_cannot_be_cleaned_is_kept_for_the_team_withheld_from_jurors_and_reported(
    client, team, coordinator, name, make, reason
):
    team, lead = team
    competition = make_round(phase="open", criteria=1, blind_judging=True)
    idea = make_idea(team=team, competition=competition, title="Consultation")
    original = make()
    client.force_login(lead)

    response = client.post(
        reverse("ideas:upload", args=[idea.pk]),
        {"file": SimpleUploadedFile(name, original)},
        follow=True,
    )

    page = response.content.decode()
    assert "the jurors will not receive it" in page
    assert f"Not given to the jurors of this blind round: {reason}" in page
    attachment = Attachment.objects.get(idea=idea)
    assert attachment.blind_copy != BlindCopy.MADE and not attachment.blind_file
    download = client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == original
    # Every coordinator is told, once, with what to do and where.
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    told = mail.outbox[0]
    assert "withheld from the blind jury" in told.subject and "Consultation" in told.subject
    assert name in told.body and reason in told.body
    assert reverse("ideas:idea", args=[idea.pk]) in told.body

    juror = into_judging(idea, lead)
    client.force_login(juror)
    review = client.get(reverse("judging:review", args=[idea.pk])).content.decode()
    assert "Attachment 1 is withheld" in review
    assert reverse("judging:attachment", args=[idea.pk, 1]) not in review
    refused = client.get(reverse("judging:attachment", args=[idea.pk, 1]), follow=True)
    assert "Content-Disposition" not in refused
    assert "Attachment 1 is withheld from the jury" in refused.content.decode()
    assert original not in refused.content
    assert [m.subject for m in mail.outbox].count(told.subject) == 1  # told once, not per look


def test_in_an_open_round_an_uncleanable_file_reaches_the_jurors_and_nobody_is_alarmed(
    client, team, coordinator
):
    team, lead = team
    idea = make_idea(team=team, competition=make_round(phase="open", blind_judging=False))
    client.force_login(lead)

    response = client.post(
        reverse("ideas:upload", args=[idea.pk]),
        {"file": SimpleUploadedFile("locked.pdf", encrypted_pdf())},
        follow=True,
    )

    assert "Not given to the jurors" not in response.content.decode()
    assert mail.outbox == []
    juror = into_judging(idea, lead)
    assert juror_downloads(client, juror, idea, 1)[0].startswith(b"%PDF")


# --- refused at upload: zip bombs and files that are two things at once ---------------------


def zip_bomb_docx() -> bytes:
    parts = {
        "[Content_Types].xml": "<Types/>",
        "word/document.xml": f'<w:document xmlns:w="{W}"/>',
        "word/media/padding.bin": bytes(101 * 1024 * 1024),  # 101 MB of zeros, ~100 kB zipped
    }
    return zipped(parts)


def pdf_html_polyglot() -> bytes:
    page = b"<html><body><script>fetch('/admin/')</script></body></html>"
    return pdf_bytes() + b"%" + page + b"\n"


def png_html_polyglot() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "<!DOCTYPE html><html><script>alert(document.cookie)</script>")
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(output, "PNG", pnginfo=info)
    return output.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("plan.docx", zip_bomb_docx, "The file would unpack to more than 100.0\xa0MB"),
        ("plan.pdf", pdf_html_polyglot, "The file holds a web page besides its PDF content"),
        ("chart.png", png_html_polyglot, "The file holds a web page besides its PNG content"),
    ],
)
def test_zip_bombs_and_html_polyglots_are_refused_on_the_field_and_the_idea_is_untouched(
    client, team, name, make, message
):
    team, lead = team
    idea = make_idea(team=team, competition=make_round(phase="open"), problem="Parents wait.")
    attach_all(client, idea, lead, files=FILES[:1])
    kept = Attachment.objects.get(idea=idea)
    with kept.file.open("rb") as file:
        kept_bytes = file.read()
    version = idea.version

    response = client.post(
        reverse("ideas:upload", args=[idea.pk]), {"file": SimpleUploadedFile(name, make())}
    )

    assert response.status_code == 400
    html = response.content.decode()
    field_errors = html[html.index('id="id_file_error"') :]
    assert message in field_errors[: field_errors.index("</ul>")]
    assert list(Attachment.objects.filter(idea=idea)) == [kept]
    with Attachment.objects.get(pk=kept.pk).file.open("rb") as file:
        assert file.read() == kept_bytes
    idea.refresh_from_db()
    assert idea.version == version and idea.problem == "Parents wait."


def test_an_ordinary_png_and_an_office_file_under_the_limit_are_accepted(client, team):
    team, lead = team
    idea = make_idea(team=team, competition=make_round(phase="open"))
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(png, "PNG")

    attach_all(
        client, idea, lead, files=[("chart.png", png.getvalue), ("plan.docx", docx_naming_the_team)]
    )

    assert Attachment.objects.filter(idea=idea, blind_copy=BlindCopy.MADE).count() == 2


# --- the cleaner on the other kinds it knows ----------------------------------------------------


def test_xlsx_pptx_and_png_lose_their_people_and_properties():
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment

    from ideas import metadata

    workbook = Workbook()
    workbook.properties.creator = WHO
    workbook.properties.lastModifiedBy = MEMBER
    workbook.properties.title = TEAM
    workbook.active["A1"] = CONTENT
    workbook.active["A1"].comment = Comment("Check", UNIT)
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    pptx = zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "ppt/presentation.xml": "<presentation/>",
            "ppt/commentAuthors.xml": (
                '<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
                f'main"><p:cmAuthor id="0" name="{WHO}" initials="NN" lastIdx="1" clrIdx="0"/>'
                "</p:cmAuthorLst>"
            ),
            "docProps/app.xml": f"<Properties><Company>{UNIT} of {TEAM}</Company></Properties>",
        }
    )
    info = PngInfo()
    info.add_text("Author", WHO)
    info.add_itxt("Description", f"{TEAM}, {UNIT}")
    png = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(png, "PNG", pnginfo=info)

    cleaned = {
        ".xlsx": metadata.clean(xlsx.getvalue(), ".xlsx"),
        ".pptx": metadata.clean(pptx, ".pptx"),
        ".png": metadata.clean(png.getvalue(), ".png"),
    }

    for suffix, data in cleaned.items():
        parts = [data]
        if suffix != ".png":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts += [archive.read(name) for name in archive.namelist()]
        assert not any(name.lower().encode() in part.lower() for name in NAMES for part in parts)
    assert load_workbook(io.BytesIO(cleaned[".xlsx"])).active["A1"].value == CONTENT
    with Image.open(io.BytesIO(cleaned[".png"])) as image:
        assert image.mode == "RGBA" and image.text == {}


def test_a_turned_photo_stays_upright_without_its_orientation_tag():
    from ideas import metadata

    with Image.open(io.BytesIO(metadata.clean(jpeg_naming_the_team(), ".jpg"))) as image:
        assert image.getexif() == {} and image.size == (32, 64)
        upright = ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg_naming_the_team())))
        assert image.size == upright.size


# --- the coordinator's dashboard ----------------------------------------------------------------


def withheld_file(idea, name="locked.pdf", code=BlindCopy.ENCRYPTED) -> Attachment:
    attachment = Attachment(idea=idea, original_name=name, content_type="", size=1)
    attachment.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-"), save=False)
    attachment.blind_copy = code
    attachment.save()
    return attachment


def test_the_dashboard_lists_files_withheld_from_blind_jurors_for_coordinators_only(
    client, coordinator
):
    blind = make_round(phase="judging", blind_judging=True)
    idea = make_idea(competition=blind, title="Consultation", status=IdeaStatus.SUBMITTED)
    withheld_file(idea, "locked plan.pdf")
    withheld_file(
        make_idea(competition=make_round(phase="judging", blind_judging=False)), "open.pdf"
    )
    withheld_file(make_idea(competition=blind, status=IdeaStatus.WITHDRAWN), "withdrawn.pdf")
    withheld_file(make_idea(competition=make_round(phase="results")), "judged.pdf")
    client.force_login(coordinator)

    page = client.get("/admin/").content.decode()

    assert "Files withheld from blind jurors" in page
    assert "locked plan.pdf. The file is encrypted or protected with a password." in page
    assert reverse("ideas:idea", args=[idea.pk]) in page
    for other in ("open.pdf", "withdrawn.pdf", "judged.pdf"):
        assert other not in page
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200 and "Outcome updates due" not in dashboard.content.decode()
    assert "locked plan.pdf" not in dashboard.content.decode()


def test_no_panel_while_every_file_reaches_the_jury(client, coordinator):
    blind = make_round(phase="judging", blind_judging=True)
    withheld_file(make_idea(competition=blind), "clean.pdf", code=BlindCopy.MADE)
    client.force_login(coordinator)
    assert "Files withheld from blind jurors" not in client.get("/admin/").content.decode()


def test_the_dashboard_panel_queries_as_much_for_one_file_as_for_ten(
    client, coordinator, count_queries
):
    blind = make_round(phase="judging", blind_judging=True)
    client.force_login(coordinator)
    withheld_file(make_idea(competition=blind))
    client.get("/admin/")
    one = count_queries(lambda: client.get("/admin/"))
    for _number in range(9):
        withheld_file(make_idea(competition=blind))
    ten = count_queries(lambda: client.get("/admin/"))
    assert one == ten


def test_a_phones_mpo_jpeg_is_cleaned_and_a_picture_of_too_many_pixels_is_not_decoded():
    from ideas import metadata

    exif = Image.Exif()
    exif[0x013B] = WHO
    mpo = io.BytesIO()
    first, second = Image.new("RGB", (16, 8), "red"), Image.new("RGB", (16, 8), "blue")
    first.save(mpo, "MPO", save_all=True, append_images=[second], exif=exif)
    assert Image.open(io.BytesIO(mpo.getvalue())).format == "MPO"
    cleaned = metadata.clean(mpo.getvalue(), ".jpg")
    assert MEMBER.encode() not in cleaned and EMAIL.encode() not in cleaned
    assert Image.open(io.BytesIO(cleaned)).format == "JPEG"

    huge = io.BytesIO()
    Image.new("1", (8000, 8000)).save(huge, "PNG")  # 64 megapixels in a few kilobytes
    with pytest.raises(metadata.CannotClean) as refused:
        metadata.clean(huge.getvalue(), ".png")
    assert refused.value.code == BlindCopy.TOO_LARGE


def test_printer_names_and_shared_workbook_users_are_removed_too():
    from ideas import metadata

    config = 'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"'
    odt = zipped(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "settings.xml": (
                f"<office:document-settings {config} xmlns:office="
                '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"><config:config-item-set>'
                f'<config:config-item config:name="PrinterName">{UNIT} 2nd floor'
                '</config:config-item><config:config-item config:name="ZoomFactor">100'
                "</config:config-item></config:config-item-set></office:document-settings>"
            ),
        }
    )
    xlsx = zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "xl/workbook.xml": (
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<fileSharing userName="{MEMBER}" readOnlyRecommended="1"/></workbook>'
            ),
            "xl/revisions/userNames.xml": (
                f'<users><userInfo guid="{{0}}" name="{EMAIL}" id="1" dateTime="2026-01-01"/>'
                "</users>"
            ),
        }
    )

    for data, suffix in ((odt, ".odt"), (xlsx, ".xlsx")):
        cleaned = metadata.clean(data, suffix)
        with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
            parts = b"".join(archive.read(name) for name in archive.namelist())
        assert not any(name.encode() in parts for name in NAMES)
    with zipfile.ZipFile(io.BytesIO(metadata.clean(odt, ".odt"))) as archive:
        assert b'config:name="ZoomFactor"' in archive.read("settings.xml")


def test_an_embedded_workbook_is_cleaned_and_an_opaque_object_or_pdf_attachment_withholds():
    from ideas import metadata

    chart_data = zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "xl/workbook.xml": "<workbook/>",
            "docProps/core.xml": f"<coreProperties><creator>{WHO}</creator></coreProperties>",
        }
    )
    printer = f"{UNIT} printer".encode("utf-16-le").ljust(64, b"\0") + b"\x01\x04" * 20
    with_chart = zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": f'<w:document xmlns:w="{W}"/>',
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": chart_data,
            "word/printerSettings/printerSettings1.bin": printer,
        }
    )
    cleaned = metadata.clean(with_chart, ".docx")
    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        inner = archive.read("word/embeddings/Microsoft_Excel_Worksheet.xlsx")
        assert archive.read("word/printerSettings/printerSettings1.bin")[64:] == printer[64:]
    assert names_found(cleaned, ".docx") == set()
    with zipfile.ZipFile(io.BytesIO(inner)) as workbook:
        assert WHO.encode() not in workbook.read("docProps/core.xml")

    with_ole = zipped(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": f'<w:document xmlns:w="{W}"/>',
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + WHO.encode(),
        }
    )
    with_attachment = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        pdf.attachments["notes.docx"] = pikepdf.AttachedFileSpec(pdf, docx_naming_the_team())
        pdf.save(with_attachment)
    for data, suffix in ((with_ole, ".docx"), (with_attachment.getvalue(), ".pdf")):
        with pytest.raises(metadata.CannotClean) as refused:
            metadata.clean(data, suffix)
        assert refused.value.code == BlindCopy.EMBEDDED


def test_a_broken_part_that_may_name_people_makes_the_file_uncleanable_and_entities_are_refused():
    from ideas import metadata

    broken = zipped({"word/comments.xml": f'<w:comments xmlns:w="{W}"><w:comment w:author="'})
    entity = zipped(
        {
            "docProps/core.xml": (
                '<!DOCTYPE c [<!ENTITY who SYSTEM "file:///etc/passwd">]><c>&who;</c>'
            )
        }
    )
    for data in (broken, entity):
        with pytest.raises(metadata.CannotClean) as refused:
            metadata.clean(data, ".docx")
        assert refused.value.code == BlindCopy.UNREADABLE
