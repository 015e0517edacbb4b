"""Inspecting base64 images: decode, identify the format, read the resolution.

Pillow reads only the header, so a 30 MB image costs little. Formats Pillow cannot open
here (HEIF/HEIC without a plugin, SVG) are recognised by their signature and accepted
without a resolution check.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

_DATA_URI = re.compile(r"^data:[\w/+.-]+;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(rb"\s+")


@dataclass(frozen=True)
class ImageInfo:
    """What the bytes are: format (lower case), width and height when known, size."""

    format: str
    size: int
    width: int | None = None
    height: int | None = None
    frames: int = 1


class MediaError(Exception):
    """The image cannot be used; ``rule`` names why (base64, format, size, resolution)."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


def is_url(value: str) -> bool:
    """True when ``value`` is an http(s) URL rather than inline data."""
    return value[:8].lower().startswith(("http://", "https://"))


def decode_base64(value: str) -> bytes:
    """Decode standard or URL-safe base64, with or without a ``data:`` prefix."""
    text = _DATA_URI.sub("", value, count=1).encode("ascii", "replace")
    text = _WHITESPACE.sub(b"", text)
    try:
        if b"-" in text or b"_" in text:
            return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
        return base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise MediaError("base64", "img is neither an http(s) URL nor valid base64") from None


def _signature_format(data: bytes) -> str | None:
    head = data[:512].lstrip()
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"):
            return "heif"
        if brand in (b"avif", b"avis"):
            return "avif"
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048]):
        return "svg"
    return None


def inspect(data: bytes) -> ImageInfo:
    """Identify the image and read its resolution from the header.

    Only the header is read, so Pillow's decompression-bomb warning is moot here; an image
    too large for Pillow to open at all is reported with rule ``pixels``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            fmt = (image.format or "unknown").lower()
            if fmt == "png" and getattr(image, "is_animated", False):
                fmt = "apng"
            # A multi-picture JPEG (a phone's photo with its preview or gain map) is one still picture.
            frames = 1 if fmt == "mpo" else int(getattr(image, "n_frames", 1) or 1)
            return ImageInfo(fmt, len(data), image.width, image.height, frames)
    except Image.DecompressionBombError:
        raise MediaError("pixels", f"the image has more than {2 * (Image.MAX_IMAGE_PIXELS or 0)} pixels") from None
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    except Exception as exc:  # a damaged file trips Pillow's parsers in many ways (IndexError, struct.error, ...)
        raise MediaError("format", f"the image cannot be read ({type(exc).__name__})") from None
    signed = _signature_format(data)
    if signed is None:
        raise MediaError("format", "the decoded bytes are not an image in a supported format")
    return ImageInfo(signed, len(data))
