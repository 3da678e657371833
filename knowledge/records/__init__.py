"""The read model: frozen records loaded from the store, and the staged search.

Imports store/, matching/.
"""
