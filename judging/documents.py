"""The round's report as a PDF and the jury packet as a ZIP, rendered from HTML templates.

WeasyPrint lays the PDFs out. It never fetches anything: every URL a template could name is
refused (``no_fetching``), the one stylesheet is parsed once and shared by every PDF, and the
fonts are the machine's own (DejaVu Sans, which WeasyPrint finds through fontconfig).

The packet is what the jury receives: an idea's text as a juror reads it (no team, members or
units in a blind round) and its files as a juror gets them (the copies without metadata in a
blind round, a file that could not be cleaned left out and named as withheld in its PDF),
under neutral names. Its ideas' PDFs are laid out in one pass and cut apart page by page,
which is many times quicker than laying out each on its own.
"""

import io
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from home.storage import store_errors
from ideas.models import Attachment, Idea
from ideas.questions import (
    attachments_shown_to,
    idea_answers,
    idea_field_settings,
    idea_text_as_read,
    round_questions,
)
from ideas.services import FileWithheld, file_for_juror

from .round_report import RoundReport

# Ideas laid out in one pass: the progress moves on after each batch.
LAYOUT_BATCH = 25
STYLESHEET = Path(__file__).parent / "templates" / "judging" / "pdf" / "pdf.css"


class FetchRefused(ValueError):
    pass


def no_fetching(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher: the PDFs hold nothing from elsewhere, not even a data: URL."""
    raise FetchRefused(url)


@cache
def stylesheet():
    from weasyprint import CSS

    return CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=no_fetching)


def _document(html: str):
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=no_fetching, base_url=None).render(
        stylesheets=[stylesheet()]
    )


def render_pdf(html: str) -> bytes:
    return _document(html).write_pdf()


def report_pdf(report: RoundReport) -> bytes:
    context = {"report": report, "now": timezone.now(), "language": get_language()}
    return render_pdf(render_to_string("judging/pdf/report.html", context))


# --- the jury packet --------------------------------------------------------------------------


@dataclass
class PacketFile:
    name: str
    attachment: Attachment


@dataclass
class PacketIdea:
    idea: Idea
    folder: str
    text: list[tuple[str, str]]
    answers: list[tuple[str, str]]
    team: str
    units: list[str]
    files: list[PacketFile]
    withheld: list[tuple[int, str]]  # (attachment number, why)


def packet_ideas(ideas: Iterable[Idea], *, blind: bool) -> list[PacketIdea]:
    """Each idea as the packet holds it; ``ideas`` carry their team and round."""
    ideas = list(ideas)
    # What a juror reads: the built-in fields as the round names them, and the answers a
    # juror may see (no identifying one in a blind round); the round's questions read once.
    questions = round_questions(ideas[0].competition, retired=True) if ideas else []
    field_settings = idea_field_settings(ideas[0].competition) if ideas else {}
    attachments: dict[int, list[Attachment]] = {}
    rows = Attachment.objects.filter(idea__in=ideas).order_by("uploaded_at", "pk")
    # A file question's files only where a juror may read its answer, numbered as on the
    # review page.
    shown = (
        attachments_shown_to("juror", rows, competition=ideas[0].competition, questions=questions)
        if ideas
        else []
    )
    for attachment in shown:
        attachments.setdefault(attachment.idea_id, []).append(attachment)
    units: dict[int, list[str]] = {}
    if not blind:
        through = Idea.team.field.related_model.service_units.through
        for team, name in through.objects.filter(
            team_id__in=[i.team_id for i in ideas]
        ).values_list("team_id", "serviceunit__name"):
            units.setdefault(team, []).append(name)
    packet = []
    width = len(str(len(ideas)))
    for place, idea in enumerate(ideas, start=1):
        folder = f"{place:0{width}d}-{slugify(idea.title)[:50] or idea.pk}"
        files = []
        for number, attachment in enumerate(attachments.get(idea.pk, []), start=1):
            attachment.idea = idea
            suffix = PurePath(attachment.file.name).suffix.lower()
            name = _("attachment-%(number)d") % {"number": number}
            files.append(PacketFile(f"{folder}/{name}{suffix}", attachment))
        packet.append(
            PacketIdea(
                idea=idea,
                folder=folder,
                text=idea_text_as_read(idea, settings=field_settings),
                answers=idea_answers(idea, audience="juror", questions=questions),
                team="" if blind else idea.team.name,
                units=[] if blind else sorted(units.get(idea.team_id, [])),
                files=files,
                withheld=[],
            )
        )
    return packet


def jury_packet(
    competition,
    ideas: Iterable[Idea],
    *,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> bytes:
    """The ZIP of ``ideas`` (the round's, in order): per idea a folder with ``idea.pdf`` and
    its files as a juror gets them. ``progress(done, total)`` is told after each idea."""
    blind = competition.blind_judging
    packet = packet_ideas(ideas, blind=blind)
    total = len(packet)
    output = io.BytesIO()
    stored = {}
    for entry in packet:
        stored[entry.folder] = []
        for number, packet_file in enumerate(entry.files, start=1):
            try:
                with store_errors():
                    stored[entry.folder].append(
                        (packet_file.name, file_for_juror(attachment=packet_file.attachment))
                    )
            except FileWithheld as withheld:
                entry.withheld.append((number, str(withheld)))
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, total, LAYOUT_BATCH):
            batch = packet[start : start + LAYOUT_BATCH]
            for entry, pdf in zip(batch, idea_pages(competition, batch), strict=True):
                archive.writestr(f"{entry.folder}/{_('idea')}.pdf", pdf)
                for name, file in stored[entry.folder]:
                    with store_errors(), file.open("rb") as source:
                        with archive.open(name, "w") as target:
                            shutil.copyfileobj(source, target)
            progress(start + len(batch), total)
    return output.getvalue()


def idea_pages(competition, packet: list[PacketIdea]) -> list[bytes]:
    """One PDF per idea, laid out together and cut apart where each idea begins."""
    if not packet:
        return []
    html = render_to_string(
        "judging/pdf/ideas.html",
        {
            "competition": competition,
            "packet": packet,
            "blind": competition.blind_judging,
            "language": get_language(),
        },
    )
    document = _document(html)
    first_page = {}  # a long idea lists its anchor again on the pages it runs on to
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("idea-"):
                first_page.setdefault(anchor, index)
    starts = sorted(first_page.values()) + [len(document.pages)]
    return [
        document.copy(document.pages[start:end]).write_pdf()
        for start, end in zip(starts, starts[1:], strict=False)
    ]
