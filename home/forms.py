"""How the site's own forms are drawn (allauth's and the admin's have their own templates)."""

from allauth.account import forms as allauth_forms
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from .permissions import must_use_sso
from .sso import sso_required


class SiteFormRenderer(DjangoTemplates):
    """A field as ``forms/field.html``: its label above it, then its help text and errors,
    which Django ties to the input with ``aria-describedby``; a required field marked with
    an asterisk that the form's note explains once."""

    field_template_name = "forms/field.html"


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form, refusing a password sign-in by a juror or coordinator whom the
    site settings send to the organisation's sign-in."""

    def clean(self):
        cleaned_data = super().clean()
        user = getattr(self, "user", None)
        if user is not None and must_use_sso(user, sso_required=sso_required(self.request)):
            self.user = None
            raise forms.ValidationError(
                _(
                    "Jurors and coordinators sign in with the organisation's sign-in. Use the "
                    "button for it below instead of a password."
                ),
                code="sso_required",
            )
        return cleaned_data
