"""Cadre's default coaching agreement: the sections a programme's template starts with.

Each section is Markdown. ``{coach}``, ``{coachee}``, ``{programme}``, ``{cadence_days}`` and
``{months}`` are filled in for each pair when their agreement is drawn up. A programme admin
can change the template; agreements already drawn up keep the text they were given.
"""

GOALS = """\
{coachee} and {coach} work together for about {months} months in {programme}.

- In our first session we agree two or three development goals, each with a specific outcome,
  a way to measure it and a target date, and we record them in Cadre.
- We look at the goals again every few sessions, and change them when they stop being useful.
- The goals belong to {coachee}; {coach} helps to reach them and does not set them.
"""

CONFIDENTIALITY = """\
- What we say in our sessions stays between us.
- Session notes are private to whoever writes them. A note is seen by the other one of us only
  when its author chooses to share it.
- Notes are never seen by programme admins, sponsors or managers, nor by anyone else in the
  organisation. No report, export or screen shows them.
- Programme admins see only that we are working together: our status, how often we meet and
  whether this agreement is signed.
- The one exception: if either of us believes someone is at risk of serious harm, or the law
  requires it, we may have to tell someone. Where we can, we talk about it with each other
  first.
"""

CADENCE = """\
- We meet every {cadence_days} days, for about an hour, by video, by phone or in person.
- Whoever schedules a session sends the invitation through Cadre, so it reaches both
  calendars.
- If one of us can't make a session, we say so at least a day before and find another time.
- If we have not met for longer than {cadence_days} days, Cadre reminds us both.
"""

CONCERNS = """\
- If something about our coaching is not working, we say so to each other first, openly and
  kindly.
- If that is hard, or it doesn't help, either of us can talk in confidence to the programme
  admin. They will listen, and they will not ask about what was said in our sessions.
- A concern about conduct goes straight to the programme admin.
"""

ENDING = """\
- We finish when our goals are met or the programme's {months} months are up, with a last
  session to look back on what changed.
- Either of us may end the relationship early, at any time, without giving a reason: a
  **no-fault** ending. Not every pairing works, and that is nobody's failure.
- After a no-fault ending, {coachee} goes back to the pool and is matched again ahead of
  others.
- The programme admin records the ending. Our notes stay private after it, as before.
"""

DEFAULT_SECTIONS: dict[str, str] = {
    "goals": GOALS,
    "confidentiality": CONFIDENTIALITY,
    "cadence": CADENCE,
    "concerns": CONCERNS,
    "ending": ENDING,
}

# The headings of the sections in the signed document, in order.
SECTION_HEADINGS: dict[str, str] = {
    "goals": "Goals",
    "confidentiality": "Confidentiality",
    "cadence": "Meeting cadence",
    "concerns": "Raising concerns",
    "ending": "Ending the relationship",
}

PLACEHOLDERS = ("coach", "coachee", "programme", "cadence_days", "months")
