"""ybt (一表通): turn department reporting forms into shared data ledgers, and back again."""

__version__ = "0.1.0"
