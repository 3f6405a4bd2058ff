"""Mutual aid: offers and requests, their lifecycle, private hand-offs, matching and alerts."""
