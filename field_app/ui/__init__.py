"""The Flet user interface. Talks to the store and the sync client, never to files."""
