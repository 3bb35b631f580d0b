"""The juror's pages: parse the request, ask permissions, call a service, render.

Anything a juror may not read is a 404 that says nothing about the idea, whether it exists,
is assigned to someone else, is conflicted or belongs to another round.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from home import audit
from home.pagination import paginate
from home.storage import StorageUnavailable, open_for_download, store_errors
from home.views import storage_unavailable
from ideas.models import Attachment, CompetitionPage, Idea
from ideas.models.ideas import ENTERED_STATUSES
from ideas.permissions import withheld_from_jurors
from ideas.questions import attachments_shown_to, idea_answers, idea_text_as_read
from ideas.services import (
    FileWithheld,
    NotAllowed,
    ServiceError,
    file_for_juror,
    make_blind_copy,
)

from . import permissions, services
from .admin.report import download, status_rows
from .forms import AnyConflictForm, ConflictForm, ReviewForm
from .models import (
    Assignment,
    DocumentKind,
    JuryMember,
    Review,
    ReviewStatus,
    RoundDocument,
)
from .scoreboard import conflicted_pairs, criteria_of, in_active_language


class JuryHomeView(LoginRequiredMixin, TemplateView):
    """The rounds the user is a juror of; one round goes straight to its list."""

    template_name = "judging/jury_home.html"

    def get(self, request, *args, **kwargs):
        rounds = list(
            CompetitionPage.objects.filter(jury_members__user=request.user).order_by("-opens_at")
        )
        if len(rounds) == 1:
            return redirect("judging:assigned", competition_id=rounds[0].pk)
        CompetitionPage.read_titles(rounds)
        return self.render_to_response({"rounds": rounds})


def assigned_rows(user, competition) -> list[dict]:
    """The juror's ideas in the round with their review status, conflicted pairs left out."""
    conflicts = conflicted_pairs(competition, [user.pk])
    assignments = (
        Assignment.objects.filter(
            juror=user,
            idea__competition=competition,
            idea__status__in=ENTERED_STATUSES,
            stage=permissions.current_stage(competition),
        )
        .select_related("idea", "review")
        .order_by("idea__pk")
    )
    rows = []
    for assignment in assignments:
        if (user.pk, assignment.idea_id) in conflicts:
            continue
        review = getattr(assignment, "review", None)
        rows.append(
            {
                "idea": assignment.idea,
                "state": review.status if review else "none",
                "status": review.get_status_display() if review else _("Not started"),
                "done": bool(review and review.status == ReviewStatus.SUBMITTED),
            }
        )
    return rows


# The juror's list: what they filter by, and how it can be sorted (not yet reviewed first).
LIST_STATES = {"todo", "none", "draft", "submitted"}
LIST_ORDERS = {
    "todo": lambda row: (row["done"], row["state"] != "draft", row["idea"].title.casefold()),
    "title": lambda row: row["idea"].title.casefold(),
    "state": lambda row: (row["state"], row["idea"].title.casefold()),
}


def sorted_and_filtered(rows: list[dict], *, show: str, order: str) -> list[dict]:
    if show in LIST_STATES:
        rows = [
            row for row in rows if (not row["done"] if show == "todo" else row["state"] == show)
        ]
    return sorted(rows, key=LIST_ORDERS.get(order, LIST_ORDERS["todo"]))


class AssignedIdeasView(LoginRequiredMixin, TemplateView):
    template_name = "judging/assigned.html"

    def get_context_data(self, competition_id, **kwargs):
        competition = get_object_or_404(CompetitionPage, pk=competition_id)
        user = self.request.user
        if not permissions.is_juror(user, competition):
            raise Http404
        rows = assigned_rows(user, competition) if permissions.judging_started(competition) else []
        show = self.request.GET.get("show", "")
        order = self.request.GET.get("order", "todo")
        shown = sorted_and_filtered(rows, show=show, order=order)
        return super().get_context_data(**kwargs) | {
            "competition": competition,
            "rows": paginate(self.request, shown, per_page=50),
            "show": show if show in LIST_STATES else "",
            "order": order if order in LIST_ORDERS else "todo",
            "done": sum(row["done"] for row in rows),
            "total": len(rows),
            "judging_open": permissions.judging_open(competition),
            "judging_started": permissions.judging_started(competition),
            "packet": juror_packet(user, competition),
            "can_view_meeting": permissions.can_view_meeting(user, competition),
            "stage": competition.stage.label if competition.two_stage else "",
        }


def juror_packet(user, competition) -> dict | None:
    """The juror's newest packet of the round, as its status row says it."""
    document = (
        RoundDocument.objects.filter(competition=competition, juror=user)
        .order_by("-requested_at", "-pk")
        .first()
    )
    return status_rows([document])[0] if document else None


class JuryPacketView(LoginRequiredMixin, View):
    """A juror asks for the ZIP of their own ideas (``services.request_document``)."""

    def post(self, request, competition_id):
        competition = get_object_or_404(CompetitionPage, pk=competition_id)
        if not permissions.can_request_jury_packet(request.user, competition):
            raise Http404
        try:
            services.request_document(
                competition=competition, kind=DocumentKind.PACKET, by=request.user
            )
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Your jury packet is being made: its status is below."))
        return redirect("judging:assigned", competition_id=competition.pk)


class JuryDocumentView(LoginRequiredMixin, View):
    """The juror's packet, to them alone."""

    def get(self, request, document_id):
        document = get_object_or_404(
            RoundDocument.objects.select_related("competition"), pk=document_id, status="ready"
        )
        return download(request, document)


def current_assignment(request, idea: Idea) -> Assignment:
    """The juror's assignment of ``idea`` in the round's current stage."""
    return Assignment.objects.get(
        idea=idea, juror=request.user, stage=permissions.current_stage(idea.competition)
    )


def reviewable_idea(request, idea_id) -> Idea:
    idea = get_object_or_404(Idea.objects.select_related("competition", "team"), pk=idea_id)
    if not permissions.can_view_review(request.user, idea):
        raise Http404
    return idea


class ReviewView(LoginRequiredMixin, View):
    template_name = "judging/review.html"

    def get(self, request, idea_id):
        idea = reviewable_idea(request, idea_id)
        assignment = current_assignment(request, idea)
        review = Review.objects.filter(assignment=assignment).first()
        criteria = in_active_language(criteria_of(idea.competition))
        initial = {}
        if review:
            initial["overall_comment"] = review.overall_comment
            for score in review.scores.all():
                initial[f"score_{score.criterion_id}"] = score.value
                initial[f"comment_{score.criterion_id}"] = score.comment
        form = ReviewForm(initial=initial, criteria=criteria)
        return self.render(request, idea, assignment, review, form)

    def post(self, request, idea_id):
        idea = reviewable_idea(request, idea_id)
        assignment = current_assignment(request, idea)
        criteria = in_active_language(criteria_of(idea.competition))
        form = ReviewForm(request.POST, criteria=criteria)
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                services.save_review(
                    assignment=assignment,
                    values=form.values(),
                    comments=form.comments(),
                    overall_comment=form.cleaned_data["overall_comment"],
                    submit=submit,
                    by=request.user,
                )
            except services.FieldErrors as refused:
                add_field_errors(form, refused)
            except NotAllowed as refused:
                form.add_error(None, str(refused))
            else:
                if submit:
                    messages.success(request, _("Your review is submitted."))
                else:
                    messages.success(request, _("Your draft is saved."))
                return redirect("judging:review", idea_id=idea.pk)
        review = Review.objects.filter(assignment=assignment).first()
        return self.render(request, idea, assignment, review, form, status=400)

    def render(self, request, idea, assignment, review, form, status=200):
        user = request.user
        competition = idea.competition
        can_score = permissions.can_score(user, idea)
        others = []
        if permissions.can_see_other_scores(user, idea):
            others = list(
                Review.objects.filter(
                    assignment__idea=idea,
                    assignment__stage=assignment.stage,
                    status=ReviewStatus.SUBMITTED,
                )
                .exclude(assignment__juror=user)
                .exclude(assignment__juror__in=_conflicted_jurors(idea))
                .prefetch_related("scores")
                .order_by("pk")
            )
        context = {
            "idea": idea,
            "competition": competition,
            "team": None if competition.blind_judging else idea.team,
            "units": [] if competition.blind_judging else list(idea.team.service_units.all()),
            "text": idea_text_as_read(idea),
            "answers": idea_answers(idea, audience="juror"),
            "attachments": juror_attachments(idea),
            "form": form,
            "review": review,
            "submitted": bool(review and review.status == ReviewStatus.SUBMITTED),
            "can_score": can_score,
            "can_declare_conflict": permissions.can_declare_conflict(user, idea),
            "others": len(others),
            "others_table": [
                (
                    c,
                    [
                        next((s.value for s in o.scores.all() if s.criterion_id == c.pk), None)
                        for o in others
                    ],
                )
                for c in form.criteria
            ],
            "next_idea": next_unreviewed(user, competition, idea),
        }
        return render(request, self.template_name, context, status=status)


def files_for_juror(idea) -> list[Attachment]:
    """The idea's files a juror may receive, numbered in this order: a file question's files
    only where the juror may read its answer (``ideas.questions.attachments_shown_to``)."""
    attachments = Attachment.objects.filter(idea=idea).order_by("uploaded_at", "pk")
    return attachments_shown_to("juror", attachments, competition=idea.competition)


def juror_attachments(idea) -> list[tuple[Attachment, bool]]:
    """The idea's files as its juror is offered them, each with whether it is withheld."""
    attachments = files_for_juror(idea)
    for attachment in attachments:
        attachment.idea = idea
        if idea.competition.blind_judging:
            make_blind_copy(attachment=attachment)  # only files uploaded before copies existed
    return [(attachment, withheld_from_jurors(attachment)) for attachment in attachments]


def _conflicted_jurors(idea) -> list[int]:
    jurors = list(
        JuryMember.objects.filter(competition=idea.competition).values_list("user_id", flat=True)
    )
    return [j for j, i in conflicted_pairs(idea.competition, jurors) if i == idea.pk]


def next_unreviewed(user, competition, current) -> Idea | None:
    rows = [row for row in assigned_rows(user, competition) if not row["done"]]
    after = [row for row in rows if row["idea"].pk > current.pk]
    candidates = after or [row for row in rows if row["idea"].pk != current.pk]
    return candidates[0]["idea"] if candidates else None


def add_field_errors(form, refused: services.FieldErrors) -> None:
    for name, message in refused.errors.items():
        form.add_error(name, message)


def declared(request, form, idea: Idea, message: str) -> bool:
    """Declare the juror's conflict with ``idea`` for the reason in ``form``; say so, or put the
    refusal on the form."""
    try:
        services.declare_conflict(idea=idea, by=request.user, reason=form.cleaned_data["reason"])
    except services.FieldErrors as refused:
        add_field_errors(form, refused)
        return False
    messages.success(request, message)
    return True


class DeclareConflictView(LoginRequiredMixin, View):
    template_name = "judging/conflict.html"

    def get_idea(self, request, idea_id) -> Idea:
        idea = get_object_or_404(Idea.objects.select_related("competition", "team"), pk=idea_id)
        # A juror may declare a conflict with any idea of their round, assigned or not, but
        # learns nothing more about it than its title.
        if not permissions.can_declare_conflict(request.user, idea):
            raise Http404
        return idea

    def get(self, request, idea_id):
        idea = self.get_idea(request, idea_id)
        context = {"idea": idea, "competition": idea.competition, "form": ConflictForm()}
        return render(request, self.template_name, context)

    def post(self, request, idea_id):
        idea = self.get_idea(request, idea_id)
        form = ConflictForm(request.POST)
        message = _("Your conflict of interest is recorded; the idea is taken off your list.")
        if form.is_valid() and declared(request, form, idea, message):
            return redirect("judging:assigned", competition_id=idea.competition_id)
        context = {"idea": idea, "competition": idea.competition, "form": form}
        return render(request, self.template_name, context, status=400)


class DeclareAnyConflictView(LoginRequiredMixin, View):
    """A conflict with any idea of the round: a juror may know of one before being assigned."""

    template_name = "judging/conflict.html"

    def get_form(self, request, competition_id, data=None) -> AnyConflictForm:
        competition = get_object_or_404(CompetitionPage, pk=competition_id)
        if not (
            permissions.is_juror(request.user, competition)
            and permissions.judging_open(competition)
        ):
            raise Http404
        conflicts = conflicted_pairs(competition, [request.user.pk])
        ideas = Idea.objects.filter(competition=competition, status__in=ENTERED_STATUSES).exclude(
            pk__in=[idea for _juror, idea in conflicts]
        )
        form = AnyConflictForm(data, ideas=ideas.order_by("title", "pk"))
        form.competition = competition
        return form

    def get(self, request, competition_id):
        form = self.get_form(request, competition_id)
        return render(request, self.template_name, {"form": form, "competition": form.competition})

    def post(self, request, competition_id):
        form = self.get_form(request, competition_id, request.POST)
        message = _("Your conflict of interest is recorded.")
        if form.is_valid() and declared(request, form, form.cleaned_data["idea"], message):
            return redirect("judging:assigned", competition_id=competition_id)
        context = {"form": form, "competition": form.competition}
        return render(request, self.template_name, context, status=400)


class AttachmentView(LoginRequiredMixin, View):
    """An idea's file for its juror, under a neutral name: the team's file name may name them."""

    def get(self, request, idea_id, number):
        idea = reviewable_idea(request, idea_id)
        attachments = files_for_juror(idea)
        if not 1 <= number <= len(attachments):
            raise Http404
        attachment = attachments[number - 1]
        attachment.idea = idea
        try:
            with store_errors():
                handle = open_for_download(file_for_juror(attachment=attachment))
        except StorageUnavailable:
            return storage_unavailable(request)
        except FileWithheld as withheld:
            messages.error(
                request,
                _("Attachment %(number)d is withheld from the jury: %(reason)s")
                % {"number": number, "reason": withheld},
            )
            return redirect("judging:review", idea_id=idea.pk)
        suffix = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else ""
        filename = _("attachment-%(number)d") % {"number": number}
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{filename}.{suffix}" if suffix else filename,
            content_type=attachment.content_type,
        )
        audit.record(
            action=audit.ATTACHMENT_DOWNLOADED,
            request=request,
            instance=attachment,
            data={"idea": idea.pk, "role": "juror", "number": number},
        )
        return response
