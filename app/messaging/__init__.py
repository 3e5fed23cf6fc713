"""Threads, websockets, cross-process fan-out and notifications (filled by the messaging issue)."""
