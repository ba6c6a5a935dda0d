"""The demo company: Larder & Ladle, groceries and kitchenware delivered (`openline demo`)."""

from openline.demo.content import DEMO_LOGINS, DEMO_PASSWORD
from openline.demo.loader import already_loaded, load_demo

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "already_loaded", "load_demo"]
