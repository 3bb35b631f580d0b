"""How sure each rank is (rule 8 of the ranking): plain numbers, no database."""

import numpy as np

from judging.ranking import (
    CriterionScale,
    OrderBy,
    ScoreColumns,
    rank,
    rank_certainty,
)

PERCENT = {1: CriterionScale(weight=1, low=0, high=100)}


def test_rank_intervals_contain_the_true_rank_at_the_stated_level():
    from tests.bench.synthetic import CRITERIA, synthetic_jury

    inside, intervals = 0, 0
    for seed in range(20):
        jury = synthetic_jury(seed)
        ranking = rank(jury.scores, CRITERIA)
        certainty = rank_certainty(jury.scores, CRITERIA, ranking, resamples=100)
        assert certainty.level == 0.9 and certainty.order_by == OrderBy.CALIBRATED
        truth = np.array(sorted(jury.quality.values()), dtype=float)
        for row in certainty.ideas:
            true_rank = int((truth > jury.quality[row.idea]).sum()) + 1
            inside += row.rank_low <= true_rank <= row.rank_high
            intervals += 1
    assert inside / intervals >= 0.9


def clear_top_two_and_a_close_third():
    """Five jurors score eight ideas, each idea by four: ideas 1 and 2 clearly best, ideas 3
    and 4 a hair apart just below them, the rest well behind."""
    quality = {1: 90, 2: 80, 3: 60.5, 4: 60, 5: 40, 6: 35, 7: 30, 8: 25}
    rng = np.random.default_rng(4)
    rows = []
    for idea, q in quality.items():
        for juror in range(5):
            if (juror + idea) % 5:
                rows.append((len(rows) + 1, juror, idea, 1, q + rng.normal(0, 3)))
    return ScoreColumns.from_rows(rows)


def test_close_ideas_at_the_award_boundary_are_pointed_out():
    scores = clear_top_two_and_a_close_third()
    ranking = rank(scores, PERCENT)
    certainty = rank_certainty(scores, PERCENT, ranking, top=3)
    assert [row.idea for row in certainty.ideas] == [row.idea for row in ranking.ideas]
    by_idea = {row.idea: row for row in certainty.ideas}
    assert (by_idea[1].rank_low, by_idea[1].rank_high, by_idea[1].top_probability) == (1, 1, 1)
    assert by_idea[8].top_probability == 0 and by_idea[8].rank_low > 3
    third, fourth = ranking.ideas[2].idea, ranking.ideas[3].idea
    assert {third, fourth} == {3, 4}
    assert certainty.close_at_boundary == [(third, fourth)]
    assert 0.2 < by_idea[3].top_probability < 0.8
    assert by_idea[3].top_probability + by_idea[4].top_probability > 0.95


def test_rank_certainty_is_the_same_for_the_same_round_whatever_the_row_order():
    scores = clear_top_two_and_a_close_third()
    shuffled = np.random.default_rng(8).permutation(len(scores))
    reordered = ScoreColumns(
        *(getattr(scores, f)[shuffled] for f in ("review", "juror", "idea", "criterion", "value"))
    )
    first = rank_certainty(scores, PERCENT, rank(scores, PERCENT), resamples=50)
    second = rank_certainty(reordered, PERCENT, rank(reordered, PERCENT), resamples=50)
    assert first == second
    other_seed = rank_certainty(scores, PERCENT, rank(scores, PERCENT), resamples=50, seed=1)
    assert other_seed.ideas != first.ideas


def test_rank_certainty_follows_the_rankings_order():
    scores = clear_top_two_and_a_close_third()
    ranking = rank(scores, PERCENT, order_by=OrderBy.MEDIAN)
    certainty = rank_certainty(scores, PERCENT, ranking, resamples=50)
    assert certainty.order_by == OrderBy.MEDIAN
    assert certainty.ideas[0].idea == 1 and certainty.ideas[0].top_probability == 1


def test_no_scores_give_no_certainty():
    empty = ScoreColumns.from_rows([])
    certainty = rank_certainty(empty, PERCENT, rank(empty, PERCENT))
    assert certainty.ideas == [] and certainty.close_at_boundary == []


def test_ideas_tied_across_the_award_line_are_pointed_out():
    """Ideas 3 and 4 get identical reviews and share third place: the line falls between
    them, whatever their intervals."""
    rows = []
    for idea, values in {
        1: (95, 90, 92),
        2: (80, 70, 75),
        3: (60, 50, 58),
        4: (60, 50, 58),
        5: (30, 25, 20),
        6: (20, 15, 25),
    }.items():
        for juror, value in enumerate(values):
            rows.append((len(rows) + 1, juror, idea, 1, value))
    scores = ScoreColumns.from_rows(rows)
    ranking = rank(scores, PERCENT)
    assert [(r.idea, r.rank) for r in ranking.ideas][2:4] == [(3, 3), (4, 3)]
    certainty = rank_certainty(scores, PERCENT, ranking, top=3)
    assert certainty.close_at_boundary == [(3, 4)]
    assert certainty.ideas[0].top_probability == 1
