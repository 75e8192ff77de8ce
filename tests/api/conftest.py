"""The programme helpers of the programs tests and the coaching fixtures, for the API tests."""

import json
from datetime import timedelta
from typing import Any

from django.test import Client

from tests.coaching.conftest import pair, programme
from tests.programs.conftest import make_programme, objective, put_in, settings_for, today

__all__ = [
    "make_programme",
    "objective",
    "pair",
    "patch",
    "post",
    "programme",
    "put_in",
    "settings_for",
    "today",
]


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body, default=str), content_type="application/json")


def a_year_from(days_ago: int = 30) -> dict[str, str]:
    start = today() - timedelta(days=days_ago)
    return {"starts_on": str(start), "ends_on": str(start + timedelta(days=365))}
