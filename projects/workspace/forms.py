"""Forms of the figure pages: the map's filters, offered as names and sent as codes in the URL."""

from django import forms
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.core.models import Corridor, Province
from projects.restoration.choices import ProjectStatus
from projects.restoration.models import EcosystemElement, MeasureType, Project

ANY = ("", _("All"))


class MapFilterForm(forms.Form):
    """What the map shows; every choice keeps its code in the querystring so a link shows the same map."""

    corridor = forms.ChoiceField(label=_("Corridor"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[ANY, *ProjectStatus.choices])
    element = forms.ChoiceField(label=_("Ecosystem element"), required=False)
    measure = forms.ChoiceField(label=_("Restoration measure"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    year = forms.ChoiceField(label=_("Year"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corridor"].choices = [
            ANY,
            *((c.slug, c.name) for c in Corridor.objects.only("slug", "name_zh", "name_en")),
        ]
        self.fields["element"].choices = [
            ANY,
            *((e.code, e.name) for e in EcosystemElement.objects.only("code", "name_zh", "name_en")),
        ]
        self.fields["measure"].choices = [
            ANY,
            *((m.code, m.name) for m in MeasureType.objects.filter(is_active=True).only("code", "name_zh", "name_en")),
        ]
        self.fields["province"].choices = [
            ANY,
            *((p.code, p.name) for p in Province.objects.only("code", "name_zh", "name_en")),
        ]
        span = Project.objects.aggregate(first=Min("planned_start__year"), last=Max("planned_end__year"))
        this_year = timezone.localdate().year
        first, last = span["first"] or this_year, max(span["last"] or this_year, this_year)
        self.fields["year"].choices = [ANY, *((str(y), str(y)) for y in range(first, last + 1))]
