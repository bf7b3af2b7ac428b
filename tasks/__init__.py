"""Background jobs (Celery): Redis when configured, inline otherwise."""
