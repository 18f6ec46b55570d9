import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
application = get_wsgi_application()

# A server process: the battle map is refreshed after a write by a thread of its own, not in
# the write's request (projects/refreshes.py). Imported once the apps are loaded.
from gongjian.projects.refreshes import serve_in_background  # noqa: E402

serve_in_background()
