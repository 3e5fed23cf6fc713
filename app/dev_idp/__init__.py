"""The built-in development OpenID Provider: TestID for citizens, a HelseID look-alike for staff.

In development and tests it stands in for ID-porten and the employee provider, and the portal
talks to it over real HTTP like to any provider. Two realms, `citizen` and `employee`, each
with issuer `{base_url}/dev-idp/{realm}` and one registered client, `samplan`.

    build_router(settings)       the /dev-idp routes; refuses to exist in production
    dev_client_secret(settings)  the registered client's secret (derived from the secret key)

Modules: clients (realms, client registration, discovery), keys (RSA keys on disk, JWS),
provider (the DevIdp object), authorize (request checks), login (authorize endpoint and page),
personas (who can log in), token_endpoint, tokens (id_token and userinfo claims),
metadata (discovery, JWKS, userinfo), logout (end_session and front-channel logout),
state (in-memory codes, sessions, access tokens), browser (SSO cookie, language),
faults (test fault knobs, with the table of what each one breaks).
"""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.providers import dev_client_secret
from app.dev_idp import login, logout, metadata, token_endpoint
from app.dev_idp.provider import DevIdp
from app.settings import Settings

PRODUCTION_REFUSAL = "the built-in identity provider never runs in production"


def build_router(settings: Settings) -> APIRouter:
    """The provider's routes, all under /dev-idp; keys are loaded (or made) here, once."""
    if settings.is_production:
        raise RuntimeError(PRODUCTION_REFUSAL)
    idp = DevIdp.start(settings)
    # Kept out of the OpenAPI schema: it is not part of Samplan's API.
    router = APIRouter(include_in_schema=False)
    router.include_router(metadata.routes(idp))
    router.include_router(login.routes(idp))
    router.include_router(token_endpoint.routes(idp))
    router.include_router(logout.routes(idp))
    return router


__all__ = ["build_router", "dev_client_secret"]
