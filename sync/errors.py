"""What a sync can run into, as the client sees it."""

from __future__ import annotations

from typing import Any

from core.domain.errors import IbashoError


class SyncError(IbashoError):
    """Base of the sync client's errors."""


class TransientError(SyncError):
    """Try again later: no network, a timeout, the hub busy (5xx, 429)."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 message_ja: str | None = None) -> None:
        super().__init__(message, message_ja=message_ja or "ハブに接続できません。後で自動的に再送します。")
        self.retry_after = retry_after


class HubDiskFullError(TransientError):
    """The hub's disk is full (507): nothing was saved there; the records stay on the device
    and go again later. Said as such, so the office is told to free space on the hub."""

    def __init__(self, *, retry_after: float | None = None) -> None:
        super().__init__("the hub's disk is full: records stay on this device and are sent "
                         "again later; tell the office", retry_after=retry_after,
                         message_ja="ハブのディスクがいっぱいです。記録はこの端末に残り、後で自動的に"
                                    "再送します。事務局に連絡してください。")


class NotEnrolledError(SyncError):
    def __init__(self) -> None:
        super().__init__("this device is not enrolled with a hub yet",
                         message_ja="この端末はまだハブに登録されていません。設定から登録してください。")


class RevokedError(SyncError):
    """The hub no longer accepts this device's token. Data on the device is kept."""


class RefusedError(SyncError):
    """The hub refused a request for good (4xx): the request itself is wrong."""

    def __init__(self, message: str, *, status: int, message_ja: str | None = None,
                 problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, message_ja=message_ja)
        self.status = status
        self.problems = problems or []


class TLSError(SyncError):
    """The hub's certificate is not trusted: a set-up problem, not a passing one."""
