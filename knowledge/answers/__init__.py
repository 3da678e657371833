"""The use case: a question in, an audited answer out, one module per intent.

Imports every room but briefings/ and importing/.
"""
