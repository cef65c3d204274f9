"""The production-shape tests start real servers (PostgreSQL databases of their own, Redis,
gunicorn nodes, nginx): `make test-cluster` runs them (GOPY_CLUSTER=1); `make test` does not."""
import os

collect_ignore_glob = [] if os.environ.get("GOPY_CLUSTER") else ["test_*.py"]
