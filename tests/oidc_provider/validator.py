"""The test identity provider's claims and ID tokens, as the mode file says."""

import base64
import json
import time
from pathlib import Path

from django.conf import settings
from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator


def mode() -> str:
    return Path(settings.IDP_MODE_FILE).read_text().strip() or "signed"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class Validator(OAuth2Validator):
    # Every claim in the ID token and userinfo, whatever the scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "email": user.email,
            "email_verified": user.email not in settings.IDP_UNVERIFIED_EMAILS,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
        if mode() == "mfa":
            claims["amr"] = ["pwd", "mfa"]
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        issued = mode()
        if issued in ("signed", "mfa"):
            return signed
        claims = json.loads(jwt.JWT(jwt=signed, key=request.client.jwk_key).claims)
        if issued == "unsigned":
            return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
        if issued == "expired":
            claims |= {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
        elif issued == "other-audience":
            claims["aud"] = "another-service"
        elif issued == "foreign-key":
            other = jwk.JWK.generate(kty="RSA", size=2048)
            header = {"alg": "RS256", "typ": "JWT", "kid": request.client.jwk_key.thumbprint()}
            token = jwt.JWT(header=header, claims=claims)
            token.make_signed_token(other)
            return token.serialize()
        header = {"alg": "RS256", "typ": "JWT", "kid": request.client.jwk_key.thumbprint()}
        token = jwt.JWT(header=header, claims=claims)
        token.make_signed_token(request.client.jwk_key)
        return token.serialize()
