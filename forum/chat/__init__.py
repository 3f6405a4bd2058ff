"""Live chat: public rooms, private rooms with members, and direct messages between two people."""
