from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from judging.criteria import default_criteria
from judging.models import Criterion
from tests.factories import make_round
from tests.ideas.test_competition_page import round_form_data, validation_errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "field_in_error", "message"),
    [
        ({"weight": Decimal("0")}, "weight", "The weight must be greater than zero."),
        ({"weight": Decimal("-1.5")}, "weight", "The weight must be greater than zero."),
        ({"scale_min": 5, "scale_max": 5}, "scale_max", "greater than the lowest score"),
        ({"scale_min": 7, "scale_max": 1}, "scale_max", "greater than the lowest score"),
    ],
)
def test_criterion_refuses_bad_weight_or_scale_on_the_field(fields, field_in_error, message):
    criterion = Criterion(name="Impact", **fields)

    with pytest.raises(ValidationError) as refused:
        criterion.clean()

    assert list(refused.value.message_dict) == [field_in_error]
    assert message in refused.value.message_dict[field_in_error][0]


@pytest.mark.parametrize(
    "fields",
    [{}, {"weight": Decimal("0.25")}, {"scale_min": 0, "scale_max": 10}, {"scale_min": -2}],
)
def test_criterion_accepts_positive_weight_and_ordered_scale(fields):
    assert validation_errors(Criterion(name="Impact", **fields)) == {}


def test_criterion_defaults_to_weight_one_on_one_to_five():
    criterion = Criterion(name="Impact")
    assert (criterion.weight, criterion.scale_min, criterion.scale_max) == (1, 1, 5)


@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "en",
            [
                "Target group",
                "Impact",
                "Streamlined service pathway",
                "Multi-professional cooperation",
                "Transferability",
                "Client focus",
            ],
        ),
        (
            "fi",
            [
                "Kohderyhmä",
                "Vaikuttavuus",
                "Sujuva palvelupolku",
                "Moniammatillinen yhteistyö",
                "Siirrettävyys",
                "Asiakaslähtöisyys",
            ],
        ),
        (
            "sv",
            [
                "Målgrupp",
                "Effekt",
                "Smidig servicekedja",
                "Multiprofessionellt samarbete",
                "Överförbarhet",
                "Klientfokus",
            ],
        ),
    ],
)
def test_default_criteria_in_the_rounds_language(language, names):
    criteria = default_criteria(language=language)

    assert [c.name for c in criteria] == names
    assert [c.sort_order for c in criteria] == list(range(6))
    assert all(c.description and c.lowest_means and c.highest_means for c in criteria)
    assert {(c.weight, c.scale_min, c.scale_max) for c in criteria} == {(1, 1, 5)}


@pytest.mark.parametrize(
    ("criterion", "field", "message"),
    [
        ({"weight": "0"}, "weight", "The weight must be greater than zero."),
        ({"scale_min": "5", "scale_max": "1"}, "scale_max", "greater than the lowest score"),
    ],
)
def test_editor_refuses_bad_criterion_with_message_on_the_field(
    client, coordinator, criterion, field, message
):
    from wagtail.test.utils.form_data import inline_formset

    competition = make_round(criteria=1)
    client.force_login(coordinator)
    row = {
        "id": str(competition.criteria.get().pk),
        "name": "Impact typed by the editor",
        "description": "",
        "lowest_means": "",
        "highest_means": "",
        "weight": "1",
        "scale_min": "1",
        "scale_max": "5",
    } | criterion
    data = round_form_data(
        title=competition.title,
        slug=competition.slug,
        criteria=inline_formset([row], initial=1),
    )

    response = client.post(f"/admin/pages/{competition.pk}/edit/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="Impact typed by the editor"' in html
    competition.criteria.get().refresh_from_db()
    assert competition.criteria.get().name == "Criterion 0"
