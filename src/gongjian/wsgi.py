import os

from django.core.wsgi import get_wsgi_application

from gongjian.core import serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
application = get_wsgi_application()
# A server process: the battle map is refreshed after a write by a thread of its own, not in
# the write's request (projects/refreshes.py).
serving.serving()
