"""Messages that vanish: the ledger of what Beatline sent into users' chats, the deletion schedule that
exactly one process works through, and remote wipe. Telegram-free: deletions go out through a port.

Imports store/.
"""
