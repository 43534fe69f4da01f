"""What can go wrong with the files on the device, in words staff can act on."""

from __future__ import annotations

from pathlib import Path

from core.domain.errors import IbashoError


class StoreError(IbashoError):
    """A store operation failed; nothing was changed by it."""


class StoreFullError(StoreError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The device is out of storage space: the record was NOT saved ({path}). "
            "Free some space; everything saved before is safe.",
            message_ja="端末の空き容量が不足しているため、この記録は保存されていません。"
            "空き容量を増やしてください。これまでに保存した記録は失われていません。",
        )
        self.path = path


class StoreCorruptError(StoreError):
    """The files could not be read. They were moved aside (never deleted)."""

    def __init__(self, reason: str, kept_at: Path) -> None:
        super().__init__(
            f"The saved records could not be read ({reason}). The files were kept unchanged at "
            f"{kept_at}; contact the office before deleting anything.",
            message_ja=f"保存されている記録を読み込めませんでした（{reason}）。ファイルは削除せず "
            f"{kept_at} に保管しました。削除せずに事務局へご連絡ください。",
        )
        self.reason = reason
        self.kept_at = kept_at


class StoreLockedError(StoreError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"Another copy of the app is already using {path}; close it first.",
            message_ja="このアプリが別の画面ですでに開かれています。そちらを閉じてから開いてください。",
        )
        self.path = path


class StoreClosedError(StoreError):
    def __init__(self) -> None:
        super().__init__("The store is closed.", message_ja="記録帳は閉じられています。")


class StoreSealedError(StoreError):
    """A sealed store opened without its key: nothing sensitive could be read."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The records at {path} are sealed: open them with this device's PIN.",
            message_ja="この端末の記録は暗号化されています。PINを入力して開いてください。",
        )
        self.path = path
