"""axe-core run inside a Playwright page: the WCAG 2.1 A and AA problems it finds."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page: Page) -> list[str]:
    """One line per rule the page breaks: its id, what it asks, and the first element."""
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} elements, the "
        f"first: {violation['nodes'][0]['html'] if violation['nodes'] else '-'})"
        for violation in results.response["violations"]
    ]
