"""The hub: the central endpoint devices sync with, and the office's database (DESIGN §7)."""
