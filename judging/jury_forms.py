"""Forms of the jury: the coordinator adds people (chosen or by e-mail), the round editor's jury
rows, and the invited person's sign-up."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.forms import BaseChildFormSet

from .models import JuryRole
from .services import already_on_jury
from .widgets import UserChooserWidget


class ChooseJurorForm(forms.Form):
    """Someone with an account, found by searching their name or e-mail."""

    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=get_user_model().objects.filter(is_active=True),
        widget=UserChooserWidget,
        help_text=_("Search by name or e-mail address."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=JuryRole.choices, initial=JuryRole.MEMBER)


class InviteJurorForm(forms.Form):
    """Anyone, by name and e-mail: an account with the address joins at once, anyone else is
    invited."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        help_text=_("Someone without an account gets the invitation in this language."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=JuryRole.choices, initial=JuryRole.MEMBER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = translation.get_language()


class JurorSignUpForm(forms.Form):
    """The invited person's account: the address is the invitation's and is not asked for."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            person = get_user_model()(email=self.email, first_name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as weak:
                self.add_error("password1", weak)
        return cleaned


class JuryMemberFormSet(BaseChildFormSet):
    """The jury rows of the round's editor: a person chosen twice is refused on the later row,
    in a sentence naming them, instead of the formset's "duplicate data" message."""

    def validate_unique(self):
        seen = set()
        for form in self.forms:
            if not form.is_valid() or form in self.deleted_forms:
                continue
            user = form.cleaned_data.get("user")
            if user is None:
                continue
            if user.pk in seen:
                form.add_error("user", already_on_jury(user))
            seen.add(user.pk)
        super().validate_unique()
