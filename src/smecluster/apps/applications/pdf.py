"""The printable application: HTML rendered to PDF by WeasyPrint, with a CJK font embedded.

Without a CJK font every 汉字 prints as an empty box and nothing warns, so the font is not left to chance:
the file is found (Debian's fonts-noto-cjk), declared with ``@font-face`` and embedded; when no such file
exists rendering stops with :class:`CJKFontMissing` instead of producing a PDF of boxes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # WeasyPrint ships no type information

FONT_FAMILY = "SMECluster CJK"
"""The family name the PDF template's CSS uses; it always means the embedded file below."""

# Debian's fonts-noto-cjk, Simplified Chinese first in preference (the .ttc holds SC, TC, JP, KR, HK).
KNOWN_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)


class CJKFontMissing(RuntimeError):
    """No font with Chinese glyphs is installed: a PDF would show every 汉字 as an empty box."""


def _fontconfig_chinese_files() -> list[Path]:
    """Font files fontconfig says cover Chinese (``fc-list :lang=zh file``), Noto CJK Sans first."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    files = sorted({Path(line.split(":", 1)[0].strip()) for line in listed.splitlines() if line.strip()})
    return sorted(files, key=lambda path: ("CJK" not in path.name, "Sans" not in path.name, path.name))


def cjk_font_file() -> Path:
    """The CJK font file to embed, or :class:`CJKFontMissing` naming the package to install."""
    for candidate in (*KNOWN_FONT_FILES, *_fontconfig_chinese_files()):
        if candidate.is_file():
            return candidate
    raise CJKFontMissing(
        "no CJK font file found: the application PDF would print every Chinese character as an empty "
        "box. Install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk; `make demo` and "
        "`make test` do it) so that fc-list :lang=zh lists a font file."
    )


def font_face_css(font: Path) -> str:
    """The regular face, and the bold one beside it when the package has it (else bold is synthesized)."""
    faces = [f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font.as_uri()}"); }}']
    bold = font.with_name(font.name.replace("-Regular", "-Bold"))
    if bold != font and bold.is_file():
        faces.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: bold; src: url("{bold.as_uri()}"); }}'
        )
    return "\n".join(faces)


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render a complete HTML document whose CSS uses :data:`FONT_FAMILY` to PDF bytes."""
    font = cjk_font_file()
    document: bytes = HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=[CSS(string=font_face_css(font))]
    )
    return document
