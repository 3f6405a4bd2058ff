"""Boards: categories of conversation, their topics and posts."""
