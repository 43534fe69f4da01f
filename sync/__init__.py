"""Sync between devices and the hub (protocol, client, hub): see DESIGN §6–§7."""
