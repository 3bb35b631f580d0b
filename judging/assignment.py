"""Who reviews which idea: a pure function over ids, conflicts and the round's k.

Rules: never a conflicted pair; with ``k`` set, each idea gets ``k`` jurors, or every juror
without a conflict when fewer are left (the shortfall is reported); jurors' loads differ by at
most one whenever the conflicts allow it (an imbalance that no move can mend is reported).
Without ``k``, every juror reviews every idea they have no conflict with.

The method: ideas with the fewest eligible jurors are served first, each by the least-loaded
eligible jurors (ties broken by a seeded shuffle, so that the same seed gives the same
assignment); then single assignments move from the most- to the least-loaded juror while that
narrows the gap.
"""

import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field


@dataclass
class AssignmentPlan:
    pairs: set[tuple[int, int]]  # (juror, idea)
    shortfall: dict[int, int] = field(default_factory=dict)  # idea → reviews missing
    loads: dict[int, int] = field(default_factory=dict)  # juror → ideas
    balanced: bool = True

    @property
    def load_gap(self) -> int:
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


def plan_assignments(
    *,
    ideas: Iterable[int],
    jurors: Iterable[int],
    conflicts: Collection[tuple[int, int]],
    k: int | None,
    seed: int = 0,
) -> AssignmentPlan:
    """The assignment for one round. ``conflicts`` holds (juror, idea) pairs."""
    ideas, jurors = sorted(set(ideas)), sorted(set(jurors))
    conflicts = set(conflicts)
    eligible = {i: [j for j in jurors if (j, i) not in conflicts] for i in ideas}
    loads = dict.fromkeys(jurors, 0)
    pairs: set[tuple[int, int]] = set()
    shortfall: dict[int, int] = {}

    if k is None:
        for idea, candidates in eligible.items():
            for juror in candidates:
                pairs.add((juror, idea))
                loads[juror] += 1
        return AssignmentPlan(pairs, shortfall, loads, balanced=_gap(loads) <= 1)

    rng = random.Random(seed)
    tiebreak = {j: rng.random() for j in jurors}
    for idea in sorted(ideas, key=lambda i: (len(eligible[i]), i)):
        chosen = sorted(eligible[idea], key=lambda j: (loads[j], tiebreak[j]))[:k]
        for juror in chosen:
            pairs.add((juror, idea))
            loads[juror] += 1
        if len(chosen) < k:
            shortfall[idea] = k - len(chosen)

    _rebalance(pairs, loads, conflicts, ideas)
    return AssignmentPlan(pairs, shortfall, loads, balanced=_gap(loads) <= 1)


def _gap(loads: dict[int, int]) -> int:
    return max(loads.values()) - min(loads.values()) if loads else 0


def _rebalance(pairs, loads, conflicts, ideas) -> None:
    """Move single assignments from heavier to lighter jurors until no move narrows the gap."""
    ideas_of: dict[int, set[int]] = {j: set() for j in loads}
    for juror, idea in pairs:
        ideas_of[juror].add(idea)
    moved = True
    while moved and _gap(loads) > 1:
        moved = False
        heavy_first = sorted(loads, key=lambda j: (-loads[j], j))
        light_first = sorted(loads, key=lambda j: (loads[j], j))
        for heavy in heavy_first:
            for light in light_first:
                if loads[heavy] - loads[light] <= 1:
                    break
                idea = next(
                    (
                        i
                        for i in sorted(ideas_of[heavy])
                        if i not in ideas_of[light] and (light, i) not in conflicts
                    ),
                    None,
                )
                if idea is None:
                    continue
                pairs.discard((heavy, idea))
                pairs.add((light, idea))
                ideas_of[heavy].discard(idea)
                ideas_of[light].add(idea)
                loads[heavy] -= 1
                loads[light] += 1
                moved = True
                break
            if moved:
                break
