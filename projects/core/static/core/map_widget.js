"use strict";
// The admin's map widgets, built from their JSON options (core/map_widget.html): no inline script,
// which the Content-Security-Policy would refuse. The base layer is the vendored provinces and rivers.
document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("script[id$='_map_options']").forEach(function (element) {
        const options = JSON.parse(element.textContent);
        options.base_layer = new ol.layer.Vector({
            source: new ol.source.Vector({
                url: options.basemap_url,
                format: new ol.format.GeoJSON(),
                attributions: "Natural Earth (public domain)"
            }),
            style: function (feature) {
                if (feature.get("layer") === "river") {
                    return new ol.style.Style({stroke: new ol.style.Stroke({color: "#2b7bb9", width: 2})});
                }
                return new ol.style.Style({
                    fill: new ol.style.Fill({color: "rgba(214, 222, 200, 0.6)"}),
                    stroke: new ol.style.Stroke({color: "#777", width: 1})
                });
            }
        });
        delete options.basemap_url;
        window[options.module] = new MapWidget(options);
    });
});
