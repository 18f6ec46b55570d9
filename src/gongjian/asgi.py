import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
application = get_asgi_application()

# As in wsgi.py: the battle map's refresh runs in a thread of the server process.
from gongjian.projects.refreshes import serve_in_background  # noqa: E402

serve_in_background()
