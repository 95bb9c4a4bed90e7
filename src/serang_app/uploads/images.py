"""Checking and re-encoding photos with Pillow: run in a worker thread, never on the event loop.

What leaves here has no EXIF at all (GPS position, camera, time): the orientation the EXIF asked
for is applied to the pixels first, then only the pixels are written. The original file is not
kept, since it is the one holding the metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Our own limit, checked on the header before any pixel is decoded. Pillow's built-in check is
# turned off because it warns (rather than refuses) between its limit and twice it, and
# changing the warnings filter is not safe from the threads this runs in.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = None
DISPLAY_SIZE = 1280
THUMBNAIL_SIZE = 320
JPEG_QUALITY = 85
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_ROTATED_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


class ImageRefusedError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    width: int  # upright, as a person looks at it
    height: int
    display: bytes  # JPEG, at most DISPLAY_SIZE on its longer side
    thumbnail: bytes  # JPEG, at most THUMBNAIL_SIZE


def process_photo(data: bytes, declared_type: str) -> ProcessedPhoto:
    """The display and thumbnail JPEGs of a photo; ImageRefusedError(code) when it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != PILLOW_FORMATS.get(declared_type):
                # Not the type the phone declared, or not an image at all (open() found a format
                # that Pillow reads but we do not take).
                raise ImageRefusedError("upload_type_mismatch")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRefusedError("upload_too_many_pixels")
            if image.getexif().get(0x0112) in _ROTATED_ORIENTATIONS:
                width, height = height, width
            # JPEG decodes straight at a smaller scale when asked first: far faster for 12 MP photos.
            image.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE))
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except UnidentifiedImageError:
        raise ImageRefusedError("upload_not_an_image") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRefusedError("upload_not_an_image") from None  # truncated or corrupt data
    display = upright.copy()
    display.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE))
    thumbnail = display.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    return ProcessedPhoto(width=width, height=height, display=_jpeg(display), thumbnail=_jpeg(thumbnail))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= : none is written
    return out.getvalue()


def is_pdf(data: bytes) -> bool:
    """A PDF starts with its header (a few bytes of junk before it are tolerated by readers, not here)."""
    return data.startswith(b"%PDF-")
