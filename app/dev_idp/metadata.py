"""Discovery, JWKS and userinfo: what a relying party reads, never what a browser sees."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from app.dev_idp.provider import DevIdp
from app.dev_idp.state import store_of
from app.dev_idp.tokens import userinfo
from app.web.deps import ClockDep

# Short, so a relying party that caches sees a new key soon after the key file is deleted.
CACHE_FIVE_MINUTES = {"Cache-Control": "max-age=300"}
NO_STORE = {"Cache-Control": "no-store"}


def routes(idp: DevIdp) -> APIRouter:
    router = APIRouter()

    @router.get("/dev-idp/{realm}/.well-known/openid-configuration", name="dev_idp_discovery")
    async def discovery(realm: str) -> JSONResponse:
        return JSONResponse(idp.config(realm).discovery(), headers=CACHE_FIVE_MINUTES)

    @router.get("/dev-idp/{realm}/jwks", name="dev_idp_jwks")
    async def jwks(realm: str) -> JSONResponse:
        key = idp.keys[idp.config(realm).realm]
        return JSONResponse({"keys": [key.public_jwk()]}, headers=CACHE_FIVE_MINUTES)

    # OIDC Core § 5.3.1: userinfo answers both GET and POST; the token is only read from the
    # Authorization header, so it never lands in a URL or a log.
    @router.api_route("/dev-idp/{realm}/userinfo", methods=["GET", "POST"], name="dev_idp_userinfo")
    async def user_info(realm: str, request: Request, clock: ClockDep) -> JSONResponse:
        config = idp.config(realm)
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = None
        if scheme.lower() == "bearer" and value:
            token = store_of(request).access_token(value.strip(), config.realm, clock.now())
        if token is None:
            return JSONResponse(
                {"error": "invalid_token", "error_description": "unknown or expired token"},
                status_code=401,
                headers={**NO_STORE, "WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(userinfo(idp, token), headers=NO_STORE)

    return router
