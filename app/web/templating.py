"""Jinja2 pages and fragments in nb, nn and en: one environment per language."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.clock import OSLO
from app.i18n import Language, language_of, translations
from app.web.csrf import attach_csrf_cookie, csrf_token
from app.web.form_fields import FORM_FIELD_GLOBALS
from app.web.htmx import mark_varies
from app.web.plan_words import plan_word_globals


def _route_formats(app: Any) -> dict[str, list[tuple[frozenset[str], str, Any]]]:
    """Each route name's path patterns, read once. Starlette's url_path_for walks every route
    and raises for each miss, 2-4 ms a call: too slow for a page with a link per item."""
    formats: dict[str, list[tuple[frozenset[str], str, Any]]] | None = getattr(
        app.state, "route_formats", None
    )
    if formats is None:
        formats = {}
        for route in _effective_routes(app.routes):
            name, path_format = getattr(route, "name", None), getattr(route, "path_format", None)
            params = getattr(route, "param_convertors", None)
            if name and path_format and params is not None and not hasattr(route, "routes"):
                formats.setdefault(name, []).append((frozenset(params), path_format, params))
        app.state.route_formats = formats
    return formats


def _effective_routes(routes: Any) -> Iterator[Any]:
    """The app's routes with included routers opened: FastAPI 0.16x keeps an included router as
    one entry whose effective routes carry the full path (prefix included)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            yield from contexts()
        else:
            yield route


def static_url(app: Any, path: str) -> str:
    """The URL of a static file, looked up once per file."""
    found: dict[str, str] | None = getattr(app.state, "static_urls", None)
    if found is None:
        found = app.state.static_urls = {}
    url = found.get(path)
    if url is None:
        url = found[path] = str(app.url_path_for("static", path=path))
    return url


def url_for_route(app: Any, name: str, params: Mapping[str, Any]) -> str:
    """app.url_path_for(name, **params), from the patterns read once."""
    wanted = frozenset(params)
    for names, path_format, convertors in _route_formats(app).get(name, ()):
        if names == wanted:
            values = {key: convertors[key].to_string(value) for key, value in params.items()}
            return str(path_format.format(**values))
    return str(app.url_path_for(name, **params))  # mounts (static files) and anything unusual


class Renderer:
    def __init__(self, templates_dir: Path) -> None:
        self._environments = {
            language: self._make_environment(templates_dir, language) for language in Language
        }

    def environment(self, language: Language) -> Environment:
        return self._environments[language]

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        block: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        language = language_of(request)
        template = self._environments[language].get_template(name)
        full_context = {**self._request_context(request, language), **(context or {})}
        if block is None:
            html = template.render(full_context)
        else:
            html = "".join(template.blocks[block](template.new_context(full_context)))
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        mark_varies(response)
        attach_csrf_cookie(request, response)
        return response

    def render_fragment(
        self, app: Any, language: Language, name: str, context: Mapping[str, Any]
    ) -> str:
        """A fragment outside a request (pushed over a websocket): the same template and
        language as the page, without the request's CSRF token and path."""

        def url(route: str, **path_params: Any) -> str:
            return url_for_route(app, route, path_params)

        def static(path: str) -> str:
            return static_url(app, path)

        template = self._environments[language].get_template(name)
        return template.render({"lang": language, "url": url, "static": static, **context})

    @staticmethod
    def _request_context(request: Request, language: Language) -> dict[str, Any]:
        def url(name: str, **path_params: Any) -> str:
            return url_for_route(request.app, name, path_params)

        def static(path: str) -> str:
            return static_url(request.app, path)

        return {
            "request": request,
            "lang": language,
            "languages": list(Language),
            "csrf_token": csrf_token(request),
            "url": url,
            "static": static,
            "current_path": request.url.path,
            "actor": getattr(request.state, "actor", None),
        }

    @staticmethod
    def _make_environment(templates_dir: Path, language: Language) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(templates_dir),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        catalogue = translations(language)
        environment.install_gettext_translations(  # type: ignore[attr-defined]
            catalogue, newstyle=True
        )
        locale = language.babel_locale

        def local_date(value: date, style: str = "long") -> str:
            return format_date(value, format=style, locale=locale)

        def local_datetime(value: datetime, style: str = "short") -> str:
            return format_datetime(value, format=style, tzinfo=OSLO, locale=locale)

        def file_size(size: int) -> str:
            """A file size as file choosers show it: 840 kB, 2,5 MB (en: 2.5 MB)."""
            if size < 1_048_576:
                return f"{format_decimal(max(1, round(size / 1024)), locale=locale)} kB"
            megabytes = round(size / 1_048_576, 1)
            return f"{format_decimal(megabytes, format='#,##0.#', locale=locale)} MB"

        environment.globals.update(FORM_FIELD_GLOBALS)
        environment.globals.update(plan_word_globals(catalogue.gettext))
        environment.filters["date"] = local_date
        environment.filters["datetime"] = local_datetime
        environment.filters["filesize"] = file_size
        return environment
