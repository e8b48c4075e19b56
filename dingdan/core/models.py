"""Shared kernel tables: audit trail, outbox, idempotency keys, number tickets, PII access log."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Append-only, hash-chained per aggregate: `prev_hash` is the hash of the aggregate's
    previous entry, so there is no global hot row and a fork breaks a unique constraint."""

    aggregate_type = models.CharField(max_length=64)
    aggregate_id = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=64)
    actor = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.UniqueConstraint(
                fields=["aggregate_type", "aggregate_id", "sequence"],
                name="audit_one_entry_per_sequence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.aggregate_type}:{self.aggregate_id}#{self.sequence} {self.action}"


class AuditDigest(models.Model):
    """Seals one business day: a hash over every chain head that had entries that day."""

    day = models.DateField(unique=True)
    entry_count = models.PositiveIntegerField()
    chain_count = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit digest")
        verbose_name_plural = _("audit digests")


class OutboxEvent(models.Model):
    """A customer-visible change, written in the same transaction as the change itself."""

    # The primary key orders the feed; `event_id` is what consumers deduplicate by.
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64, db_index=True)
    aggregate_type = models.CharField(max_length=64)
    aggregate_id = models.CharField(max_length=64)
    data = models.JSONField()
    # The sales channel of the order the event concerns (Event.channel_id): a plain id, the
    # kernel knows no channels. A token bound to a channel reads the feed by it.
    channel_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(fields=["aggregate_type", "aggregate_id"]),
            models.Index(fields=["channel_id", "id"], name="outbox_channel_feed"),
            # What is still to dispatch (the sweep, reporting's in-flight days): a few rows of
            # a table that only grows.
            models.Index(
                fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_undispatched"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_type}:{self.aggregate_id}"


class IdempotencyKey(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    locked_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_per_principal")
        ]


class NumberTicket(models.Model):
    """SQLite's stand-in for a database sequence: AUTOINCREMENT never reuses an id."""

    id = models.AutoField(primary_key=True)


class PersonalDataAccess(models.Model):
    """A read of unmasked personal data (ARCHITECTURE §6): who read which records, when."""

    actor = models.CharField(max_length=150)
    subject_type = models.CharField(max_length=64)
    subject_ids = models.JSONField()
    purpose = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")


class CacheVersion(models.Model):
    """The version of one group of rarely-changing tables (master data, settings) that
    processes keep copies of (core.cache). Database triggers on the group's tables set a fresh
    random version in every transaction that writes them; nothing else writes here."""

    name = models.CharField(max_length=64, primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("cache version")
        verbose_name_plural = _("cache versions")
