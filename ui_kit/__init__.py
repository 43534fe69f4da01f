"""What the field app and the office console share: the theme and bundled font, widgets,
UI texts with date formats, and serving a Flet page from our own ASGI app."""
