"""Assignment is a pure function over ids: these tests need no database."""

import random
from collections import Counter

import pytest

from judging.assignment import plan_assignments


def random_conflicts(ideas, jurors, share, seed):
    rng = random.Random(seed)
    return {(j, i) for i in ideas for j in jurors if rng.random() < share}


def assert_sound(plan, ideas, jurors, conflicts, k):
    assert not plan.pairs & conflicts
    per_idea = Counter(idea for _, idea in plan.pairs)
    for idea in ideas:
        eligible = sum((j, idea) not in conflicts for j in jurors)
        expected = min(k, eligible)
        assert per_idea[idea] == expected
        assert plan.shortfall.get(idea, 0) == k - expected
    loads = Counter(juror for juror, _ in plan.pairs)
    assert {j: loads[j] for j in jurors} == plan.loads
    assert max(plan.loads.values()) - min(plan.loads.values()) <= 1
    assert plan.balanced


@pytest.mark.parametrize(
    ("n_ideas", "n_jurors", "k", "seed"),
    [(20, 5, 3, 1), (37, 7, 2, 2), (60, 10, 3, 3), (200, 20, 3, 4), (500, 50, 3, 5)],
)
def test_assignment_k_per_idea_no_conflicts_loads_within_one(n_ideas, n_jurors, k, seed):
    ideas, jurors = range(1, n_ideas + 1), range(1000, 1000 + n_jurors)
    conflicts = random_conflicts(ideas, jurors, 0.05, seed)
    plan = plan_assignments(ideas=ideas, jurors=jurors, conflicts=conflicts, k=k, seed=seed)
    assert_sound(plan, ideas, jurors, conflicts, k)
    assert plan.shortfall == {}


def test_assignment_reports_the_shortfall_when_k_cannot_be_met():
    ideas, jurors = [1, 2, 3, 4], [10, 11, 12]
    conflicts = {(10, 1), (11, 1)}  # idea 1 has one juror left for k = 2
    plan = plan_assignments(ideas=ideas, jurors=jurors, conflicts=conflicts, k=2)
    assert plan.shortfall == {1: 1}
    assert (12, 1) in plan.pairs
    assert_sound(plan, ideas, jurors, conflicts, 2)


def test_assignment_with_k_above_the_jury_size_gives_every_eligible_juror():
    plan = plan_assignments(ideas=[1, 2], jurors=[10, 11], conflicts={(10, 2)}, k=3)
    assert plan.pairs == {(10, 1), (11, 1), (11, 2)}
    assert plan.shortfall == {1: 1, 2: 2}


def test_every_juror_reviews_every_idea_without_k_except_conflicts():
    plan = plan_assignments(ideas=[1, 2, 3], jurors=[10, 11], conflicts={(11, 3)}, k=None)
    assert plan.pairs == {(10, 1), (10, 2), (10, 3), (11, 1), (11, 2)}
    assert plan.loads == {10: 3, 11: 2}


def test_imbalance_that_conflicts_force_is_reported():
    # Juror 11 may review only idea 1; every idea needs one juror.
    conflicts = {(11, 2), (11, 3), (11, 4)}
    plan = plan_assignments(ideas=[1, 2, 3, 4], jurors=[10, 11], conflicts=conflicts, k=1)
    assert not plan.pairs & conflicts
    assert plan.loads == {10: 3, 11: 1}
    assert not plan.balanced


def test_same_seed_same_assignment_other_seed_other_assignment():
    ideas, jurors = range(1, 41), range(100, 108)
    one = plan_assignments(ideas=ideas, jurors=jurors, conflicts=set(), k=3, seed=7)
    again = plan_assignments(ideas=ideas, jurors=jurors, conflicts=set(), k=3, seed=7)
    other = plan_assignments(ideas=ideas, jurors=jurors, conflicts=set(), k=3, seed=8)
    assert one.pairs == again.pairs
    assert one.pairs != other.pairs
