"use strict";
// The admin's map widgets, built from their JSON options (core/map_widget.html): no inline script,
// which the Content-Security-Policy would refuse. The base layer is the vendored provinces and rivers,
// named on the map (no tile server).
document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("script[id$='_map_options']").forEach(function (element) {
        const options = JSON.parse(element.textContent);
        options.base_layer = new ol.layer.Vector({
            source: new ol.source.Vector({
                url: options.basemap_url,
                format: new ol.format.GeoJSON(),
                attributions: "Natural Earth (public domain)"
            }),
            declutter: true,
            style: function (feature) {
                const river = feature.get("layer") === "river";
                return new ol.style.Style({
                    fill: river ? undefined : new ol.style.Fill({color: "rgba(236, 240, 229, 0.9)"}),
                    stroke: new ol.style.Stroke({color: river ? "#2b7bb9" : "#777", width: river ? 2 : 1}),
                    text: new ol.style.Text({
                        text: feature.get("name") || "",
                        font: river ? "italic 12px sans-serif" : "bold 13px sans-serif",
                        fill: new ol.style.Fill({color: river ? "#1d5a8a" : "#333"}),
                        stroke: new ol.style.Stroke({color: "#fff", width: 3}),
                        placement: river ? "line" : "point",
                        overflow: true
                    })
                });
            }
        });
        const maxZoom = options.max_zoom, readOnly = options.read_only;
        delete options.basemap_url;
        delete options.max_zoom;
        delete options.read_only;
        const widget = new MapWidget(options);
        window[options.module] = widget;
        // A point or a small site opens in its surroundings, not at full zoom on an empty box.
        const features = widget.featureOverlay.getSource().getFeatures();
        if (features.length) {
            const extent = ol.extent.createEmpty();  // the overlay keeps no spatial index to ask
            features.forEach(function (feature) { ol.extent.extend(extent, feature.getGeometry().getExtent()); });
            widget.map.getView().fit(extent, {maxZoom: maxZoom, padding: [40, 40, 40, 40]});
        }
        if (readOnly) {
            widget.map.removeInteraction(widget.interactions.draw);
            widget.map.removeInteraction(widget.interactions.modify);
        }
    });
});
