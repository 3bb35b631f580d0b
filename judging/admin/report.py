"""The round's report in the admin, and the files made of it in the background.

The page shows the report's figures as they stand; below them, the coordinator asks for the
PDF (as the management reads it, or the internal version naming a blind round's jurors) or
for the jury packet, and follows each in a status row: queued, n of m ideas, ready with its
download link, or failed with the reason. The files come only through ``DocumentView``."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from home import audit
from home.storage import StorageUnavailable, open_for_download
from home.views import storage_unavailable
from ideas.services import ServiceError

from .. import permissions, services
from ..models import DocumentKind, RoundDocument
from ..round_report import round_report
from .views import JudgingView

STATUS_ROWS = 10


def status_rows(documents) -> list[dict]:
    """Each document as its status row says it."""
    rows = []
    for document in documents:
        if document.status == "running" and document.total:
            state = _("%(done)d of %(total)d") % {"done": document.done, "total": document.total}
        else:
            state = document.get_status_display()
        rows.append({"document": document, "state": state})
    return rows


class ReportView(JudgingView, TemplateView):
    template_name = "judging/admin/report.html"

    def get_context_data(self, **kwargs):
        competition = self.competition
        if not permissions.can_view_round_report(self.request.user, competition):
            raise Http404
        internal = self.request.GET.get("version") == "internal"
        report = round_report(competition, internal=internal)
        documents = RoundDocument.objects.filter(
            competition=competition, juror__isnull=True
        ).order_by("-requested_at", "-pk")[:STATUS_ROWS]
        return super().get_context_data(**kwargs) | {
            "competition": competition,
            "report": report,
            "internal": internal,
            "documents": status_rows(documents),
            "kinds": DocumentKind,
        }

    def post(self, request, competition_id):
        kind = request.POST.get("kind", "")
        try:
            services.request_document(competition=self.competition, kind=kind, by=request.user)
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("It is being made in the background: its status is shown below.")
            )
        return redirect("judging_admin:report", competition_id=self.competition.pk)


def download(request, document: RoundDocument):
    """The document's file, once ready, to whoever ``can_download_document`` lets have it."""
    if not permissions.can_download_document(request.user, document) or not document.file:
        raise Http404
    try:
        handle = open_for_download(document.file)
    except StorageUnavailable:
        return storage_unavailable(request)
    audit.record(
        action=audit.EXPORTED,
        request=request,
        instance=document.competition,
        data={"table": document.kind, "format": document.file.name.rsplit(".", 1)[-1]},
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.file.name.rsplit("/", 1)[-1],
        content_type="application/zip" if document.kind == "packet" else "application/pdf",
    )


class DocumentView(JudgingView):
    def get(self, request, competition_id, document_id):
        document = get_object_or_404(
            RoundDocument.objects.select_related("competition"),
            pk=document_id,
            competition=self.competition,
            status="ready",
        )
        return download(request, document)
