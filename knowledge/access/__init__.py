"""Who may do what: roles, users and invites, signed buttons and their payloads, rate limits, reasons.

Imports matching/, store/.
"""
