"""Reading a photo upload without ever holding a huge one: a request whose photo is over
settings.PHOTO_MAX_BYTES is stopped as soon as that is known, and what was read of it is dropped.

Django parses a multipart body with its upload handlers: small fields go to memory (at most
DATA_UPLOAD_MAX_MEMORY_SIZE), a file to memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and beyond that to a
temporary file. `PhotoSizeLimit` runs before them: when the request's Content-Length already says
the body is too big (the usual case) it stops at the file's first byte, and a chunked or lying
client is stopped at the limit. The fields before the file (the CSRF token, the view) are still
read, so the page can answer by the field. The view then sees `upload_too_large(request)`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest
from django.utils.translation import gettext

# Multipart boundaries, headers and the small fields around a file at its limit.
ENVELOPE_BYTES = 64 * 1024
_FLAG = "_anagen_photo_too_large"


class PhotoSizeLimit(FileUploadHandler):
    """Stop reading a request whose file is over settings.PHOTO_MAX_BYTES."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.declared_length: int | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:  # noqa: N803
        self.declared_length = content_length

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.declared_length and self.declared_length > settings.PHOTO_MAX_BYTES + ENVELOPE_BYTES:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) holds the file

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, _FLAG, True)
        # connection_reset: the rest of the body is not read (the server closes the connection).
        raise StopUpload(connection_reset=True)


def limit_photo_uploads(request: HttpRequest) -> None:
    """Parse this request's body (when it is read) with the photo size limit first. Call before
    anything reads request.POST or request.FILES (the CSRF check does)."""
    request.upload_handlers = [PhotoSizeLimit(request), MemoryFileUploadHandler(request),
                               TemporaryFileUploadHandler(request)]


def upload_too_large(request: HttpRequest) -> bool:
    return bool(getattr(request, _FLAG, False))


def too_large_message() -> str:
    return gettext("A photo is at most %(mb)d MB: this one is larger.") % {
        "mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
