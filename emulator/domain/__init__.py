"""The emulated Plivo world: accounts, MPCs, participants and recordings.

Nothing in this package performs I/O or knows about HTTP. Operations validate
first and mutate second, so a rejected request never leaves partial state, and
every committed change is announced as a :mod:`emulator.domain.events` event
for the delivery layer to turn into callbacks. (This file imports nothing, so
that a light module such as :mod:`emulator.domain.credentials` loads alone.)
"""
