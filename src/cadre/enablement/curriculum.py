"""The training modules Cadre ships: their metadata and knowledge checks. The bodies are the
Markdown files in ``modules/``. Migration 0002 writes them once; admins edit them afterwards in
the Django admin, so changing this file later does not change an existing database.
"""

from dataclasses import dataclass
from pathlib import Path

MODULES_DIR = Path(__file__).resolve().parent / "modules"


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    correct: int  # index into options


@dataclass(frozen=True)
class ModuleText:
    slug: str
    title: str
    summary: str
    file: str
    questions: tuple[Question, ...]

    @property
    def body_markdown(self) -> str:
        return (MODULES_DIR / self.file).read_text(encoding="utf-8")


MODULES: tuple[ModuleText, ...] = (
    ModuleText(
        slug="coaching-techniques",
        title="Coaching techniques and the GROW model",
        summary="Shape a session with GROW, ask powerful questions, and contract well.",
        file="01-coaching-techniques.md",
        questions=(
            Question(
                "What does the R in GROW stand for?",
                ("Results", "Reality", "Resources", "Review"),
                1,
            ),
            Question(
                "A coachee has named their goal. When should you offer your own idea?",
                (
                    "Straight away, to save time",
                    "Never, under any circumstances",
                    "After the coachee's own options are on the table, labelled as one option",
                    "Only in the Goal stage",
                ),
                2,
            ),
            Question(
                "Which of these is a coaching question rather than advice in disguise?",
                (
                    "Have you thought about talking to HR?",
                    "What would make this conversation worthwhile for you?",
                    "Shouldn't you escalate this?",
                    "Why didn't you tell your manager?",
                ),
                1,
            ),
            Question(
                "What belongs in the contract agreed before the first session?",
                (
                    "How often you meet, confidentiality and its limits, and what the coachee "
                    "wants to change",
                    "The coachee's performance rating",
                    "A list of the answers you expect the coachee to reach",
                    "Nothing: contracting is only for external coaches",
                ),
                0,
            ),
            Question(
                "How does a session best end?",
                (
                    "With the coach summarising what the coachee should do",
                    "With the coachee stating their takeaways and actions in their own words",
                    "With a written report to the coachee's manager",
                    "As soon as the hour is up, wherever you are",
                ),
                1,
            ),
        ),
    ),
    ModuleText(
        slug="active-listening",
        title="Active listening and communication",
        summary="Listen at the right level, show you have understood, and keep your talk short.",
        file="02-active-listening.md",
        questions=(
            Question(
                "At which level of listening is your attention on your own experience?",
                ("Level 1, internal", "Level 2, focused", "Level 3, global", "None of them"),
                0,
            ),
            Question(
                "What is paraphrasing?",
                (
                    "Repeating the coachee's words exactly",
                    "Restating the essence in your own words to check understanding",
                    "Changing the subject politely",
                    "Sharing a similar story of your own",
                ),
                1,
            ),
            Question(
                "The coachee says they feel 'stuck'. What do you ask about?",
                (
                    "Being blocked",
                    "Their challenges",
                    "Being stuck, in their own word",
                    "Their manager",
                ),
                2,
            ),
            Question(
                "Roughly how much of a session should the coachee speak?",
                ("About 20 %", "About half", "At least 80 %", "It doesn't matter"),
                2,
            ),
            Question(
                "What should you do after a long pause?",
                (
                    "Fill it with a new question at once",
                    "Wait a few seconds: the next sentence is often the important one",
                    "End the session",
                    "Offer advice",
                ),
                1,
            ),
        ),
    ),
    ModuleText(
        slug="emotional-intelligence",
        title="Emotional intelligence",
        summary="Recognise and manage emotions, yours and your coachee's, and know the limits.",
        file="03-emotional-intelligence.md",
        questions=(
            Question(
                "Which is one of the four domains of emotional intelligence?",
                ("Technical mastery", "Self-management", "Strategic planning", "Delegation"),
                1,
            ),
            Question(
                "A coachee shows signs of serious distress. What do you do?",
                (
                    "Keep coaching, it will pass",
                    "Tell their manager the details",
                    "Stop coaching, express care and point them to professional support",
                    "Ignore it and move to actions",
                ),
                2,
            ),
            Question(
                "A coachee reminds you of a difficult colleague and you feel irritated. What "
                "helps?",
                (
                    "Notice and name the trigger to yourself, then return to curiosity",
                    "Tell the coachee they remind you of someone",
                    "End the relationship at once",
                    "Give them the advice you wish your colleague had taken",
                ),
                0,
            ),
            Question(
                "What does empathy mean for a coach?",
                (
                    "Agreeing with the coachee's view",
                    "Understanding the coachee's perspective without taking sides",
                    "Sharing your own feelings at length",
                    "Solving the coachee's emotional problems",
                ),
                1,
            ),
            Question(
                "How should a coachee use their 360 feedback?",
                (
                    "As a final verdict on their leadership",
                    "As data to explore: what they recognise and what surprises them",
                    "To work out who wrote each comment",
                    "It should be ignored in coaching",
                ),
                1,
            ),
        ),
    ),
    ModuleText(
        slug="feedback",
        title="Giving and receiving feedback",
        summary="Use Situation–Behaviour–Impact, receive feedback well, and work with the 360.",
        file="04-feedback.md",
        questions=(
            Question(
                "What does SBI stand for?",
                (
                    "Strengths, Blind spots, Improvements",
                    "Situation, Behaviour, Impact",
                    "Summary, Background, Instruction",
                    "Style, Behaviour, Intent",
                ),
                1,
            ),
            Question(
                "Which is feedback on behaviour rather than character?",
                (
                    "You're unreliable",
                    "You are not strategic enough",
                    "You missed the last two deadlines",
                    "You have a bad attitude",
                ),
                2,
            ),
            Question(
                "Why avoid the feedback 'sandwich'?",
                (
                    "It takes too long",
                    "People learn to discount the praise and wait for the criticism",
                    "It is too direct",
                    "It is against company policy",
                ),
                1,
            ),
            Question(
                "Before giving a coachee direct feedback in a session, you should:",
                (
                    "Ask permission to share an observation",
                    "Check with their manager",
                    "Wait for the end of the programme",
                    "Put it in writing first",
                ),
                0,
            ),
            Question(
                "A coachee wants to guess who wrote a harsh 360 comment. You:",
                (
                    "Help them work it out",
                    "Tell them who you think it was",
                    "Steer away: raters were promised anonymity; explore the theme instead",
                    "Ask the programme admin",
                ),
                2,
            ),
        ),
    ),
    ModuleText(
        slug="confidentiality-and-ethics",
        title="Confidentiality and ethics",
        summary="What stays confidential, its limits, conflicts of interest and boundaries.",
        file="05-confidentiality-and-ethics.md",
        questions=(
            Question(
                "Who may read what a coachee says in a session, by default?",
                ("Their manager", "The sponsor", "No one but the coach and coachee", "HR"),
                2,
            ),
            Question(
                "Which is a limit of confidentiality agreed at contracting?",
                (
                    "The coachee's manager asks how it is going",
                    "A risk of serious harm to the coachee or someone else",
                    "The coachee is late for a session",
                    "A talent review is coming up",
                ),
                1,
            ),
            Question(
                "A reorganisation puts your coachee in your reporting line. You:",
                (
                    "Carry on as before",
                    "Tell the programme admin and agree a handover",
                    "Keep coaching but take fewer notes",
                    "Use what you know to help their appraisal",
                ),
                1,
            ),
            Question(
                "You are asked about your coachee in a talent review. You:",
                (
                    "Share what you learnt in coaching",
                    "Say you are their coach and cannot comment",
                    "Give a rating based on the sessions",
                    "Leave the meeting without a word",
                ),
                1,
            ),
            Question(
                "Where do session notes belong?",
                (
                    "In Cadre only, written as if the coachee could read them",
                    "In your personal notebook",
                    "In an e-mail to yourself",
                    "In the coachee's HR file",
                ),
                0,
            ),
        ),
    ),
)
