"""The roles and responsibilities every new programme starts with; admins edit them per programme.

Written for a programme in which leaders coach other leaders: the coach is a senior colleague,
not a professional coach, so confidentiality, boundaries and escalation are spelled out.
One responsibility per line.
"""

from cadre.accounts.models import Role

DEFAULT_RESPONSIBILITIES: dict[str, str] = {
    Role.COACH: "\n".join(
        [
            "Keep what your coachee tells you confidential; share nothing without their consent, "
            "except where someone's safety is at risk.",
            "Complete your coach training and certification before you are matched.",
            "Hold sessions at the agreed cadence and meet at least the programme's minimum number "
            "of sessions; reschedule rather than cancel.",
            "Prepare for each session: reread your notes and the coachee's goals and actions.",
            "Ask more than you tell: help your coachee find their own answers (for example with "
            "the GROW model) instead of solving their problems for them.",
            "Give honest, specific and kind feedback, and ask for feedback on your coaching.",
            "Stay out of your coachee's reporting line and performance decisions; declare any "
            "conflict of interest to the programme admin.",
            "Escalate to the programme admin when the relationship stalls, when a topic needs a "
            "professional (health, legal, grievance), or when you cannot continue.",
        ]
    ),
    Role.COACHEE: "\n".join(
        [
            "Own your development: set two or three goals in your own words and review them "
            "with your coach.",
            "Come prepared: bring a topic, progress on your actions and what got in the way.",
            "Keep the agreed cadence and attend at least the programme's minimum number of "
            "sessions; give notice when you must move one.",
            "Be candid about what is and isn't working, including in the feedback surveys.",
            "Respect your coach's confidentiality as they respect yours.",
            "Follow through on the actions you commit to between sessions.",
            "Tell the programme admin early if the match does not work; a no-fault re-match "
            "is always possible.",
        ]
    ),
    Role.PROGRAMME_ADMIN: "\n".join(
        [
            "Set clear objectives with measurable targets and due dates, and report on them.",
            "Keep enrolment fair: apply the eligibility rules consistently and answer every "
            "application.",
            "Make sure every coach is trained and certified before matching.",
            "Match across departments and never inside a reporting line; explain matches when "
            "asked.",
            "Watch the programme's health and act on stalled relationships, low trust and "
            "escalations promptly and discreetly.",
            "Protect participants' data: share aggregates only, never individual notes or answers.",
        ]
    ),
    Role.SPONSOR: "\n".join(
        [
            "Champion the programme in the leadership team and make time for it in people's "
            "calendars.",
            "Agree the objectives and targets, and review progress against them each quarter.",
            "Remove obstacles the programme admin raises.",
            "Respect confidentiality: ask for aggregate outcomes only, never for what an "
            "individual said in coaching.",
        ]
    ),
}
