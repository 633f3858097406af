"""HTTP plumbing shared by the JSON and page routers: dependencies, problem+json, caching, limits, metrics."""
