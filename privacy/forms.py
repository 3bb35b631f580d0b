from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmErasureForm(forms.Form):
    """The person confirms with their password, or, with no password (an account signed in
    through another service), their e-mail address."""

    secret = forms.CharField(strip=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        field = self.fields["secret"]
        if person.has_usable_password():
            field.label = _("Your password")
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
            field.help_text = _("Type your password to confirm that you want your account erased.")
        else:
            field.label = _("Your e-mail address")
            field.widget = forms.EmailInput(attrs={"autocomplete": "email"})
            field.help_text = _(
                "Type your e-mail address to confirm that you want your account erased."
            )

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if self.person.has_usable_password():
            if not self.person.check_password(secret):
                raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        elif secret.strip().lower() != (self.person.email or "").lower():
            raise forms.ValidationError(
                _("This is not the e-mail address of your account."), code="wrong_email"
            )
        return secret


class CoordinatorErasureForm(forms.Form):
    """A coordinator erases a person on their request: the reason is logged, the person's
    e-mail address typed again so that nobody is erased by a slip."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example the date and channel of the person's request. It is kept in the audit "
            "log: do not write the person's name or address here."
        ),
    )
    email = forms.CharField(
        label=_("The person's e-mail address"),
        help_text=_("Type the address of the account again to confirm."),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() != (self.person.email or "").lower():
            raise forms.ValidationError(
                _("This is not the address of the account being erased."), code="wrong_email"
            )
        return email
