from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "dingdan.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from dingdan.core.cache import cached_tables_register

        # Order placement reads copies of SKUs, prices, promotions and shipping rules.
        cached_tables_register(
            "catalog_sku",
            "catalog_product",
            "catalog_taxrate",
            "catalog_pricelist",
            "catalog_pricelistitem",
            "catalog_promotion",
            "catalog_shippingfeerule",
        )
