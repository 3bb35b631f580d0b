"""The jury's ranking: from score rows to a ranked table, with the jury's agreement measured.

Pure: no database and no Django, so that every rule here is tested with plain numbers. The
input is one row per score, held as columns (NumPy arrays), because a round of 10,000 ideas
has 180,000 scores and one Python object per score would be the slowest part of the ranking.
Each rule's constants are named at the top of the module that applies it: ``table`` (rules
1–4 and 6) and ``agreement`` (5).

The rules, in the order they are applied:

1. Each score is rescaled to 0–1 by its criterion's scale, and each review gets the weighted
   mean of its rescaled scores (its *total*).
2. Per idea: the mean and the median of its reviews' totals, and the *spread* (highest total
   minus lowest).
3. Per juror: the mean and the standard deviation of the totals that juror gave. Each total
   becomes a z-score against its juror (a juror with no spread counts as spread 1), and is put
   back on the round's scale with the mean and standard deviation of all totals. A harsh and a
   lenient juror thus count the same. A juror with fewer than ``MIN_REVIEWS_TO_NORMALISE``
   reviews is flagged, and their totals are used as they are: a mean and a spread over so few
   ideas say more about the ideas than about the juror. The idea's *normalised* score is the
   mean of its reviews' normalised totals.
4. An idea is flagged as disputed when its spread is at least ``DISAGREEMENT_RANGE`` of the
   scale, or when one review lies more than ``DISAGREEMENT_SD`` standard deviations (of all the
   round's totals) from the mean of the idea's other reviews (when it has at least two others:
   between two reviews the range rule already speaks).
5. Krippendorff's alpha (interval metric) over ideas as units and jurors as coders, for the
   totals and for each criterion's scores; ideas with a single review are not pairable and are
   left out, as the coefficient prescribes. ``None`` when it is undefined (no pairable values
   or no variation at all).
6. The rank orders ideas by the chosen score, then by the fixed tie-break order: normalised
   score, median, the jury's recorded vote. Ideas equal on all of these share a rank ("1, 2, 2,
   4"); within a shared rank they are listed by idea id, which is not a ranking.

Scores are shown "on the round's scale": from the lowest ``low`` to the highest ``high`` of the
round's criteria (1–5 by default).
"""

from .agreement import krippendorff_alpha_interval
from .table import (
    CriterionScale,
    IdeaResult,
    JurorResult,
    OrderBy,
    Ranking,
    ScoreColumns,
    default_order,
    rank,
)

__all__ = [
    "CriterionScale",
    "IdeaResult",
    "JurorResult",
    "OrderBy",
    "Ranking",
    "ScoreColumns",
    "default_order",
    "krippendorff_alpha_interval",
    "rank",
]
