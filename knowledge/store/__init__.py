"""Engine and sessions, schema, migrations, the audit writer, update claims.

Imports matching/ only.
"""
