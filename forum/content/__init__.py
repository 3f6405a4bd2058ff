"""The content pipeline every writer runs: Markdown rendering and sanitizing (later, screening)."""
