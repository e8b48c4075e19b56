"""The process's copies of master data (core.cache), through the channel copy order
placement reads: exact after every kind of write, never served from a rolled-back write."""

from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dingdan.channels import selectors
from dingdan.channels.exceptions import ChannelNotFound
from dingdan.channels.models import Channel
from dingdan.channels.services import channel_create
from dingdan.core import cache
from dingdan.core.actors import SYSTEM
from dingdan.core.models import CacheVersion
from dingdan.core.verify import verify_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def web():
    cache.cache_clear()
    return channel_create(actor=SYSTEM, code="web", name="Web shop", kind="web", number_prefix="SO")


def _name(code: str = "web") -> str:
    return selectors.channel_get_shared(code=code).name


def test_a_copy_is_read_once_then_only_the_version(web):
    with CaptureQueriesContext(connection) as first:
        assert _name() == "Web shop"
    with CaptureQueriesContext(connection) as second:
        assert _name() == "Web shop"

    assert (len(first), len(second)) == (2, 1)
    assert "core_cacheversion" in second.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: Channel.objects.filter(code="web").update(name="Renamed"), id="queryset-update"),
        pytest.param(
            lambda: connection.cursor().execute("UPDATE channels_channel SET name = 'Renamed'"), id="raw-sql"
        ),
        pytest.param(lambda: _save_renamed(), id="model-save"),
    ],
)
def test_every_kind_of_write_makes_the_next_read_load_again(web, write):
    assert _name() == "Web shop"
    before = CacheVersion.objects.get(name=cache.GROUP).version

    write()

    assert CacheVersion.objects.get(name=cache.GROUP).version != before
    assert _name() == "Renamed"


def _save_renamed() -> None:
    channel = Channel.objects.get(code="web")
    channel.name = "Renamed"
    channel.save(update_fields=["name"])


def test_a_new_row_and_a_deleted_row_are_seen(web):
    with pytest.raises(ChannelNotFound):
        _name("shop")
    channel_create(actor=SYSTEM, code="shop", name="Store", kind="pos", number_prefix="ST")
    assert _name("shop") == "Store"

    Channel.objects.filter(code="shop").delete()
    with pytest.raises(ChannelNotFound):
        _name("shop")


def test_a_copy_made_inside_a_rolled_back_write_is_never_served(web):
    assert _name() == "Web shop"
    committed = CacheVersion.objects.get(name=cache.GROUP).version
    with transaction.atomic():
        Channel.objects.filter(code="web").update(name="Never committed")
        assert _name() == "Never committed"  # the writer sees its own write
        transaction.set_rollback(True)

    assert CacheVersion.objects.get(name=cache.GROUP).version == committed
    assert _name() == "Web shop"


def test_a_scope_reads_the_version_once(web):
    with CaptureQueriesContext(connection) as captured, cache.cache_scope():
        for _ in range(5):
            assert _name() == "Web shop"
            assert selectors.channel_get_shared(channel_id=web.pk).code == "web"

    assert len(captured) == 3  # the version, the channel by code, by id: once each


def test_a_scope_given_a_version_read_earlier_reads_none_and_serves_that_versions_copies(web):
    seen = cache.Seen(CacheVersion.objects.get(name=cache.GROUP).version)
    assert _name() == "Web shop"
    Channel.objects.filter(code="web").update(name="Renamed")  # a newer version

    with CaptureQueriesContext(connection) as captured, cache.cache_scope(seen):
        as_seen = _name()
    # No version row when it was read: nothing kept, every read loads.
    with cache.cache_scope(cache.Seen(None)), CaptureQueriesContext(connection) as unkept:
        assert (_name(), _name()) == ("Renamed", "Renamed")

    assert (as_seen, len(captured)) == ("Web shop", 0)  # as of then, from its copy
    assert len(unkept) == 2
    assert _name() == "Renamed"


def test_without_a_version_row_nothing_is_kept(web):
    CacheVersion.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        assert _name() == "Web shop"
        assert _name() == "Web shop"
    assert len(captured) == 4  # the version (none) and the channel, each time


def test_verify_names_a_cached_table_whose_trigger_is_gone(web):
    assert verify_all()["cache_triggers"] == []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER dingdan_cache_version ON channels_channel")
        else:
            cursor.execute("DROP TRIGGER dingdan_cache_channels_channel_UPDATE")

    assert [f.subject for f in verify_all()["cache_triggers"]] == ["channels_channel"]
    cache.triggers_create()
    assert verify_all()["cache_triggers"] == []


def test_a_copy_stored_late_by_a_reader_of_an_older_version_is_not_served_to_newer_ones():
    """Two threads of one process: A reads under version 1 and is slow to load; meanwhile B
    reads under version 2. A's late copy must not answer B's next read."""
    cache.cache_clear()
    version = {"now": 1}

    def load_slowly():  # A's load, during which B reads under the newer version
        version["now"] = 2
        assert cache.cached("key", lambda: "new") == "new"
        return "old"

    with mock.patch.object(cache, "_version", side_effect=lambda: version["now"]):
        version["now"] = 1
        assert cache.cached("key", load_slowly) == "old"  # A gets what it loaded
        assert cache.cached("key", lambda: "reloaded") == "new"  # version 2 readers: B's copy
