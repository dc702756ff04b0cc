#!/usr/bin/env python3
"""A stand-in for an EKS cluster's Kubernetes API server, for kubectl tests.

It serves HTTPS with a self-signed certificate made at start (`openssl req -x509`,
for 127.0.0.1), records the bearer token of every request, and answers any GET
with a small JSON body, so `kubectl get --raw /PATH` prints it.

RUN
    python3 tests/standin/kube_api.py --dir DIR
DIR receives cert.pem (the CA to trust), key.pem and tokens.txt (one bearer token per
line, in arrival order). The first stdout line is the bound port.
Only the Python standard library (and the openssl program) is used.
"""

import argparse
import http.server
import json
import os
import ssl
import subprocess
import sys


def make_certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return cert, key


def handler_for(tokens_file):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            auth = self.headers.get("Authorization", "")
            with open(tokens_file, "a") as f:
                f.write((auth[len("Bearer "):] if auth.startswith("Bearer ") else "-") + "\n")
            if not auth.startswith("Bearer "):
                self.send_response(401)
                body = b'{"kind":"Status","status":"Failure","code":401}'
            else:
                self.send_response(200)
                body = json.dumps({"path": self.path, "authenticated": True}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    cert, key = make_certificate(args.dir)
    tokens = os.path.join(args.dir, "tokens.txt")
    open(tokens, "w").close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(tokens))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
