"""The rounds, a round's dashboard, opening judging, assignments, conflicts and exports.

The dashboard stays the same size whatever the round's: the ranking, the assignments and the
conflicts are each paged and filtered, and a chart is drawn only for the ideas on the page."""

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.models import Locale

from home import audit
from ideas.models import CompetitionPage, Stage
from ideas.permissions import can_decide
from ideas.services import ServiceError

from .. import charts, export, permissions, services
from ..forms import AssignmentFilterForm, AssignmentForm, CoordinatorConflictForm
from ..models import Assignment, ConflictOfInterest, ConflictSource, ReviewStatus
from ..ranking import OrderBy
from ..scoreboard import (
    display_name,
    entered_ideas,
    in_active_language,
    jurors_of,
    round_assignments,
    round_certainty,
    round_ranking,
)
from . import JudgingPolicy

RANKING_PER_PAGE = 25
ASSIGNMENTS_PER_PAGE = 50
CONFLICTS_PER_PAGE = 25


class JudgingView(PermissionCheckedMixin, View):
    """Asks the judging policy first; finds the round (its own page, never a translation)."""

    permission_policy = JudgingPolicy(CompetitionPage)
    permission_required = "change"

    @cached_property
    def competition(self) -> CompetitionPage:
        competition = get_object_or_404(CompetitionPage, pk=self.kwargs["competition_id"])
        if competition.canonical().pk != competition.pk:
            raise Http404
        return competition

    def back_to_dashboard(self, anchor: str = ""):
        response = redirect("judging_admin:dashboard", competition_id=self.competition.pk)
        if anchor:
            response["Location"] += f"#{anchor}"
        return response


class RoundsView(JudgingView, TemplateView):
    """Every round, newest first, each with a link to its dashboard."""

    template_name = "judging/admin/rounds.html"

    def get_context_data(self, **kwargs):
        rounds = CompetitionPage.objects.filter(locale=Locale.get_default()).order_by("-opens_at")
        return super().get_context_data(**kwargs) | {"rounds": rounds}


def order_by(request, default: OrderBy | None = None) -> OrderBy | None:
    try:
        return OrderBy(request.GET.get("order", ""))
    except ValueError:
        return default


def page_of(request, items, *, name: str, per_page: int):
    """The page named by ``?<name>=`` of ``items``; the nearest page for a bad number."""
    return Paginator(items, per_page).get_page(request.GET.get(name))


def link_query(request, *, without: str) -> str:
    """The request's query without one page parameter, so that page links keep the rest."""
    query = request.GET.copy()
    query.pop(without, None)
    return query.urlencode()


class DashboardView(JudgingView, TemplateView):
    template_name = "judging/admin/dashboard.html"

    def get_context_data(self, conflict_form=None, **kwargs):
        return super().get_context_data(**kwargs) | dashboard_context(
            self.request, self.competition, conflict_form=conflict_form
        )


def dashboard_context(request, competition, *, conflict_form=None) -> dict:
    result = round_ranking(competition, order_by=order_by(request))
    ranking, criteria = result.ranking, in_active_language(result.criteria)
    jury = jurors_of(competition)
    assignments = round_assignments(competition)
    # Conflicted pairs count neither in a juror's progress nor in an idea's reviewers, and
    # progress is the current stage's.
    stage = competition.stage
    live = [
        a
        for a in assignments
        if (a.juror_id, a.idea_id) not in result.conflicts and a.stage == stage
    ]
    assigned = Counter(a.idea_id for a in live)
    total = Counter(a.juror_id for a in live)
    done = Counter(a.juror_id for a in live if a.state == ReviewStatus.SUBMITTED)
    ideas = list(entered_ideas(competition).order_by("pk"))
    titles = {idea.pk: idea.title for idea in ideas}
    k = competition.reviews_per_idea
    conflicted = Counter(idea for _juror, idea in result.conflicts)

    def needed(idea: int) -> int:
        """k, or without k every juror without a conflict with the idea."""
        return k if k else len(jury) - conflicted[idea]

    shortfall = (
        [
            {"idea": idea, "missing": needed(idea.pk) - assigned.get(idea.pk, 0)}
            for idea in ideas
            if assigned.get(idea.pk, 0) < needed(idea.pk)
        ]
        # The final stage assigns the shortlist to the whole jury, not k jurors per idea.
        if permissions.judging_started(competition)
        and not permissions.screening_closed(competition)
        else []
    )
    certainty = round_certainty(competition, result)
    sure = {row.idea: row for row in certainty.ideas}
    ranking_page = page_of(request, ranking.ideas, name="rank_page", per_page=RANKING_PER_PAGE)
    ranked = [
        {
            "row": row,
            "title": titles.get(row.idea, ""),
            "certainty": sure[row.idea],
            "top_percent": round(100 * sure[row.idea].top_probability),
            "criterion_means": [row.criterion_means.get(c.pk) for c in criteria],
            "chart": charts.criterion_bars(criteria, row.criterion_means),
        }
        for row in ranking_page.object_list
    ]
    reviewed = {row.idea for row in ranking.ideas}
    juror_results = {j.juror: j for j in ranking.jurors}
    jurors = []
    for member in jury:
        stats = juror_results.get(member.user_id)
        jurors.append(
            {
                "member": member,
                "name": display_name(member.user),
                "done": done[member.user_id],
                "total": total[member.user_id],
                "stats": stats,
                "strip": charts.juror_strip(stats.totals, stats.mean, ranking.scale)
                if stats
                else None,
            }
        )
    conflict_rows = (
        ConflictOfInterest.objects.filter(idea__competition=competition)
        .select_related("juror__profile", "idea")
        .order_by("-changed_at", "-pk")
    )
    conflicts_page = page_of(
        request, conflict_rows, name="conflict_page", per_page=CONFLICTS_PER_PAGE
    )
    filters = AssignmentFilterForm(request.GET or None, ideas=ideas, jury=jury)
    shown = filters.apply(assignments) if filters.is_valid() else assignments
    assignments_page = page_of(
        request, shown, name="assignment_page", per_page=ASSIGNMENTS_PER_PAGE
    )
    names = {m.user_id: display_name(m.user) for m in jury}
    can_change = permissions.can_change_assignments(request.user, competition)
    return {
        "competition": competition,
        "phase": competition.phase_label,
        "two_stage": competition.two_stage,
        "can_view_meeting": permissions.can_view_meeting(request.user, competition),
        "submissions": len(ideas),
        "ranking": ranking,
        "criteria": criteria,
        "criterion_alpha": [(c, ranking.criterion_alpha.get(c.pk)) for c in criteria],
        "ranked": ranked,
        "certainty": certainty,
        "certainty_level": round(100 * certainty.level),
        "award_line": [
            (titles.get(inside, ""), titles.get(outside, ""))
            for inside, outside in certainty.close_at_boundary
        ],
        "uncalibrated_jurors": [
            names[j.juror] for j in ranking.jurors if not j.calibrated and j.juror in names
        ],
        "ranking_page": ranking_page,
        "ranking_query": link_query(request, without="rank_page"),
        "unreviewed": [idea.title for idea in ideas if idea.pk not in reviewed],
        "jurors": jurors,
        "shortfall": shortfall,
        "conflicts": [
            {"row": row, "juror": display_name(row.juror)} for row in conflicts_page.object_list
        ],
        "conflicts_page": conflicts_page,
        "conflicts_query": link_query(request, without="conflict_page"),
        "conflicts_in_effect": sorted(
            (display_name(m.user), titles[idea])
            for m in jury
            for (juror, idea) in result.conflicts
            if juror == m.user_id and idea in titles
        ),
        "order_choices": [
            (OrderBy.CALIBRATED, _("Calibrated (each juror's severity and scale fitted)")),
            (OrderBy.NORMALISED, _("Normalised (each juror's scale corrected)")),
            (OrderBy.MEAN, _("Mean")),
            (OrderBy.MEDIAN, _("Median")),
        ],
        "order_by": ranking.order_by,
        "assignment_filters": filters,
        "assignments": [
            {
                "row": a,
                "idea": titles.get(a.idea_id, ""),
                "juror": names.get(a.juror_id, ""),
                "stage": Stage(a.stage).label,
            }
            for a in assignments_page.object_list
        ],
        "assignments_page": assignments_page,
        "assignments_query": link_query(request, without="assignment_page"),
        "assignment_count": len(assignments),
        "assignment_form": AssignmentForm(competition=competition, jury=jury)
        if can_change
        else None,
        "conflict_form": conflict_form
        or CoordinatorConflictForm(competition=competition, jury=jury),
        "can_change_assignments": can_change,
        "can_regenerate": can_change and not any(a.state for a in assignments),
        "can_open_judging": permissions.can_open_judging(request.user, competition),
        "can_decide": can_decide(request.user, competition),
    }


class OpenJudgingView(JudgingView, TemplateView):
    """ "Open judging now": the assignment report first (loads, shortfalls), then on the
    coordinator's word the same service the schedule runs, which tells each juror once."""

    template_name = "judging/admin/open_judging.html"

    def get_context_data(self, **kwargs):
        allowed = permissions.can_open_judging(self.request.user, self.competition)
        plan = services.preview_assignments(competition=self.competition) if allowed else None
        jury = jurors_of(self.competition)
        loads = Counter(juror for juror, _idea in plan.pairs) if plan else Counter()
        titles = dict(entered_ideas(self.competition).values_list("pk", "title"))
        return super().get_context_data(**kwargs) | {
            "competition": self.competition,
            "allowed": allowed,
            "plan": plan,
            "loads": [(display_name(m.user), loads[m.user_id]) for m in jury],
            "shortfall": [(titles.get(idea, ""), missing) for idea, missing in plan.shortfall]
            if plan
            else [],
        }

    def post(self, request, competition_id):
        if not permissions.can_open_judging(request.user, self.competition):
            messages.error(request, _("Judging opens once submissions close, and only once."))
            return self.back_to_dashboard()
        plan = services.open_judging(competition=self.competition)
        messages.success(
            request,
            _("Judging is open: %(count)d assignments made, every juror told.")
            % {"count": len(plan.pairs) if plan else 0},
        )
        return self.back_to_dashboard()


class RegenerateView(JudgingView):
    def post(self, request, competition_id):
        try:
            plan = services.generate_assignments(competition=self.competition, by=request.user)
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("%(count)d assignments made; %(short)d ideas short of reviews.")
                % {"count": len(plan.pairs), "short": len(plan.shortfall)},
            )
        return self.back_to_dashboard("assignments")


class AddAssignmentView(JudgingView):
    def post(self, request, competition_id):
        form = AssignmentForm(
            request.POST, competition=self.competition, jury=jurors_of(self.competition)
        )
        if form.is_valid():
            try:
                services.add_assignment(
                    idea=form.cleaned_data["idea"],
                    juror=form.cleaned_data["juror"],
                    by=request.user,
                )
            except ServiceError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("The assignment is added."))
        else:
            messages.error(request, _("Choose a juror and an idea."))
        return self.back_to_dashboard("assignments")


class RemoveAssignmentView(JudgingView):
    def post(self, request, competition_id, assignment_id):
        assignment = get_object_or_404(
            Assignment, pk=assignment_id, idea__competition=self.competition
        )
        try:
            services.remove_assignment(assignment=assignment, by=request.user)
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The assignment is removed."))
        return self.back_to_dashboard("assignments")


class ConflictView(JudgingView):
    def post(self, request, competition_id):
        competition = self.competition
        form = CoordinatorConflictForm(
            request.POST, competition=competition, jury=jurors_of(competition)
        )
        if form.is_valid():
            services.set_conflict(
                idea=form.cleaned_data["idea"],
                juror=form.cleaned_data["juror"],
                active=form.cleaned_data["active"],
                reason=form.cleaned_data["reason"],
                source=ConflictSource.COORDINATOR,
                by=request.user,
            )
            messages.success(request, _("The conflict of interest is changed and logged."))
            return self.back_to_dashboard("conflicts")
        context = dashboard_context(request, competition, conflict_form=form)
        return TemplateResponse(request, DashboardView.template_name, context, status=400)


class ExportView(JudgingView):
    def get(self, request, competition_id, table, file_format):
        build = {"ranking": export.ranking_table, "reviews": export.reviews_table}.get(table)
        if build is None or file_format not in ("csv", "xlsx"):
            raise Http404
        result = round_ranking(self.competition, order_by=order_by(request))
        headers, rows = build(self.competition, result)
        filename = f"{self.competition.slug}-{table}"
        audit.record(
            action=audit.EXPORTED,
            request=request,
            instance=self.competition,
            data={"table": table, "format": file_format, "round": self.competition.pk},
        )
        if file_format == "xlsx":
            return export.as_xlsx(headers, rows, filename)
        return export.as_csv(headers, rows, filename)
