"""The hub's log: one setup for `serve` in every mode (one process, or `--workers N`, whose
workers uvicorn starts from this same configuration). Every record is one line with its
time, level and logger; no personal data reaches it: the database engine hides a
statement's parameters (database.py), an exception is logged by its kind and where it
happened, never its message, and an access line's path loses its query string."""

from __future__ import annotations

import logging
import logging.config
import traceback
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# a line per run or request, or per file served: only their warnings
# libraries that say a line per run, request or font subset: quiet unless they warn
QUIET = ("alembic", "flet", "flet_web.fastapi", "httpx", "httpcore", "fontTools", "fpdf")
BANNER = "ibasho.hub.serve"  # where the server is: said whatever the level


class Formatter(logging.Formatter):
    """The hub's lines; an exception as its traceback's frames and its kind only: its
    message can quote what was being handled (a record's text, a row PostgreSQL shows)."""

    def __init__(self, fmt: str | None = FORMAT, datefmt: str | None = None,
                 use_colors: bool | None = None) -> None:  # uvicorn may pass use_colors
        super().__init__(fmt or FORMAT, datefmt)

    def formatException(self, ei: Any) -> str:
        from hub.errors import describe

        chain: list[BaseException] = []
        exc: BaseException | None = ei[1]
        while exc is not None and exc not in chain and len(chain) < 20:
            chain.append(exc)
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        parts = []
        for exc in reversed(chain):
            frames = traceback.extract_tb(exc.__traceback__)
            parts.append(" < ".join(f"{f.filename}:{f.lineno} {f.name}" for f in reversed(frames))
                         + f": {describe(exc)}")
        return "(message withheld) " + " | ".join(parts)

    def formatStack(self, stack_info: str) -> str:
        return " | ".join(stack_info.splitlines())  # source lines only: no values

    def format(self, record: logging.LogRecord) -> str:
        # one record, one line: a line that does not start with the time is no one's
        record.exc_text = None  # ours, not one another formatter cached with the message
        return super().format(record).replace("\r", " ").replace("\n", " | ")


class NoQueryString(logging.Filter):
    """An access line's path without its query: a search's terms (a person's alias, say)
    ride in it. The path itself carries ids only."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def config(level: str = "INFO") -> dict[str, Any]:
    """The logging configuration (logging.config.dictConfig's), for uvicorn's `log_config`
    too: each worker process applies it when it starts."""
    ours = {"()": f"{__name__}.Formatter", "fmt": FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # uvicorn looks for these two by name
        "formatters": {"default": ours, "access": ours},
        "filters": {"no_query": {"()": f"{__name__}.NoQueryString"}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "default",
                                 "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.access": {"filters": ["no_query"], "propagate": True},
            BANNER: {"level": "INFO"},
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


def configure(level: str = "INFO") -> None:
    logging.config.dictConfig(config(level))
