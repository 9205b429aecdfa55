from django.contrib.gis.forms.widgets import OpenLayersWidget
from django.templatetags.static import static


class LocalMapWidget(OpenLayersWidget):
    """The admin map with every asset served locally.

    Django's widget loads OpenLayers from a CDN and tiles from a tile server; this one uses the
    vendored OpenLayers and draws the provinces and rivers (static GeoJSON, with their names) as
    the base. It opens on Sichuan and Chongqing; a shape opens in its surroundings (at most
    ``max_zoom``). ``read_only`` shows the shape without editing it (for those who may only view).
    Its options travel as JSON to core/map_widget.js: no inline script, which the
    Content-Security-Policy refuses.
    """

    template_name = "core/map_widget.html"
    default_lon = 106.0
    default_lat = 30.0
    default_zoom = 6
    max_zoom = 9

    def __init__(self, attrs=None, *, read_only=False):
        super().__init__(attrs)
        self.read_only = read_only

    class Media:
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "core/map_widget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["read_only"] = self.read_only
        context["map_options_id"] = f"{context['id']}_map_options"
        context["map_options"] = {
            "geom_name": context["geom_type"],
            "id": context["id"],
            "map_id": f"{context['id']}_map",
            "map_srid": context["map_srid"],
            "name": context["name"],
            "module": context["module"],
            "default_lon": self.default_lon,
            "default_lat": self.default_lat,
            "default_zoom": self.default_zoom,
            "max_zoom": self.max_zoom,
            "read_only": self.read_only,
            "basemap_url": static("core/basemap.geojson"),
        }
        return context
