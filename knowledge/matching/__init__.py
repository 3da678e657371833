"""Normal forms, blocking keys and similarity shared by import and search.

Pure: imports nothing of ours.
"""
