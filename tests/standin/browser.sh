#!/bin/sh
# A stand-in web browser for tests: `$BROWSER URL` fetches URL the way a browser does
# (GET, following redirects, e.g. the stand-in's /authorize 302 onward to a loopback
# /oauth/callback), which is "the user approving in the browser". Exits non-zero when a
# page answers with an error. With STANDIN_BROWSER_LOG set, appends each URL given to
# that file. Uses only python3's standard library (curl may be missing).
command -v python3 >/dev/null 2>&1 || { echo "browser.sh: python3 is missing: apt-get install python3" >&2; exit 127; }
exec python3 - "$@" <<'PY'
import os, sys, urllib.error, urllib.request
if len(sys.argv) < 2:
    sys.exit("usage: browser.sh URL")
url = sys.argv[1]
log = os.environ.get("STANDIN_BROWSER_LOG")
if log:
    with open(log, "a", encoding="utf-8") as f:
        f.write(url + "\n")
# A browser talks to loopback servers directly, whatever proxy the environment names.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (standin-browser)", "Accept": "text/html"})
try:
    with opener.open(request, timeout=60) as page:
        page.read()
except urllib.error.HTTPError as error:
    sys.exit(f"browser.sh: {url} answered HTTP {error.code}")
except OSError as error:
    sys.exit(f"browser.sh: could not load {url}: {error}")
PY
