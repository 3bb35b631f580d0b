"""The jury's decision, the results and their publication.

The decision page lists the ideas in ranking order: the top of the ranking open, the rest one
click away. Once the results are published the decision is read-only and says why; publishing
first shows what will become public and asks for confirmation."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ideas.models import IdeaStatus, InnovationPage
from ideas.permissions import can_decide, can_publish_results, results_published
from ideas.services import ServiceError, publish_results

from .. import services
from ..forms import DecisionForm
from ..models import Award, AwardLevel, MeetingVote
from ..scoreboard import entered_ideas, in_active_language, jurors_of, round_ranking
from .views import JudgingView

# How many ideas of the ranking the decision page shows open; the rest fold.
OPEN_AT_TOP = 10


class DecisionView(JudgingView):
    """The decision, idea by idea in ranking order. The top of the ranking, the ideas with an
    award and those asked for (``?open=``) get their form; the rest are listed, each one click
    from its form, and keep their decision when the others are saved."""

    template_name = "judging/admin/decision.html"

    def ranked(self) -> tuple[list, dict, dict]:
        competition = self.competition
        result = round_ranking(competition)
        ideas = {idea.pk: idea for idea in entered_ideas(competition)}
        order = [row.idea for row in result.ranking.ideas if row.idea in ideas]
        order += [pk for pk in sorted(ideas) if pk not in order]
        rows = {row.idea: row for row in result.ranking.ideas}
        awards = {
            award.idea_id: award
            for award in Award.objects.filter(idea__competition=competition).prefetch_related(
                "criteria"
            )
        }
        self.criteria = in_active_language(result.criteria)
        return [(pk, ideas[pk], rows.get(pk)) for pk in order], awards, ideas

    def forms(self, data=None) -> tuple[list[tuple], list[tuple]]:
        ranked, awards, _ideas = self.ranked()
        asked = {int(pk) for pk in self.request.GET.getlist("open") if pk.isdigit()}
        if data is not None:
            asked |= {int(key.split("-")[0]) for key in data if key.endswith("-level")}
        read_only = not can_decide(self.request.user, self.competition)
        jury_size = len(jurors_of(self.competition))

        # The votes the chair recorded at the jury's meeting, offered where the decision
        # has none of its own.
        meeting = dict(
            MeetingVote.objects.filter(idea__competition=self.competition).values_list(
                "idea_id", "votes"
            )
        )

        def initial(pk: int, award) -> dict:
            if award is None:
                return {"votes": meeting[pk]} if pk in meeting else {}
            return {
                "level": award.level,
                "rationale": award.rationale,
                "criteria": [c.pk for c in award.criteria.all()],
                "feedback": award.feedback,
                "votes": award.votes if award.votes is not None else meeting.get(pk),
            }

        shown, folded = [], []
        for place, (pk, idea, row) in enumerate(ranked):
            award = awards.get(pk)
            if place < OPEN_AT_TOP or pk in asked or (award is not None and award.level):
                form = DecisionForm(
                    data,
                    prefix=str(pk),
                    criteria=self.criteria,
                    initial=initial(pk, award),
                    jury_size=jury_size,
                    read_only=read_only,
                )
                shown.append((idea, row, form))
            else:
                folded.append((idea, row, award))
        return shown, folded

    def render(self, shown, folded, status: int = 200):
        competition = self.competition
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "competition": competition,
                "forms": shown,
                "folded": folded,
                "allowed": can_decide(self.request.user, competition),
                "published": results_published(competition),
                "winners_allowed": competition.winners_allowed,
            },
            status=status,
        )

    def get(self, request, competition_id):
        return self.render(*self.forms())

    def post(self, request, competition_id):
        if not can_decide(request.user, self.competition):
            raise PermissionDenied
        shown, folded = self.forms(request.POST)
        if all(form.is_valid() for _idea, _row, form in shown):
            entries = [
                services.DecisionEntry(
                    idea_id=idea.pk,
                    level=form.cleaned_data["level"],
                    rationale=form.cleaned_data["rationale"],
                    criteria=form.cleaned_data["criteria"],
                    feedback=form.cleaned_data["feedback"],
                    votes=form.cleaned_data["votes"],
                )
                for idea, _row, form in shown
            ]
            try:
                services.record_decision(
                    competition=self.competition, entries=entries, by=request.user
                )
            except services.FieldErrors as refused:
                by_prefix = {form.prefix: form for _idea, _row, form in shown}
                for key, message in refused.errors.items():
                    prefix, field = key.split("-", 1)
                    by_prefix[prefix].add_error(field, message)
            else:
                messages.success(request, _("The jury's decision is recorded."))
                return redirect("judging_admin:decision", competition_id=self.competition.pk)
        messages.error(request, _("The decision was not recorded: see the messages below."))
        return self.render(shown, folded, status=400)


def awarded_ideas(competition) -> list:
    """The round's awarded ideas, winners first, each with its award."""
    awarded = [
        idea
        for idea in entered_ideas(competition)
        .filter(status=IdeaStatus.AWARDED)
        .select_related("award", "team")
        if getattr(idea, "award", None) is not None
    ]
    order = {level: index for index, level in enumerate(AwardLevel.values)}
    awarded.sort(key=lambda idea: (order.get(idea.award.level, 99), idea.title))
    return awarded


class ResultsView(JudgingView):
    """The results' state, and the innovation page of each award once they are out."""

    def get(self, request, competition_id):
        competition = self.competition
        awarded = awarded_ideas(competition)
        pages = {
            page.idea_id: page
            for page in InnovationPage.objects.filter(
                idea__in=awarded, locale_id=competition.locale_id
            )
        }
        return TemplateResponse(
            request,
            "judging/admin/results.html",
            {
                "competition": competition,
                "published": results_published(competition),
                "waiting": competition.workflow_in_progress,
                "can_publish": can_publish_results(request.user, competition),
                "rows": [(idea, pages.get(idea.pk)) for idea in awarded],
            },
        )

    def post(self, request, competition_id):
        idea = get_object_or_404(entered_ideas(self.competition), pk=request.POST.get("idea") or 0)
        try:
            page = services.create_innovation_page(idea=idea, by=request.user)
        except ServiceError as refused:
            messages.error(request, str(refused))
            return redirect("judging_admin:results", competition_id=self.competition.pk)
        messages.success(request, _("The innovation page is drafted: check it and publish it."))
        return redirect("wagtailadmin_pages:edit", page.pk)


class PublishResultsView(JudgingView, TemplateView):
    """What publishing makes public, named; publishing on confirmation."""

    template_name = "judging/admin/publish.html"

    def get_context_data(self, **kwargs):
        competition = self.competition
        entered = entered_ideas(competition)
        return super().get_context_data(**kwargs) | {
            "competition": competition,
            "can_publish": can_publish_results(self.request.user, competition),
            "awarded": awarded_ideas(competition),
            "not_awarded": entered.filter(status=IdeaStatus.NOT_AWARDED).count(),
            "teams": entered.values("team").distinct().count(),
        }

    def post(self, request, competition_id):
        try:
            public = publish_results(competition=self.competition, by=request.user)
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("The results are published.")
                if public
                else _("The results wait for a second coordinator's approval."),
            )
        return redirect("judging_admin:results", competition_id=self.competition.pk)
