"""Counting instructions of chosen parts of a Python process under valgrind's callgrind.

Shared by ``bench.metrics_cost`` and ``bench.language_cost``. A tiny C library of callgrind's
client requests (compiled with ``cc`` at run time) lets the measured process switch counting on
around a part and dump its count under a name; ``read_totals`` reads the dumps back. The process
finds the library through ``SHIM_ENV`` and loads it with ``ctypes``.
"""

import shutil
import subprocess
from pathlib import Path

SHIM_ENV = "NEWSFLOW_CALLGRIND_SHIM"
SHIM_C = """#include <valgrind/callgrind.h>
void part_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void part_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
void part_end(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""


def build_shim(folder: Path) -> Path:
    """Compile the client-request library into ``folder``; exits when valgrind or cc is missing."""
    if shutil.which("valgrind") is None or shutil.which("cc") is None:
        raise SystemExit("this bench needs valgrind (with its headers) and a C compiler (cc)")
    shim = folder / "shim.so"
    (folder / "shim.c").write_text(SHIM_C, encoding="utf-8")
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(shim), str(folder / "shim.c")], check=True)
    return shim


def read_totals(folder: Path) -> dict[str, int]:
    """The instructions of each dumped part by the name it was dumped under (summed over dumps)."""
    parts: dict[str, int] = {}
    for path in folder.glob("callgrind.out*"):
        name, total = None, None
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("desc: Trigger: Client Request: "):
                name = line.rpartition(": ")[2]
            elif line.startswith(("totals: ", "summary: ")):
                total = int(line.split()[1])
        if name is not None and total is not None:
            parts[name] = parts.get(name, 0) + total
    return parts
