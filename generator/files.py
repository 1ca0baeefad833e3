"""Writing files a user did not have: `init` and `new` create, never replace.

One helper for both, so neither can overwrite what someone wrote or write through a link that
someone planted where the new file goes.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_new(path: Path, data: bytes) -> Path:
    """Create path with data and return it; FileExistsError when anything is there already (a
    file or a link: O_EXCL never follows one). A write cut short removes the half-written file,
    so no half a fact file is left to fail `check` with a confusing error."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return path
