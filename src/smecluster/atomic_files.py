"""Files an administrator loads (a year's holidays, a revised rule set) appear whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(target: Path, content: bytes) -> None:
    """Write ``content`` to ``target`` through a temporary file in the same directory and a rename, so a
    reader sees the old file or the new one, never half of one; a failed write leaves the old file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name starts with a dot and ends in .tmp, so a reader listing the directory mid-write
    # never takes it for a year or a rule set.
    descriptor, temporary_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)  # public data: the web server's user must read what an admin loaded
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
