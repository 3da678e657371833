"""Who may do what: the roles, the commands each role sees, and the help text built from them.

This is the one table the gate, `/help` and the Telegram command menu all read, so they cannot drift.
"""

from __future__ import annotations

__all__ = [
    "COMMANDS",
    "FOLLOW_UPS",
    "REASONS_HINT",
    "ROLES",
    "Command",
    "can_use",
    "commands_for",
    "help_text",
    "may_grant",
]

from dataclasses import dataclass

ROLES = ("officer", "sergeant", "admin")  # lowest first


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    description: str
    roles: tuple[str, ...]
    terminal: bool = False  # also works in `beatline chat`, through the same knowledge functions


_ALL = ROLES
_LEADS = ("sergeant", "admin")
_ADMIN = ("admin",)

COMMANDS = (
    Command("help", "/help", "what I can check, with examples", _ALL, terminal=True),
    Command("whoami", "/whoami", "your id, role and team", _ALL, terminal=True),
    Command("unlock", "/unlock CODE", "unlock for your shift with your authenticator app's code", _ALL),
    Command("lock", "/lock", "lock Beatline now, until your next /unlock", _ALL),
    Command("wipe", "/wipe", "delete Beatline's messages from this chat", _ALL),
    Command("follow", "/follow ID", "be told when someone else checks this person or vehicle", _ALL),
    Command("unfollow", "/unfollow ID", "stop following a record", _ALL),
    Command("following", "/following", "the records you follow, and when each follow lapses", _ALL),
    Command(
        "brief",
        "/brief [at 06:45] TEXT",
        "brief your team, now or at a time (preview first); admins add team=B, or all for every team",
        _LEADS,
    ),
    Command("briefings", "/briefings", "recent briefings as acked/recipients; who is outstanding", _LEADS),
    Command("allow", "/allow ID ROLE [TEAM]", "enrol or change a user", _ADMIN),
    Command("revoke", "/revoke ID", "revoke a user", _ADMIN),
    Command("users", "/users", "list enrolled users", _ADMIN, terminal=True),
    Command("invite", "/invite ROLE [TEAM]", "a one-time enrolment link", _ADMIN),
    Command("release", "/release ID", "let a user locked out by wrong codes unlock again", _ADMIN),
    Command("audit", "/audit [ID]", "recent audit entries", _ADMIN, terminal=True),
    Command("stats", "/stats [DAYS]", "checks per day, team, intent, outcome, reason; answer times", _ADMIN),
    Command("review", "/review", "the review digest of the last 7 days", _ADMIN),
    Command("console", "/console", "a one-time sign-in link to the web console", _ADMIN),
)

EXAMPLES = (
    "any warnings on jon smyth dob 3/4/85",
    "is SMITH, John wanted",
    "check plate ab12 cde",
    "history at 221b baker st",
    "incident INC-2024-004512",
)
LOCATION = "or share a location for flagged addresses nearby"  # Telegram only: a terminal has no location
AT_THE_TERMINAL = (
    "a number — open that one of a list",
    "more — the detail of the last answer",
    "quit — leave",
)


FOLLOW_UPS = "Then, within 10 minutes: 'more', a number from a list ('2'), 'his car', 'is she wanted'."


def can_use(role: str, command: str) -> bool:
    return any(c.name == command and role in c.roles for c in COMMANDS)


def may_grant(role: str, granted: str) -> bool:
    """Whether a user of `role` may issue an invite that enrols as `granted`: never above their own role."""
    return can_use(role, "invite") and ROLES.index(role) >= ROLES.index(granted)


def commands_for(role: str) -> tuple[Command, ...]:
    return tuple(c for c in COMMANDS if role in c.roles)


REASONS_HINT = (
    "Each check needs a reason: tap one when I ask, or start the message with its code, "
    "e.g. 'stop: check plate ab12 cde'."
)


def help_text(role: str, *, reasons: bool = False, terminal: bool = False) -> str:
    """What this role can ask and do, with examples; nothing it cannot use, in Telegram or at a terminal.
    `reasons`: checks need a reason (BEATLINE_REASONS_REQUIRED), so say how to give one."""
    lines = ["Ask me in plain words, for example:"]
    lines += [f"• {example}" for example in (EXAMPLES if terminal else (*EXAMPLES, LOCATION))]
    lines += [REASONS_HINT] if reasons else []
    lines.append(FOLLOW_UPS)
    lines.append("Commands:")
    lines += [f"{c.usage} — {c.description}" for c in commands_for(role) if c.terminal or not terminal]
    if terminal:
        lines += AT_THE_TERMINAL
        lines.append("Briefings, invites and changes to users are made in Telegram or with 'beatline users'.")
    return "\n".join(lines)
