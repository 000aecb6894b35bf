// The seeded generator tests use lives in SansIO (the cores use the same one).
@_exported import SansIO
