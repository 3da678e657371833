"""The read model: frozen records loaded from the store, and the staged search.

`read_model` (the frozen dataclasses), `loaders` (whole records by id), `search` (candidates from
what an officer typed, as frozen hits), `places` (addresses near a point). No ORM row leaves this room.

Imports store/, matching/.
"""
