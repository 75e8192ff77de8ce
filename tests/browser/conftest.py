"""Browser tests: Playwright drives a real Chromium against Django's live server.

Chromium is looked for in this order: the ``CHROMIUM_PATH`` environment variable,
``/usr/bin/chromium``, ``/usr/bin/chromium-browser``, ``/usr/bin/google-chrome``, then the
Chromium that ``playwright install chromium`` downloaded. With none, the browser tests fail
when ``CI=true`` and are skipped elsewhere, saying how to get one.

Every test in this directory gets the ``browser`` marker (deselect with ``-m 'not browser'``)
and a transactional database, because the live server answers from another thread and only
sees committed rows. The cast fixtures from ``tests/conftest.py`` (admin, coach, coachee,
sponsor, outsider) work here unchanged; their password is ``PASSWORD``.

Fixtures for tests:

- ``live_url``: the live server's base URL, e.g. ``http://localhost:41234``. It is also
  pytest-playwright's ``base_url``, so ``page.goto("/people/")`` works.
- ``login_as(page, email, password=PASSWORD)``: logs in through the real login form and
  waits until the browser has left the login page.
- ``console_errors``: a list that collects the page's console errors, uncaught exceptions and
  Content Security Policy violations; assert it is empty at the end of a journey.

Note that a transactional test empties every table when it ends, including rows that data
migrations created (the default competency model). Create what a test needs in the test.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Playwright, expect

from tests.conftest import PASSWORD

BROWSER_DIR = Path(__file__).resolve().parent
SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HOW_TO_GET_CHROMIUM = (
    "No Chromium found for the browser tests (looked at $CHROMIUM_PATH, "
    + ", ".join(SYSTEM_CHROMIUMS)
    + " and Playwright's own browsers). Get one with `apt-get install chromium` or "
    "`.venv/bin/playwright install chromium`, or point CHROMIUM_PATH at a Chromium or Chrome."
)


def _executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def find_chromium(playwright: Playwright) -> str | None:
    """The path of a Chromium to drive, or None when this machine has none."""
    from_env = os.environ.get("CHROMIUM_PATH", "")
    if from_env:
        # An explicit choice that doesn't exist is an error, not a reason to pick another.
        return from_env if _executable(from_env) else None
    for path in SYSTEM_CHROMIUMS:
        if _executable(path):
            return path
    try:
        bundled = playwright.chromium.executable_path
    except Error:
        return None
    return bundled if bundled and _executable(bundled) else None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    # Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
    # from a thread with a running loop unless told that is fine. Only while a browser test
    # runs (fixtures included): set for the whole process it would leak into other tests and
    # their subprocesses (`check --deploy` warns about it).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    is_browser = {item: BROWSER_DIR in item.path.parents for item in items}
    # Before the other hooks, so that `-m 'not browser'` sees the marker.
    for item, browser in is_browser.items():
        if browser:
            item.add_marker(pytest.mark.browser)
    result = yield
    # After them (pytest-django sorts by database use): browser tests go last. Playwright's
    # event loop stays in the test thread until the session ends, and Django would refuse
    # database access from any test that ran after it.
    items.sort(key=lambda item: is_browser.get(item, False))
    return result


@pytest.fixture(scope="session", autouse=True)
def chromium_executable(playwright: Playwright) -> str:
    """The Chromium the tests drive; autouse so a missing browser stops a test early."""
    path = find_chromium(playwright)
    if path is None:
        if os.environ.get("CHROMIUM_PATH"):
            message = (
                f"CHROMIUM_PATH={os.environ['CHROMIUM_PATH']} is not an executable file. "
                "Point it at a Chromium, or unset it and run `apt-get install chromium` or "
                "`.venv/bin/playwright install chromium`."
            )
        else:
            message = HOW_TO_GET_CHROMIUM
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config, chromium_executable: str) -> dict:
    """Overrides pytest-playwright's fixture: launch the Chromium found above."""
    headed = bool(pytestconfig.getoption("--headed"))
    options: dict[str, Any] = {
        "executable_path": chromium_executable,
        "headless": not headed,
        "args": CHROMIUM_ARGS if headed else ["--headless", *CHROMIUM_ARGS],
    }
    if pytestconfig.getoption("--slowmo"):
        options["slow_mo"] = pytestconfig.getoption("--slowmo")
    return options


@pytest.fixture(scope="session")
def base_url(live_server: Any) -> str:
    """Overrides pytest-playwright's fixture: relative URLs in ``page.goto`` go to the live
    server (this also keeps its fallback fixture, deprecated under pytest 9, from running)."""
    return str(live_server.url)


@pytest.fixture(autouse=True)
def _browser_db(transactional_db: None) -> None:
    """The live server runs in another thread: it only sees committed data."""


@pytest.fixture
def live_url(live_server: Any) -> str:
    return str(live_server.url)


LoginAs = Callable[..., None]


@pytest.fixture
def login_as(live_url: str) -> LoginAs:
    """A function (page, email, password=PASSWORD) that logs in through the login form."""

    def login(page: Page, email: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_url}/login/")
        page.get_by_label(re.compile(r"^E-mail:?$")).fill(email)
        page.get_by_label(re.compile(r"^Password:?$")).fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).not_to_have_url(re.compile(r"/login/"))

    return login


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors, uncaught exceptions and CSP violations seen on the page."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium asks for /favicon.ico by itself; its 404 says nothing about the page.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors
