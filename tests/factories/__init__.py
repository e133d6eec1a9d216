"""factory_boy factories, one module per app: `from tests.factories import LocationFactory`."""

from .clinic import *  # noqa: F403
from .patients import *  # noqa: F403
from .protocols import *  # noqa: F403
