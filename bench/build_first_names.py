"""Build ``worker/stages/entities/first_names.txt`` from Faker's person providers (MIT licence).

    pip install --target /tmp/faker faker && PYTHONPATH=/tmp/faker python -m bench.build_first_names

Every locale's first-name lists (``first_names``, ``first_names_male``, ``first_names_female``
and their ``_nonbinary`` kin), kept when written in Latin letters (accents allowed), one word
of two letters or more; case-folded, sorted, one a line with the number of locales that list
it (how widespread the name is). Faker's version goes in the header. Not derived from any
benchmark data.
"""

import importlib
import pkgutil
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "worker" / "stages" / "entities" / "first_names.txt"
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’]{2,}$")
_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def collect() -> tuple[str, dict[str, int]]:
    """Faker's version, and every Latin-script first name of its locales with how many list it."""
    faker = importlib.import_module("faker")
    person = importlib.import_module("faker.providers.person")
    locales: dict[str, set[str]] = {}
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attribute in _ATTRIBUTES:
            found = getattr(provider, attribute, ())
            if isinstance(found, dict | list | tuple | set | frozenset):  # lists, or weights by name
                for name in found:
                    if isinstance(name, str) and _LATIN.match(name):
                        locales.setdefault(name.casefold(), set()).add(module.name)
    return str(faker.VERSION), {name: len(found_in) for name, found_in in locales.items()}


def main() -> None:
    """Write the vocabulary file."""
    version, names = collect()
    header = (
        f"# first names and the number of locales listing them: Faker {version} person providers"
        " (MIT licence), python -m bench.build_first_names\n"
    )
    lines = (f"{name} {count}" for name, count in sorted(names.items()))
    TARGET.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
