"""The rooms people use: one package per feature, `html.py` (pages, HTMX fragments) beside `api.py` (its JSON
twin); each package's `feature` says which permission opens it and what the side navigation shows. app/roles.py
mounts them per role."""
