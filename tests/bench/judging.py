"""Judging benchmarks: assignment, ranking from the database, and ranking quality.

Each timing is the median of REPEAT runs; the ranking is set beside a plain weighted-mean
GROUP BY over the same rows, timed in the same run, so that the ratio holds on a busy machine.
"""

import random
import statistics
import time
from collections import Counter
from collections.abc import Callable

import numpy as np
from django.db import transaction

from ideas.models import Idea, IdeaStatus, Team
from judging import services
from judging.assignment import plan_assignments
from judging.models import Assignment, ConflictOfInterest, JuryMember, Review, Score
from judging.ranking import OrderBy
from judging.scoreboard import plain_weighted_means, round_ranking
from tests.bench.synthetic import quality_of, synthetic_jury
from tests.factories import UserFactory, make_round, make_unit

REPEAT = 7
JURIES = 200


def median_time(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(first: Callable[[], object], second: Callable[[], object]):
    """Medians of the two actions timed alternately, after one warm-up run of each, so that a
    change in the machine's load between them shifts both alike."""
    first(), second()
    times_first, times_second = [], []
    for _ in range(REPEAT):
        for action, times in ((first, times_first), (second, times_second)):
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
    return statistics.median(times_first), statistics.median(times_second)


def report(label: str, value: str, target: str, met: bool) -> int:
    print(f"  {label:<58} {value:>22}   target {target:<14} {'ok' if met else 'MISSED'}")
    return 0 if met else 1


# --- data -------------------------------------------------------------------------------------


def build_round(n_ideas: int, n_jurors: int, *, criteria: int = 6, reviews_per_idea=None):
    """A round in judging with ``n_ideas`` submitted ideas (100 per team) and a jury."""
    competition = make_round(phase="judging", criteria=criteria, reviews_per_idea=reviews_per_idea)
    teams = []
    for _ in range(max(1, n_ideas // 100)):
        team = Team.objects.create(name=f"Team {len(teams)}")
        team.service_units.set([make_unit()])
        teams.append(team)
    Idea.objects.bulk_create(
        [
            Idea(
                competition=competition,
                team=teams[i % len(teams)],
                status=IdeaStatus.SUBMITTED,
                title=f"Idea {i}",
            )
            for i in range(n_ideas)
        ],
        batch_size=2000,
    )
    jurors = [UserFactory() for _ in range(n_jurors)]
    JuryMember.objects.bulk_create(
        [JuryMember(competition=competition, user=j, sort_order=n) for n, j in enumerate(jurors)]
    )
    ideas = list(competition.ideas.values_list("pk", flat=True))
    return competition, ideas, [j.pk for j in jurors]


def add_conflicts(ideas, jurors, share: float, seed: int) -> set[tuple[int, int]]:
    rng = random.Random(seed)
    pairs = {(j, i) for i in ideas for j in jurors if rng.random() < share}
    ConflictOfInterest.objects.bulk_create(
        [
            ConflictOfInterest(idea_id=i, juror_id=j, source="declared", reason="Bench.")
            for j, i in pairs
        ],
        batch_size=2000,
    )
    return pairs


def add_scores(competition, ideas, jurors, k, seed: int) -> int:
    """Submitted reviews of every assigned pair, a random score on every criterion."""
    plan = plan_assignments(ideas=ideas, jurors=jurors, conflicts=set(), k=k, seed=seed)
    assignments = Assignment.objects.bulk_create(
        [Assignment(juror_id=j, idea_id=i) for j, i in sorted(plan.pairs)], batch_size=5000
    )
    reviews = Review.objects.bulk_create(
        [Review(assignment=a, status="submitted") for a in assignments], batch_size=5000
    )
    criteria = list(competition.criteria.values_list("pk", flat=True))
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, size=(len(reviews), len(criteria)))
    batch = []
    for r, review in enumerate(reviews):
        for c, criterion in enumerate(criteria):
            batch.append(Score(review=review, criterion_id=criterion, value=int(values[r, c])))
        if len(batch) >= 20000:
            Score.objects.bulk_create(batch)
            batch = []
    Score.objects.bulk_create(batch)
    return len(reviews) * len(criteria)


# --- benchmarks -------------------------------------------------------------------------------


def bench_assignment(n_ideas: int, n_jurors: int, limit: float) -> int:
    with transaction.atomic():
        competition, ideas, jurors = build_round(n_ideas, n_jurors, reviews_per_idea=3)
        conflicts = add_conflicts(ideas, jurors, 0.05, seed=n_ideas)
    seconds = median_time(lambda: services.generate_assignments(competition=competition, by=None))
    pairs = set(
        Assignment.objects.filter(idea__competition=competition).values_list("juror_id", "idea_id")
    )
    per_idea = Counter(i for _, i in pairs)
    loads = Counter(j for j, _ in pairs)
    sound = (
        not pairs & conflicts
        and all(per_idea[i] == 3 for i in ideas)
        and max(loads[j] for j in jurors) - min(loads[j] for j in jurors) <= 1
    )
    label = f"assignment {n_ideas} ideas × {n_jurors} jurors, k=3, 5 % conflicts"
    failures = report(label, f"{seconds:.3f} s", f"≤ {limit:g} s", seconds <= limit)
    detail = (
        f"{len(conflicts)} conflicts, none assigned; every idea 3 jurors; "
        f"loads {min(loads.values())}–{max(loads.values())}"
    )
    return failures + report(f"  {detail}", "", "sound", sound)


def bench_ranking(n_ideas: int, n_jurors: int, k, limit: float) -> int:
    with transaction.atomic():
        competition, ideas, jurors = build_round(n_ideas, n_jurors, reviews_per_idea=k)
        scores = add_scores(competition, ideas, jurors, k, seed=n_ideas)
    ranking, plain = paired_medians(
        lambda: round_ranking(competition), lambda: plain_weighted_means(competition)
    )
    result = round_ranking(competition)
    assert len(result.ranking.ideas) == n_ideas and result.ranking.alpha is not None
    label = f"ranking {n_ideas} ideas × {n_jurors} jurors × 6 criteria ({scores:,} scores)"
    failures = report(label, f"{ranking:.3f} s", f"≤ {limit:g} s", ranking <= limit)
    ratio = ranking / plain
    return failures + report(
        "  beside a plain weighted-mean GROUP BY of the same rows",
        f"{plain:.3f} s, ratio {ratio:.2f}",
        "ratio ≤ 3",
        ratio <= 3,
    )


def bench_quality(ideas: int, *, targets: bool) -> int:
    normalised, mean = [], []
    for seed in range(JURIES):
        jury = synthetic_jury(seed, ideas=ideas)
        normalised.append(quality_of(jury, OrderBy.NORMALISED))
        mean.append(quality_of(jury, OrderBy.MEAN))
    rho = statistics.mean(q.spearman for q in normalised)
    top = statistics.mean(q.top_found for q in normalised)
    raw_rho = statistics.mean(q.spearman for q in mean)
    raw_top = statistics.mean(q.top_found for q in mean)
    label = f"quality, {JURIES} juries of 10, {ideas} ideas, 3 reviews each"
    print(f"  {label}")
    print(f"    raw mean:   Spearman {raw_rho:.3f}, true top 5 found {raw_top:.3f}")
    if not targets:
        print(f"    normalised: Spearman {rho:.3f}, true top 5 found {top:.3f}   (for reference)")
        return 0
    return report(
        "    normalised: Spearman with the true quality", f"{rho:.3f}", "≥ 0.92", rho >= 0.92
    ) + report("    normalised: share of the true top 5 found", f"{top:.3f}", "≥ 0.75", top >= 0.75)


def run() -> int:
    print(f"judging (medians of {REPEAT} runs)")
    failures = 0
    failures += bench_assignment(200, 20, limit=1)
    failures += bench_assignment(500, 50, limit=5)
    failures += bench_ranking(1000, 10, None, limit=0.3)
    failures += bench_ranking(10000, 50, 3, limit=1)
    failures += bench_quality(30, targets=True)
    for ideas in (60, 120):
        failures += bench_quality(ideas, targets=False)
    return failures
