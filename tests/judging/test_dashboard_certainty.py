"""How sure each rank is, on the coordinator's dashboard and in the ranking exports, and what
the dashboard says when jurors could not be calibrated."""

import re

import pytest
from django.urls import reverse

from ideas.models import IdeaStatus
from judging.models import Score
from judging.ranking import jurors as juror_model
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
)
from tests.judging.test_dashboard import read_csv, read_xlsx

pytestmark = pytest.mark.django_db

# Three jurors score every idea (the same value on both criteria). "Tied one" and "Tied two"
# get identical reviews and share third place: the award line falls between them.
SCORES = {
    "Clear winner": (5, 5, 5),
    "Second": (4, 4, 3),
    "Tied one": (3, 2, 3),
    "Tied two": (3, 2, 3),
    "Fifth": (1, 2, 1),
    "Sixth": (1, 1, 2),
}


def tied_at_the_line(**fields):
    competition = make_round(phase="judging", criteria=2, **fields)
    jurors = [make_juror(competition) for _ in range(3)]
    ideas = {}
    for title, values in SCORES.items():
        idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=title)
        ideas[title] = idea
        for juror, value in zip(jurors, values, strict=True):
            make_review(make_assignment(juror, idea), value)
    return competition, ideas, jurors


def url(name, competition, *args):
    return reverse(f"judging_admin:{name}", args=[competition.pk, *args])


def ranking_rows(html: str) -> dict[str, list[str]]:
    """The ranking table's cells by idea title (the row's header cell)."""
    table = html[html.index('class="listing ranking-table"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        title = re.search(r'<th scope="row">(.*?)</th>', row)
        if title:
            rows[title.group(1)] = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    return rows


def test_dashboard_shows_each_ranks_certainty_and_the_tie_at_the_award_line(client, coordinator):
    competition, _ideas, _jurors = tied_at_the_line()
    client.force_login(coordinator)

    html = client.get(url("dashboard", competition)).content.decode()

    assert "Chance of a top 3 place" in html and "Rank interval (90 %)" in html
    rows = ranking_rows(html)
    # Columns: rank, reviews, calibrated, normalised, mean, median, spread, disputed, votes,
    # top-3 chance, rank interval, then the criteria.
    assert [rows["Clear winner"][0], rows["Clear winner"][9], rows["Clear winner"][10]] == [
        "1",
        "100 %",
        "1",
    ]
    assert rows["Tied one"][0] == rows["Tied two"][0] == "3"
    for title in ("Tied one", "Tied two"):
        low, high = (int(n) for n in rows[title][10].split("–"))
        assert low <= 3 < high  # each may fall on either side of the line
        assert 0 < int(rows[title][9].removesuffix(" %")) < 100
    assert int(rows["Sixth"][9].removesuffix(" %")) <= 5
    notice = html[html.index('id="award-line"') :]
    notice = notice[: notice.index("</div>")]
    assert "after rank 3" in notice
    assert "<li>Tied one and Tied two</li>" in notice
    assert "Clear winner" not in notice


def test_no_award_line_notice_when_the_line_is_clear(client, coordinator):
    competition, ideas, jurors = tied_at_the_line()
    # "Tied one" becomes clearly third.
    Score.objects.filter(review__assignment__idea=ideas["Tied one"]).update(value=4)
    Score.objects.filter(review__assignment__idea=ideas["Second"]).update(value=5)
    Score.objects.filter(review__assignment__idea=ideas["Tied two"]).update(value=1)
    client.force_login(coordinator)

    html = client.get(url("dashboard", competition)).content.decode()

    assert 'id="award-line"' not in html
    assert ranking_rows(html)["Tied one"][9] == "100 %"


def test_the_certainty_follows_a_changed_score_at_once(client, coordinator):
    competition, ideas, _jurors = tied_at_the_line()
    client.force_login(coordinator)
    assert (
        "<li>Tied one and Tied two</li>"
        in client.get(url("dashboard", competition)).content.decode()
    )

    Score.objects.filter(review__assignment__idea=ideas["Tied two"]).update(value=1)
    html = client.get(url("dashboard", competition)).content.decode()

    assert 'id="award-line"' not in html
    assert ranking_rows(html)["Tied two"][9] == "0 %"


def test_award_line_follows_the_number_of_winners_allowed(client, coordinator):
    competition, _ideas, _jurors = tied_at_the_line(winners_allowed=4)
    client.force_login(coordinator)
    html = client.get(url("dashboard", competition)).content.decode()
    assert "Chance of a top 4 place" in html
    assert 'id="award-line"' not in html  # the tie is now above the line


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_ranking_export_has_each_ranks_certainty(client, coordinator, file_format):
    competition, _ideas, _jurors = tied_at_the_line()
    client.force_login(coordinator)

    response = client.get(url("export", competition, "ranking", file_format))

    rows = read_csv(response) if file_format == "csv" else read_xlsx(response)
    headers = rows[0]
    chance = headers.index("Chance of a top 3 place (0–1)")
    low = headers.index("Rank interval (90 %), from")
    high = headers.index("Rank interval (90 %), to")
    by_title = {row[2]: row for row in rows[1:]}
    winner = by_title["Clear winner"]
    assert (float(winner[chance]), int(winner[low]), int(winner[high])) == (1.0, 1, 1)
    for title in ("Tied one", "Tied two"):
        row = by_title[title]
        assert 0 < float(row[chance]) < 1 and int(row[low]) <= 3 < int(row[high])


def test_ranking_export_headers_are_translated(client, coordinator):
    competition, _ideas, _jurors = tied_at_the_line()
    client.force_login(coordinator)
    response = client.get(
        url("export", competition, "ranking", "csv"), headers={"accept-language": "fi"}
    )
    headers = read_csv(response)[0]
    assert "Todennäköisyys sijoittua 3 parhaan joukkoon (0–1)" in headers
    assert "Sijaväli (90 %), ylin sija" in headers and "Sijaväli (90 %), alin sija" in headers


# --- jurors the model could not calibrate -----------------------------------------------------


def test_dashboard_names_a_disconnected_juror_and_still_ranks_every_idea(client, coordinator):
    competition = make_round(phase="judging", criteria=1)
    pair = [make_juror(competition) for _ in range(2)]
    alone = make_juror(competition, UserFactory(username="lone-juror"))
    for i, values in enumerate([(5, 4), (4, 4), (3, 2), (2, 1)]):
        idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=f"Shared {i}")
        for juror, value in zip(pair, values, strict=True):
            make_review(make_assignment(juror, idea), value)
    # Nobody else reviewed what the lone juror reviewed.
    for title, value in (("Alone high", 5), ("Alone low", 2)):
        idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=title)
        make_review(make_assignment(alone, idea), value)
    client.force_login(coordinator)

    html = client.get(url("dashboard", competition)).content.decode()

    assert "Some jurors share no idea with the rest of the jury" in html
    assert "Totals used as given: lone-juror" in html
    # What the calibrated score is, in words: pulled towards the mean when little is known.
    assert "known from few, noisy or cautious reviews is pulled towards the round" in html
    rows = ranking_rows(html)
    assert set(rows) == {"Shared 0", "Shared 1", "Shared 2", "Shared 3", "Alone high", "Alone low"}
    assert rows["Alone high"][2] == "5.00"  # calibrated: the lone juror's total as given


def test_dashboard_says_when_the_fit_does_not_converge_and_still_ranks(
    client, coordinator, monkeypatch
):
    competition = make_round(phase="judging", criteria=2)
    jurors = [make_juror(competition, UserFactory(username=f"juror-{j}")) for j in range(3)]
    scores = [(5, 3), (4, 2), (2, 4), (3, 1), (1, 3), (4, 5)]
    for i, values in enumerate(scores):
        idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=f"Idea {i}")
        for offset, value in enumerate(values):
            juror = jurors[(i + offset) % 3]
            make_review(make_assignment(juror, idea), value)
    monkeypatch.setattr(juror_model, "MAX_ITERATIONS", 1)
    client.force_login(coordinator)

    html = client.get(url("dashboard", competition)).content.decode()

    assert "could not be fitted for this round: the calibrated score is the plain mean" in html
    assert "Totals used as given: juror-0, juror-1, juror-2" in html
    rows = ranking_rows(html)
    assert len(rows) == 6
    assert all(row[2] == row[4] for row in rows.values())  # calibrated = mean


def test_dashboard_flags_a_juror_whose_scores_fit_poorly(client, coordinator):
    competition = make_round(phase="judging", criteria=1)
    agreeing = [make_juror(competition) for _ in range(3)]
    contrary = make_juror(competition, UserFactory(username="contrary-juror"))
    for i, value in enumerate([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]):
        idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=f"Idea {i}")
        for offset, juror in enumerate(agreeing):
            make_review(make_assignment(juror, idea), max(1, value - (offset + i) % 2))
        make_review(make_assignment(contrary, idea), 6 - value)  # the order reversed
    client.force_login(coordinator)

    html = client.get(url("dashboard", competition)).content.decode()

    progress = html[html.index('id="progress-heading"') : html.index('id="ranking"')]
    rows = re.findall(r"<tr>(.*?)</tr>", progress, flags=re.S)
    flagged = [row for row in rows if "Fits the jury's model poorly" in row]
    assert len(flagged) == 1 and "contrary-juror" in flagged[0]
