"""The `thuvien` console command: Django's manage.py under the product's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuvien.config.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["thuvien", *sys.argv[1:]])


if __name__ == "__main__":
    main()
