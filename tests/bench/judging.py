"""Judging benchmarks: assignment, ranking from the database, how sure its ranks are, and
ranking quality.

Each timing is the median of REPEAT runs; the ranking is set beside a plain weighted-mean
GROUP BY over the same rows, timed in the same run, so that the ratio holds on a busy machine.

Quality is measured on synthetic juries with a known truth (``tests.bench.synthetic``), every
estimator on the same juries: the raw mean, the z-score (normalised), the fitted juror model
(calibrated) and an oracle given each juror's true severity, gain and noise.
"""

import bisect
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable

import numpy as np
from django.db import transaction

from ideas.models import CompetitionPage, Idea, IdeaStatus, Team
from judging import services
from judging.assignment import plan_assignments
from judging.models import Assignment, ConflictOfInterest, JuryMember, Review, Score
from judging.ranking import rank, rank_certainty
from judging.ranking.certainty import RANK_LEVEL, RESAMPLES
from judging.scoreboard import (
    conflicted_pairs,
    criteria_of,
    plain_weighted_means,
    round_ranking,
    scales_of,
    score_columns,
)
from tests.bench.synthetic import (
    estimates,
    harder_jury,
    quality_of_scores,
    severities_learnt,
    synthetic_jury,
    truth_calibrated,
)
from tests.factories import UserFactory, make_round, make_unit, round_dates

REPEAT = 7
JURIES = 200
# Drawing 200 rounds and refitting each is slow at 10,000 ideas: fewer runs.
CERTAINTY_REPEAT = 3
COVERAGE_JURIES = 40


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
    failures += report(
        "  beside a plain weighted-mean GROUP BY of the same rows",
        f"{plain:.3f} s, ratio {ratio:.2f}",
        "ratio ≤ 3",
        ratio <= 3,
    )
    notes = ", ".join(result.ranking.notes) or "none"
    print(f"    ordered by {result.ranking.order_by}; juror model notes: {notes}")

    # How sure each rank is: a function of its own, timed on its own.
    columns = score_columns(
        competition, criteria_of(competition), conflicted_pairs(competition, jurors)
    )
    criteria = scales_of(criteria_of(competition))
    times = []
    for _ in range(CERTAINTY_REPEAT):
        start = time.perf_counter()
        rank_certainty(columns, criteria, rank(columns, criteria))
        times.append(time.perf_counter() - start)
    print(
        f"    rank intervals and top-3 chances ({RESAMPLES} drawn rounds), apart: "
        f"{statistics.median(times):.2f} s   (for reference)"
    )
    return failures


ESTIMATORS = (
    ("mean", "raw mean"),
    ("normalised", "z-score (normalised)"),
    ("calibrated", "fitted juror model"),
    ("oracle", "oracle (true severity, gain, noise)"),
)


def bench_quality(label: str, make: Callable[[int], object], *, goals: tuple[str, ...]) -> int:
    """Every estimator on the same JURIES juries, then the ``goals`` (keys of GOALS)."""
    found: dict[str, list] = {name: [] for name, _ in ESTIMATORS}
    found["severities"] = []
    found["learnt"] = []
    for seed in range(JURIES):
        jury = make(seed)
        scores = estimates(jury)
        scores["oracle"] = truth_calibrated(jury)
        scores["severities"] = truth_calibrated(jury, gains=False, weights=False)
        scores["learnt"] = severities_learnt(jury)
        for name, qualities in found.items():
            qualities.append(quality_of_scores(jury, scores[name]))
    rho = {name: statistics.mean(q.spearman for q in qs) for name, qs in found.items()}
    top = {name: statistics.mean(q.top_found for q in qs) for name, qs in found.items()}
    # The standard error of each estimator's mean difference from the oracle, jury by jury.
    se = {
        attribute: {
            name: paired_error(qualities, found["oracle"], attribute)
            for name, qualities in found.items()
        }
        for attribute in ("spearman", "top_found")
    }
    print(f"  quality, {JURIES} juries: {label}")
    for name, title in ESTIMATORS:
        print(f"    {title:<38} Spearman {rho[name]:.4f}, true top 5 found {top[name]:.3f}")
    print(
        f"    {'oracle given the true severities only':<38} Spearman {rho['severities']:.4f}, "
        f"true top 5 found {top['severities']:.3f}   (what the severities alone are worth)"
    )
    print(
        f"    {'oracle that must learn the severities':<38} Spearman {rho['learnt']:.4f}, "
        f"true top 5 found {top['learnt']:.3f}   (Bayes, true gains and noises: "
        f"{rho['learnt'] - rho['oracle']:+.4f} ± {se['spearman']['learnt']:.4f}, "
        f"{top['learnt'] - top['oracle']:+.3f} ± {se['top_found']['learnt']:.3f} beside the "
        "oracle)"
    )
    return sum(GOALS[goal](rho, top, se) for goal in goals)


def paired_error(found: list, oracle: list, attribute: str) -> float:
    """The standard error of the mean of ``found`` less ``oracle``, jury by jury."""
    differences = [
        getattr(a, attribute) - getattr(b, attribute) for a, b in zip(found, oracle, strict=True)
    ]
    return statistics.stdev(differences) / len(differences) ** 0.5


def normalised_goals(rho: dict, top: dict, se: dict) -> int:
    """The z-score's own targets, as before the juror model."""
    return report(
        "    z-score: Spearman with the true quality",
        f"{rho['normalised']:.3f}",
        "≥ 0.92",
        rho["normalised"] >= 0.92,
    ) + report(
        "    z-score: share of the true top 5 found",
        f"{top['normalised']:.3f}",
        "≥ 0.75",
        top["normalised"] >= 0.75,
    )


def oracle_goals(rho: dict, top: dict, se: dict) -> int:
    """The fitted model within 0.005 Spearman and 0.02 top-5 share of the oracle, and ahead of
    the z-score."""
    rho_gap, top_gap = rho["calibrated"] - rho["oracle"], top["calibrated"] - top["oracle"]
    rho_ahead = rho["calibrated"] - rho["normalised"]
    top_ahead = top["calibrated"] - top["normalised"]
    return (
        report(
            f"{MODEL}: Spearman beside the oracle",
            f"{rho_gap:+.4f} ± {se['spearman']['calibrated']:.4f}",
            "≥ -0.005",
            rho_gap >= -0.005,
        )
        + report(
            f"{MODEL}: top 5 found beside the oracle",
            f"{top_gap:+.3f} ± {se['top_found']['calibrated']:.3f}",
            "≥ -0.02",
            top_gap >= -0.02,
        )
        + report(f"{MODEL}: Spearman beside the z-score", f"{rho_ahead:+.4f}", "> 0", rho_ahead > 0)
        + report(
            f"{MODEL}: top 5 found beside the z-score", f"{top_ahead:+.3f}", "≥ 0", top_ahead >= 0
        )
    )


def mean_goals(rho: dict, top: dict, se: dict) -> int:
    """Every juror scored every idea: the fitted model no worse than the raw mean."""
    rho_ahead, top_ahead = rho["calibrated"] - rho["mean"], top["calibrated"] - top["mean"]
    return report(
        f"{MODEL}: Spearman beside the raw mean", f"{rho_ahead:+.4f}", "≥ 0", rho_ahead >= 0
    ) + report(
        f"{MODEL}: top 5 found beside the raw mean", f"{top_ahead:+.3f}", "≥ 0", top_ahead >= 0
    )


def oracle_gaps(rho: dict, top: dict, se: dict) -> int:
    """The fitted model beside the oracle, without a verdict: a measurement of why."""
    print(
        f"{MODEL} beside the oracle: Spearman {rho['calibrated'] - rho['oracle']:+.4f} "
        f"± {se['spearman']['calibrated']:.4f}, top 5 found "
        f"{top['calibrated'] - top['oracle']:+.3f} ± {se['top_found']['calibrated']:.3f}"
        "   (diagnostic, no target)"
    )
    return 0


MODEL = "    fitted juror model"
GOALS = {
    "normalised": normalised_goals,
    "oracle": oracle_goals,
    "mean": mean_goals,
    "gaps": oracle_gaps,
}


def bench_coverage(label: str, make: Callable[[int], object]) -> int:
    """The rank intervals at their stated level: how often they hold the true rank."""
    inside = intervals = 0
    for seed in range(COVERAGE_JURIES):
        jury = make(seed)
        certainty = rank_certainty(jury.scores, jury.criteria, rank(jury.scores, jury.criteria))
        truth = sorted(jury.quality.values())
        for row in certainty.ideas:
            true_rank = len(truth) - bisect.bisect_right(truth, jury.quality[row.idea]) + 1
            inside += row.rank_low <= true_rank <= row.rank_high
            intervals += 1
    share = inside / intervals
    print(f"  rank intervals, {COVERAGE_JURIES} juries, {RESAMPLES} drawn rounds each: {label}")
    return report(
        f"    {RANK_LEVEL:.0%} intervals holding the true rank",
        f"{share:.3f}",
        f"≥ {RANK_LEVEL:g}",
        share >= RANK_LEVEL,
    )


REPOSITORY = "3 of 10 jurors per idea, {ideas} ideas ({per_juror} reviews per juror)"
HARDER = (
    "5 of 12 jurors per idea, 60 ideas; 6 criteria on scales 0–3 to 1–10, weights 1–3; "
    "3 jurors squeeze to the middle; noise differs by juror; 15 % of reviews missing"
)


def bench_pages(n_ideas: int, n_jurors: int, limit: float) -> int:
    """The coordinator's dashboard and decision page and a juror's list, server time through
    Django's test client, with every juror's review of every idea submitted."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    with transaction.atomic():
        competition, ideas, jurors = build_round(n_ideas, n_jurors)
        scores = add_scores(competition, ideas, jurors, None, seed=n_ideas)
        coordinator = UserFactory()
        coordinator.groups.add(Group.objects.get(name="Coordinators"))
    juror = get_user_model().objects.get(pk=jurors[0])
    as_coordinator, as_juror = Client(), Client()
    as_coordinator.force_login(coordinator)
    as_juror.force_login(juror)
    pages = [
        ("dashboard", as_coordinator, f"/admin/judging/{competition.pk}/"),
        ("decision page", as_coordinator, f"/admin/judging/{competition.pk}/decision/"),
        ("juror's list", as_juror, f"/en/jury/{competition.pk}/"),
    ]
    CompetitionPage.objects.filter(pk=competition.pk).update(**round_dates("deliberation"))
    failures = 0
    for label, client, url in pages:
        assert client.get(url).status_code == 200, url
        seconds = median_time(lambda client=client, url=url: client.get(url))
        failures += report(
            f"{label}: {n_ideas} ideas × {n_jurors} jurors ({scores:,} scores)",
            f"{seconds:.3f} s",
            f"≤ {limit:g} s",
            seconds <= limit,
        )
    return failures


def bench_dashboard_certainty(n_ideas: int, n_jurors: int, k: int, limit: float) -> int:
    """The dashboard of a round whose jurors are calibrated, where the rank intervals refit the
    juror model in every drawn round: once they are in the cache (the target), and at the
    first view after a change, with the cache emptied before each run (for reference)."""
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.test import Client

    with transaction.atomic():
        competition, ideas, jurors = build_round(n_ideas, n_jurors, reviews_per_idea=k)
        scores = add_scores(competition, ideas, jurors, k, seed=n_ideas + 1)
        coordinator = UserFactory()
        coordinator.groups.add(Group.objects.get(name="Coordinators"))
    client = Client()
    client.force_login(coordinator)
    url = f"/admin/judging/{competition.pk}/"
    assert client.get(url).status_code == 200
    warm = median_time(lambda: client.get(url))

    def cold():
        cache.clear()
        client.get(url)

    first = median_time(cold)
    label = f"dashboard, calibrated: {n_ideas} ideas × {k} of {n_jurors} jurors ({scores:,} scores)"
    failures = report(label, f"{warm:.3f} s", f"≤ {limit:g} s", warm <= limit)
    print(
        f"    first view after a change (rank intervals drawn anew): {first:.3f} s"
        "   (for reference)"
    )
    return failures


def run() -> int:
    print(f"judging (medians of {REPEAT} runs)")
    failures = 0
    failures += bench_pages(200, 20, limit=0.5)
    failures += bench_dashboard_certainty(200, 20, 3, limit=0.5)
    failures += bench_assignment(200, 20, limit=1)
    failures += bench_assignment(500, 50, limit=5)
    failures += bench_ranking(1000, 10, None, limit=0.3)
    failures += bench_ranking(10000, 50, 3, limit=1)
    for ideas in (30, 60, 120):
        failures += bench_quality(
            REPOSITORY.format(ideas=ideas, per_juror=ideas * 3 // 10),
            lambda seed, ideas=ideas: synthetic_jury(seed, ideas=ideas),
            goals=("normalised", "oracle") if ideas == 30 else ("oracle",),
        )
    failures += bench_quality(
        "the juries of 30 ideas, each idea's 3 jurors drawn afresh (loads still balanced)",
        lambda seed: synthetic_jury(seed, ideas=30, mixed=True),
        goals=("gaps",),
    )
    failures += bench_quality(HARDER, harder_jury, goals=("oracle",))
    failures += bench_quality(
        "the harder design with 120 ideas (about 42 reviews per juror)",
        lambda seed: harder_jury(seed, ideas=120),
        goals=("gaps",),
    )
    failures += bench_quality(
        "every one of 5 jurors scores all 30 ideas",
        lambda seed: synthetic_jury(seed, ideas=30, jurors=5, k=None),
        goals=("mean",),
    )
    failures += bench_coverage("3 of 10, 40 ideas", lambda seed: synthetic_jury(seed))
    failures += bench_coverage("the harder design", harder_jury)
    return failures
