"""Audio for the recordings: valid WAV and MP3 files of the recorded duration, generated on demand.

Pure computation, no I/O: a file is described by its size and can be read at any offset, so the HTTP
layer streams it (and serves byte ranges) without ever holding an hour of audio in memory.
"""

from emulator.media.files import MediaFile, media_for

__all__ = ["MediaFile", "media_for"]
