"""The ranking and all reviews of a round as CSV and XLSX.

In a blind round the files name no team, member or service unit: they are often handed to
the jury, so the ranking carries the answers to the round's questions a juror may read.
Every cell passes through ``neutralise`` so that no cell runs as a formula.
"""

import csv
import io
from collections import Counter

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ideas.export import neutralise
from ideas.models import Idea, QuestionKind
from ideas.permissions import answer_shown_to
from ideas.questions import answer_text, round_questions

from .models import Review, Score, ScoreChange
from .scoreboard import (
    RoundRanking,
    counted_reviews,
    display_name,
    in_active_language,
    round_certainty,
)


def _fmt(value: float | None) -> float | str:
    return "" if value is None else round(value, 3)


def ranking_table(competition, result: RoundRanking) -> tuple[list[str], list[list]]:
    ranking, criteria = result.ranking, in_active_language(result.criteria)
    ideas = Idea.objects.select_related("team").in_bulk([r.idea for r in ranking.ideas])
    show_teams = not competition.blind_judging
    headers = [_("Rank"), _("Idea id"), _("Title")]
    headers += [_("Team")] if show_teams else []
    headers += [_("Reviews"), _("Normalised"), _("Mean"), _("Median"), _("Spread")]
    headers += [_("Jurors disagree"), _("Jury votes")]
    certainty = round_certainty(competition, result)
    level = {"level": round(100 * certainty.level)}
    headers += [
        _("Chance of a top %(top)d place (0–1)") % {"top": certainty.top},
        _("Rank interval (%(level)d %%), from") % level,
        _("Rank interval (%(level)d %%), to") % level,
    ]
    headers += [c.name for c in criteria]
    sure = {row.idea: row for row in certainty.ideas}
    asked = [
        question
        for question in round_questions(competition, retired=True)
        # A file answer is a file, which a spreadsheet does not hold.
        if answer_shown_to("juror", question, blind=competition.blind_judging)
        and question.kind != QuestionKind.FILE
    ]
    headers += [question.label for question in asked]
    rows = []
    for row in ranking.ideas:
        line = [row.rank, row.idea, ideas[row.idea].title]
        line += [ideas[row.idea].team.name] if show_teams else []
        line += [row.reviews, _fmt(row.normalised), _fmt(row.mean), _fmt(row.median)]
        line += [_fmt(row.spread), _("yes") if row.disputed else "", row.votes or ""]
        line += [_fmt(sure[row.idea].top_probability), sure[row.idea].rank_low]
        line += [sure[row.idea].rank_high]
        line += [_fmt(row.criterion_means.get(c.pk)) for c in criteria]
        answers = ideas[row.idea].answers
        line += [answer_text(question, answers.get(question.key)) for question in asked]
        rows.append(line)
    return headers, rows


def reviews_table(competition, result: RoundRanking) -> tuple[list[str], list[list]]:
    """Every score of every review (drafts too, marked), with the juror and the change count."""
    scores = (
        Score.objects.filter(review__assignment__idea__competition=competition)
        .select_related(
            "review__assignment__juror__profile", "review__assignment__idea", "criterion"
        )
        .order_by(
            "review__assignment__idea_id", "review__assignment__juror_id", "criterion__sort_order"
        )
    )
    changes = Counter(
        ScoreChange.objects.filter(
            score__review__assignment__idea__competition=competition
        ).values_list("score_id", flat=True)
    )
    # The reviews the exported ranking counts: in a two-stage round, those of its stage.
    counted = set(
        Review.objects.filter(assignment__idea__competition=competition)
        .filter(counted_reviews(competition, result.stage))
        .values_list("pk", flat=True)
    )
    names = {c.pk: c.name for c in in_active_language(result.criteria)}
    stages = competition.two_stage
    headers = [
        _("Idea id"),
        _("Title"),
        _("Juror"),
        *([_("Stage")] if stages else []),
        _("Review status"),
        _("Counts in the ranking"),
        _("Criterion"),
        _("Score"),
        _("Comment"),
        _("Overall comment"),
        _("Changes after submitting"),
    ]
    rows = []
    for score in scores:
        review, assignment = score.review, score.review.assignment
        juror = assignment.juror
        counts = (
            review.status == "submitted"
            and review.pk in counted
            and (assignment.juror_id, assignment.idea_id) not in result.conflicts
        )
        rows.append(
            [
                assignment.idea_id,
                assignment.idea.title,
                display_name(juror),
                *([assignment.get_stage_display()] if stages else []),
                review.get_status_display(),
                _("yes") if counts else _("no"),
                names.get(score.criterion_id, score.criterion.name),
                "" if score.value is None else score.value,
                score.comment,
                review.overall_comment,
                changes[score.pk],
            ]
        )
    return headers, rows


def as_csv(headers: list, rows: list[list], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    for line in [headers, *rows]:
        writer.writerow([neutralise(str(cell)) for cell in line])
    return response


def as_xlsx(headers: list, rows: list[list], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append([str(h) for h in headers])
    for line in rows:
        sheet.append([neutralise(cell) for cell in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
