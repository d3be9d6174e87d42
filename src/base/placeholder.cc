// Placeholder translation unit for layers with no sources yet.
