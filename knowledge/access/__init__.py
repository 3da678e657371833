"""Who may do what: roles, users and invites, signed buttons, rate limits, reasons.

Imports matching/, store/.
"""
