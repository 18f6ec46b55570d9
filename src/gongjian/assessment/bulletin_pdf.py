"""The bulletin as a PDF: the printable HTML template through WeasyPrint with CJK fonts."""

from __future__ import annotations

from django.template.loader import render_to_string

from gongjian.assessment.bulletin import Bulletin


def render_html(b: Bulletin) -> str:
    return render_to_string("assessment/bulletin_print.html", {"bulletin": b})


def render_pdf(b: Bulletin) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=render_html(b)).write_pdf()
    if pdf is None:  # only when writing to a target; never here
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
