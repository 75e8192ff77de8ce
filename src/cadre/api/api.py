"""The Cadre API: one ``NinjaAPI`` mounted at ``/api/v1/``.

Authentication is the Django session (``django_auth``): a logged-in browser, or a client
that logged in through the login page, with the CSRF token in ``X-CSRFToken`` for unsafe
methods. Personal access tokens come in a later issue.

Errors, the same shape everywhere:

- 400 (a business rule refused the request) and 422 (the request is malformed):
  ``{"detail": [{"loc": ["body", "name"], "msg": "...", "type": "..."}]}``, one item per
  problem; ``loc`` names the field or parameter, or is ``["body"]`` for the whole request;
- 401 (not logged in), 403 (may see but not do) and 404 (not there, or not for this caller):
  ``{"detail": "..."}``.

The interactive docs are off: django-ninja serves Swagger UI from a CDN unless ``ninja`` is
an installed app, and nothing may come from a CDN. The OpenAPI document is at
``/api/v1/openapi.json``.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from cadre.api.certification import router as certification_router
from cadre.api.enrolments import router as enrolments_router
from cadre.api.feedback import router as feedback_router
from cadre.api.goals import router as goals_router
from cadre.api.matching import router as matching_router
from cadre.api.notes import router as notes_router
from cadre.api.programmes import router as programmes_router
from cadre.api.relationships import router as relationships_router
from cadre.api.sessions import router as sessions_router
from cadre.api.suggestions import router as suggestions_router
from cadre.coaching.rules import CoachingError
from cadre.feedback.services import FeedbackError
from cadre.programs.services import EnrolmentError, ProgrammeError

api = NinjaAPI(
    title="Cadre API",
    version="1",
    description=(
        "Programmes, enrolments, certification status, and coaching goals and actions. "
        "See docs/api.md."
    ),
    urls_namespace="api",
    auth=django_auth,
    docs_url=None,
)
api.add_router("/programmes", programmes_router)
api.add_router("/", enrolments_router)
api.add_router("/certification", certification_router)
api.add_router("/", goals_router)
api.add_router("/", notes_router)
api.add_router("/", sessions_router)
api.add_router("/relationships", relationships_router)
api.add_router("/suggestions", suggestions_router)
api.add_router("/matching", matching_router)
api.add_router("/", feedback_router)


def _problems(request: HttpRequest, items: list[dict[str, object]]) -> HttpResponse:
    return api.create_response(request, {"detail": items}, status=400)


@api.exception_handler(ProgrammeError)
def programme_refused(request: HttpRequest, exc: ProgrammeError) -> HttpResponse:
    return _problems(request, [{"loc": ["body"], "msg": str(exc), "type": "refused"}])


@api.exception_handler(EnrolmentError)
def enrolment_refused(request: HttpRequest, exc: EnrolmentError) -> HttpResponse:
    items: list[dict[str, object]] = [
        {"loc": ["body"], "msg": message, "type": "refused"} for message in exc.messages
    ]
    return _problems(request, items)


@api.exception_handler(CoachingError)
def coaching_refused(request: HttpRequest, exc: CoachingError) -> HttpResponse:
    return _problems(request, [{"loc": ["body"], "msg": str(exc), "type": "refused"}])


@api.exception_handler(FeedbackError)
def feedback_refused(request: HttpRequest, exc: FeedbackError) -> HttpResponse:
    """One item per question at fault (``["body", "answers", "<key>"]``), else the reason."""
    items: list[dict[str, object]] = [
        {"loc": ["body", "answers", key], "msg": message, "type": "refused"}
        for key, message in exc.errors.items()
    ] or [{"loc": ["body"], "msg": str(exc), "type": "refused"}]
    return _problems(request, items)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A model's validation (ranges, constraints) or a reference to nothing, per field."""
    items: list[dict[str, object]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            loc = ["body"] if field == NON_FIELD_ERRORS else ["body", field]
            items += [{"loc": loc, "msg": message, "type": "invalid"} for message in errors]
    else:
        items = [{"loc": ["body"], "msg": message, "type": "invalid"} for message in exc.messages]
    return _problems(request, items)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)
