"""A module that takes SLOW_IMPORT_MS milliseconds to import (module-level sleep): a stand-in for a
heavy import in DataLoader workers (see --import-ms). The main process never imports it."""

import os
import time

IMPORT_MS = float(os.environ.get("SLOW_IMPORT_MS", "0"))
time.sleep(IMPORT_MS / 1000.0)
