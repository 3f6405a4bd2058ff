"""Accounts: people, their sessions and tokens, sign-up and roles."""
