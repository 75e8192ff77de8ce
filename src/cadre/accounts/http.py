"""The request type that views behind ``login_required`` receive, for the type checker."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from cadre.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
