"""Cell parsers: the text of one cell becomes a field's value, or :class:`_CellError` names
the problem. Also what an empty cell means, field by field.
"""

import re
import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import CharField

from cadre.people.models import Department, Person


def _max_length(model: type[Person] | type[Department], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, CharField), name
    assert field.max_length is not None, name
    return field.max_length


# Longest values the model accepts, for the fields whose cells are taken as text.
MAX_LENGTHS = {
    **{
        name: _max_length(Person, name)
        for name in ("employee_id", "full_name", "preferred_name", "job_title", "location")
    },
    "department": _max_length(Department, "name"),
    "parent_department": _max_length(Department, "name"),
    "manager_employee_id": _max_length(Person, "employee_id"),
}
LEVEL_MIN, LEVEL_MAX = 1, 99
TENURE_MAX = 100

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "active"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "inactive"})
LANGUAGE_SEPARATORS = re.compile(r"[,;|]")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", re.IGNORECASE)
# Addresses this simple are valid for Django's EmailValidator too, which checks the others.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
DECIMAL_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
SLASHED_DAY_MONTH = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")
# Date formats besides ISO 8601 (YYYY-MM-DD, optionally followed by a time).
DATE_FORMATS = (
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
)


class _CellError(ValueError):
    """A cell's text is not a valid value; the message names the problem."""


def _text_parser(name: str) -> Callable[[str], str]:
    limit = MAX_LENGTHS[name]

    def parse(text: str) -> str:
        if len(text) > limit:
            raise _CellError(f"“{text[:40]}…” is longer than {limit} characters.")
        return text

    return parse


def _parse_email(text: str) -> str:
    address = text.lower()
    if len(address) > 254:
        raise _CellError(f"“{text[:40]}…” is longer than 254 characters.")
    if PLAIN_EMAIL.fullmatch(address):
        return address
    try:
        validate_email(address)
    except ValidationError:
        raise _CellError(f"“{text}” is not a valid e-mail address.") from None
    return address


def _parse_level(text: str) -> int:
    if not WHOLE_NUMBER.fullmatch(text):
        raise _CellError(f"“{text}” is not a whole number.")
    level = int(text.split(".")[0])
    if not LEVEL_MIN <= level <= LEVEL_MAX:
        raise _CellError(f"Level {level} is not between {LEVEL_MIN} and {LEVEL_MAX}.")
    return level


@cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _parse_time_zone(text: str) -> str:
    name = _time_zones().get(text.lower())
    if name is None:
        raise _CellError(f"“{text}” is not a time zone; use an IANA name such as Europe/London.")
    return name


def _language_code(code: str) -> str:
    first, *rest = code.split("-")
    subtags = [first.lower()]
    for subtag in rest:
        if len(subtag) == 2:
            subtags.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha():
            subtags.append(subtag.title())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def _parse_languages(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for part in LANGUAGE_SEPARATORS.split(text):
        code = part.strip().replace("_", "-")
        if not code:
            continue
        if not LANGUAGE_CODE.fullmatch(code):
            raise _CellError(f"“{code}” is not a language code such as en, fr or pt-BR.")
        code = _language_code(code)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _parse_date(text: str) -> date:
    parsed: date | None = None
    if ISO_DATE.fullmatch(text):
        try:
            parsed = date.fromisoformat(text[:10])
        except ValueError:
            raise _CellError(f"“{text}” is not a date that exists.") from None
    elif SLASHED_DAY_MONTH.fullmatch(text):
        raise _CellError(f"“{text}” could be day/month or month/day; write dates as YYYY-MM-DD.")
    else:
        for date_format in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, date_format).date()
            except ValueError:
                continue
            break
    if parsed is None:
        raise _CellError(f"“{text}” is not a date; write dates as YYYY-MM-DD.")
    if not 1900 <= parsed.year <= 2100:
        raise _CellError(f"“{text}” is not a plausible hire date.")
    return parsed


def _parse_tenure(text: str) -> float:
    if not DECIMAL_NUMBER.fullmatch(text):
        raise _CellError(f"“{text}” is not a number of years.")
    years = float(text.replace(",", "."))
    if years > TENURE_MAX:
        raise _CellError(f"{text} years is more than {TENURE_MAX}.")
    return years


def _parse_yes_no(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellError(f"“{text}” is not yes or no (use yes/no, true/false, 1/0 or active/inactive).")


def _parse_left(text: str) -> bool:
    return not _parse_yes_no(text)


_PARSERS: dict[str, Callable[[str], Any]] = {
    **{name: _text_parser(name) for name in MAX_LENGTHS},
    "email": _parse_email,
    "level": _parse_level,
    "time_zone": _parse_time_zone,
    "languages": _parse_languages,
    "hire_date": _parse_date,
    "tenure_years": _parse_tenure,
    "active": _parse_yes_no,
    "left": _parse_left,
}

MEMOISED_FIELDS = frozenset(
    {"level", "time_zone", "languages", "hire_date", "tenure_years", "active", "left"}
)


def _empty_values() -> dict[str, Any]:
    """What an empty cell in a mapped column means, field by field, when no default is set."""
    return {
        "preferred_name": "",
        "email": "",
        "department": None,
        "parent_department": None,
        "job_title": "",
        "level": None,
        "manager_employee_id": None,
        "location": "",
        "time_zone": settings.CADRE_DEFAULT_TIME_ZONE,
        "languages": (settings.CADRE_DEFAULT_LANGUAGE,),
        "hire_date": None,
        "tenure_years": None,
        "active": True,
        "left": True,
    }
