from django import forms
from django.utils.translation import gettext_lazy as _

from .attachments import validate_attachment
from .models import Idea, Profile, ServiceUnit
from .services import EDITABLE_FIELDS


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

    def __init__(self, *args, required_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A draft may be incomplete; the round's required fields are marked, and checked on submit.
        for name in required_fields:
            if name in self.fields:
                self.fields[name].required_to_submit = True


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
