"""The pure domain: record types, validation, reference data, program rules.

Nothing here does I/O or imports anything of ours from outside this package.
"""
