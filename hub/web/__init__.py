"""The hub's HTTP layer: the app factory, request handling, access, and one router per noun."""
