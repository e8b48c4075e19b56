"""Labels the workbench shows for values other contexts own. The texts are the same msgids as
the owners' (orders/models.py), so the catalogues translate them once for both."""

from django.utils.translation import gettext_lazy as _

STAFF_LABELS = {
    "awaiting_review": _("Awaiting review"),
    "on_hold": _("On hold"),
    "awaiting_payment": _("Awaiting payment"),
    "awaiting_shipment": _("Awaiting shipment"),
    "shipped": _("Shipped"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
    "draft": _("Draft"),
}
STATUS_LABELS = {
    "draft": _("Draft"),
    "pending_review": _("Pending review"),
    "confirmed": _("Confirmed"),
    "on_hold": _("On hold"),
    "completed": _("Completed"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
}
OUTCOME_LABELS = {"pass": _("Pass"), "warn": _("Warning"), "fail": _("Fail")}
TYPE_LABELS = {"normal": _("Normal"), "wholesale": _("Wholesale"), "custom": _("Custom")}
PRIORITY_LABELS = {"normal": _("Normal"), "urgent": _("Urgent")}
ACTION_LABELS = {
    "submit": _("Submit"),
    "approve": _("Approve"),
    "hold": _("Hold"),
    "release": _("Release"),
    "reject": _("Reject"),
    "cancel": _("Cancel"),
    "assign": _("Assign"),
}
# The scope each order action needs (the API's, orders/api.py).
ACTION_SCOPES = {
    "submit": "orders:write",
    "approve": "orders:review",
    "hold": "orders:review",
    "release": "orders:review",
    "reject": "orders:review",
    "cancel": "orders:write",
    "assign": "orders:review",
}
# Actions whose service requires a reason rather than an optional note.
REASON_ACTIONS = frozenset({"hold", "reject", "cancel"})
TIMELINE_LABELS = {
    "created": _("Created"),
    "submitted": _("Submitted"),
    "approved": _("Approved"),
    "held": _("Put on hold"),
    "released": _("Released"),
    "rejected": _("Rejected"),
    "cancelled": _("Cancelled"),
    "draft_updated": _("Draft changed"),
    "assigned": _("Assigned"),
    "classified": _("Classified"),
}
