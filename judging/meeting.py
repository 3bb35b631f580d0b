"""The jury's meeting: the shortlist (in a one-stage round, the ranked ideas) in ranking
order with what the jury discusses, printable, and the chair's record of the votes.

Jurors are named "Juror 1, 2 …" in a blind round (numbered by their place in the jury), and
no team, member or service unit appears anywhere on the page."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from ideas.models import CompetitionPage, Stage
from ideas.services import NotAllowed

from . import permissions, services
from .forms import MeetingVotesForm
from .models import MeetingVote, Review, ReviewStatus, Score
from .scoreboard import (
    conflicted_pairs,
    counted_reviews,
    display_name,
    entered_ideas,
    in_active_language,
    jurors_of,
    round_certainty,
    round_ranking,
    shortlisted_ideas,
)

# A one-stage round brings the top of its ranking to the meeting: a round of thousands of
# ideas would otherwise print thousands of pages.
ONE_STAGE_TOP = 30


def juror_labels(competition, jury) -> dict[int, str]:
    if competition.blind_judging:
        return {
            member.user_id: _("Juror %(number)d") % {"number": number}
            for number, member in enumerate(jury, start=1)
        }
    return {member.user_id: display_name(member.user) for member in jury}


def meeting_rows(competition, result, jury, certainty, withheld=frozenset()) -> list[dict]:
    """The ideas of the meeting in ranking order, each with its criterion means, rank
    interval, dispute and the jurors' comments side by side; for the ideas in ``withheld``
    (those the viewer has a conflict of interest with) no score or comment."""
    ranking = result.ranking
    if competition.two_stage:
        shortlist = set(shortlisted_ideas(competition))
        ideas = [row for row in ranking.ideas if row.idea in shortlist]
    else:
        ideas = list(ranking.ideas[:ONE_STAGE_TOP])
    certainty = {c.idea: c for c in certainty.ideas}
    titles = dict(
        entered_ideas(competition)
        .filter(pk__in=[row.idea for row in ideas])
        .values_list("pk", "title")
    )
    reviews = (
        Review.objects.filter(assignment__idea_id__in=list(titles), status=ReviewStatus.SUBMITTED)
        .filter(counted_reviews(competition, result.stage))
        .values_list("pk", "assignment__idea_id", "assignment__juror_id", "overall_comment")
    )
    reviews = [r for r in reviews if (r[2], r[1]) not in result.conflicts]
    by_review = {pk: (idea, juror) for pk, idea, juror, _comment in reviews}
    comments = defaultdict(dict)  # idea → juror → {"overall": …, criterion: (value, comment)}
    for _pk, idea, juror, comment in reviews:
        comments[idea][juror] = {"overall": comment}
    scores = Score.objects.filter(review_id__in=list(by_review)).values_list(
        "review_id", "criterion_id", "value", "comment"
    )
    for review, criterion, value, comment in scores:
        idea, juror = by_review[review]
        comments[idea][juror][criterion] = (value, comment)
    labels = juror_labels(competition, jury)
    order = [member.user_id for member in jury]
    criteria = in_active_language(result.criteria)
    rows = []
    for row in ideas:
        jurors = [juror for juror in order if juror in comments[row.idea]]
        if row.idea in withheld:
            jurors = []
        rows.append(
            {
                "withheld": row.idea in withheld,
                "row": row,
                "title": titles.get(row.idea, ""),
                "certainty": certainty.get(row.idea),
                "jurors": [labels[juror] for juror in jurors],
                "comment_rows": [
                    (
                        c.name,
                        row.criterion_means.get(c.pk),
                        [comments[row.idea][juror].get(c.pk, (None, "")) for juror in jurors],
                    )
                    for c in criteria
                    if row.idea not in withheld
                ],
                "overall": [comments[row.idea][juror]["overall"] for juror in jurors],
            }
        )
    return rows


class MeetingView(LoginRequiredMixin, View):
    template_name = "judging/meeting.html"

    def get_competition(self, competition_id) -> CompetitionPage:
        competition = get_object_or_404(CompetitionPage, pk=competition_id)
        if competition.canonical().pk != competition.pk:
            raise Http404
        if not permissions.can_view_meeting(self.request.user, competition):
            raise Http404
        return competition

    def context(self, competition, form=None) -> dict:
        result = round_ranking(competition)
        jury = jurors_of(competition)
        certainty = round_certainty(competition, result)
        user = self.request.user
        # A juror with a conflict of interest reads no review of that idea here either.
        withheld = (
            set()
            if permissions.can_manage_judging(user)
            else {idea for _juror, idea in conflicted_pairs(competition, [user.pk])}
        )
        rows = meeting_rows(competition, result, jury, certainty, withheld)
        can_record = permissions.can_record_meeting_votes(self.request.user, competition)
        recorded = dict(
            MeetingVote.objects.filter(idea__competition=competition).values_list(
                "idea_id", "votes"
            )
        )
        for item in rows:
            item["votes"] = recorded.get(item["row"].idea)
        if can_record and form is None:
            form = MeetingVotesForm(
                ideas=[(item["row"].idea, item["title"]) for item in rows],
                jury_size=len(jury),
                initial={f"{pk}-votes": votes for pk, votes in recorded.items()},
            )
        titles = {item["row"].idea: item["title"] for item in rows}
        return {
            "competition": competition,
            "rows": rows,
            "criteria": in_active_language(result.criteria),
            "final": result.stage == Stage.FINAL,
            "includes_screening": competition.final_ranking_includes_screening,
            "cut_at": ONE_STAGE_TOP
            if not competition.two_stage and len(result.ranking.ideas) > ONE_STAGE_TOP
            else None,
            "form": form if can_record else None,
            "votes_fields": [(item, form[f"{item['row'].idea}-votes"]) for item in rows]
            if can_record
            else [],
            "close_pairs": [
                (titles[inside], titles[outside])
                for inside, outside in certainty.close_at_boundary
                if inside in titles and outside in titles
            ],
            "top": certainty.top,
        }

    def get(self, request, competition_id):
        competition = self.get_competition(competition_id)
        return render(request, self.template_name, self.context(competition))

    def post(self, request, competition_id):
        competition = self.get_competition(competition_id)
        if not permissions.can_record_meeting_votes(request.user, competition):
            raise Http404
        context = self.context(competition)
        form = MeetingVotesForm(
            request.POST,
            ideas=[(item["row"].idea, item["title"]) for item in context["rows"]],
            jury_size=len(jurors_of(competition)),
        )
        if form.is_valid():
            try:
                services.record_meeting_votes(
                    competition=competition, votes=form.votes(), by=request.user
                )
            except services.FieldErrors as refused:
                for name, message in refused.errors.items():
                    form.add_error(name, message)
            except NotAllowed as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("The meeting's votes are recorded."))
                return redirect("judging:meeting", competition_id=competition.pk)
        return render(request, self.template_name, self.context(competition, form=form), status=400)
