"""Notifications: stored for each person and delivered live on their own channel."""
