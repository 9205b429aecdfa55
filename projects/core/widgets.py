from django.contrib.gis.forms.widgets import OpenLayersWidget
from django.templatetags.static import static


class LocalMapWidget(OpenLayersWidget):
    """The admin map with every asset served locally.

    Django's widget loads OpenLayers from a CDN and tiles from a tile server; this one uses
    the vendored OpenLayers and draws the provinces and rivers (static GeoJSON) as the base.
    """

    template_name = "core/map_widget.html"
    default_lon = 106.0
    default_lat = 30.0
    default_zoom = 6

    class Media:
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "core/map_widget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
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
            "basemap_url": static("core/basemap.geojson"),
        }
        return context
