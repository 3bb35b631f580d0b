from django import forms
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .attachments import validate_attachment
from .models import Idea, Profile, QuestionKind, ServiceUnit
from .questions import Question
from .services import EDITABLE_FIELDS


def _limits(question: Question) -> str:
    """The help a question's field gives beyond the coordinator's own: its limits."""
    if question.kind == QuestionKind.LONG_TEXT and question.word_limit:
        return gettext("At most %(limit)d words.") % {"limit": question.word_limit}
    if question.kind != QuestionKind.NUMBER:
        return ""
    low, high = question.min_value, question.max_value
    values = {
        "min": formats.number_format(low.normalize()) if low is not None else "",
        "max": formats.number_format(high.normalize()) if high is not None else "",
        "unit": question.unit,
    }
    if low is not None and high is not None:
        text = gettext("A number from %(min)s to %(max)s.") % values
    elif low is not None:
        text = gettext("A number no smaller than %(min)s.") % values
    elif high is not None:
        text = gettext("A number no larger than %(max)s.") % values
    else:
        text = gettext("A number.")
    if question.unit:
        text += " " + gettext("Unit: %(unit)s.") % values
    return text


FILE_HELP = _("At most 10 MB: PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG or JPG.")


def answer_field(question: Question) -> forms.Field:
    """The field of one of the round's questions. Every one may be left empty or wrong in a
    draft: ``questions.check_answers`` refuses on submit, next to the field."""
    # The field template marks help text safe (Django's own help texts hold markup); the
    # coordinator's words are escaped here.
    help_text = " ".join(escape(part) for part in (question.help_text, _limits(question)) if part)
    options = {"label": question.label, "help_text": help_text, "required": False}
    kind = question.kind
    choices = [(str(place), label) for place, label in enumerate(question.choices)]
    if kind == QuestionKind.LONG_TEXT:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), **options)
    elif kind == QuestionKind.NUMBER:
        field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **options)
    elif kind == QuestionKind.SINGLE_CHOICE:
        field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        field = forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **options
        )
    elif kind == QuestionKind.YES_NO:
        yes_no = [("yes", gettext("Yes")), ("no", gettext("No"))]
        field = forms.ChoiceField(choices=yes_no, widget=forms.RadioSelect, **options)
    elif kind == QuestionKind.DATE:
        field = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **options)
    elif kind == QuestionKind.FILE:
        # Checked as every attachment is (``IdeaForm.clean``); stored with the idea's files.
        options["help_text"] = " ".join(
            part for part in (help_text, escape(str(FILE_HELP))) if part
        )
        field = forms.FileField(**options)
    else:
        field = forms.CharField(**options)
    field.question = question
    field.required_to_submit = question.required
    return field


class IdeaForm(forms.ModelForm):
    """The team's text. A save goes through ``services.save_idea`` with ``version``."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Idea
        fields = EDITABLE_FIELDS
        widgets = {
            field: forms.Textarea(attrs={"rows": 5})
            for field in EDITABLE_FIELDS
            if field not in {"title", "target_group_tags", "summary"}
        } | {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, required_fields=(), questions=(), field_settings=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The round may rename, explain or hide built-in fields; a hidden one keeps its text.
        for name, setting in (field_settings or {}).items():
            if name not in self.fields:
                continue
            if setting.hidden:
                del self.fields[name]
                continue
            if setting.label:
                self.fields[name].label = setting.label
            if setting.help_text:
                self.fields[name].help_text = escape(setting.help_text)
        # A draft may be incomplete; the round's required fields are marked, and checked on submit.
        for name in required_fields:
            if name in self.fields:
                self.fields[name].required_to_submit = True
        self.questions = list(questions)
        answers = self.instance.answers or {}
        for question in self.questions:
            self.fields[question.field_name] = answer_field(question)
            if question.kind != QuestionKind.FILE:
                self.initial.setdefault(question.field_name, answers.get(question.key, ""))

    def clean(self):
        cleaned = super().clean()
        # A file question's upload: refused on its field as an attachment would be.
        self.uploads = {}
        for question in self.questions:
            upload = (
                cleaned.get(question.field_name) if question.kind == QuestionKind.FILE else None
            )
            if not upload:
                continue
            try:
                self.uploads[question.key] = (upload, validate_attachment(upload))
            except forms.ValidationError as refused:
                self.add_error(question.field_name, refused)
        return cleaned

    def answers(self) -> dict:
        """What was typed for each of the round's questions, by the question's key; a file
        question's files are stored as attachments (``uploads``), not here."""
        return {
            question.key: self.cleaned_data.get(question.field_name, "")
            for question in self.questions
            if question.kind != QuestionKind.FILE
        }


class TeamEditForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=200)
    service_units = forms.ModelMultipleChoiceField(
        label=_("Service units"),
        queryset=ServiceUnit.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every unit the team comes from."),
    )


class TeamForm(TeamEditForm):
    profession = forms.CharField(label=_("Your profession"), max_length=120, required=False)


class InvitationForm(forms.Form):
    hide_required_marks = True  # one field: there is nothing else to tell it from
    email = forms.EmailField(label=_("Colleague's e-mail address"))


class AttachmentForm(forms.Form):
    hide_required_marks = True
    file = forms.FileField(
        label=_("Add a file"),
        help_text=_(
            "Up to 5 files of at most 10 MB: PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG or JPG."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = validate_attachment(upload)
        return upload


class StartIdeaForm(forms.Form):
    hide_required_marks = True
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["name", "service_unit", "profession", "language"]
