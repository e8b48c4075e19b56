from django.urls import path

from .views import amendments, auth, entry, home, inventory, orders, queues

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("language/", auth.language_set, name="language"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/export.xlsx", orders.order_export, name="order_export"),
    path("orders/bulk/", orders.order_bulk, name="order_bulk"),
    path("orders/views/", orders.saved_view_create, name="saved_view_create"),
    path("orders/views/<int:view_id>/delete/", orders.saved_view_delete, name="saved_view_delete"),
    path("orders/new/", entry.order_entry, name="order_entry"),
    path("orders/new/customers/", entry.entry_customers, name="entry_customers"),
    path("orders/new/customers/<int:customer_id>/", entry.entry_customer_pick, name="entry_customer_pick"),
    path("orders/new/skus/", entry.entry_skus, name="entry_skus"),
    path("orders/new/line/", entry.entry_line, name="entry_line"),
    path("orders/new/quote/", entry.entry_quote, name="entry_quote"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/change/", amendments.change_form, name="change_form"),
    path("orders/<int:order_id>/changes/<int:change_id>/", amendments.change_preview, name="change_preview"),
    path(
        "orders/<int:order_id>/changes/<int:change_id>/commit/",
        amendments.change_decide,
        {"decision": "commit"},
        name="change_commit",
    ),
    path(
        "orders/<int:order_id>/changes/<int:change_id>/discard/",
        amendments.change_decide,
        {"decision": "discard"},
        name="change_discard",
    ),
    path("orders/<int:order_id>/<slug:action>/", orders.order_action, name="order_action"),
    path("queues/review/", queues.review_queue, name="review_queue"),
    path("queues/review/<int:order_id>/assign/", queues.review_assign, name="review_assign"),
    path("queues/exceptions/", queues.exception_queue, name="exception_queue"),
    path("queues/exceptions/<int:case_id>/", queues.exception_detail, name="exception_detail"),
    path("queues/exceptions/<int:case_id>/assign/", queues.exception_assign, name="exception_assign"),
    path("queues/exceptions/<int:case_id>/resolve/", queues.exception_resolve, name="exception_resolve"),
    path("inventory/", inventory.stock, name="stock"),
    path("inventory/movements/", inventory.movements, name="movements"),
    path("inventory/receipt/", inventory.receipt, name="receipt"),
    path("inventory/adjustment/", inventory.adjustment, name="adjustment"),
]
