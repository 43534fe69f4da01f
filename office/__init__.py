"""The office console: a Flet web app the hub serves at /office (DESIGN §3, §7)."""
