"""Realtime: the live channel (WebSocket endpoint, hub, broker, presence); arrives with chat."""
