"""Run the test identity provider: ``python -m tests.oidc_provider.serve PORT`` with
``DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings`` and its environment. Creates its
database, the relying party (IDP_CLIENT JSON) and users (IDP_PEOPLE JSON), then serves."""

import json
import os
import sys

import django
from django.core.management import call_command


def main(port: str) -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    client = json.loads(os.environ["IDP_CLIENT"])
    Application.objects.create(
        name="Ideatori",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        redirect_uris=" ".join(client["redirect_uris"]),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for person in json.loads(os.environ["IDP_PEOPLE"]):
        get_user_model().objects.create_user(
            username=person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(sys.argv[1])
