"""The web console over real HTTP (no browser): headers, cookies, CSRF, sessions, bad input, exports,
and /console in Telegram reaching the console on the webhook server's port."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.web.guard import CSP, STALE_FORM
from handlers.console import NOT_CONFIGURED
from knowledge.access import authenticator, users
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.schema import AuditEntry, Briefing, BriefingDelivery, StepUp
from tests.support.bot import ADMIN as BOT_ADMIN
from tests.support.bot import OFFICER as BOT_OFFICER
from tests.support.bot import BotUnderTest
from tests.support.console import (
    ADMIN,
    ADMIN_2,
    CSRF_FIELD,
    OFFICER,
    TERMINAL,
    ConsoleUnderTest,
    running_console,
)
from tests.support.keys import init_db
from tests.support.postgres import fresh_postgres
from tests.support.tcp_proxy import TcpProxy

PRIVATE = ["/users", "/audit", "/briefings", "/stats", "/review", "/audit/export"]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>\u202e'


@pytest.fixture
async def console(db_url: str) -> AsyncIterator[ConsoleUnderTest]:
    async with running_console(db_url) as running:
        yield running


def _client() -> aiohttp.ClientSession:
    # The console is at 127.0.0.1 in the tests: aiohttp keeps cookies of an IP address only when unsafe.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _sign_in(console: ConsoleUnderTest, client: aiohttp.ClientSession, who: int = ADMIN) -> str:
    """Sign in with a fresh link as a browser would; the CSRF token of the page it lands on."""
    async with client.get(await console.link(who)) as page:
        token = re.search(r'name="token" value="([^"]+)"', await page.text())
    assert token is not None
    async with client.post(console.url("/login"), data={"token": token.group(1)}) as landed:
        assert landed.status == 200 and landed.url.path == "/console/users"
        csrf = CSRF_FIELD.search(await landed.text())
    assert csrf is not None
    return csrf.group(1)


async def _audit(console: ConsoleUnderTest, intent: str) -> list[AuditEntry]:
    async with console.db.reads() as session:
        stmt = select(AuditEntry).where(AuditEntry.intent == intent).order_by(AuditEntry.id)
        return list(await session.scalars(stmt))


async def test_every_page_is_private_and_every_answer_carries_the_security_headers(
    console: ConsoleUnderTest,
) -> None:
    async with _client() as client:
        for path in PRIVATE:
            async with client.get(console.url(path)) as page:
                body = await page.text()
                assert page.status == 401, path
                assert "Ada Admin" not in body and "8003" not in body
                assert page.headers["Content-Security-Policy"] == CSP
        await _sign_in(console, client)
        for path in [*PRIVATE, "/", "/static/console.css"]:
            async with client.get(console.url(path)) as page:
                assert page.status == 200, path
                headers = page.headers
                assert "default-src 'self'" in headers["Content-Security-Policy"]
                assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
                assert headers["X-Frame-Options"] == "DENY"
                assert headers["Referrer-Policy"] == "no-referrer"
                assert headers["Cache-Control"] == "no-store"
                assert "http" not in (await page.text()).split("<body>")[0].replace("http-equiv", "")
        async with client.get(console.url("/no-such-page")) as missing:
            assert missing.status == 404 and missing.headers["Content-Security-Policy"] == CSP
    async with _client() as stranger, stranger.get(console.url("/no-such-page")) as guessed:
        assert guessed.status == 401  # a stranger learns nothing of which pages exist


@pytest.mark.parametrize("public_url", ["http://console.test", "https://console.example"])
async def test_the_session_cookie_is_httponly_samesite_strict_and_secure_over_https(
    sqlite_url: str, public_url: str
) -> None:
    async with running_console(sqlite_url, public_url=public_url) as console, _client() as client:
        token = (await console.link()).rsplit("=", 1)[1]
        async with client.post(console.url("/login"), data={"token": token}, allow_redirects=False) as answer:
            assert answer.status == 303 and answer.headers["Location"] == "/console/users"
            cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "expires" not in cookie.lower() and "max-age" not in cookie.lower()  # the server ends it
    secure = public_url.startswith("https")
    assert ("Secure" in cookie) is secure
    assert cookie.startswith("__Host-beatline-console=" if secure else "beatline-console=")
    assert token not in cookie


async def test_opening_a_link_shows_a_button_and_only_pressing_it_uses_the_link(
    console: ConsoleUnderTest,
) -> None:
    link = await console.link()
    async with _client() as client:
        for _ in range(3):  # a link preview, a prefetch, the admin
            async with client.get(link) as page:
                assert page.status == 200 and "Sign in" in await page.text()
        token = link.rsplit("=", 1)[1]
        async with client.post(console.url("/login"), data={"token": token}) as landed:
            assert landed.url.path == "/console/users"
    async with _client() as other, other.post(console.url("/login"), data={"token": token}) as again:
        assert again.status == 403 and "cannot be used" in await again.text()


async def test_a_form_without_its_own_csrf_token_changes_nothing(console: ConsoleUnderTest) -> None:
    async with _client() as client, _client() as other:
        csrf = await _sign_in(console, client)
        theirs = await _sign_in(console, other, ADMIN_2)
        form = {"telegram_id": "7001", "role": "officer", "team": "south"}
        for given in ({}, {"csrf": ""}, {"csrf": theirs}, {"csrf": csrf[:-1] + "0"}):
            if given.get("csrf") == csrf:
                continue
            async with client.post(console.url("/users/enrol"), data={**form, **given}) as refused:
                assert refused.status == 403 and STALE_FORM in await refused.text()
        assert 7001 not in {u.telegram_id for u in await users.list_users(console.db)}
        async with client.post(console.url("/users/enrol"), data={**form, "csrf": csrf}) as done:
            assert done.status == 200 and "7001 is enrolled as officer in team south." in await done.text()
    [entry] = [e for e in await _audit(console, "user_enrol") if e.actor != "test"]
    assert (entry.actor, entry.channel, entry.telegram_user_id) == (f"tg:{ADMIN}", "console-web", ADMIN)


async def test_a_form_sent_from_another_site_is_refused_even_with_a_token(console: ConsoleUnderTest) -> None:
    async with _client() as client:
        csrf = await _sign_in(console, client)
        data = {"telegram_id": str(OFFICER), "csrf": csrf}
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "same-site", "Origin": "null"}):  # fmt: skip
            async with client.post(console.url("/users/revoke"), data=data, headers=headers) as refused:
                assert refused.status == 403 and "another site" in await refused.text()
    assert OFFICER in {u.telegram_id for u in await users.list_users(console.db) if u.status == "active"}


async def test_a_revoked_or_demoted_admin_is_signed_out_at_their_next_request(
    console: ConsoleUnderTest,
) -> None:
    async with _client() as first, _client() as second:
        csrf = await _sign_in(console, first)
        await _sign_in(console, second, ADMIN_2)
        async with first.post(console.url("/users/revoke"), data={"telegram_id": str(ADMIN_2), "csrf": csrf}):
            pass
        async with second.get(console.url("/users")) as page:
            assert page.status == 401 and "Bo Admin" not in await page.text()
        await users.enrol(console.db, 7000, "admin", by="test")  # the force keeps an admin
        await users.enrol(console.db, ADMIN, "sergeant", by="test")  # demoted from the terminal
        async with first.get(console.url("/audit")) as page:
            assert page.status == 401
    [revoked] = [e for e in await _audit(console, "user_revoke") if e.actor != "test"]
    assert revoked.channel == "console-web" and revoked.record_ids == f"user:{ADMIN_2}"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("telegram_id", "9" * 10_000),
        ("telegram_id", "-5"),
        ("telegram_id", "１２３"),  # full-width digits
        ("role", "<b>superuser</b>"),
        ("name", "x" * 10_000),
        ("team", "t" * 61),
    ],
)
async def test_bad_input_gets_a_polite_sentence_and_changes_nothing(
    sqlite_url: str, field: str, value: str
) -> None:
    async with running_console(sqlite_url) as console, _client() as client:
        csrf = await _sign_in(console, client)
        before = await users.list_users(console.db)
        form = {"telegram_id": "7002", "role": "officer", "team": "", "name": "", field: value, "csrf": csrf}
        async with client.post(console.url("/users/enrol"), data=form) as answer:
            body = await answer.text()
        assert answer.status == 400
        problem = re.search(r'<p class="problem" role="alert">([^<]*)</p>', body)
        assert problem is not None and len(problem.group(1)) < 200 and problem.group(1).endswith(".")
        assert "<b>" not in body and "Traceback" not in body
        assert await users.list_users(console.db) == before


async def test_a_wrongly_typed_form_field_is_refused_politely(sqlite_url: str) -> None:
    async with running_console(sqlite_url) as console, _client() as client:
        csrf = await _sign_in(console, client)
        upload = aiohttp.FormData()
        upload.add_field("csrf", csrf)
        upload.add_field("telegram_id", b"7003", filename="id.txt", content_type="text/plain")
        upload.add_field("role", "officer")
        async with client.post(console.url("/users/enrol"), data=upload) as answer:
            assert answer.status == 400 and "is not a Telegram id" in await answer.text()
        async with client.get(console.url("/audit"), params={"since": "yesterday", "user": "x"}) as audit:
            assert audit.status == 400 and "Telegram id" in await audit.text()
        async with client.get(console.url("/audit"), params={"since": "31/12/2026"}) as audit:
            assert audit.status == 400 and "a date like 2026-12-01" in await audit.text()


async def test_hostile_names_and_queries_are_shown_as_text(console: ConsoleUnderTest) -> None:
    await users.enrol(console.db, 7004, "officer", name=HOSTILE, by="test")
    async with _client() as client:
        await _sign_in(console, client)
        async with client.get(console.url("/users")) as page:
            body = await page.text()
        assert "<script>" not in body and "<img" not in body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in body
        async with client.get(
            console.url("/audit"), params={"record": '"><script>alert(1)</script>'}
        ) as page:
            body = await page.text()
        assert page.status == 200 and "<script>" not in body
        assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
        async with client.get(console.url("/users"), params={"q": HOSTILE * 40}) as page:
            body = await page.text()
        assert page.status == 200 and "<script>" not in body and len(body) < 50_000
    async with _client() as stranger, stranger.get(console.url("/login"), params={"token": HOSTILE}) as page:
        body = await page.text()
    assert "<script>" not in body and 'value="&lt;script&gt;alert(&#34;x&#34;)' in body


async def test_reading_and_exporting_the_log_is_itself_audited_first(console: ConsoleUnderTest) -> None:
    await users.enrol(console.db, 7005, "officer", name="=HYPERLINK(1)", by="=cmd|' /C calc'!A0")
    async with _client() as client:
        await _sign_in(console, client)
        async with client.get(console.url("/audit"), params={"outcome": "enrolled"}) as page:
            shown = re.findall(r"<tr class=\"enrolled\">\s*<td>(\d+)</td>", await page.text())
        [view] = [e for e in await _audit(console, "admin") if e.query.startswith("console audit")]
        assert view.record_ids.split() == [f"audit:{n}" for n in shown] and shown
        async with client.get(
            console.url("/audit/export"), params={"outcome": "enrolled", "format": "csv"}
        ) as got:
            assert got.headers["Content-Disposition"].startswith('attachment; filename="beatline-audit-')
            rows = list(csv.DictReader(io.StringIO(await got.text())))
    assert {row["outcome"] for row in rows} == {"enrolled"} and len(rows) == len(shown)
    assert all(not row["actor"].startswith("=") for row in rows)  # inert in a spreadsheet
    [export] = await _audit(console, "audit_export")
    assert export.query == "console audit export csv of outcome=enrolled"


async def test_the_chain_is_verified_and_a_checkpoint_downloaded(console: ConsoleUnderTest) -> None:
    async with _client() as client:
        csrf = await _sign_in(console, client)
        async with client.post(console.url("/audit/checkpoint"), data={"csrf": csrf}) as got:
            mark = await got.text()
        assert '"kind": "beatline-audit-checkpoint"' in mark
        async with client.post(
            console.url("/audit/verify"), data={"csrf": csrf, "checkpoints": mark}
        ) as page:
            body = await page.text()
        assert "Chain intact" in body and "agrees with 1 checkpoint" in body
        async with client.post(console.url("/audit/verify"), data={"csrf": csrf, "checkpoints": "{}"}) as bad:
            assert bad.status == 400 and "must be a checkpoint" in await bad.text()


async def test_an_invite_is_shown_as_a_qr_code_and_audited(console: ConsoleUnderTest) -> None:
    async with _client() as client:
        csrf = await _sign_in(console, client)
        async with client.post(console.url("/users/invite"), data={"csrf": csrf, "role": "sergeant"}) as page:
            body = await page.text()
    assert '<svg width="' in body and "https://t.me/beatline_test_bot?start=" in body
    [made] = await _audit(console, "invite_create")
    assert (made.actor, made.channel, made.outcome) == (f"tg:{ADMIN}", "console-web", "created")


async def test_remind_queues_the_outstanding_copies_only(console: ConsoleUnderTest) -> None:
    now = dt.datetime.now(dt.UTC)
    async with console.db.sessions() as session, session.begin():
        session.add(Briefing(id=1, sender_id=ADMIN, team="north", text="Look out for a red Focus",
                             status="sent", created_at=now))  # fmt: skip
        session.add(BriefingDelivery(briefing_id=1, telegram_id=OFFICER, status="sent", sent_at=now))
        session.add(
            BriefingDelivery(briefing_id=1, telegram_id=ADMIN_2, status="sent", sent_at=now, acked_at=now)
        )
    async with _client() as client:
        csrf = await _sign_in(console, client)
        async with client.get(console.url("/briefings")) as page:
            body = await page.text()
        assert "1/2" in body and "Oli Officer" in body and "Bo Admin" not in body
        async with client.post(
            console.url("/briefings/remind"), data={"csrf": csrf, "briefing_id": "1"}
        ) as done:
            assert "Briefing #1: 1 to be reminded." in await done.text()
    async with console.db.reads() as session:
        statuses = dict(
            (await session.execute(select(BriefingDelivery.telegram_id, BriefingDelivery.status))).all()
        )
    assert statuses == {OFFICER: "pending", ADMIN_2: "sent"}
    [remind] = await _audit(console, "briefing_remind")
    assert remind.channel == "console-web"


@pytest.mark.settings(console=True, public_url="http://console.test")
async def test_console_in_telegram_gives_a_link_that_signs_in_on_the_webhook_port(bot: BotUnderTest) -> None:
    reply = await bot.say(BOT_ADMIN, "/console")
    assert reply["protect_content"]
    link = re.search(r"http://console\.test(/console/login\?token=\S+)", reply["text"])
    assert link is not None
    base = bot.settings.webhook_url.rsplit("/", 1)[0]  # the webhook server's own address
    async with _client() as client:
        async with client.get(base + link.group(1)) as page:
            token = re.search(r'name="token" value="([^"]+)"', await page.text())
        assert token is not None
        async with client.post(base + "/console/login", data={"token": token.group(1)}) as landed:
            assert landed.status == 200 and "user 9003" in await landed.text()
    officer = await bot.say(BOT_OFFICER, "/console")
    assert "/console/login" not in officer["text"]
    issued = [
        (e.actor, e.channel, e.intent, e.outcome) for e in await bot.audit() if e.intent.startswith("console")
    ]
    assert issued[:2] == [
        (f"tg:{BOT_ADMIN}", "telegram", "console_link", "issued"),
        (f"tg:{BOT_ADMIN}", "console-web", "console_sign_in", "signed_in"),
    ]


async def test_console_in_telegram_says_when_the_console_is_not_set_up(bot: BotUnderTest) -> None:
    assert (await bot.say(BOT_ADMIN, "/console"))["text"] == NOT_CONFIGURED


@pytest.mark.postgres
async def test_a_database_that_is_down_gets_a_polite_page_and_the_console_recovers(
    postgres_admin_url: str,
) -> None:
    for url in fresh_postgres(postgres_admin_url):
        init_db(url)
        async with (
            TcpProxy.in_front_of(url) as proxy,
            running_console(proxy.url_for(url)) as console,
            _client() as client,
        ):
            await _sign_in(console, client)
            await proxy.refuse()
            async with client.get(console.url("/users")) as page:
                body = await page.text()
            assert page.status == 503 and "cannot be reached" in body and "Traceback" not in body
            assert page.headers["Content-Security-Policy"] == CSP
            await proxy.passing()
            async with client.get(console.url("/users")) as page:
                assert page.status == 200


async def test_the_log_is_filtered_by_an_actor_without_a_telegram_id(console: ConsoleUnderTest) -> None:
    async with _client() as client:
        await _sign_in(console, client)
        async with client.get(console.url("/audit"), params={"user": "console:test"}) as page:
            rows = re.findall(r"<td>(console:test|tg:\d+|test)</td>", await page.text())
    assert rows == ["console:test"]  # the link `beatline console-link` made, and nothing else


async def test_each_users_second_factor_status_is_shown_and_never_its_secret(
    console: ConsoleUnderTest,
) -> None:
    provisioning = await authenticator.issue(console.db, OFFICER, by=TERMINAL)
    await authenticator.issue(console.db, ADMIN_2, by=TERMINAL)
    async with console.db.sessions() as session, session.begin():
        await session.execute(
            update(StepUp).where(StepUp.telegram_id == ADMIN_2).values(locked_out_at=dt.datetime.now(dt.UTC))
        )
    async with _client() as client:
        await _sign_in(console, client)
        async with client.get(console.url("/users")) as page:
            body = await page.text()
    factors = dict(
        re.findall(r"<td>(\d+)</td>(?:\s*<td>[^<]*</td>){4}\s*<td class=\"factor\">\s*(.*?)</td>", body, re.S)
    )
    assert factors[str(OFFICER)].strip() == "set up, locked"
    assert factors[str(ADMIN)].strip() == "no authenticator yet"
    assert factors[str(ADMIN_2)].strip().startswith("<strong>locked out</strong> since")
    secret = re.search(r"secret=([A-Z2-7]+)", provisioning.uri)
    assert secret is not None and secret.group(1) not in body


async def test_an_authenticator_is_issued_as_a_qr_code_and_a_lock_out_released(
    console: ConsoleUnderTest,
) -> None:
    await authenticator.issue(console.db, ADMIN_2, by=TERMINAL)
    async with console.db.sessions() as session, session.begin():
        await session.execute(update(StepUp).values(locked_out_at=dt.datetime.now(dt.UTC)))
    async with _client() as client:
        csrf = await _sign_in(console, client)
        form = {"csrf": csrf, "telegram_id": str(OFFICER)}
        async with client.post(console.url("/users/authenticator"), data=form) as page:
            body = await page.text()
        assert f"A new authenticator secret for {OFFICER}." in body
        assert re.search(r'<section class="invite" id="secret">.*?<svg ', body, re.S)
        async with client.post(
            console.url("/users/release"), data={**form, "telegram_id": str(ADMIN_2)}
        ) as page:
            assert f"{ADMIN_2} may try codes again" in await page.text()
        async with client.post(
            console.url("/users/release"), data={**form, "telegram_id": str(ADMIN_2)}
        ) as page:
            assert page.status == 400 and f"{ADMIN_2} is not locked out." in await page.text()
    async with console.db.reads() as session:
        issued_by = await session.scalar(select(StepUp.issued_by).where(StepUp.telegram_id == OFFICER))
    assert issued_by == f"tg:{ADMIN}"
    done = [
        (e.intent, e.channel, e.record_ids)
        for e in await _audit(console, "totp") + await _audit(console, "release")
    ]
    assert (("totp", "console-web", f"user:{OFFICER}") in done) and (
        ("release", "console-web", f"user:{ADMIN_2}") in done
    )


@pytest.mark.settings(console=True, public_url="http://console.test")
async def test_revoking_in_the_console_wipes_the_users_chat_as_revoke_does(bot: BotUnderTest) -> None:
    update = bot.fake.text_message(BOT_OFFICER, "check plate qx12 abc")
    reply = await bot.reply_to(BOT_OFFICER, update)
    base = bot.settings.webhook_url.rsplit("/", 1)[0]
    link = re.search(r"/console/login\?token=\S+", (await bot.say(BOT_ADMIN, "/console"))["text"])
    assert link is not None
    async with _client() as client:
        async with client.get(base + link.group()) as page:
            token = re.search(r'name="token" value="([^"]+)"', await page.text())
        assert token is not None
        async with client.post(base + "/console/login", data={"token": token.group(1)}) as landed:
            csrf = CSRF_FIELD.search(await landed.text())
        assert csrf is not None
        form = {"csrf": csrf.group(1), "telegram_id": str(BOT_OFFICER)}
        async with client.post(base + "/console/users/revoke", data=form) as done:
            body = await done.text()
    assert f"{BOT_OFFICER} is revoked; their next message will be refused. 2 messages deleted" in body
    deletions = [r for r in bot.fake.requests if r.method == "deleteMessage" and r.http_status == 200]
    wiped = {r.params["message_id"] for r in deletions if r.params["chat_id"] == BOT_OFFICER}
    assert wiped == {update["message"]["message_id"], reply["message_id"]}


async def _checks(console: ConsoleUnderTest) -> None:
    """An officer's checks today: the same person three times (a review signal), and one denial."""
    officer = Caller(actor=f"tg:{OFFICER}", role="officer", telegram_user_id=OFFICER)
    async with console.db.sessions() as session, session.begin():
        for outcome, ids in (("answered", ["person:PT01"]), ("answered", ["person:PT01"]),
                             ("answered", ["person:PT01", "vehicle:QX12ABC"]), ("denied", [])):  # fmt: skip
            await audit.record(session, officer, query="jon quixtable 3/4/85", intent="person_check",
                               outcome=outcome, record_ids=ids, reason="STOP")  # fmt: skip


async def test_statistics_are_drawn_as_svg_and_their_view_audited(console: ConsoleUnderTest) -> None:
    await _checks(console)
    async with _client() as client:
        await _sign_in(console, client)
        async with client.get(console.url("/stats"), params={"days": "3"}) as page:
            body = await page.text()
        assert page.status == 200 and "<strong>4</strong> checks in 3 London days" in body
        assert body.count('<svg viewBox="0 0 640 220" role="img"') == 4 and "Oli Officer" in body
        for days in ("0", "367", "x", "9" * 1000, "٣"):
            async with client.get(console.url("/stats"), params={"days": days}) as refused:
                assert refused.status == 400 and "a whole number from 1 to 366" in await refused.text()
    [seen] = await _audit(console, "stats")
    assert (seen.channel, seen.record_ids, seen.query) == (
        "console-web",
        f"user:{OFFICER}",
        "console stats 3 days",
    )


async def test_each_review_signal_links_to_the_audit_entries_behind_it(console: ConsoleUnderTest) -> None:
    await _checks(console)
    officer = Caller(actor=f"tg:{OFFICER}", role="officer", telegram_user_id=OFFICER)
    async with console.db.sessions() as session, session.begin():
        await audit.record(session, officer, query="five wrong codes", intent="lockout", outcome="locked")
    async with _client() as client:
        await _sign_in(console, client)
        async with client.get(console.url("/review")) as page:
            body = await page.text()
        assert page.status == 200 and 'class="flagged"' in body
        repeated = re.search(r'<a href="([^"]+)">PT01 ×3</a>', body)
        denials = re.search(r'<a href="([^"]+outcome=denied)">1</a>', body)
        lockouts = re.search(r'<a href="([^"]+intent=lockout)">1</a>', body)
        assert repeated is not None and denials is not None and lockouts is not None
        async with client.get(console.base + lockouts.group(1).replace("&amp;", "&")) as entries:
            assert re.findall(r"<td>(locked|answered|denied)</td>", await entries.text()) == ["locked"]
        behind = console.base + repeated.group(1).replace("&amp;", "&")
        async with client.get(behind) as entries:
            shown = re.findall(r'<td class="ids">([^<]*)</td>', await entries.text())
        assert len(shown) == 3 and all("person:PT01" in ids for ids in shown)
    [seen] = await _audit(console, "review")
    assert seen.channel == "console-web" and f"user:{OFFICER}" in seen.record_ids.split()
