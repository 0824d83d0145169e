"""Response helpers shared by the apps."""


def keep_private(response):
    """Headers for a page that carries or is reached by a secret link (a private
    link, an unsubscribe or feedback token): not cached, not indexed, and no
    Referer sent onward."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
