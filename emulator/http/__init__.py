"""The HTTP surface: Plivo's routes and the emulator's own control plane.

Handlers translate requests into domain calls and domain objects into Plivo's
JSON; they hold no state of their own.
"""
