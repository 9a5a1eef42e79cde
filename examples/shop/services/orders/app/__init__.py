"""orders: places and cancels orders, on Python's standard library only."""
