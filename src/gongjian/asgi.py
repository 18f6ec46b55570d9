import os

from django.core.asgi import get_asgi_application

from gongjian.core import serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
application = get_asgi_application()
# As in wsgi.py: the battle map's refresh runs in a thread of the server process.
serving.serving()
