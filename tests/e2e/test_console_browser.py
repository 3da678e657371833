"""The web console in a real browser: Debian's chromium, driven by Playwright, against the console
served over a real SQLite database. One browser for the session; a fresh browser context (no cookies)
for each test.

Set BEATLINE_CONSOLE_SCREENSHOTS=docs/console to write the screenshots of each page that the docs show.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import update

from bot.web.guard import STALE_FORM
from knowledge.access import users
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.schema import Briefing, BriefingDelivery, ConsoleLink
from tests.support.console import ADMIN, ADMIN_2, OFFICER, ConsoleUnderTest, require_chromium, running_console

pytestmark = pytest.mark.asyncio(loop_scope="session")
try:  # assertions that wait for the page the click navigates to, not the one it leaves
    from playwright.async_api import expect
except ImportError:  # require_chromium() says why: a skip outside CI, a failure in it
    expect = None

HOSTILE = '<img src=x onerror=alert(1)><script>alert("owned")</script>'
SCREENSHOTS = os.environ.get("BEATLINE_CONSOLE_SCREENSHOTS", "")
PAGES = [("Users", "Users"), ("Audit", "Audit log"), ("Briefings", "Briefings"), ("Statistics", "Statistics"),
         ("Review", "Review")]  # fmt: skip


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
        launched = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def console(sqlite_url: str) -> AsyncIterator[ConsoleUnderTest]:
    async with running_console(sqlite_url) as running:
        yield running


class Tab:
    """A page in its own browser context, with every console message and dialog it raised."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.messages: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda message: self.messages.append(message.text))
        page.on("dialog", self._dialog)

    async def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    async def sign_in(self, link: str) -> None:
        await self.page.goto(link)
        await self.page.get_by_role("button", name="Sign in").click()

    def clean(self) -> None:
        """Nothing the CSP refused (it would mean something tried to load or run), no script ran."""
        assert not [m for m in self.messages if "Content Security Policy" in m or "Refused" in m]
        assert self.dialogs == []


@pytest_asyncio.fixture(loop_scope="session")
async def tab(browser: Any) -> AsyncIterator[Tab]:
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    yield Tab(await context.new_page())
    await context.close()


async def _arrange_screens(console: ConsoleUnderTest) -> None:
    """Synthetic users, a briefing half acknowledged and a few checks in the log, for the screenshots."""
    for telegram_id, role, team, name in ((8010, "officer", "north", "Priya Shah"),
                                          (8011, "sergeant", "south", "Tom Reilly"),
                                          (8012, "officer", "south", "Jo Evans")):  # fmt: skip
        await users.enrol(console.db, telegram_id, role, team=team, name=name, by="test")
    now = dt.datetime.now(dt.UTC)
    async with console.db.sessions() as session, session.begin():
        text = "Red Ford Focus QX12ABC seen near Quixtable Lane; do not approach alone."
        session.add(Briefing(id=1, sender_id=ADMIN, team="north", status="sent", created_at=now, text=text))
        session.add(BriefingDelivery(briefing_id=1, telegram_id=OFFICER, status="sent", sent_at=now))
        session.add(
            BriefingDelivery(briefing_id=1, telegram_id=8010, status="sent", sent_at=now, acked_at=now)
        )
        officer = Caller(actor=f"tg:{OFFICER}", role="officer", telegram_user_id=OFFICER)
        for query, outcome, ids in (("check plate qx12abc", "answered", ["vehicle:QX12ABC", "person:PT01"]),
                                    ("jon quixtable 3/4/85", "answered", ["person:PT01"]),
                                    ("jonathan quixtable", "answered", ["person:PT01"]),
                                    ("check plate zz99zzz", "not_found", []),
                                    ("check plate ab12cde", "denied", [])):  # fmt: skip
            await audit.record(session, officer, query=query, intent="vehicle_check", outcome=outcome,
                               record_ids=ids, reason="STOP")  # fmt: skip


async def _screenshot(tab: Tab, name: str, *, full_page: bool = True) -> None:
    if SCREENSHOTS:  # Playwright makes the folder
        await tab.page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=full_page)


async def test_an_admin_signs_in_by_link_and_reaches_every_page(console: ConsoleUnderTest, tab: Tab) -> None:
    await _arrange_screens(console)
    await tab.page.goto(await console.link())
    await _screenshot(tab, "sign-in")
    await tab.page.get_by_role("button", name="Sign in").click()
    await tab.page.wait_for_url(console.url("/users"))
    for link, heading in PAGES:
        await tab.page.get_by_role("link", name=link, exact=True).click()
        await expect(tab.page.locator("h1")).to_have_text(heading)
        await _screenshot(tab, link.lower())
    await tab.page.get_by_role("button", name="Sign out").click()
    await expect(tab.page.locator("h1")).to_have_text("Sign in")
    await tab.page.goto(console.url("/users"))
    await expect(tab.page.locator("h1")).to_have_text(
        "Sign in"
    )  # signed out for good, not just sent elsewhere
    tab.clean()


async def test_users_are_enrolled_changed_revoked_and_invited_from_the_page(
    console: ConsoleUnderTest, tab: Tab
) -> None:
    page = tab.page
    await tab.sign_in(await console.link())
    enrol = page.locator("#enrol")
    await enrol.get_by_label("Telegram id").fill("7101")
    await enrol.get_by_label("Role").select_option("officer")
    await enrol.get_by_label("Team").fill("east")
    await enrol.get_by_label("Name").fill("Nia Newcomer")
    await enrol.get_by_role("button", name="Enrol").click()
    await expect(page.locator(".notice")).to_have_text("7101 is enrolled as officer in team east.")
    row = page.locator("tr", has_text="Nia Newcomer")
    await row.get_by_label("team").fill("west")
    await row.get_by_role("button", name="Change").click()
    await expect(page.locator(".notice")).to_contain_text("7101 is enrolled as officer in team west.")
    await page.locator("tr", has_text="Nia Newcomer").get_by_role("button", name="Revoke").click()
    await expect(page.locator(".notice")).to_contain_text("7101 is revoked")
    invite = page.locator("#invite")
    await invite.get_by_label("Role").select_option("sergeant")
    await invite.get_by_role("button", name="Make an invite").click()
    assert await page.locator(".qr svg").is_visible()
    await expect(page.locator("code.link")).to_contain_text("https://t.me/beatline_test_bot?start=")
    await _screenshot(tab, "invite")
    await page.get_by_label("Search").fill("newcomer")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    tab.clean()


async def test_a_form_works_with_its_csrf_token_and_is_refused_without(
    console: ConsoleUnderTest, tab: Tab
) -> None:
    page = tab.page
    await tab.sign_in(await console.link())
    enrol = page.locator("#enrol")
    await enrol.get_by_label("Telegram id").fill("7102")
    await enrol.locator("input[name=csrf]").evaluate("field => field.remove()")
    await enrol.get_by_role("button", name="Enrol").click()
    await expect(page.locator(".problem")).to_contain_text(STALE_FORM)
    assert 7102 not in {u.telegram_id for u in await users.list_users(console.db)}
    # The same form as the page gives it, token and all, does its work.
    await page.goto(console.url("/users"))
    await enrol.get_by_label("Telegram id").fill("7102")
    await enrol.get_by_role("button", name="Enrol").click()
    await expect(page.locator(".notice")).to_contain_text("7102 is enrolled")
    tab.clean()


async def test_a_reused_and_an_expired_link_are_refused(
    console: ConsoleUnderTest, browser: Any, tab: Tab
) -> None:
    link = await console.link()
    await tab.sign_in(link)
    await expect(tab.page.locator("h1")).to_have_text("Users")
    other = Tab(await (await browser.new_context()).new_page())
    await other.sign_in(link)
    await expect(other.page.locator(".problem")).to_contain_text("cannot be used")
    late = await console.link()
    async with console.db.sessions() as session, session.begin():
        await session.execute(
            update(ConsoleLink).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    await other.sign_in(late)
    await expect(other.page.locator(".problem")).to_contain_text("cannot be used")
    await other.page.goto(console.url("/users"))
    await expect(other.page.locator("h1")).to_have_text("Sign in")
    await other.page.context.close()


async def test_an_officers_link_is_refused(console: ConsoleUnderTest, tab: Tab) -> None:
    link = await console.link(ADMIN_2)
    await users.enrol(console.db, ADMIN_2, "officer", by="test")  # an officer now, link in hand
    await tab.sign_in(link)
    await expect(tab.page.locator(".problem")).to_contain_text("cannot be used")
    await tab.page.goto(console.url("/audit"))
    await expect(tab.page.locator("h1")).to_have_text("Sign in")


async def test_a_revoked_admins_session_ends_at_their_next_click(console: ConsoleUnderTest, tab: Tab) -> None:
    await tab.sign_in(await console.link(ADMIN_2))
    await expect(tab.page.locator("h1")).to_have_text("Users")
    await users.revoke(console.db, ADMIN_2, by="test")
    await tab.page.get_by_role("link", name="Audit", exact=True).click()
    await expect(tab.page.locator("h1")).to_have_text("Sign in")
    assert "Ada Admin" not in await tab.page.content()


async def test_a_hostile_user_name_and_audit_query_are_shown_as_text(
    console: ConsoleUnderTest, tab: Tab
) -> None:
    await users.enrol(console.db, 7103, "officer", name=HOSTILE, by="test")
    page = tab.page
    await tab.sign_in(await console.link())
    assert await page.locator("td", has_text=HOSTILE).count() == 1
    assert await page.locator("main img, main script").count() == 0
    await page.get_by_role("link", name="Audit", exact=True).click()
    await page.get_by_label("Record").fill(HOSTILE[:40])
    await page.get_by_role("button", name="Filter").click()
    assert await page.get_by_label("Record").input_value() == HOSTILE[:40]
    assert await page.locator("main img, main script").count() == 0
    await expect(page.locator("tbody")).to_contain_text("No entries match.")
    tab.clean()


async def test_the_pages_fit_a_phone(console: ConsoleUnderTest, browser: Any) -> None:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = Tab(await context.new_page())
    await phone.sign_in(await console.link())
    for link, heading in PAGES:
        await phone.page.get_by_role("link", name=link, exact=True).click()
        await expect(phone.page.locator("h1")).to_have_text(heading)
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        overflow = await phone.page.evaluate("document.documentElement.scrollWidth - 390")
        assert overflow <= 0, f"{link} is wider than the phone by {overflow}px"
    await phone.page.get_by_role("link", name="Users", exact=True).click()
    await _screenshot(phone, "users-phone", full_page=False)
    phone.clean()
    await context.close()
