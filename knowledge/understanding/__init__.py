"""Text in, a parsed query out: what an officer's words ask for.

Pure: imports only matching/.
"""
