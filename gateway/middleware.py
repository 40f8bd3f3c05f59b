"""Request limits checked before any view: body size (413) and, on the API, NUL characters
(422: PostgreSQL cannot store them, and no real text holds one)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse


class RequestLimitsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._refuse(request, 400, "Content-Length: not a number")
        upload = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.API_MAX_UPLOAD_BYTES if upload else settings.API_MAX_BODY_BYTES
        if length > limit:
            return self._refuse(
                request, 413, f"body: {length} bytes is over the limit of {limit} bytes"
            )
        if request.path.startswith("/api/") and not upload:
            if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
                return self._refuse(request, 422, "query: contains a NUL character")
            if length and (b"\\u0000" in request.body or b"\x00" in request.body):
                return self._refuse(request, 422, "body: contains a NUL character")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, detail: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=status)
        return HttpResponse(detail + "\n", status=status, content_type="text/plain")
