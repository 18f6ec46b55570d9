"""A .docx to PDF through LibreOffice headless: how a document made from an office's own .docx
template (its red header, fonts and rules as designed in Word/WPS) becomes its PDF.

Each conversion runs `soffice --convert-to pdf` in a throwaway directory with its own user
profile (conversions never share a profile, so two at once do not collide), bounded by `TIMEOUT`
seconds; the process group is killed when it runs over. A failure or a timeout is a
`ConversionFailed` naming what happened, in Chinese, never a half-written file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from gongjian.core.errors import GongjianError

TIMEOUT = 60.0  # seconds; LibreOffice starts in 3–5 s, a bulletin converts in 1–2 s more


class ConversionFailed(GongjianError):
    code = "conversion_failed"
    http_status = 422


def soffice() -> str | None:
    return shutil.which("soffice") or (
        "/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None
    )


def docx_to_pdf(data: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF of a .docx, as LibreOffice lays it out."""
    exe = soffice()
    if exe is None:
        raise ConversionFailed(
            _("服务器未安装 LibreOffice，无法由通报模板生成 PDF；请下载 .docx。")
        )
    with tempfile.TemporaryDirectory(prefix="gongjian-pdf-") as tmp:
        work = Path(tmp)
        (work / "doc.docx").write_bytes(data)
        command = [
            exe,
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(work / "doc.docx"),
        ]
        env = {**os.environ, "HOME": str(work)}
        process = subprocess.Popen(  # noqa: S603 - a fixed command on our own temp file
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,  # its own process group: a timeout ends all of it
        )
        try:
            _out, err = process.communicate(timeout=TIMEOUT if timeout is None else timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionFailed(
                _("由通报模板生成 PDF 超时（%(s)s 秒），请稍后重试或下载 .docx。")
                % {"s": f"{TIMEOUT if timeout is None else timeout:g}"}
            ) from None
        pdf = work / "doc.pdf"
        if process.returncode != 0 or not pdf.exists():
            raise ConversionFailed(
                _("由通报模板生成 PDF 失败：%(e)s")
                % {
                    "e": (err or b"").decode(errors="replace").strip()[:200]
                    or _("LibreOffice 未生成文件")
                }
            )
        return pdf.read_bytes()
