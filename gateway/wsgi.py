"""The WSGI application (`crieur web` serves it with gunicorn; any WSGI server can).

A server that must not start (no own secret key where one is needed) says why in one line
and exits 2, before Django loads.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gateway.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from gateway.conf import ConfigError  # noqa: E402

try:
    problem = settings.SECRET_KEY_PROBLEM
except ConfigError as exc:  # a malformed variable: named in the message
    problem = str(exc)
if problem:
    print(f"crieur: error: {problem}", file=sys.stderr)
    # Under gunicorn, 3 is a worker's boot error: the server stops instead of respawning it.
    raise SystemExit(3 if "gunicorn" in sys.modules else 2)
application = get_wsgi_application()
