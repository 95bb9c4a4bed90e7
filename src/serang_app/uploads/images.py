"""Checking and re-encoding photos with Pillow: run in a checking process (check_pool.py), never in
the web process.

What leaves here has no metadata at all (EXIF with the GPS position, camera and time; XMP; JPEG
comments): the orientation the EXIF asked for is applied to the pixels first, then only the
pixels are written. The original file is not kept, since it is the one holding the metadata.

What a photo may cost is bounded before any pixel is decoded:
- MAX_PIXELS on the header. Phone cameras write 12-12.5 MP by default (4032x3024, 4080x3072),
  the newest iPhones 24 MP (5712x4284); the full-resolution modes write 48-50 MP (8064x6048,
  8160x6144). 108 and 200 MP modes give files over the 10 MB limit anyway.
- MAX_DECODED_PIXELS on what is really decoded. A baseline JPEG (what every camera writes) is
  decoded straight at 1/2, 1/4 or 1/8 of its size by libjpeg (draft mode), so a 50 MP photo
  costs about 3 MP. PNG, WebP and progressive JPEG cannot be decoded smaller: they are screenshots
  and edited pictures on a phone, and their limit (4096x4096; WebP, whose decoder copies more,
  half that) still takes a 12.5 MP photo saved as PNG. A progressive JPEG counts at full size
  because libjpeg keeps all its coefficients.
At 4 bytes a decoded pixel, one photo needs at most about 64 MiB for its pixels, and a checking
process peaks at about 210 MiB with the copies made while decoding and flattening transparency.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from serang_app.uploads.refusal import FileRefusedError

MAX_PIXELS = 50_000_000
MAX_DECODED_PIXELS = 4096 * 4096
# Pillow's WebP decoder holds the pixels twice more than the PNG decoder does (libwebp's buffer,
# then a copy on the way into the image): half the pixels cost about the same memory.
_DECODED_PIXELS_BY_FORMAT = {"WEBP": MAX_DECODED_PIXELS // 2}
# Our own limits are checked on the header; Pillow's built-in one is turned off because it warns
# (rather than refuses) between its limit and twice it, and changing the warnings filter is not
# safe from threads.
Image.MAX_IMAGE_PIXELS = None
DISPLAY_SIZE = 1280
THUMBNAIL_SIZE = 320
JPEG_QUALITY = 85
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_ROTATED_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height
# Modes Pillow resizes as they are; any other (palette, 16-bit, CMYK...) becomes RGB first.
_RESIZABLE_MODES = frozenset({"RGB", "L"})


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    width: int  # upright, as a person looks at it
    height: int
    display: bytes  # JPEG, at most DISPLAY_SIZE on its longer side
    thumbnail: bytes  # JPEG, at most THUMBNAIL_SIZE


def process_photo(data: bytes, declared_type: str) -> ProcessedPhoto:
    """The display and thumbnail JPEGs of a photo; FileRefusedError(code) when it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != PILLOW_FORMATS.get(declared_type):
                # Not the type the phone declared, or not an image at all (open() found a format
                # that Pillow reads but we do not take).
                raise FileRefusedError("upload_type_mismatch")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise FileRefusedError("upload_too_many_pixels")
            # JPEG only: the decoder is told to scale down while decoding, as far as still gives
            # the display size. A progressive JPEG still holds every coefficient of the full image.
            image.draft("RGB", _fitted(image.size, DISPLAY_SIZE))
            decoded = width * height if image.info.get("progressive") else image.size[0] * image.size[1]
            if decoded > _DECODED_PIXELS_BY_FORMAT.get(image.format or "", MAX_DECODED_PIXELS):
                raise FileRefusedError("upload_too_many_pixels")
            # Only now: a PNG's EXIF may follow its pixels, so asking for it decodes them all.
            if image.getexif().get(0x0112) in _ROTATED_ORIENTATIONS:
                width, height = height, width
            display = _shrunk_upright(image)
    except UnidentifiedImageError:
        raise FileRefusedError("upload_not_an_image") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise FileRefusedError("upload_not_an_image") from None  # truncated or corrupt data
    thumbnail = display.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    return ProcessedPhoto(width=width, height=height, display=_jpeg(display), thumbnail=_jpeg(thumbnail))


def _fitted(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """The size within a `longest` square, keeping the aspect (a long strip stays a strip, so
    draft mode scales it down as far as its short side allows)."""
    width, height = size
    scale = min(1.0, longest / max(width, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _shrunk_upright(image: Image.Image) -> Image.Image:
    """Decode, shrink to the display size, then turn upright: the full-size pixels exist once,
    in the decoder's image, and every copy after that is display-sized."""
    if image.mode not in _RESIZABLE_MODES:
        image = image.convert("RGB")
    image.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE))
    upright = ImageOps.exif_transpose(image)
    return upright if upright.mode == "RGB" else upright.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    # Only pixels: Pillow writes the source's comment (a JPEG COM segment, which a phone app may
    # fill with anything) from image.info unless it is gone; no exif= means no EXIF is written.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
