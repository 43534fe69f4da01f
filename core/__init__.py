"""What the tablet, the hub and the console share: the pure domain (record types,
validation, enumerations, conditions, schedules, guards, Japan time; no I/O), the reference
data read from assets/, the one reader of the IBASHO_* settings, and the security headers.
The tablet build carries it; it imports nothing else of ours."""
