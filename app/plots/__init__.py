"""Every chart the service draws, with matplotlib's object API; SVG text to inline in pages."""
