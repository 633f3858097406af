"""Response models: the success schema of each JSON route, as the OpenAPI document publishes it."""
