"""The benchmark: seed a large data set, serve it with gunicorn, measure bytes and speed."""
