"""The `gongjian` console script: Django's management commands under one name.

`gongjian demo`, `gongjian serve`, `gongjian units resolve NAME`, `gongjian migrate`, ...
"""

from __future__ import annotations

import os
import sys

# Commands that serve plain http on this machine: cookies cannot be "secure" there.
_LOCAL_HTTP_COMMANDS = {"demo", "serve", "runserver"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    if args and args[0] in _LOCAL_HTTP_COMMANDS:
        os.environ.setdefault("SECURE", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongjian", *args])


if __name__ == "__main__":
    main()
