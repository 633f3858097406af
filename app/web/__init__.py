"""HTML routers. They call the same domain functions as the JSON routers in app/api."""
