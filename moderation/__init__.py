"""Moderation: rate limits, sanitizing and other safeguards for what members post."""
