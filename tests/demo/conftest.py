"""``shared_demo``: one ``cadre demo`` for all the tests of a module, as Django's
``setUpTestData`` shares data between the tests of a class.

The demo takes seconds to generate (thousands of queries, the matching engine); most tests
only read what it made. A module that sets ``DEMO_ARGS`` (the command's arguments) and marks
its tests with ``pytest.mark.usefixtures("shared_demo")`` gets the demo generated once, in a
transaction that is rolled back after the module's last test. Each test runs inside that
transaction in its own savepoint (pytest-django's usual per-test transaction, nested), so
whatever a test changes, a second ``demo --reset`` say, is undone before the next test: every
test still starts from the freshly generated demo.

Every test of such a module sees the demo, so a test that needs an empty database belongs
in another module.

``_demo_settings``: every test here runs with ``DEBUG`` on (the command refuses to run
without it) and the fast password hasher (the demo's logins are checked by logging in).
"""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings


@pytest.fixture(scope="module")
def shared_demo(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: object
) -> Iterator[str]:
    """What ``cadre demo <DEMO_ARGS>`` printed; the data it made stays until the module ends."""
    args: tuple[str, ...] = request.module.DEMO_ARGS
    out = StringIO()
    # The command refuses to run with DEBUG off (and the test runner turns it off); the demo's
    # logins are hashed with the fast hasher the tests use.
    with (
        django_db_blocker.unblock(),  # type: ignore[attr-defined]
        override_settings(
            DEBUG=True, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        transaction.atomic(),
    ):
        call_command("demo", *args, stdout=out, stderr=StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _demo_settings(settings: Any) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
