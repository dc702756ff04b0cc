#!/usr/bin/env python3
"""A stand-in for an EKS cluster's Kubernetes API server, for kubectl tests.

It serves HTTPS with a self-signed certificate made at start (`openssl req -x509`,
for 127.0.0.1), records the bearer token of every request, and checks it as the
cluster's authenticator would (`eks_verify.verify`: an STS GetCallerIdentity URL
presigned for this cluster, its signature recomputed with botocore's signer). A
token that passes gets 200 and a small JSON body naming the identity, so
`kubectl get --raw /PATH` prints it; any other gets 401 with the reason.

RUN (the session the tokens must be signed with comes through the environment)
    KEY_ID=ASIA... SECRET=... SESSION_TOKEN=... \
    python tests/standin/kube_api.py --dir DIR --cluster NAME --sts http://127.0.0.1:MOTO --region R
DIR receives cert.pem (the CA to trust), key.pem and tokens.txt (one line per request,
in arrival order: the bearer token, a tab, and `ok` or the reason it was refused).
The first stdout line is the bound port.
"""

import argparse
import http.server
import json
import os
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eks_verify  # noqa: E402  (beside this file)


def make_certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return cert, key


def handler_for(tokens_file, check):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer "):] if auth.startswith("Bearer ") else "-"
            try:
                identity = check(token)
                verdict = "ok"
            except eks_verify.Refused as e:
                identity, verdict = None, str(e)
            with open(tokens_file, "a") as f:
                f.write(f"{token}\t{verdict}\n")
            if identity is None:
                self.send_response(401)
                body = json.dumps({"kind": "Status", "status": "Failure", "code": 401,
                                   "message": verdict}).encode()
            else:
                self.send_response(200)
                body = json.dumps({"path": self.path, "authenticated": True,
                                   "arn": identity["arn"]}).encode()
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
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--sts", required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    session = (os.environ["KEY_ID"], os.environ["SECRET"], os.environ["SESSION_TOKEN"])

    def check(token):
        return eks_verify.verify(token, args.cluster, args.sts, args.region, *session)

    cert, key = make_certificate(args.dir)
    tokens = os.path.join(args.dir, "tokens.txt")
    open(tokens, "w").close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(tokens, check))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
