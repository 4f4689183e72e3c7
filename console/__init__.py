"""The staff console (`/admin`): server-rendered pages (Jinja2, htmx shipped in
`console/static/`), in th/ja/en, behind staff sign-in with sessions, CSRF tokens and an
audit log. It sits above `inbox/` and below the composition root, which adds its routers.
"""
