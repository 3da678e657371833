"""The web console for admins: aiohttp pages rendered on the server, signed in by one-time links.

Wiring only, like the rest of bot/: each page reads its form, calls knowledge/ (the same functions,
and so the same audit entries, as the chat commands) and renders a template. `guard.py` holds the
security of every request in one place; docs/design.md, "Threat model: the web console", says what it
protects against.
"""
