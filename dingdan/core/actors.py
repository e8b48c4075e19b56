"""Who did it: every service that writes takes an Actor and records it in the audit trail."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    username: str
    user_id: int | None = None
    via: str = "session"  # session | token | cli | system | import
    token_id: int | None = None

    def __str__(self) -> str:
        if self.via == "token" and self.token_id is not None:
            return f"{self.username} (token {self.token_id})"
        if self.via in {"session", "system"}:
            return self.username
        return f"{self.username} ({self.via})"


SYSTEM = Actor(username="system", via="system")


def actor_for_user(user: object, via: str = "session") -> Actor:
    """The Actor of a signed-in staff member (admin, back office)."""
    username = user.get_username() if hasattr(user, "get_username") else str(user)
    return Actor(username=username, user_id=getattr(user, "pk", None), via=via)
