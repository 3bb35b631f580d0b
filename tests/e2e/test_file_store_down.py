"""A team member in Finnish while the object store does not answer, in a real browser with axe:
an upload is refused by the file field with the idea's text on the page, and the download of a
file already attached answers the 503 page."""

import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ideas import services
from ideatori.object_storage import object_storages
from tests.e2e.accounts import account, sign_in
from tests.factories import make_idea, make_round, make_team, pdf_bytes
from tests.seaweedfs import free_ports

SHOTS = Path(
    os.environ.get("IDEATORI_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"
)


def test_store_down_refuses_the_upload_and_the_download_says_so(
    page, axe_check, settings, tmp_path
):
    lead = account("nurse@example.org")
    idea = make_idea(
        team=make_team(lead=lead),
        competition=make_round(phase="open"),
        problem="Vanhemmat odottavat psykologia kuusi viikkoa.",
    )
    kept = services.add_attachment(
        idea=idea,
        upload=SimpleUploadedFile("suunnitelma.pdf", pdf_bytes("Suunnitelma")),
        content_type="application/pdf",
        by=lead,
    )
    (port,) = free_ports(1)
    settings.STORAGES = object_storages(
        {
            "IDEATORI_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",  # nothing listens
            "IDEATORI_S3_ACCESS_KEY_ID": "key",
            "IDEATORI_S3_SECRET_ACCESS_KEY": "secret",
            "IDEATORI_S3_PRIVATE_BUCKET": "attachments",
            "IDEATORI_S3_TIMEOUT": "1",
        },
        private_root=tmp_path,
        staticfiles_backend=settings.STORAGES["staticfiles"]["BACKEND"],
    )
    with translation.override("fi"):
        idea_path = reverse("ideas:idea", args=[idea.pk])
        download_path = reverse("ideas:attachment", args=[idea.pk, kept.pk])
    sign_in(page, "nurse@example.org", "fi")

    page.goto(idea_path)
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "liite.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    with page.expect_navigation():
        page.locator("input[name=file]").evaluate("input => input.form.requestSubmit()")

    error = page.locator("#id_file_error")
    assert "tiedostovarasto ei vastaa" in error.inner_text()
    assert page.locator("input[name=file]").get_attribute("aria-describedby").count("id_file_error")
    assert "kuusi viikkoa" in page.content()
    axe_check(page)
    page.screenshot(path=str(SHOTS / "upload-store-down-fi-1280x800.png"), full_page=True)

    response = page.goto(download_path)

    assert response.status == 503
    assert page.locator("h1").inner_text() == "Tiedostoa ei voi hakea juuri nyt"
    axe_check(page)
    page.screenshot(path=str(SHOTS / "download-store-down-fi-1280x800.png"), full_page=True)
    assert idea.attachments.count() == 1
