"""The workspace's "seeing the work" pages (overview, map, corridor, project, plan pages)."""

from django.urls import path

from projects.workspace.views import compliance, figures

urlpatterns = [
    path("figures/", figures.overview, name="overview"),
    path("figures/map/", figures.map_page, name="map"),
    path("figures/map/layers.geojson", figures.map_layers, name="map-layers"),
    path("figures/map/projects.geojson", figures.map_projects, name="map-projects"),
    path("figures/map/projects/<uuid:pk>/card/", figures.map_card, name="map-card"),
    path("figures/corridors/<slug:slug>/", figures.corridor, name="corridor"),
    path("figures/projects/<uuid:pk>/", figures.project, name="project"),
    path("figures/compliance/", compliance.compliance, name="compliance"),
    path("figures/plans/<uuid:pk>/", figures.plan, name="plan"),
]
