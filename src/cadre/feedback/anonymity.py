"""Anonymity: the one place the rules for showing answers to anyone but their author live.

Every page, API response and export that shows something derived from other people's answers
builds it from these functions; nothing else decides whether a figure may be shown.

The rules
=========

1. **Threshold.** An aggregate of other people's answers is shown only when at least the
   programme's threshold of distinct people contributed to it
   (``FeedbackSettings.anonymity_threshold``: 5 unless an admin sets 3 to 10, never below 3).
   Otherwise it is hidden and says why ("Fewer than 5 answers"). People are counted, not
   surveys: a coachee who answered ten session surveys is one person.

2. **Breakdowns: subtraction protection.** A breakdown splits a total's answers into groups
   (the departments of a programme report). Each answer belongs to exactly one group, so the
   groups' figures add up to the total's. Groups under the threshold are hidden (rule 1). If
   the total is shown, the hidden groups *taken together* could be worked out by subtracting
   the shown groups from the total, so that remainder must be safe too: **the hidden groups
   together must come from nobody or from at least the threshold of people.** Until they do,
   the smallest group still shown (fewest people, then first by name) is hidden as well, with
   the note "Hidden so that a small group can't be worked out by subtracting". Since a group
   hidden by rule 1 has fewer than the threshold on its own, this always hides at least two
   groups. When the total is hidden, every group is.
   A filter on one group (the report for one department) shows that group's cell of the
   protected breakdown, never a figure computed afresh, so filters and breakdowns can't be
   combined to difference out a small group. Reports offer no other filter (no date ranges).
   A coach who may also read the programme report (an admin, its sponsor) knows their own
   coach report: a total, or any sum of shown cells, that would leave fewer than the
   threshold of other people once that coach's coachees and own answers are taken out is
   hidden too ("Hidden so that…"), and with it every group of the breakdown.

3. **360° rater groups.** The coachee's own ratings (self) are shown to the coachee and to
   their coach, who goes through the report with them. The manager is shown as a group of
   their own: the coachee knows who their manager is, and the issue allows it. Every other
   group (peers, direct reports) is shown only when at least ``GROUP_FEWEST`` (3) of its
   raters answered; smaller groups are merged into "Others", which is hidden if it still has
   fewer than 3. "All raters" (everyone but self) is hidden when a hidden group with answers
   could be worked out from it by subtraction. A competency's cell also needs 3 ratings in
   the group (1 for the manager): "not observed" is not a rating.

4. **Comments.** Free-text answers are shown without names, only from groups shown under the
   rules above (never the manager's alone), in an order that depends on neither who answered
   nor when (``comments_shuffle``: sorted by a keyed hash, the same on every load so reloads
   reveal nothing).

5. **Who sees what.** A survey and its answers are its respondent's alone (``access``):
   admins, sponsors, coaches and the person a survey is about get 404 for it. Admins and a
   programme's sponsor see the programme report (rules 1 and 2). A coach sees aggregates of
   their coachees' session and pulse answers about them, across programmes, under the
   strictest threshold of those programmes (rule 1). A coachee sees their 360 report (rule 3).

What the rules can't prevent: someone who reads an aggregate, waits for one more answer and
reads it again learns something about that answer. Figures are rounded to one decimal.
"""

import hashlib
import hmac
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TypeVar

from django.conf import settings

from cadre.feedback.models import LOWEST_ANONYMITY_THRESHOLD
from cadre.feedback.queries import settings_for
from cadre.programs.models import Programme

# Rule 3: the fewest raters a 360 group other than self and manager is shown with.
GROUP_FEWEST = LOWEST_ANONYMITY_THRESHOLD

SUBTRACTION = "Hidden so that a small group can't be worked out by subtracting"
NO_ANSWERS = "No answers yet"

K = TypeVar("K", bound=Hashable)


def fewer_than(threshold: int) -> str:
    return f"Fewer than {threshold} answers"


@dataclass(frozen=True)
class Cell:
    """One figure that may be shown: its value and how many people it comes from, or why
    it is hidden (then both are None)."""

    value: float | None
    people: int | None
    hidden: str = ""

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)


def hidden_cell(reason: str) -> Cell:
    return Cell(value=None, people=None, hidden=reason)


def shown_cell(value: float | None, people: int) -> Cell:
    return Cell(value=value, people=people)


def threshold_of(programme: Programme) -> int:
    """The programme's threshold; never below the lowest allowed, whatever is stored."""
    return max(settings_for(programme).anonymity_threshold, LOWEST_ANONYMITY_THRESHOLD)


def threshold_reason(people: int, threshold: int) -> str:
    """Why an aggregate of ``people`` may not be shown (rule 1), or "" when it may."""
    if people == 0:
        return NO_ANSWERS
    if people < threshold:
        return fewer_than(threshold)
    return ""


def breakdown_hidden[K: Hashable](
    groups: Sequence[tuple[K, str, frozenset[int]]], *, threshold: int
) -> dict[K, str]:
    """The groups of a breakdown to hide, with the reason (rules 1 and 2).

    ``groups`` is each group's key, name and the ids of the people whose answers are in it;
    a group with nobody is "No answers yet". See the module's docstring for the rule.
    """
    everyone = frozenset[int]().union(*(people for _, _, people in groups))
    hidden: dict[K, str] = {}
    for key, _, people in groups:
        reason = threshold_reason(len(people), threshold)
        if reason or len(everyone) < threshold:
            hidden[key] = reason or fewer_than(threshold)
    if len(everyone) < threshold:
        return hidden

    def remainder() -> frozenset[int]:
        return frozenset[int]().union(
            *(people for key, _, people in groups if key in hidden and people)
        )

    while 0 < len(remainder()) < threshold:
        shown = [(len(people), name, key) for key, name, people in groups if key not in hidden]
        if not shown:
            break
        _, _, smallest = min(shown, key=lambda row: (row[0], row[1]))
        hidden[smallest] = SUBTRACTION
    return hidden


def mean_of(values: Iterable[float]) -> float | None:
    found = list(values)
    return round(fmean(found), 1) if found else None


def net_promoter_score(values: Iterable[int]) -> float | None:
    """Promoters (9 and 10) minus detractors (0 to 6), in percent of those who answered."""
    found = list(values)
    if not found:
        return None
    promoters = sum(value >= 9 for value in found)
    detractors = sum(value <= 6 for value in found)
    return round(100 * (promoters - detractors) / len(found), 1)


T = TypeVar("T")


def comments_shuffle[T](items: Iterable[T], *, key: Callable[[T], object], salt: str) -> list[T]:
    """``items`` in an order unrelated to who wrote them or when, the same on every call.

    The hash is keyed with the site's secret: with a public key, anyone who knows roughly
    which answer ids are whose (they follow the order of submission) could recompute it."""
    secret = settings.SECRET_KEY.encode()

    def rank(item: T) -> str:
        return hmac.new(secret, f"{salt}:{key(item)}".encode(), hashlib.sha256).hexdigest()

    return sorted(items, key=rank)


# Rule 3: 360° groups --------------------------------------------------------------------------

SELF = "self"
MANAGER = "manager"
OTHERS = "others"
ALL_RATERS = "all"
# Groups that are shown on their own when large enough; the rest merge into "others".
SEPARATE_GROUPS = ("peer", "direct_report")


@dataclass(frozen=True)
class GroupPlan:
    """Where each rater group's answers go in a 360 report: ``columns`` maps a group to the
    column showing it (itself, ``others``) or to nothing when it is never shown alone."""

    columns: dict[str, str]
    hidden: dict[str, str]


def assessment_groups(raters: Mapping[str, int]) -> GroupPlan:
    """Rule 3 for one 360: ``raters`` is how many raters of each group answered.

    Returns the column of each group and the reason each column with raters is hidden.
    """
    columns: dict[str, str] = {}
    hidden: dict[str, str] = {}
    others = 0
    for group, count in raters.items():
        if group in (SELF, MANAGER) or (group in SEPARATE_GROUPS and count >= GROUP_FEWEST):
            columns[group] = group
        else:
            columns[group] = OTHERS
            others += count
    if 0 < others < GROUP_FEWEST:
        hidden[OTHERS] = fewer_than(GROUP_FEWEST)
        hidden[ALL_RATERS] = SUBTRACTION
    raters_total = sum(count for group, count in raters.items() if group != SELF)
    if raters_total < GROUP_FEWEST:
        hidden[ALL_RATERS] = threshold_reason(raters_total, GROUP_FEWEST)
    return GroupPlan(columns=columns, hidden=hidden)


def fewest_for_column(column: str) -> int:
    """How many ratings a 360 column needs for one competency's cell."""
    return 1 if column in (SELF, MANAGER) else GROUP_FEWEST
