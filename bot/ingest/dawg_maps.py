"""pymorphy3's dictionaries mapped from their files instead of copied into memory (issue 14).

dawg_python reads each DAWG (the word list, the prediction suffixes, the tag probabilities:
about 14 MB of the Russian dictionary's 16) into an ``array`` of its own, so every process pays
for all of it as soon as it parses one word. Mapped read-only, the same bytes are pages of the
file: only those a lookup walks become resident, they are shared by every process on the
machine that maps them, and the kernel can drop them under pressure (they are clean). Lookups
index a ``memoryview`` of native unsigned ints exactly as they indexed the array, so every
parse is the same.
"""

from __future__ import annotations

import contextlib
import mmap
import struct
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal

__all__ = ["mapped_dawgs"]

_SIZE: struct.Struct = struct.Struct("=I")  # dawg_python's own header format


def _mapped(fp: IO[bytes], count: int, fmt: Literal["I", "B"]) -> memoryview | None:
    """``count`` items of ``fmt`` at the file's position, mapped; the file is moved past them.
    None when the file cannot be mapped (the caller then reads it as dawg_python does)."""
    start = fp.tell()
    width = struct.calcsize(fmt)
    try:
        whole = mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, AttributeError):  # not a real file, or a file system without
        return None
    if start + count * width > len(whole):
        whole.close()
        return None  # truncated: let dawg_python's own reader raise its error
    fp.seek(start + count * width)
    return memoryview(whole)[start : start + count * width].cast(fmt)


def _reader(
    fmt: Literal["I", "B"], per_unit: int, original: Callable[[Any, IO[bytes]], None]
) -> Any:
    def read(self: Any, fp: IO[bytes]) -> None:
        at = fp.tell()
        (base_size,) = _SIZE.unpack(fp.read(_SIZE.size))
        units = _mapped(fp, base_size * per_unit, fmt)
        if units is None:
            fp.seek(at)
            original(self, fp)
        else:
            self._units = units

    return read


@contextlib.contextmanager
def mapped_dawgs() -> Iterator[None]:
    """While open, DAWGs that dawg_python loads are mapped from their files.

    Only around building the analyser: dawg_python's classes are shared by the whole process.
    """
    from dawg_python import wrapper  # type: ignore[import-untyped]

    dictionary, guide = wrapper.Dictionary.read, wrapper.Guide.read
    wrapper.Dictionary.read = _reader("I", 1, dictionary)
    wrapper.Guide.read = _reader("B", 2, guide)
    try:
        yield
    finally:
        wrapper.Dictionary.read = dictionary
        wrapper.Guide.read = guide
