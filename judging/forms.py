from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea
from ideas.models.ideas import ENTERED_STATUSES

from .models import AwardLevel, MessageGroup
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


class AssignmentFilterForm(forms.Form):
    """The dashboard's assignments, narrowed to an idea, a juror or a review state."""

    STATES = [
        ("", _("Any state")),
        ("none", _("Not started")),
        ("draft", _("Draft")),
        ("submitted", _("Submitted")),
    ]

    idea = forms.TypedChoiceField(label=_("Idea"), required=False, coerce=int, empty_value=None)
    juror = forms.TypedChoiceField(label=_("Juror"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("Review"), required=False, choices=STATES)

    def __init__(self, *args, ideas, jury, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idea"].choices = [("", _("Any idea"))] + [(i.pk, i.title) for i in ideas]
        self.fields["juror"].choices = [("", _("Any juror"))] + [
            (m.user_id, display_name(m.user)) for m in jury
        ]

    def apply(self, assignments: list) -> list:
        idea, juror = self.cleaned_data["idea"], self.cleaned_data["juror"]
        state = self.cleaned_data["state"]

        def keep(assignment) -> bool:
            return (
                (idea is None or assignment.idea_id == idea)
                and (juror is None or assignment.juror_id == juror)
                and (not state or (assignment.state or "none") == state)
            )

        return [assignment for assignment in assignments if keep(assignment)]


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

    def __init__(self, *args, criteria, jury_size: int | None = None, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [(c.pk, c.name) for c in criteria]
        if jury_size is not None:
            self.fields["votes"].max_value = jury_size
            self.fields["votes"].validators.append(MaxValueValidator(jury_size))
            self.fields["votes"].help_text = _("From 0 to the jury's size, %(size)d.") % {
                "size": jury_size
            }
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class RoundMessageForm(forms.Form):
    """A message to a group of the round's people, in one or more languages."""

    group = forms.ChoiceField(label=_("To"), choices=MessageGroup.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"subject_{code}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": name},
                required=False,
                max_length=200,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    def clean(self):
        cleaned = super().clean()
        complete = 0
        for code, _name in settings.LANGUAGES:
            subject = cleaned.get(f"subject_{code}", "").strip()
            body = cleaned.get(f"body_{code}", "").strip()
            if subject and not body:
                self.add_error(f"body_{code}", _("Write the message, or leave the subject out."))
            elif body and not subject:
                self.add_error(f"subject_{code}", _("Give the message a subject."))
            elif subject and body:
                complete += 1
        if not complete and not self.errors:
            self.add_error(
                f"subject_{settings.LANGUAGE_CODE}",
                _("Write the subject and the message in at least one language."),
            )
        return cleaned

    def texts(self) -> dict:
        return {
            code: {
                "subject": self.cleaned_data[f"subject_{code}"],
                "body": self.cleaned_data[f"body_{code}"],
            }
            for code, _name in settings.LANGUAGES
            if self.cleaned_data[f"subject_{code}"].strip()
        }

    def groups_by_language(self):
        """The subject and message fields, a pair per language, for the template."""
        return [
            (name, self[f"subject_{code}"], self[f"body_{code}"])
            for code, name in settings.LANGUAGES
        ]


class ShortlistForm(forms.Form):
    """The shortlist: a checkbox per idea of the screening ranking. How many and which may be
    chosen is the service's rule (``services.choose_shortlist``)."""

    ideas = forms.TypedMultipleChoiceField(
        label=_("Shortlisted ideas"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ideas: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].choices = ideas


class MeetingVotesForm(forms.Form):
    """The votes of each idea at the jury's meeting: one number field per idea, named
    ``<idea>-votes`` as the service names its refusals."""

    def __init__(self, *args, ideas: list[tuple[int, str]], jury_size: int, **kwargs):
        super().__init__(*args, **kwargs)
        for pk, title in ideas:
            self.fields[f"{pk}-votes"] = forms.IntegerField(
                label=_("Votes for “%(title)s”") % {"title": title},
                required=False,
                min_value=0,
                max_value=jury_size,
            )

    def votes(self) -> dict[int, int | None]:
        return {int(name.split("-")[0]): value for name, value in self.cleaned_data.items()}
