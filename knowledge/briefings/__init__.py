"""Sergeants' briefings: drafts and rules, copies, the delivery engine, pacing, acknowledgements.

Imports access/, matching/, store/.
"""
