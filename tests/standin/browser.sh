#!/bin/sh
# A stand-in web browser for tests: `$BROWSER URL` fetches URL the way a browser does
# (GET, following redirects, e.g. the stand-in's /authorize 302 onward to a loopback
# /oauth/callback), which is "the user approving in the browser". Exits non-zero when a
# page answers with an error. Uses only python3's standard library (curl may be missing).
#   STANDIN_BROWSER_LOG=FILE        appends each URL given to FILE
#   STANDIN_BROWSER_PAGES=FILE      appends "STATUS TEXT" of the last page shown (its text
#                                   without tags), or "ERROR why" when none could be shown
#   STANDIN_BROWSER_PRECONNECT=N    first opens N connections to the loopback redirect_uri
#                                   of the URL and sends nothing on them, as a browser's
#                                   preconnect does; they stay open until the script ends
command -v python3 >/dev/null 2>&1 || { echo "browser.sh: python3 is missing: apt-get install python3" >&2; exit 127; }
exec python3 - "$@" <<'PY'
import os, re, socket, sys, urllib.error, urllib.parse, urllib.request
if len(sys.argv) < 2:
    sys.exit("usage: browser.sh URL")
url = sys.argv[1]
log = os.environ.get("STANDIN_BROWSER_LOG")
if log:
    with open(log, "a", encoding="utf-8") as f:
        f.write(url + "\n")
pages = os.environ.get("STANDIN_BROWSER_PAGES")
def shown(line):
    if pages:
        with open(pages, "a", encoding="utf-8") as f:
            f.write(line + "\n")
idle = []
redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("redirect_uri", [""])[0]
if redirect:
    target = urllib.parse.urlsplit(redirect)
    for _ in range(int(os.environ.get("STANDIN_BROWSER_PRECONNECT") or 0)):
        idle.append(socket.create_connection((target.hostname, target.port), timeout=10))
# A browser talks to loopback servers directly, whatever proxy the environment names.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (standin-browser)", "Accept": "text/html"})
def text(body):
    return " ".join(re.sub(r"<[^>]*>", " ", body.decode("utf-8", "replace")).split())
try:
    with opener.open(request, timeout=60) as page:
        shown(f"{page.status} {text(page.read())}")
except urllib.error.HTTPError as error:
    shown(f"{error.code} {text(error.read())}")
    sys.exit(f"browser.sh: {url} answered HTTP {error.code}")
except OSError as error:
    shown(f"ERROR {error}")
    sys.exit(f"browser.sh: could not load {url}: {error}")
PY
