import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Dingdan with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "1")))

    def handle(self, *args: Any, bind: str, workers: int, threads: int, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from config.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("accesslog", "-")
                self.cfg.set("timeout", 60)
                # No control socket: by default every gunicorn of the user shares one path
                # (~/.gunicorn/gunicorn.ctl), so two servers on a machine would overwrite it.
                self.cfg.set("control_socket_disable", True)

            def load(self) -> Any:
                return application

        self.stdout.write(f"Dingdan on http://{bind} ({workers} workers)")
        Server().run()
