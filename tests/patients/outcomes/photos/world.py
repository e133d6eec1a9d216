"""Photographs to upload: images drawn with Pillow (JPEG with GPS EXIF, PNG, bombs), the private
storage moved to a temporary folder, and the patient's photo consent signed."""

import io
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.patients.consent.world import active, sign


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def photo_consent(patient, by=None):
    """The clinic's photo consent, active, signed by the patient."""
    from patients.consent.models import ConsentDocument

    document = (ConsentDocument.objects.filter(code="CONSENT-PHOTOS", status="active").first()
                or active("CONSENT-PHOTOS", applies_to="photos"))
    sign(patient, document, by=by)
    return document


GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(width: int = 1200, height: int = 900, *, gps: bool = False, orientation: int | None = None,
         comment: bytes | None = None, color=(180, 140, 110)) -> bytes:
    """A JPEG of one colour, with a camera's EXIF (make, model, GPS in Istanbul, an orientation)."""
    image = Image.new("RGB", (width, height), color)
    image.paste((20, 20, 20), (0, 0, width // 4, height // 4))  # a dark corner: shows orientation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Camera 12 Pro"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (41.0, 0.0, 49.2), 3: "E", 4: (28.0, 58.0, 12.5)}
    out = io.BytesIO()
    kwargs = {"comment": comment} if comment else {}
    image.save(out, "JPEG", exif=exif.tobytes(), quality=85, **kwargs)
    return out.getvalue()


def png(width: int = 1000, height: int = 1000) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (170, 130, 100)).save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A few hundred bytes that claim a 1.6-gigapixel PNG (the header alone; never decoded)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def upload(data: bytes, name: str = "scalp.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


class HugeBody(io.RawIOBase):
    """A multipart body of 100 MB (the view, then a photo padded out) made on demand as the server
    reads it: `read_so_far` says how much it read. `extra` fields go before the photo."""

    boundary = "photoboundary"
    size = 100 * 1024 * 1024

    def __init__(self, photo: bytes, **extra: str) -> None:
        fields = {"view": "vertex", **extra}
        head = "".join(f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                       for name, value in fields.items())
        head += (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.jpg\"\r\n"
                 "Content-Type: image/jpeg\r\n\r\n")
        self.start = head.encode() + photo
        self.read_so_far = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        offset = self.read_so_far
        n = min(len(buffer), self.size - offset)
        if n <= 0:
            return 0
        buffer[:n] = self.start[offset:offset + n].ljust(n, b"\xff")
        self.read_so_far += n
        return n
