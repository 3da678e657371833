"""Reading the audit log for supervisors: usage statistics, the review report and its weekly digest.

Functions here return plain frozen dataclasses (the bot, the command line and the web console render
them). Imports follows (what counts as a check) and store.
"""
