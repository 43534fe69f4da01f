"""Entry point for packaged builds: `flet build apk` looks for main.py at the app root."""

from field_app.ui.app import run_packaged

run_packaged()
