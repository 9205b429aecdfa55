"""The workspace's "seeing the work" pages (overview, map, corridor, project, plan pages)."""

urlpatterns = []
