"""Where the source checkout is, for the commands that need more than the installed package.

The wheel ships ``worker`` and ``schemas`` only; the benchmarks (``bench/``) and their data live in
a checkout of the repository. An editable install (``pip install -e .``) runs from the checkout.
"""

import sys
from pathlib import Path

import worker

_MARKER = Path("bench") / "perf.py"


def checkout_root(package_dir: Path | None = None) -> Path | None:
    """The checkout ``worker`` was imported from, or None when it runs from an installed wheel."""
    root = (package_dir or Path(worker.__file__).resolve().parent).parent
    pyproject = root / "pyproject.toml"
    if (root / _MARKER).is_file() and pyproject.is_file() and 'name = "newsflow"' in pyproject.read_text():
        return root
    return None


def importable_bench(package_dir: Path | None = None) -> Path | None:
    """Put the checkout on ``sys.path`` so that ``import bench`` finds its benchmarks; its root or None."""
    root = checkout_root(package_dir)
    if root is not None and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return root


NO_CHECKOUT = (
    "newsflow bench runs the benchmarks in bench/, which live in the source checkout, not in the "
    "installed package. Clone the repository, then from its root: "
    "pip install -e '.[dev]' && newsflow bench (or python -m bench.perf)."
)
