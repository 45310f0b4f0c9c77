"""What a user does and sees in the browser tests: ask a question, look at a turn, take a screenshot."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.support.processes import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
# A whole answer: gathering, the scripted LLM, validation and the query, on a busy machine.
ANSWER_TIMEOUT_MS = 45_000


def ask(page: Page, question: str) -> Locator:
    """Type the question and press Enter, as a keyboard user does; return its turn in the conversation."""
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")
    return page.get_by_role("article", name=f"Question: {question}")


def settled(turn: Locator, state: str) -> Locator:
    """Wait until the turn is answered or failed (`state`), and return it."""
    expect(turn).to_have_attribute("data-state", state, timeout=ANSWER_TIMEOUT_MS)
    return turn


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot for review into test-output/screenshots/ (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def body_overflow(page: Page) -> tuple[int, int]:
    """The page's scroll width and the viewport's width: wider content means sideways scrolling."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return int(width), int(inner)
