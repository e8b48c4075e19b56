from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dingdan.channels.selectors import channel_get
from dingdan.core.actors import Actor
from dingdan.core.exceptions import ApplicationError

from ...models import ApiToken
from ...services import token_create, token_revoke


class Command(BaseCommand):
    help = (
        "Manage API tokens: `token create --user NAME [--scopes s ...] [--channel CODE]`, `token revoke ID`."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token; the token is the last word printed.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="cli")
        create.add_argument("--scopes", nargs="*", help="Default: every scope the user holds.")
        create.add_argument(
            "--channel",
            help="Bind the token to this channel code: its orders go to that channel, and it sees "
            "only that channel's documents.",
        )
        revoke = sub.add_parser("revoke", help="Revoke a token by id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = Actor(username="cli", via="cli")
        try:
            if action == "create":
                user = get_user_model().objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(f"no such user: {options['user']}")
                channel = channel_get(code=options["channel"]) if options["channel"] else None
                token, raw = token_create(
                    user=user, name=options["name"], scopes=options["scopes"], channel=channel, actor=actor
                )
                scopes = ",".join(token.scopes)
                self.stdout.write(f"token {token.pk} for {user.get_username()} scopes={scopes}")
                self.stdout.write(raw)
            else:
                found = ApiToken.objects.filter(pk=options["id"]).first()
                if found is None:
                    raise CommandError(f"no such token: {options['id']}")
                token_revoke(token=found, actor=actor)
                self.stdout.write(f"token {found.pk} revoked")
        except ApplicationError as error:
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
            raise CommandError(f"{error.message} {detail}".strip()) from error
