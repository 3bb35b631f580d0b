"""The round's report for the organisation's management: its figures, read from the data.

Reads only. ``round_report`` gathers what the admin page and the PDF show: participation
(ideas, teams, people, units and professions, multi-unit teams, by service area and by client
group), the timeline, the jury and how far it agreed, the ranking as decided, the awards with
the jury's rationale, and the pilots of this and earlier rounds with their metrics to date.

Jurors are named only when the round was not judged blind, or when the coordinator asks for
the internal version: a blind round's jury stays a number and its agreement.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ideas.charts import MetricChart, figure, metric_chart
from ideas.models import (
    ClientGroup,
    CompetitionPage,
    InnovationPage,
    Membership,
    ServiceArea,
    ServiceUnit,
    Stage,
    Team,
)

from . import charts
from .models import Award, AwardLevel, Review, ReviewStatus
from .ranking import OrderBy
from .scoreboard import (
    display_name,
    entered_ideas,
    in_active_language,
    jurors_of,
    round_ranking,
)


@dataclass(frozen=True)
class Participation:
    ideas: int
    teams: int
    people: int
    units: int
    professions: int
    multi_unit_teams: int
    by_service_area: list[tuple[str, int]]  # (area's name, ideas); an idea counts in each area
    by_client_group: list[tuple[str, int]]  # (group's name, innovations of the round)
    unit_names: list[str]
    profession_names: list[str]


@dataclass(frozen=True)
class RankedIdea:
    rank: int | None
    title: str
    team: str
    score: float | None  # the score the ranking orders by (``RoundReport.ordered_by``)
    mean: float | None
    reviews: int
    disputed: bool
    award: str
    note: str = ""  # e.g. screened in a two-stage round but not shortlisted


@dataclass(frozen=True)
class AwardRow:
    level: str
    title: str
    team: str
    rationale: str
    criteria: list[str]


@dataclass(frozen=True)
class MetricRow:
    name: str
    baseline: str
    result: str
    period: str


@dataclass(frozen=True)
class Pilot:
    title: str
    round_title: str
    status: str
    metrics: list[MetricRow]
    chart: MetricChart | None


@dataclass(frozen=True)
class RoundReport:
    competition: CompetitionPage
    title: str
    internal: bool
    names_jurors: bool
    participation: Participation
    timeline: list[tuple[str, datetime | None]]
    jury_size: int
    juror_names: list[str]
    reviews: int
    alpha: float | None
    disputes: list[str]
    ranking: list[RankedIdea]
    ordered_by: str  # what orders the ranking, in words
    awards: list[AwardRow]
    pilots: list[Pilot]
    area_chart: charts.BarChart | None = None
    group_chart: charts.BarChart | None = None
    score_chart: charts.BarChart | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.participation.ideas == 0


def round_title(competition: CompetitionPage) -> str:
    """The round's title in the active language, where it has a translation."""
    return competition.reader_title


def participation(competition: CompetitionPage) -> Participation:
    """Who took part, over the round's entered ideas. An idea counts once in each service
    area its team's units belong to; client groups are those of the round's innovations, the
    only place the model records one."""
    ideas = list(entered_ideas(competition).values_list("pk", "team_id"))
    team_ids = sorted({team for _idea, team in ideas})
    members = Membership.objects.filter(team_id__in=team_ids)
    people = members.values("user_id").distinct().count()
    professions = sorted(
        {p.strip() for p in members.values_list("profession", flat=True) if p and p.strip()},
        key=str.casefold,
    )
    team_units = list(
        Team.service_units.through.objects.filter(team_id__in=team_ids).values_list(
            "team_id", "serviceunit_id", "serviceunit__service_area"
        )
    )
    units_of_team: dict[int, set[int]] = {}
    areas_of_team: dict[int, set[str]] = {}
    for team, unit, area in team_units:
        units_of_team.setdefault(team, set()).add(unit)
        areas_of_team.setdefault(team, set()).add(area)
    # The units' names in the active language (modeltranslation reads them off the model).
    involved = set().union(*units_of_team.values())
    unit_names = {u.pk: u.name for u in ServiceUnit.objects.filter(pk__in=involved)}
    by_area = Counter()
    for _idea, team in ideas:
        by_area.update(areas_of_team.get(team, ()))
    area_labels = dict(ServiceArea.choices)
    groups = Counter(
        InnovationPage.objects.child_of(competition)
        .exclude(client_group="")
        .values_list("client_group", flat=True)
    )
    group_labels = dict(ClientGroup.choices)
    return Participation(
        ideas=len(ideas),
        teams=len(team_ids),
        people=people,
        units=len(unit_names),
        professions=len(professions),
        multi_unit_teams=sum(1 for units in units_of_team.values() if len(units) > 1),
        by_service_area=[
            (str(area_labels.get(area, area)), count)
            for area, count in sorted(by_area.items(), key=lambda item: (-item[1], item[0]))
        ],
        by_client_group=[
            (str(group_labels.get(group, group)), count)
            for group, count in sorted(groups.items(), key=lambda item: (-item[1], item[0]))
        ],
        unit_names=sorted(unit_names.values(), key=str.casefold),
        profession_names=professions,
    )


def timeline(competition: CompetitionPage) -> list[tuple[str, datetime | None]]:
    screening = (
        [(_("Screening ended"), competition.screening_closes_at)] if competition.two_stage else []
    )
    return [
        (_("Submissions opened"), competition.opens_at),
        (_("Submission deadline"), competition.closes_at),
        *screening,
        (_("Judging ended"), competition.judging_closes_at),
        (_("Results published"), competition.results_published_at),
    ]


ORDERED_BY = {
    OrderBy.CALIBRATED: gettext_lazy(
        "Ordered by the calibrated score: each juror's severity and use of the scale taken out."
    ),
    OrderBy.NORMALISED: gettext_lazy(
        "Ordered by the normalised score: each juror's totals as z-scores."
    ),
    OrderBy.MEAN: gettext_lazy("Ordered by the mean score of the reviews."),
    OrderBy.MEDIAN: gettext_lazy("Ordered by the median score of the reviews."),
}


def pilots(competition: CompetitionPage) -> list[Pilot]:
    """The innovations of this round and the rounds before it, with their pilot's status and
    the metrics measured so far."""
    # The rounds in the order they opened, up to this one: an order, not a date compared.
    in_order = list(
        CompetitionPage.objects.filter(locale_id=competition.locale_id).order_by("opens_at", "pk")
    )
    upto = next((place for place, r in enumerate(in_order) if r.pk == competition.pk), -1)
    rounds = {r.pk: r for r in in_order[: upto + 1]}
    pages = []
    for page in (
        InnovationPage.objects.filter(locale_id=competition.locale_id)
        .prefetch_related("metrics")
        .order_by("path")
    ):
        parent = next((r for r in rounds.values() if page.path.startswith(r.path)), None)
        if parent is not None:
            pages.append((parent, page))
    order = {pk: place for place, pk in enumerate(rounds)}
    pages.sort(key=lambda pair: (-order[pair[0].pk], pair[1].title))
    statuses = dict(InnovationPage._meta.get_field("pilot_status").choices)
    result = []
    for parent, page in pages:
        metrics = list(page.metrics.all())
        result.append(
            Pilot(
                title=page.title,
                round_title=parent.reader_title,
                status=str(statuses.get(page.pilot_status, page.pilot_status or "")),
                metrics=[
                    MetricRow(
                        name=m.name,
                        baseline=figure(m.baseline, m.unit),
                        result=figure(m.result, m.unit),
                        period=m.period,
                    )
                    for m in metrics
                ],
                chart=metric_chart(metrics),
            )
        )
    return result


def round_report(competition: CompetitionPage, *, internal: bool = False) -> RoundReport:
    """The report's figures for ``competition`` (the round's own page), in the active language.

    ``internal``: name the jurors even when the round was judged blind."""
    names_jurors = internal or not competition.blind_judging
    part = participation(competition)
    result = round_ranking(competition)
    ranking = result.ranking
    ideas = {
        idea.pk: idea for idea in entered_ideas(competition).select_related("team").order_by("pk")
    }
    awards = {
        award.idea_id: award
        for award in Award.objects.filter(idea__competition=competition).prefetch_related(
            "criteria"
        )
    }
    levels = dict(AwardLevel.choices)
    criterion_names = {c.pk: c.name for c in in_active_language(result.criteria)}
    ranked_rows = []
    seen = set()
    for row in ranking.ideas:
        idea = ideas.get(row.idea)
        if idea is None:
            continue
        seen.add(row.idea)
        award = awards.get(row.idea)
        ranked_rows.append(
            RankedIdea(
                rank=row.rank,
                title=idea.title,
                team=idea.team.name,
                score=getattr(row, ranking.order_by.value),
                mean=row.mean,
                reviews=row.reviews,
                disputed=row.disputed,
                award=str(levels.get(award.level, "")) if award and award.level else "",
            )
        )
    # In a two-stage round the ideas left off the shortlist show their screening figures.
    screening = {}
    if competition.two_stage and any(pk not in seen for pk in ideas):
        screened = round_ranking(competition, stage=Stage.SCREENING).ranking
        screening = {row.idea: (row, screened.order_by) for row in screened.ideas}
    for pk, idea in ideas.items():
        if pk not in seen:
            award = awards.get(pk)
            row, order_by = screening.get(pk, (None, None))
            ranked_rows.append(
                RankedIdea(
                    rank=None,
                    title=idea.title,
                    team=idea.team.name,
                    score=getattr(row, order_by.value) if row else None,
                    mean=row.mean if row else None,
                    reviews=row.reviews if row else 0,
                    disputed=row.disputed if row else False,
                    award=str(levels.get(award.level, "")) if award and award.level else "",
                    note=str(_("screened, not shortlisted")) if row else "",
                )
            )
    order = {level: place for place, (level, _label) in enumerate(AwardLevel.choices)}
    award_rows = [
        AwardRow(
            level=str(levels[award.level]),
            title=ideas[pk].title,
            team=ideas[pk].team.name,
            rationale=award.rationale,
            criteria=[criterion_names.get(c.pk, c.name) for c in award.criteria.all()],
        )
        for pk, award in sorted(awards.items(), key=lambda item: order.get(item[1].level, 99))
        if award.level and pk in ideas
    ]
    jury = jurors_of(competition)
    reviews = Review.objects.filter(
        assignment__idea__in=entered_ideas(competition), status=ReviewStatus.SUBMITTED
    ).count()
    return RoundReport(
        competition=competition,
        title=round_title(competition),
        internal=internal,
        names_jurors=names_jurors,
        participation=part,
        timeline=timeline(competition),
        jury_size=len(jury),
        juror_names=[display_name(member.user) for member in jury] if names_jurors else [],
        reviews=reviews,
        alpha=ranking.alpha,
        disputes=[row.title for row in ranked_rows if row.disputed],
        ranking=ranked_rows,
        ordered_by=str(ORDERED_BY[ranking.order_by]),
        awards=award_rows,
        pilots=pilots(competition),
        area_chart=charts.count_bars(part.by_service_area),
        group_chart=charts.count_bars(part.by_client_group),
        score_chart=charts.score_bars(
            [(row.title, row.score) for row in ranked_rows if row.score is not None][:10],
            ranking.scale,
        ),
    )
