"""The form of the bulletin's particulars on the bulletin page (the office, before publishing)."""

from __future__ import annotations

from django import forms

from gongjian.assessment.bulletin import PARTICULAR_FIELDS
from gongjian.assessment.models import Round


class ParticularsForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = list(PARTICULAR_FIELDS)
        widgets = {"signed_on": forms.DateInput(attrs={"type": "date"})}
