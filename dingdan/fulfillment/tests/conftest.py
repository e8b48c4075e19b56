import pytest

from .shop import Shop, build_shop


@pytest.fixture
def shop(db: None) -> Shop:
    return build_shop()
