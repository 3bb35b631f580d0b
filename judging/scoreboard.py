"""The round's judging rows as the dashboard, the juror's list and the ranking read them.

Reads only; writes are in ``services``. Each function runs a fixed number of queries, whatever
the number of ideas, jurors or scores.
"""

import hashlib
from collections import defaultdict
from copy import deepcopy
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from home.former_people import is_former_person
from ideas.models import Idea, Membership, Profile, Stage, Team
from ideas.models.ideas import ENTERED_STATUSES

from .models import (
    Assignment,
    Award,
    ConflictOfInterest,
    Criterion,
    JuryMember,
    MeetingVote,
    Review,
    ReviewStatus,
    Score,
    ShortlistEntry,
)
from .ranking import (
    CriterionScale,
    OrderBy,
    RankCertainty,
    Ranking,
    ScoreColumns,
    rank,
    rank_certainty,
)
from .ranking.certainty import AWARDS, RANK_LEVEL, RESAMPLES

# The drawn rounds of ``round_certainty`` are kept this long for the same scores; a changed
# score, review, conflict, criterion or vote is another key, so this only bounds the memory.
CERTAINTY_CACHE_SECONDS = 24 * 60 * 60
# Part of the key: raise it when rule 4 or 8 of the ranking changes what the same scores give.
CERTAINTY_VERSION = 2


def display_name(user) -> str:
    """How the coordinator sees a person: the profile's name, else the username; an erased
    juror's reviews are a "former juror"'s."""
    if is_former_person(user):
        return _("Former juror")
    profile = getattr(user, "profile", None)
    return (profile.name if profile is not None and profile.name else "") or user.get_username()


def criteria_of(competition) -> list[Criterion]:
    return list(competition.criteria.order_by("sort_order", "pk"))


def in_active_language(criteria: list[Criterion]) -> list[Criterion]:
    """The round's criteria with their words in the active language where a translation
    exists. Scores belong to the round's own criteria: only the copies' texts change."""
    translations = {
        c.translation_key: c
        for c in Criterion.objects.filter(
            translation_key__in=[c.translation_key for c in criteria],
            locale__language_code=translation.get_language(),
        )
    }
    shown = []
    for criterion in criteria:
        words = translations.get(criterion.translation_key)
        copy = deepcopy(criterion)
        if words is not None:
            for field in ("name", "description", "lowest_means", "highest_means"):
                setattr(copy, field, getattr(words, field))
        shown.append(copy)
    return shown


def scales_of(criteria: list[Criterion]) -> dict[int, CriterionScale]:
    return {c.pk: CriterionScale(float(c.weight), c.scale_min, c.scale_max) for c in criteria}


def entered_ideas(competition):
    return Idea.objects.filter(competition=competition, status__in=ENTERED_STATUSES)


def jurors_of(competition) -> list[JuryMember]:
    return list(
        JuryMember.objects.filter(competition=competition)
        .select_related("user__profile")
        .order_by("sort_order", "pk")
    )


def automatic_pairs(competition, juror_ids: list[int], ideas=None) -> set[tuple[int, int]]:
    """(juror, idea) pairs the automatic rule conflicts: same team, or a shared service unit.

    Over the round's entered ideas, or over ``ideas`` (a QuerySet) when given.
    """
    if not juror_ids:
        return set()
    ideas = entered_ideas(competition) if ideas is None else ideas
    team_of = dict(ideas.values_list("pk", "team_id"))
    ideas_of_team = defaultdict(list)
    for idea, team in team_of.items():
        ideas_of_team[team].append(idea)
    pairs = set()
    members = Membership.objects.filter(team_id__in=ideas.values("team_id"), user_id__in=juror_ids)
    for user, team in members.values_list("user_id", "team_id"):
        pairs.update((user, idea) for idea in ideas_of_team[team])
    unit_of = dict(
        Profile.objects.filter(user_id__in=juror_ids, service_unit__isnull=False).values_list(
            "user_id", "service_unit_id"
        )
    )
    jurors_in_unit = defaultdict(list)
    for user, unit in unit_of.items():
        jurors_in_unit[unit].append(user)
    team_units = Team.service_units.through.objects.filter(
        team_id__in=ideas.values("team_id"), serviceunit_id__in=list(jurors_in_unit)
    ).values_list("team_id", "serviceunit_id")
    for team, unit in team_units:
        for user in jurors_in_unit[unit]:
            pairs.update((user, idea) for idea in ideas_of_team[team])
    return pairs


def unfinished_reviews(competition) -> dict[int, int]:
    """Per juror, how many of their assigned ideas in the round's current stage still lack a
    submitted review (conflicted pairs left out)."""
    pairs = Assignment.objects.filter(
        idea__in=entered_ideas(competition), stage=competition.stage
    ).exclude(review__status=ReviewStatus.SUBMITTED)
    rows = list(pairs.values_list("juror_id", "idea_id"))
    conflicted = conflicted_pairs(competition, sorted({juror for juror, _idea in rows}))
    unfinished = defaultdict(int)
    for pair in rows:
        if pair not in conflicted:
            unfinished[pair[0]] += 1
    return dict(unfinished)


def conflicted_pairs(competition, juror_ids: list[int]) -> set[tuple[int, int]]:
    """Every (juror, idea) pair in conflict: rows set by people override the automatic rule."""
    pairs = automatic_pairs(competition, juror_ids)
    rows = ConflictOfInterest.objects.filter(idea__competition=competition).values_list(
        "juror_id", "idea_id", "active"
    )
    for juror, idea, active in rows:
        if active:
            pairs.add((juror, idea))
        else:
            pairs.discard((juror, idea))
    return pairs


def _pair_keys(jurors: np.ndarray, ideas: np.ndarray) -> np.ndarray:
    return jurors.astype(np.int64) * (1 << 32) + ideas.astype(np.int64)


def _fetch(rows) -> np.ndarray:
    """A values_list query's rows straight from the cursor into an integer array."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        width = len(cursor.description)
        fetched = cursor.fetchall()
    flat = np.fromiter(chain.from_iterable(fetched), dtype=np.int64, count=len(fetched) * width)
    return flat.reshape(-1, width)


@dataclass(frozen=True)
class Packing:
    """How one review's scores fit one 62-bit integer: the score of criterion ``id`` sits at
    bit ``(id - first_id) * width`` as its place on the round's scale plus one (0: no score).
    Criteria of a round are created together, so their ids are close; when they are not, or
    the scale is too wide, the round is read unpacked."""

    first_id: int
    width: int
    low: int

    @classmethod
    def for_criteria(cls, criteria: list[Criterion]) -> "Packing | None":
        if not criteria:
            return None
        low = min(c.scale_min for c in criteria)
        width = (max(c.scale_max for c in criteria) - low + 1).bit_length()
        first, last = min(c.pk for c in criteria), max(c.pk for c in criteria)
        return cls(first, width, low) if (last - first + 1) * width <= 62 else None


def ranking_stage(competition) -> Stage:
    """The stage whose ranking the round shows now: the final one once a two-stage round's
    screening has closed."""
    return competition.stage


def counted_reviews(competition, stage: Stage | None, prefix: str = "") -> Q:
    """Which reviews a ranking of ``stage`` counts (None: every review). The final ranking
    counts the final stage's reviews, and the shortlisted ideas' screening reviews too when
    the round says so."""
    if stage is None:
        return Q()
    counted = Q(**{f"{prefix}assignment__stage": stage})
    if stage == Stage.FINAL:
        # Only the shortlist is judged in the final stage (``services.add_assignment``
        # refuses any other idea there); an older assignment is not counted either.
        counted &= Q(**{f"{prefix}assignment__idea__shortlist_entry__isnull": False})
    if stage == Stage.FINAL and competition.canonical().final_ranking_includes_screening:
        counted |= Q(
            **{
                f"{prefix}assignment__stage": Stage.SCREENING,
                f"{prefix}assignment__idea__shortlist_entry__isnull": False,
            }
        )
    return counted


def score_columns(
    competition,
    criteria: list[Criterion],
    exclude_pairs: set[tuple[int, int]],
    stage: Stage | None = None,
) -> ScoreColumns:
    """Every score of the round's submitted reviews, as columns, conflicted reviews left out.

    Carrying rows into Python is most of the time of ranking a large round, so the database
    packs each review's scores into one integer (a GROUP BY with one SUM of shifted values)
    and Python reads one row per review instead of one per score.
    """
    submitted = Review.objects.filter(
        assignment__idea__competition=competition,
        assignment__idea__status__in=ENTERED_STATUSES,
        status=ReviewStatus.SUBMITTED,
    ).filter(counted_reviews(competition, stage))
    packing = Packing.for_criteria(criteria)
    if packing is None:
        return _unpacked_columns(competition, submitted, exclude_pairs, stage)
    # Typed for PostgreSQL: it shifts a bigint by an integer, and sums bigints as numeric.
    place = Cast(F("scores__value") - packing.low + 1, BigIntegerField())
    offset = Cast((F("scores__criterion_id") - packing.first_id) * packing.width, IntegerField())
    packed = Coalesce(
        Cast(Sum(place.bitleftshift(offset)), BigIntegerField()),
        Value(0),
        output_field=BigIntegerField(),
    )
    reviews = _fetch(
        # values() first, so that the GROUP BY holds these three columns only.
        submitted.filter(scores__value__isnull=False)
        .values("pk", "assignment__juror_id", "assignment__idea_id")
        .annotate(packed=packed)
        .values_list("pk", "assignment__juror_id", "assignment__idea_id", "packed")
    )
    reviews = _without_pairs(reviews, exclude_pairs)
    ids = np.array(sorted(c.pk for c in criteria), dtype=np.int64)
    shifts = (ids - packing.first_id) * packing.width
    places = (reviews[:, 3:4] >> shifts) & ((1 << packing.width) - 1)
    scored = places > 0
    review_index, criterion_index = np.nonzero(scored)
    return ScoreColumns(
        reviews[review_index, 0],
        reviews[review_index, 1],
        reviews[review_index, 2],
        ids[criterion_index],
        (places[scored] - 1 + packing.low).astype(np.float64),
    )


def _without_pairs(reviews: np.ndarray, exclude_pairs: set[tuple[int, int]]) -> np.ndarray:
    if not exclude_pairs or not len(reviews):
        return reviews
    excluded = _pair_keys(
        np.array([j for j, _ in exclude_pairs]), np.array([i for _, i in exclude_pairs])
    )
    return reviews[~np.isin(_pair_keys(reviews[:, 1], reviews[:, 2]), excluded)]


def _unpacked_columns(competition, submitted, exclude_pairs, stage=None) -> ScoreColumns:
    reviews = _fetch(submitted.values_list("pk", "assignment__juror_id", "assignment__idea_id"))
    scores = _fetch(
        Score.objects.filter(
            review__assignment__idea__competition=competition,
            review__assignment__idea__status__in=ENTERED_STATUSES,
            review__status=ReviewStatus.SUBMITTED,
            value__isnull=False,
        )
        .filter(counted_reviews(competition, stage, prefix="review__"))
        .values_list("review_id", "criterion_id", "value")
    )
    reviews = _without_pairs(reviews, exclude_pairs)
    reviews = reviews[np.argsort(reviews[:, 0])]
    if not len(reviews):
        scores = scores[:0]
    position = np.minimum(np.searchsorted(reviews[:, 0], scores[:, 0]), max(len(reviews) - 1, 0))
    kept = reviews[position, 0] == scores[:, 0] if len(reviews) else np.zeros(0, dtype=bool)
    scores, position = scores[kept], position[kept]
    return ScoreColumns(
        scores[:, 0],
        reviews[position, 1],
        reviews[position, 2],
        scores[:, 1],
        scores[:, 2].astype(np.float64),
    )


@dataclass
class RoundRanking:
    ranking: Ranking
    criteria: list[Criterion]
    conflicts: set[tuple[int, int]]
    scores: ScoreColumns | None = field(default=None, repr=False)  # what was ranked
    stage: Stage | None = None


def recorded_votes(competition) -> dict[int, int]:
    """The jury's recorded vote per idea: the decision's, else the meeting's."""
    votes = dict(
        MeetingVote.objects.filter(idea__competition=competition).values_list("idea_id", "votes")
    )
    votes.update(
        Award.objects.filter(idea__competition=competition, votes__isnull=False).values_list(
            "idea_id", "votes"
        )
    )
    return votes


def round_ranking(
    competition, *, order_by: OrderBy | None = None, stage: Stage | None = None
) -> RoundRanking:
    """The ranking of a round from the database: the time ``make bench`` measures. Of the
    reviews of ``stage``; without it, of the stage the round is in (``ranking_stage``)."""
    criteria = criteria_of(competition)
    stage = stage or ranking_stage(competition)
    juror_ids = list(
        JuryMember.objects.filter(competition=competition).values_list("user_id", flat=True)
    )
    conflicts = conflicted_pairs(competition, juror_ids)
    scores = score_columns(competition, criteria, conflicts, stage)
    ranking = rank(
        scores, scales_of(criteria), order_by=order_by, votes=recorded_votes(competition)
    )
    return RoundRanking(ranking, criteria, conflicts, scores, stage)


def shortlisted_ideas(competition) -> list[int]:
    return list(
        ShortlistEntry.objects.filter(competition=competition).values_list("idea_id", flat=True)
    )


def screened_ideas(competition) -> set[int]:
    """The entered ideas with at least one submitted screening review."""
    return set(
        Review.objects.filter(
            assignment__idea__competition=competition,
            assignment__idea__status__in=ENTERED_STATUSES,
            assignment__stage=Stage.SCREENING,
            status=ReviewStatus.SUBMITTED,
        ).values_list("assignment__idea_id", flat=True)
    )


def award_places(competition) -> int:
    """Where the award line of the ranking lies: below rank ``AWARDS`` (one place per award
    level: winner, runner-up, honourable mention), lower when the round allows more winners."""
    return max(AWARDS, competition.winners_allowed)


def round_certainty(competition, result: RoundRanking | None = None) -> RankCertainty:
    """How sure each rank of the round's ranking is (rule 8 of the ranking), with the award
    line at ``award_places``; ``result`` is ``round_ranking`` of the round, read again when
    not given.

    Drawing the rounds takes about a second at a few hundred ideas when the jurors are
    calibrated, so the answer is kept in the cache under a key made of everything it depends
    on: the scores that count, the criteria's weights and scales, the ranking's order (which
    holds the jury's votes) and the award line. The same scores thus never draw twice, and
    any change is a new key: nothing is ever stale. No query beyond ``result``'s.
    """
    result = result or round_ranking(competition)
    top = award_places(competition)
    scores = result.scores
    if scores is None:
        scores = score_columns(competition, result.criteria, result.conflicts, result.stage)
    key = _certainty_key(competition, result, scores, top)
    certainty = cache.get(key)
    if certainty is None:
        certainty = rank_certainty(scores, scales_of(result.criteria), result.ranking, top=top)
        cache.set(key, certainty, CERTAINTY_CACHE_SECONDS)
    return certainty


def _certainty_key(competition, result: RoundRanking, scores: ScoreColumns, top: int) -> str:
    # The rows in one order, whatever order the database returned them in.
    order = np.lexsort((scores.criterion, scores.review))
    digest = hashlib.blake2b(digest_size=20)
    for column in (scores.review, scores.juror, scores.idea, scores.criterion, scores.value):
        digest.update(np.ascontiguousarray(column[order]).tobytes())
    scales = sorted((c.pk, str(c.weight), c.scale_min, c.scale_max) for c in result.criteria)
    ranks = [(row.idea, row.rank) for row in result.ranking.ideas]
    settings = (result.ranking.order_by.value, top, RESAMPLES, RANK_LEVEL, CERTAINTY_VERSION)
    digest.update(repr((scales, ranks, settings)).encode())
    return f"judging:certainty:{competition.pk}:{digest.hexdigest()}"


def plain_weighted_means(competition) -> dict[int, float]:
    """The baseline ``make bench`` sets beside the ranking: one weighted-mean GROUP BY."""
    rows = (
        Score.objects.filter(
            review__assignment__idea__competition=competition,
            review__status=ReviewStatus.SUBMITTED,
            value__isnull=False,
        )
        .values("review__assignment__idea_id")
        .annotate(
            total=Sum(F("value") * F("criterion__weight")) / Sum(F("criterion__weight")),
        )
        .values_list("review__assignment__idea_id", "total")
    )
    return dict(rows)


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One assignment, light: a round has thousands, and a page shows fifty."""

    pk: int
    juror_id: int
    idea_id: int
    state: str  # "" (not started), "draft" or "submitted"
    stage: str = Stage.SCREENING


def round_assignments(competition) -> list[AssignmentRow]:
    """Every assignment of the round's entered ideas, by idea, stage and juror."""
    rows = (
        Assignment.objects.filter(idea__competition=competition, idea__status__in=ENTERED_STATUSES)
        .order_by("idea_id", "-stage", "juror_id")
        .values_list("pk", "juror_id", "idea_id", "review__status", "stage")
    )
    return [
        AssignmentRow(pk, juror, idea, state or "", stage) for pk, juror, idea, state, stage in rows
    ]
