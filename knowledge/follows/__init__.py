"""Following a record: who follows what, the alerts another officer's check of it raises, their outbox.

Imports access, matching, records and store; the answers room calls it from the one audited path.
"""
