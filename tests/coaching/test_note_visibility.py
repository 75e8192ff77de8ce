"""THE MATRIX: a note's content reaches its author and, once shared, the other party; nobody
else, through any page, API endpoint, admin screen or export. The same holds for a survey
answer: its free text reaches its respondent alone (one answer is far below any threshold).

A private note and a shared note, both by the coach, carry a marker in every text; so does the
coachee's comment in their survey about the session. Each role
then crawls the whole project as it stands, so the test grows with it instead of listing
URLs:

- pages: every URL pattern of ``get_resolver()`` whose parameters can be filled with the ids,
  uuids and tokens at hand, then the links (``href``, ``hx-get``)
  those pages offer, two levels deep: filters, tabs and exports (CSV, and XLSX, which is
  unzipped before searching);
- the API: every GET operation of the OpenAPI document, path parameters filled the same way;
- the Django admin: every registered model's changelist and the change page of each of its
  rows, for a superuser.

The marker may appear only where allowed: the private one to the author, the shared one to
the author and the other party. Each pass also checks it reached a minimum number of pages,
and that the author and the other party did find their markers, so a crawl that quietly
stopped working can't pass.

Every table numbers its rows from one in these tests, on PostgreSQL as on SQLite (see
``_ids_from_one``): each object's id is among the values tried, whatever the engine, and the
crawl stays the same size on both.
"""

import io
import itertools
import re
import uuid
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from hashlib import sha256
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.admin.utils import quote
from django.core.management.color import no_style
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from cadre.accounts.models import Role, RoleGrant, User
from cadre.api.api import api
from cadre.coaching.models import (
    ActionItem,
    CalendarFeed,
    Circle,
    CircleNote,
    CoachingRelationship,
    CoachingSession,
    Goal,
    SessionNote,
)
from cadre.feedback.models import SurveyPurpose
from cadre.feedback.services import survey_answer_save, survey_assign, template_for
from tests.coaching.conftest import Pair, active_relationship, coachee_person, enrol_coach
from tests.coaching.notes_helpers import session_of, write_note
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE = "Zx9PrivateMarker"
SHARED = "Zx9SharedMarker"
ANSWER = "Zx9AnswerMarker"  # the coachee's (the other party's) comment about the session

ALLOWED = {
    "author": {PRIVATE, SHARED},
    "other party": {SHARED, ANSWER},
    "admin": set(),
    "sponsor": set(),
    "manager": set(),
    "another coach": set(),
    "outsider": set(),
    "anonymous": set(),
}

# Floors under the size of each crawl (what the author reached when this was written; it only
# grows as pages are added). A crawl that reaches fewer pages has stopped working.
MIN_PAGES = 120
MIN_API_CALLS = 5
MIN_ADMIN_PAGES = 120

# Link-following stops here, so that a page of endless links (a calendar, a paginator)
# can't make the crawl endless.
MAX_DEPTH = 2
MAX_FOLLOWED_PER_ROLE = 1000
LINK = re.compile(r"""(?:href|hx-get)\s*=\s*["']([^"'#]+)""")
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class World:
    """What the crawl fills URL parameters with, and who crawls."""

    ids: list[int]
    strings: list[str]
    uuids: list[str]
    users: dict[str, User | None]
    note_ids: list[int] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _ids_from_one(db: None) -> None:
    """Tables number their rows from one in this test, as on SQLite, where a rolled-back
    test's ids are given again. PostgreSQL's sequences go on counting across tests and tables,
    so without this no id repeats across tables: every route would be filled with several
    times as many values, nearly all of them 404s, and the crawl would take minutes longer
    for no more pages (each object's own id is among the values either way). A sequence is
    set to its table's largest id (``setval`` is not rolled back, and never has to be: after
    the rollback the next id is still above every committed row). No-op on SQLite."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)


@pytest.fixture
def world(pair: Pair, admin, sponsor, outsider) -> World:
    relationship = pair.relationship
    coach, coachee = pair.coach.person, pair.coachee.person
    pair.programme.sponsor = sponsor.person
    pair.programme.save()

    manager = PersonFactory(full_name="Mona Manager", user=UserFactory(email="manager@x.org"))
    RoleGrant.objects.create(user=manager.user, role=Role.COACH)
    coachee.manager = manager
    coachee.save()

    # Another coach with a coachee and a note of their own, in the same programme.
    other_coach = coachee_person(full_name="Nils Othercoach")
    enrol_coach(pair.programme, other_coach)
    other_relationship = active_relationship(pair.programme, other_coach, coachee_person())
    write_note(other_relationship, other_coach, "OtherPairsNote", shared=True)

    session = session_of(relationship)
    private = write_note(relationship, coach, PRIVATE, session=session)
    shared = write_note(relationship, coach, SHARED, session=session, shared=True)
    goal = Goal.objects.create(
        relationship=relationship,
        title="Delegate more",
        measure="Two projects handed over",
        target_date=timezone.localdate() + timedelta(days=60),
    )
    action = ActionItem.objects.create(
        relationship=relationship,
        session=session,
        goal=goal,
        title="Draft the handover plan",
        owner=coachee,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    circle = Circle.objects.create(
        kind=Circle.Kind.COACHING,
        name="Leaders' circle",
        facilitator=coach,
        programme=pair.programme,
    )
    circle.members.add(coachee, manager)
    circle_session = CoachingSession.objects.create(
        circle=circle,
        starts_at=timezone.now() + timedelta(days=3),
        time_zone="UTC",
        format=CoachingSession.Format.VIDEO,
    )
    now = timezone.now()
    survey, _ = survey_assign(
        template=template_for(key="session-coachee", programme=pair.programme),
        respondent=coachee,
        programme=pair.programme,
        purpose=SurveyPurpose.SESSION,
        dedupe_key=f"session:{session.pk}:coachee",
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=7),
        session=session,
    )
    survey_answer_save(
        survey=survey,
        user=pair.coachee.user,
        data={"usefulness": "2", "next-steps": "3", "safety": "2", "comment": ANSWER},
        submit=True,
        now=now,
    )
    tokens = []
    for user in (pair.coach.user, pair.coachee.user, manager.user):
        token = f"feed-token-{user.pk}-{uuid.uuid4().hex}"
        CalendarFeed.objects.create(
            user=user, token_sha256=sha256(token.encode()).hexdigest(), token=token
        )
        tokens.append(token)

    objects = [
        survey,
        *survey.answers.all(),
        relationship,
        private,
        shared,
        session,
        circle_session,
        goal,
        action,
        circle,
        relationship.agreement,
        pair.programme,
        *pair.programme.enrolments.all(),
        *(person for person in (coach, coachee, manager, sponsor.person, other_coach)),
        *(member.user for member in (pair.coach, pair.coachee, admin, sponsor, outsider)),
    ]
    return World(
        ids=sorted({int(obj.pk) for obj in objects}),
        strings=tokens,
        uuids=[str(session.uid), str(circle_session.uid)],
        users={
            "author": pair.coach.user,
            "other party": pair.coachee.user,
            "admin": admin.user,
            "sponsor": sponsor.user,
            "manager": manager.user,
            "another coach": other_coach.user,
            "outsider": outsider.user,
            "anonymous": None,
        },
        note_ids=[private.pk, shared.pk],
    )


# Filling URL patterns


def _routes(patterns: Iterable[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    """Every route of the project as one string (``coaching/notes/<int:pk>/``); regex
    patterns (the Django admin's) are left to the admin pass."""
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def _values(converter: str | None, world: World) -> list[str]:
    if converter == "int":
        return [str(pk) for pk in world.ids]
    if converter == "uuid":
        return world.uuids
    return [*world.strings, *(str(pk) for pk in world.ids)]


def _fill(route: str, world: World) -> list[str]:
    """Every URL the route gives with the values at hand."""
    slots = list(ROUTE_PARAMETER.finditer(route))
    choices = [_values(slot["converter"], world) for slot in slots]
    urls = []
    for combination in itertools.islice(itertools.product(*choices), 400):
        url = route
        for slot, value in zip(reversed(slots), reversed(combination), strict=True):
            url = url[: slot.start()] + value + url[slot.end() :]
        urls.append("/" + url)
    return urls


def _openapi_gets(world: World) -> list[str]:
    schema = api.get_openapi_schema()
    urls = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        parameters = [p for p in operations["get"].get("parameters", []) if p["in"] == "path"]
        choices = [
            _values("int" if p["schema"].get("type") == "integer" else None, world)
            for p in parameters
        ]
        for combination in itertools.islice(itertools.product(*choices), 400):
            url = path
            for parameter, value in zip(parameters, combination, strict=True):
                url = url.replace("{" + parameter["name"] + "}", value)
            urls.append(url)
    return urls


# Reading responses


def _body(response: HttpResponseBase) -> bytes:
    content = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.streaming
        else response.content  # type: ignore[attr-defined]
    )
    if content.startswith(b"PK\x03\x04"):  # a zip: an XLSX export, say
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content += b"".join(archive.read(name) for name in archive.namelist())
    return content


def _markers(content: bytes) -> set[str]:
    return {marker for marker in (PRIVATE, SHARED, ANSWER) if marker.encode() in content}


def _links(url: str, content: bytes) -> list[str]:
    found = []
    for link in LINK.findall(content.decode("utf-8", errors="replace")):
        absolute = urljoin("http://testserver" + url, link.replace("&amp;", "&"))
        parts = urlsplit(absolute)
        if parts.netloc != "testserver" or parts.path.startswith("/static/"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@dataclass
class Crawl:
    seen: dict[str, set[str]] = field(default_factory=dict)  # URL → markers found there
    answered: int = 0  # URLs that answered 200
    crashed: list[str] = field(default_factory=list)


def crawl(client: Client, seeds: Iterable[str], *, follow_links: bool, user: User | None) -> Crawl:
    """Every seed is visited (they are what the URL patterns give with the ids at hand); links
    found on the way are followed up to ``MAX_FOLLOWED_PER_ROLE``."""
    result = Crawl()
    queue = deque((url, 0) for url in dict.fromkeys(seeds))
    queued = {url for url, _ in queue}
    followed = 0
    while queue:
        url, depth = queue.popleft()
        if depth > 0:
            if followed >= MAX_FOLLOWED_PER_ROLE:
                continue
            followed += 1
        response = client.get(url)
        if user is not None and "_auth_user_id" not in client.session:
            client.force_login(user)  # a GET that logged out: back in, and go on
        content = _body(response)
        result.seen[url] = _markers(content)
        if response.status_code >= 500:
            result.crashed.append(url)
        if response.status_code != 200:
            continue
        result.answered += 1
        if not follow_links or depth >= MAX_DEPTH:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in _links(url, content):
            if link not in queued and not link.startswith(("/django-admin/", "/logout/")):
                queued.add(link)
                queue.append((link, depth + 1))
    return result


def client_for(user: User | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def leaks(result: Crawl, allowed: set[str]) -> dict[str, set[str]]:
    return {url: found - allowed for url, found in result.seen.items() if found - allowed}


# The matrix


@pytest.mark.parametrize("role", list(ALLOWED))
def test_pages_show_note_content_only_to_its_readers(world: World, role: str) -> None:
    user = world.users[role]
    seeds = [url for route in _routes(get_resolver().url_patterns) for url in _fill(route, world)]

    result = crawl(client_for(user), seeds, follow_links=True, user=user)

    assert leaks(result, ALLOWED[role]) == {}
    assert result.crashed == []
    if role in ("author", "other party"):
        found = set().union(*result.seen.values())
        assert found == ALLOWED[role]
    if role == "author":
        assert result.answered >= MIN_PAGES


@pytest.mark.parametrize("role", list(ALLOWED))
def test_the_api_gives_note_content_only_to_its_readers(world: World, role: str) -> None:
    user = world.users[role]

    result = crawl(client_for(user), _openapi_gets(world), follow_links=False, user=user)

    assert leaks(result, ALLOWED[role]) == {}
    assert result.crashed == []
    if role in ("author", "other party"):
        found = set().union(*result.seen.values())
        assert found == ALLOWED[role]
    if role == "author":
        assert result.answered >= MIN_API_CALLS


def test_the_django_admin_never_shows_note_content(world: World) -> None:
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    urls = [reverse("admin:index")]
    for model in django_admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for pk in model._default_manager.values_list("pk", flat=True)[:50]:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(pk)])
            )

    result = crawl(client_for(superuser), urls, follow_links=False, user=superuser)

    assert leaks(result, set()) == {}
    assert result.crashed == []
    assert result.answered >= MIN_ADMIN_PAGES


def test_notes_and_circle_notes_are_not_in_the_django_admin() -> None:
    assert not django_admin.site.is_registered(SessionNote)
    assert not django_admin.site.is_registered(CircleNote)


def test_the_crawl_reaches_the_note_pages(world: World) -> None:
    """A check on the crawler itself: it fills the note routes with the notes' ids."""
    seeds = {url for route in _routes(get_resolver().url_patterns) for url in _fill(route, world)}

    for pk in world.note_ids:
        assert reverse("coaching:note", args=[pk]) in seeds
        assert f"/api/v1/notes/{pk}" in _openapi_gets(world)
    assert CoachingRelationship.objects.count() == 2
