"""Accounts for the browser tests: a user with a verified address, and signing in as them."""

from allauth.account.models import EmailAddress

from tests.factories import UserFactory

PASSWORD = "a-long-and-unusual-password-42"


def account(email: str, **fields):
    user = UserFactory(email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(page, email: str, language: str = "en") -> None:
    page.goto(f"/{language}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
