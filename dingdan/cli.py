"""The `dingdan` command: every Django management command plus Dingdan's own.

dingdan demo                 migrate, load demo data, serve web + worker on 127.0.0.1:8000
dingdan serve                the web server (gunicorn)
dingdan worker               background tasks (db_worker) and the periodic scheduler
dingdan verify               check the invariants of ARCHITECTURE §5; exit 1 on drift
dingdan reporting_rebuild [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                             rebuild the reports' daily SKU sales from the orders
dingdan token create --user NAME [--scopes a:b ...] [--channel CODE]
dingdan migrate | createsuperuser | runserver | ...   (Django's commands)
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "dingdan"
    if len(args) == 1 or args[1] in {"-h", "--help"}:
        print(__doc__)
        if len(args) == 1:
            return 0
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
