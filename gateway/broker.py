"""Kombu's filesystem transport (the newcomer default's broker), made safe for a concurrent
reader: a message file appears in the queue folder only once completely written.

Kombu writes the file in place under an advisory lock that the reader does not take, so a
worker polling at that instant could move away an empty file and lose the message (seen as a
JSONDecodeError). Here the message is written beside the folder, then renamed into it (atomic).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(folder)))
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, os.path.join(folder, name))
        except OSError as exc:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise ChannelError(f"Cannot add a message to {folder!r}") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def install() -> None:
    TRANSPORT_ALIASES["filesystem"] = "gateway.broker:Transport"
