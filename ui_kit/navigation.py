"""The navigation both apps put around their screens — a rail on a wide window, a bottom
bar on a narrow one — made once per window and kept across repaints.

Why kept: every repaint builds a new screen, and Flet drops an event whose control is no
longer on the page. A tab tapped while a repaint was on its way (the screen a tap on 戻る
asked for, a sync that brought changes) went nowhere, and the rail went on showing the
tapped tab over the old screen, where tapping it again did nothing. A kept control keeps its
id, so the tap still reaches it. The same holds for any button of the frame (language,
lock, sign-out): the apps keep those too."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import flet as ft


class Navigation:
    def __init__(self, icons: Sequence[ft.IconData], pick: Callable[[int], None],
                 rail_width: int = 88) -> None:
        def picked(e: ft.Event[ft.NavigationRail] | ft.Event[ft.NavigationBar]
                   | ft.Event[ft.NavigationDrawer]) -> None:
            pick(int(e.control.selected_index or 0))

        self._rail = ft.NavigationRail(
            label_type=ft.NavigationRailLabelType.ALL, min_width=rail_width, on_change=picked,
            destinations=[ft.NavigationRailDestination(icon=icon, label="") for icon in icons])
        self._bar = ft.NavigationBar(
            on_change=picked,
            destinations=[ft.NavigationBarDestination(icon=icon, label="") for icon in icons])
        self._header = ft.Container(padding=ft.Padding.only(left=28, top=16, right=16,
                                                            bottom=8))
        self._destinations = [ft.NavigationDrawerDestination(icon=icon, label="")
                              for icon in icons]
        self._drawer = ft.NavigationDrawer(controls=[self._header, *self._destinations],
                                           on_change=picked)

    def rail(self, labels: Sequence[str], index: int) -> ft.NavigationRail:
        self._rail.selected_index = index
        for destination, label in zip(self._rail.destinations, labels, strict=True):
            destination.label = label
        return self._rail

    def bar(self, labels: Sequence[str], index: int) -> ft.NavigationBar:
        self._bar.selected_index = index
        for destination, label in zip(self._bar.destinations, labels, strict=True):
            destination.label = label
        return self._bar

    def drawer(self, labels: Sequence[str], index: int, header: str = "") -> ft.NavigationDrawer:
        """Every destination with its whole label, one under another: for more of them than
        a phone's bottom bar can label (five at most there; the console has ten, whose
        labels wrapped into two lines of a few characters each)."""
        self._drawer.selected_index = index
        self._header.content = ft.Text(header, size=14, weight=ft.FontWeight.W_600)
        self._header.visible = bool(header)
        for destination, label in zip(self._destinations, labels, strict=True):
            destination.label = label
        return self._drawer
