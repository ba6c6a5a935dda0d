import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openline.settings")
application = get_wsgi_application()

from openline.pagecache import ServeCachedPages  # noqa: E402 (needs the settings above)

application = ServeCachedPages(application)
