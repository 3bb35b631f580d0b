from django import forms
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea
from ideas.models.ideas import ENTERED_STATUSES

from .models import AwardLevel
from .scoreboard import display_name


def score_field(criterion) -> forms.TypedChoiceField:
    scale = range(criterion.scale_min, criterion.scale_max + 1)
    message = _("Choose a score from %(low)d to %(high)d.") % {
        "low": criterion.scale_min,
        "high": criterion.scale_max,
    }
    return forms.TypedChoiceField(
        label=criterion.name,
        choices=[(value, str(value)) for value in scale],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": message},
    )


class ReviewForm(forms.Form):
    """A score and a comment per criterion, and an overall comment. Completeness is the
    service's rule (a draft may be partial), so every field here is optional."""

    overall_comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = score_field(criterion)
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s” (optional)") % {"criterion": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """Each criterion with its score and comment fields, in the round's order."""
        for criterion in self.criteria:
            yield criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"]

    def values(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: I have worked closely with someone who may be in the team."),
    )


class AnyConflictForm(ConflictForm):
    """A conflict with any idea of the round, assigned to the juror or not."""

    idea = forms.ModelChoiceField(label=_("Idea"), queryset=Idea.objects.none())
    field_order = ["idea", "reason"]

    def __init__(self, *args, ideas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idea"].queryset = ideas


class JurorIdeaForm(forms.Form):
    """A juror of the round and one of its entered ideas; ``juror`` cleans to the user."""

    juror = forms.TypedChoiceField(label=_("Juror"), coerce=int)
    idea = forms.ModelChoiceField(label=_("Idea"), queryset=Idea.objects.none())

    def __init__(self, *args, competition, jury, **kwargs):
        super().__init__(*args, **kwargs)
        self.jurors = {member.user_id: member.user for member in jury}
        self.fields["juror"].choices = [(m.user_id, display_name(m.user)) for m in jury]
        self.fields["idea"].queryset = Idea.objects.filter(
            competition=competition, status__in=ENTERED_STATUSES
        )

    def clean_juror(self):
        return self.jurors[self.cleaned_data["juror"]]


class AssignmentForm(JurorIdeaForm):
    pass


class CoordinatorConflictForm(JurorIdeaForm):
    active = forms.TypedChoiceField(
        label=_("Change"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Set a conflict")), ("0", _("Lift the conflict"))],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    """The decision on one idea; the dashboard shows one per idea, prefixed by its id."""

    level = forms.ChoiceField(
        label=_("Award"),
        required=False,
        choices=[("", _("Not awarded"))] + list(AwardLevel.choices),
    )
    rationale = forms.CharField(
        label=_("The jury's rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an award: why the jury chose it, on which criteria."),
    )
    criteria = forms.TypedMultipleChoiceField(
        label=_("Criteria the decision rests on"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    feedback = forms.CharField(
        label=_("Feedback to the team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Released to the team when the results are published."),
    )
    votes = forms.IntegerField(label=_("Jury votes"), required=False, min_value=0)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [(c.pk, c.name) for c in criteria]
