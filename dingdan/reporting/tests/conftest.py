from dingdan.orders.tests.conftest import shop  # noqa: F401  (the order fixture)
