"""The API's documentation pages, from the packages' own files: Swagger UI at `/api/docs` and
ReDoc at `/api/redoc` (both shipped by django-ninja), no CDN.

Both draw their styles at run time (ReDoc inserts `<style>` elements, its search runs in a
`blob:` worker), so these two pages, and only they, allow inline styles and blob workers;
scripts stay `'self'` only.
"""

from __future__ import annotations

from csp.decorators import csp_update
from ninja.openapi.docs import Redoc, Swagger

DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}
docs_csp = csp_update(DOCS_CSP)
# validatorUrl: Swagger UI would otherwise ask validator.swagger.io about the schema.
swagger = Swagger(settings={"validatorUrl": None})
_redoc = Redoc()


def redoc_page(api):
    @docs_csp
    def redoc(request):
        return _redoc.render_page(request, api)

    return redoc
