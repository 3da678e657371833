"""The use case: a question in, an audited answer out, one module per intent.

`dispatch` (the entry points `answer` and `answer_record`: a table from intent and from record kind to
its handler), `disclosure` (the one audited path: reads in a snapshot, then the audit entry, then the
reply), `persons` (and warrants), `vehicles`, `addresses`, `incidents`, `nearby` (a shared location),
and `render`, the one renderer of records.

Imports every room but briefings/ and importing/.
"""
