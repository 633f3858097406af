"""JSON routers under /api/v1, one per resource."""
