/* The workspace map: OpenLayers (the tracker's vendored build), the tracker's own GeoJSON, no tiles.
   Filters live in the URL's querystring; project shapes are fetched for the visible extent only. */
(function () {
  "use strict";

  function start() {
    var ol = window.ol;
    var config = JSON.parse(document.getElementById("map-config").textContent);
    var form = document.querySelector("[data-map-filters]");
    var list = document.getElementById("map-projects");
    var count = document.getElementById("map-count");
    var card = document.getElementById("project-card");
    var hidden = {};  // background layers switched off in the "Layers" box
    var geojson = new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"});

    function filters() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value) params.set(key, value); });
      return params;
    }

    // --- background: provinces, rivers, key areas, divisions ---
    var layerStyles = {
      province: new ol.style.Style({
        stroke: new ol.style.Stroke({color: "#4a5659", width: 1.5}),
        fill: new ol.style.Fill({color: "rgba(243, 246, 245, 0.6)"}),
      }),
      division: new ol.style.Style({stroke: new ol.style.Stroke({color: "#9aa6a3", width: 0.75, lineDash: [4, 3]})}),
      key_area: new ol.style.Style({
        stroke: new ol.style.Stroke({color: "#2e7d32", width: 1}),
        fill: new ol.style.Fill({color: "rgba(46, 125, 50, 0.08)"}),
      }),
    };
    function riverStyle(feature) {
      return new ol.style.Style({
        stroke: new ol.style.Stroke({color: "#1c5fa8", width: 2.5}),
        text: new ol.style.Text({
          text: feature.get("name"), placement: "line", font: "13px sans-serif",
          fill: new ol.style.Fill({color: "#0d3a6b"}), stroke: new ol.style.Stroke({color: "#ffffff", width: 3}),
        }),
      });
    }
    function provinceLabel(feature) {
      return new ol.style.Style({
        text: new ol.style.Text({
          text: feature.get("name"), font: "bold 15px sans-serif", overflow: true,
          fill: new ol.style.Fill({color: "#1b2426"}), stroke: new ol.style.Stroke({color: "#ffffff", width: 4}),
        }),
      });
    }
    var background = new ol.layer.Vector({
      source: new ol.source.Vector({url: config.layers, format: geojson}),
      style: function (feature, resolution) {
        var layer = feature.get("layer");
        if (hidden[layer]) return null;
        if (layer === "corridor") return riverStyle(feature);
        if (layer === "province") return [layerStyles.province, provinceLabel(feature)];
        return layerStyles[layer];
      },
      declutter: true,
    });

    // --- projects, by status colour, for the visible extent ---
    var styles = {};
    // A shape is drawn as it is, plus a marker at its centre so that small shapes stay visible
    // (and clickable) when the map shows the whole region.
    function centre(feature) {
      var geometry = feature.getGeometry();
      if (geometry.getType() === "Point") return geometry;
      return new ol.geom.Point(ol.extent.getCenter(geometry.getExtent()));
    }
    function projectStyle(feature) {
      var status = feature.get("status");
      if (!styles[status]) {
        var colour = config.colours[status] || "#4a4a4a";
        styles[status] = [
          new ol.style.Style({
            stroke: new ol.style.Stroke({color: colour, width: 4}),
            fill: new ol.style.Fill({color: colour + "66"}),
          }),
          new ol.style.Style({
            geometry: centre,
            image: new ol.style.Circle({radius: 7, fill: new ol.style.Fill({color: colour}), stroke: new ol.style.Stroke({color: "#ffffff", width: 2})}),
          }),
        ];
      }
      return styles[status];
    }
    var projects = new ol.source.Vector({
      format: geojson,
      strategy: ol.loadingstrategy.bbox,
      loader: function (extent, resolution, projection, success, failure) {
        var box = ol.proj.transformExtent(extent, projection, "EPSG:4326").map(function (n) { return n.toFixed(5); });
        var params = filters();
        params.set("bbox", box.join(","));
        fetch(config.projects + "?" + params.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
          .then(function (data) {
            var features = geojson.readFeatures(data);
            projects.addFeatures(features);
            success(features);
            renderList();
          })
          .catch(function () { projects.removeLoadedExtent(extent); failure(); });
      },
    });
    var projectLayer = new ol.layer.Vector({source: projects, style: projectStyle});

    var map = new ol.Map({
      target: "map",
      layers: [background, projectLayer],
      view: new ol.View({center: ol.proj.fromLonLat([106.5, 30.2]), zoom: 6, minZoom: 4, maxZoom: 16}),
    });
    // Open on the provinces, not on the world.
    background.getSource().once("featuresloadend", function () {
      var extent = background.getSource().getExtent();
      if (extent && isFinite(extent[0])) map.getView().fit(extent, {padding: [16, 16, 16, 16]});
    });

    function visibleFeatures() {
      var extent = map.getView().calculateExtent(map.getSize());
      return projects.getFeaturesInExtent(extent).sort(function (a, b) { return a.get("name").localeCompare(b.get("name")); });
    }
    function renderList() {
      var features = visibleFeatures();
      list.textContent = "";
      count.textContent = features.length ? config.labels.count.replace("%(count)s", features.length) : config.labels.none;
      features.forEach(function (feature) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        var dot = document.createElement("span");
        dot.className = "status-dot";
        dot.style.background = config.colours[feature.get("status")];
        button.appendChild(dot);
        button.appendChild(document.createTextNode(feature.get("name") + " · " + feature.get("status_label")));
        button.addEventListener("click", function () { openCard(feature.get("id"), true); });
        item.appendChild(button);
        list.appendChild(item);
      });
    }
    map.on("moveend", renderList);

    function openCard(id, focus) {
      fetch(config.card.replace("00000000-0000-0000-0000-000000000000", id), {credentials: "same-origin"})
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
        .then(function (html) {
          card.innerHTML = html;
          if (focus) { var link = card.querySelector("a"); if (link) link.focus(); }
        });
    }
    map.on("singleclick", function (event) {
      var hit = map.forEachFeatureAtPixel(event.pixel, function (feature, layer) { return layer === projectLayer ? feature : null; }, {hitTolerance: 4});
      if (hit) openCard(hit.get("id"), false);
    });
    map.on("pointermove", function (event) {
      map.getTargetElement().style.cursor = map.hasFeatureAtPixel(event.pixel, {layerFilter: function (l) { return l === projectLayer; }}) ? "pointer" : "";
    });

    // Layers: shown or hidden at once; the projects' layer as a whole, the background by kind.
    var layerBox = document.querySelector("[data-map-layers]");
    if (layerBox) {
      layerBox.addEventListener("change", function (event) {
        var name = event.target.value;
        if (name === "projects") projectLayer.setVisible(event.target.checked);
        else { hidden[name] = !event.target.checked; background.changed(); }
      });
    }

    // Filters: applied at once, kept in the URL (a link shows the same map), no page reload.
    function apply() {
      var params = filters();
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      projects.clear(true);
      projects.refresh();
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
