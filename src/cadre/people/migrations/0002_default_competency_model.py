"""Cadre's default leadership competency model, written for Cadre. Admins may edit it."""

from django.db import migrations

COMPETENCIES = [
    (
        "Coaching others",
        "Helps others find their own answers through questions, listening and encouragement, rather than telling them what to do.",
        "Gives advice and instructions; conversations are mostly about solving the problem for the other person.",
        "Asks open questions and lets people think aloud; follows up on what they decided to try.",
        "Coaching is how they lead: people leave conversations clearer, more confident and owning their next steps.",
    ),
    (
        "Communication",
        "Shares information and ideas clearly, listens to understand, and adapts the message to the audience.",
        "Messages are unclear or late; listens mainly to reply.",
        "Explains clearly in writing and in person, checks understanding and invites questions.",
        "Tells a compelling story that moves people to act; listens so well that others feel heard even in disagreement.",
    ),
    (
        "Emotional intelligence",
        "Recognises and manages their own emotions, reads those of others, and uses that awareness in relationships.",
        "Reacts under pressure; misses how their behaviour lands on others.",
        "Notices their own triggers and others' moods, and usually responds calmly and with empathy.",
        "Stays composed and warm in hard moments, and helps others regulate and recover too.",
    ),
    (
        "Strategic thinking",
        "Looks beyond the immediate task to trends, options and long-term consequences, and links daily work to the strategy.",
        "Focuses on today's tasks; struggles to explain how the work connects to wider goals.",
        "Anticipates likely changes and sets priorities that serve the organisation's direction.",
        "Shapes strategy: sees around corners, frames choices for others and brings the organisation with them.",
    ),
    (
        "Decision making",
        "Makes timely, well-reasoned decisions with the information available, and owns the outcome.",
        "Delays decisions or makes them without weighing options or involving the right people.",
        "Gathers enough input, weighs trade-offs, decides in time and explains why.",
        "Makes hard calls under uncertainty with sound judgement, and builds others' ability to decide well.",
    ),
    (
        "Collaboration across boundaries",
        "Works with people in other teams, functions and locations towards shared goals, and breaks down silos.",
        "Works mainly within their own team; sees other groups as obstacles.",
        "Builds working relationships across functions and shares information and credit.",
        "Creates networks across the organisation; joint work with other departments is their default.",
    ),
    (
        "Developing talent",
        "Spots potential, gives stretch opportunities and feedback, and grows the next generation of leaders.",
        "Rarely discusses development; keeps strong people in their current roles.",
        "Holds regular development conversations and gives people stretch assignments and honest feedback.",
        "Known as a builder of leaders: their people are promoted, move across the organisation and succeed.",
    ),
    (
        "Leading change",
        "Makes the case for change, helps people through it, and sustains new ways of working.",
        "Resists or ignores change, or announces it without support.",
        "Explains why change is needed, involves people early and addresses concerns.",
        "Leads change others want to join; turns resistance into commitment and makes change stick.",
    ),
    (
        "Business acumen",
        "Understands how the organisation creates value, and uses financial and market insight in decisions.",
        "Has limited understanding of the drivers of results beyond their own area.",
        "Knows the key drivers of performance and weighs costs, risks and returns in decisions.",
        "Reads markets and numbers fluently and steers resources to where they create the most value.",
    ),
    (
        "Integrity and trust",
        "Acts honestly and consistently, keeps commitments and confidences, and creates safety for others to speak up.",
        "Commitments slip; people are unsure whether confidences will be kept.",
        "Does what they say, admits mistakes and keeps what they hear in confidence.",
        "A role model of integrity: people bring them their hardest problems because they feel safe.",
    ),
]


def create_default_model(apps, schema_editor):
    Competency = apps.get_model("people", "Competency")
    if Competency.objects.exists():
        return
    Competency.objects.bulk_create(
        Competency(
            name=name,
            description=description,
            level_1=level_1,
            level_3=level_3,
            level_5=level_5,
            position=position,
        )
        for position, (name, description, level_1, level_3, level_5) in enumerate(COMPETENCIES, 1)
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create_default_model, migrations.RunPython.noop)]
