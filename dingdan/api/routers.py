"""Each context's routes, mounted under /api/v1."""

from ninja import NinjaAPI


def mount_routers(api: NinjaAPI) -> None:
    from dingdan.accounts.api import router as accounts
    from dingdan.billing.api import router as billing
    from dingdan.catalog.api import router as catalog
    from dingdan.channels.api import router as channels
    from dingdan.customers.api import router as customers
    from dingdan.fulfillment.api import router as fulfillment
    from dingdan.inventory.api import router as inventory
    from dingdan.notifications.api import router as notifications
    from dingdan.orders.api import router as orders
    from dingdan.reporting.api import router as reporting

    api.add_router("/", accounts, tags=["accounts"])
    api.add_router("/channels", channels, tags=["channels"])
    api.add_router("/", catalog, tags=["catalog"])
    api.add_router("/customers", customers, tags=["customers"])
    api.add_router("/", inventory, tags=["inventory"])
    api.add_router("/orders", orders, tags=["orders"])
    api.add_router("/", fulfillment, tags=["fulfilment"])
    api.add_router("/", billing, tags=["billing"])
    api.add_router("/", notifications, tags=["notifications"])
    api.add_router("/", reporting, tags=["reports"])
