"""users: the classic user service, on Python's standard library only."""
