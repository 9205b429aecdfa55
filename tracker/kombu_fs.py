"""kombu's filesystem transport with atomic message writes.

The stock channel creates the message file and then writes it, so a polling worker can
read it empty and die on a JSONDecodeError (kombu issue #1551). Writing to a hidden
temporary name and ``os.replace``-ing it into place removes that window.
"""

import os
import uuid
from pathlib import Path

from kombu.transport import filesystem
from kombu.utils.json import dumps


def ensure_folders(options: dict | None) -> None:
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = (options or {}).get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        filename = f"{round(filesystem.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, filename)
        temporary = os.path.join(self.data_folder_out, f".{filename}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(filesystem.str_to_bytes(dumps(payload)))
            handle.flush()
            os.fsync(handle.fileno())
        # The stock reader skips the dot-prefixed temporary name (its suffix differs).
        os.replace(temporary, final)


class Transport(filesystem.Transport):
    Channel = Channel
