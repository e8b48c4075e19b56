"""Labels the workbench shows: the orders context's names for its codes (statuses, staff
labels, types, priorities, check outcomes), and the workbench's own (actions, timeline)."""

from django.utils.translation import gettext_lazy as _

from dingdan.orders import selectors as orders

# The staff labels queue by queue, as the order list offers them (drafts last).
STAFF_LABELS = {
    code: orders.STAFF_LABEL_NAMES[code]
    for code in (
        "awaiting_review",
        "on_hold",
        "awaiting_payment",
        "awaiting_shipment",
        "shipped",
        "completed",
        "cancelled",
        "draft",
    )
}
STATUS_LABELS = orders.STATUS_NAMES
OUTCOME_LABELS = orders.CHECK_OUTCOME_NAMES
TYPE_LABELS = orders.TYPE_NAMES
PRIORITY_LABELS = orders.PRIORITY_NAMES
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
