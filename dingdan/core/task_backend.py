"""The database task backend of django-tasks-db, writing its task row the lean way.

Every order enqueues the delivery of its outbox events, and `DBTaskResult.objects.create`
compiled an INSERT through the ORM each time: about 4 % of an API order's CPU. This backend
builds the same row and writes it with `core.rows.rows_insert`. `rows_insert` sends no
signals, so the library's one `pre_save` receiver (a task without `run_after` runs at the
far-future date that means "now") is applied here. `tests/contracts/test_task_backend.py`
checks that the row is the one the library writes, so an upgrade that changes it fails there.
"""

from typing import TYPE_CHECKING, Any

from django_tasks_db import DatabaseBackend as _DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued

from .rows import rows_insert

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult


class DatabaseBackend(_DatabaseBackend):
    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        """The library's enqueue, building the task's result once (it builds it twice: for
        the `task_enqueued` signal and for the caller, each with its task re-imported)."""
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> "DBTaskResult[Any, Any]":
        from django_tasks_db.models import DBTaskResult, get_date_max

        row: DBTaskResult[Any, Any] = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after if task.run_after is not None else get_date_max(),
            backend_name=self.alias,
        )
        rows_insert([row])
        return row
