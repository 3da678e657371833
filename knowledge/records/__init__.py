"""The read model and the records port: frozen records, wherever the records are kept.

`read_model` (the frozen dataclasses), `port` (the interface every answer reads through), and its
two adapters: `sql_store` over Beatline's own database (`loaders`: whole records by id, `search`:
candidates from what an officer typed, `places`: addresses near a point) and `gateway`, a force's
own records system over HTTP (`wire`: its JSON documents, `breaker`: its circuit breaker). No ORM
row and no JSON leaves this room.

Imports store/, matching/.
"""
