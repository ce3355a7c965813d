"""Turning domain events into the outside world's experience of time and callbacks.

The clock lives here: the domain asks it what time it is, and nothing else.
"""
