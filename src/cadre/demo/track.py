"""The demo programme's development track: five milestones spread over its year, written
through the track services as the demo admin would.

The step adds nothing to a programme that doesn't offer the development track.
"""

from datetime import timedelta
from typing import Any

from cadre.accounts.models import Role, User
from cadre.demo.logins import LOGIN_EMAILS
from cadre.programs.models import Programme, TrackMilestone
from cadre.programs.track import milestone_save

# (title, description, days after the programme starts)
MILESTONES = [
    (
        "Kick-off and expectations",
        "Meet your coach or coachee, agree how you will work together and what is confidential.",
        21,
    ),
    (
        "Development goals written",
        "Write two or three goals in your own words and share them with your coach.",
        45,
    ),
    (
        "Feedback conversation practised",
        "Use the GROW model to prepare and hold one difficult feedback conversation.",
        120,
    ),
    (
        "Mid-point review",
        "Look back on your goals with your coach and adjust them where they no longer fit.",
        180,
    ),
    (
        "Reflection and next steps",
        "Write what changed for you and what you will keep doing after the programme.",
        330,
    ),
]


def track_generate(programme: Programme | None) -> list[TrackMilestone]:
    """Give the demo programme its curriculum, if it offers the development track."""
    if programme is None or not programme.offers_development_track:
        return []
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    return [
        milestone_save(
            milestone=TrackMilestone(
                programme=programme,
                title=title,
                description=description,
                due_on=min(programme.starts_on + timedelta(days=days), programme.ends_on),
                position=position,
            ),
            by=admin,
        )
        for position, (title, description, days) in enumerate(MILESTONES, start=1)
    ]


def track_step(context: Any) -> None:
    """The ``cadre demo`` step (``context`` is the command's ``DemoContext``)."""
    track_generate(context.programme)


def track_reset() -> None:
    """Delete every milestone, with everyone's progress on it."""
    TrackMilestone.objects.all().delete()
