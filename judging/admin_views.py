"""The coordinator's judging pages in the Wagtail admin: the dashboard of a round, its
assignments and conflicts, the exports and the jury's decision."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Locale

from ideas.models import CompetitionPage, IdeaStatus, InnovationPage
from ideas.permissions import can_decide, can_publish_results, results_published
from ideas.services import ServiceError, publish_results

from . import charts, export, permissions, services
from .forms import AssignmentForm, CoordinatorConflictForm, DecisionForm
from .models import (
    Assignment,
    Award,
    AwardLevel,
    ConflictOfInterest,
    ConflictSource,
    ReviewStatus,
)
from .ranking import OrderBy
from .scoreboard import (
    display_name,
    entered_ideas,
    in_active_language,
    jurors_of,
    round_assignments,
    round_ranking,
)


def coordinator_only(view):
    def wrapped(request, *args, **kwargs):
        if not permissions.can_manage_judging(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def get_round(competition_id) -> CompetitionPage:
    competition = get_object_or_404(CompetitionPage, pk=competition_id)
    if competition.canonical().pk != competition.pk:
        raise Http404
    return competition


@coordinator_only
def rounds(request):
    """Every round, newest first, each with a link to its dashboard."""
    competitions = CompetitionPage.objects.filter(locale=Locale.get_default()).order_by("-opens_at")
    return TemplateResponse(request, "judging/admin/rounds.html", {"rounds": competitions})


def _order_by(request, default: OrderBy | None) -> OrderBy | None:
    try:
        return OrderBy(request.GET.get("order", ""))
    except ValueError:
        return default


def dashboard_context(request, competition) -> dict:
    order_by = _order_by(request, None)
    result = round_ranking(competition, order_by=order_by)
    ranking, criteria = result.ranking, in_active_language(result.criteria)
    jury = jurors_of(competition)
    assignments = round_assignments(competition)
    # Conflicted pairs count neither in a juror's progress nor in an idea's reviewers.
    live = [a for a in assignments if (a.juror_id, a.idea_id) not in result.conflicts]
    assigned = Counter(a.idea_id for a in live)
    total = Counter(a.juror_id for a in live)
    done = Counter(
        a.juror_id
        for a in live
        if getattr(a, "review", None) is not None and a.review.status == ReviewStatus.SUBMITTED
    )
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
        if permissions.judging_started(competition)
        else []
    )
    juror_results = {j.juror: j for j in ranking.jurors}
    ranked = [
        {
            "row": row,
            "title": titles.get(row.idea, ""),
            "criterion_means": [row.criterion_means.get(c.pk) for c in criteria],
            "chart": charts.criterion_bars(criteria, row.criterion_means),
        }
        for row in ranking.ideas
    ]
    reviewed = {row.idea for row in ranking.ideas}
    unreviewed = [idea for idea in ideas if idea.pk not in reviewed]
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
    conflicts = [
        {"row": row, "juror": display_name(row.juror)}
        for row in ConflictOfInterest.objects.filter(idea__competition=competition)
        .select_related("juror__profile", "idea")
        .order_by("-changed_at")
    ]
    return {
        "competition": competition,
        "phase": competition.phase.label,
        "submissions": len(ideas),
        "criteria": criteria,
        "ranking": ranking,
        "ranked": ranked,
        "unreviewed": unreviewed,
        "criterion_alpha": [(c, ranking.criterion_alpha.get(c.pk)) for c in criteria],
        "jurors": jurors,
        "shortfall": shortfall,
        "conflicts": conflicts,
        "conflicts_in_effect": sorted(
            (
                (display_name(m.user), titles[idea])
                for m in jury
                for (juror, idea) in result.conflicts
                if juror == m.user_id and idea in titles
            ),
        ),
        "order_choices": [
            (OrderBy.CALIBRATED, _("Calibrated (each juror's severity and scale fitted)")),
            (OrderBy.NORMALISED, _("Normalised (each juror's scale corrected)")),
            (OrderBy.MEAN, _("Mean")),
            (OrderBy.MEDIAN, _("Median")),
        ],
        "order_by": ranking.order_by,
        "assignment_form": AssignmentForm(competition=competition, jury=jury),
        "conflict_form": CoordinatorConflictForm(competition=competition, jury=jury),
        "assignments": [{"row": a, "juror": display_name(a.juror)} for a in assignments],
        "can_regenerate": permissions.judging_started(competition),
        "can_decide": can_decide(request.user, competition),
    }


@coordinator_only
def dashboard(request, competition_id):
    competition = get_round(competition_id)
    return TemplateResponse(
        request, "judging/admin/dashboard.html", dashboard_context(request, competition)
    )


@coordinator_only
@require_POST
def regenerate(request, competition_id):
    competition = get_round(competition_id)
    try:
        plan = services.generate_assignments(competition=competition, by=request.user)
    except ServiceError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(count)d assignments made; %(short)d ideas short of reviews.")
            % {"count": len(plan.pairs), "short": len(plan.shortfall)},
        )
    return redirect("judging_admin:dashboard", competition_id=competition.pk)


@coordinator_only
@require_POST
def add_assignment(request, competition_id):
    competition = get_round(competition_id)
    form = AssignmentForm(request.POST, competition=competition, jury=jurors_of(competition))
    if form.is_valid():
        try:
            services.add_assignment(
                idea=form.cleaned_data["idea"], juror=form.cleaned_data["juror"], by=request.user
            )
        except ServiceError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The assignment is added."))
    else:
        messages.error(request, _("Choose a juror and an idea."))
    return redirect("judging_admin:dashboard", competition_id=competition.pk)


@coordinator_only
@require_POST
def remove_assignment(request, competition_id, assignment_id):
    competition = get_round(competition_id)
    assignment = get_object_or_404(Assignment, pk=assignment_id, idea__competition=competition)
    try:
        services.remove_assignment(assignment=assignment, by=request.user)
    except ServiceError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The assignment is removed."))
    return redirect("judging_admin:dashboard", competition_id=competition.pk)


@coordinator_only
@require_POST
def change_conflict(request, competition_id):
    competition = get_round(competition_id)
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
        return redirect("judging_admin:dashboard", competition_id=competition.pk)
    context = dashboard_context(request, competition) | {"conflict_form": form}
    return TemplateResponse(request, "judging/admin/dashboard.html", context, status=400)


@coordinator_only
def export_file(request, competition_id, table, file_format):
    competition = get_round(competition_id)
    build = {"ranking": export.ranking_table, "reviews": export.reviews_table}.get(table)
    if build is None or file_format not in ("csv", "xlsx"):
        raise Http404
    result = round_ranking(competition, order_by=_order_by(request, None))
    headers, rows = build(competition, result)
    filename = f"{competition.slug}-{table}"
    if file_format == "xlsx":
        return export.as_xlsx(headers, rows, filename)
    return export.as_csv(headers, rows, filename)


@coordinator_only
def decision(request, competition_id):
    """One form per entered idea, in ranking order, beside the ranking's figures."""
    competition = get_round(competition_id)
    result = round_ranking(competition)
    criteria = in_active_language(result.criteria)
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

    def initial(pk):
        award = awards.get(pk)
        if award is None:
            return {}
        return {
            "level": award.level,
            "rationale": award.rationale,
            "criteria": [c.pk for c in award.criteria.all()],
            "feedback": award.feedback,
            "votes": award.votes,
        }

    data = request.POST if request.method == "POST" else None
    forms = [
        (
            ideas[pk],
            rows.get(pk),
            DecisionForm(data, prefix=str(pk), criteria=criteria, initial=initial(pk)),
        )
        for pk in order
    ]
    allowed = can_decide(request.user, competition)
    status = 200
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if all(form.is_valid() for _idea, _row, form in forms):
            entries = [
                services.DecisionEntry(
                    idea_id=idea.pk,
                    level=form.cleaned_data["level"],
                    rationale=form.cleaned_data["rationale"],
                    criteria=form.cleaned_data["criteria"],
                    feedback=form.cleaned_data["feedback"],
                    votes=form.cleaned_data["votes"],
                )
                for idea, _row, form in forms
            ]
            try:
                services.record_decision(competition=competition, entries=entries, by=request.user)
            except services.FieldErrors as refused:
                by_prefix = {form.prefix: form for _idea, _row, form in forms}
                for key, message in refused.errors.items():
                    prefix, field = key.split("-", 1)
                    by_prefix[prefix].add_error(field, message)
            else:
                messages.success(request, _("The jury's decision is recorded."))
                return redirect("judging_admin:decision", competition_id=competition.pk)
        messages.error(request, _("The decision was not recorded: see the messages below."))
        status = 400
    return TemplateResponse(
        request,
        "judging/admin/decision.html",
        {
            "competition": competition,
            "forms": forms,
            "allowed": allowed,
            "now": timezone.now(),
        },
        status=status,
    )


@coordinator_only
def results(request, competition_id):
    """Publishing the round's results, then drafting an innovation page for each award."""
    competition = get_round(competition_id)
    if request.method == "POST":
        if request.POST.get("action") == "publish":
            try:
                public = publish_results(competition=competition, by=request.user)
            except ServiceError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request,
                    _("The results are published.")
                    if public
                    else _("The results wait for a second coordinator's approval."),
                )
            return redirect("judging_admin:results", competition_id=competition.pk)
        idea = get_object_or_404(entered_ideas(competition), pk=request.POST.get("idea") or 0)
        try:
            page = services.create_innovation_page(idea=idea, by=request.user)
        except ServiceError as refused:
            messages.error(request, str(refused))
            return redirect("judging_admin:results", competition_id=competition.pk)
        messages.success(request, _("The innovation page is drafted: check it and publish it."))
        return redirect("wagtailadmin_pages:edit", page.pk)
    awarded = list(
        entered_ideas(competition).filter(status=IdeaStatus.AWARDED).select_related("award")
    )
    pages = {
        page.idea_id: page
        for page in InnovationPage.objects.filter(idea__in=awarded, locale_id=competition.locale_id)
    }
    order = {level: index for index, level in enumerate(AwardLevel.values)}
    awarded.sort(key=lambda idea: (order.get(idea.award.level, 99), idea.title))
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
