#!/usr/bin/env python3
"""Checks an EKS bearer token the way the cluster's authenticator does, against moto.

RUN (the secrets come through the environment, never argv)
    TOKEN=k8s-aws-v1.... KEY_ID=ASIA... SECRET=... SESSION_TOKEN=... \
    python eks_verify.py --cluster NAME --sts http://127.0.0.1:MOTO --region us-east-1
Prints one JSON object: {"arn", "account", "signed_headers", "expires", "host"};
exits 1 with a message on the first check that fails.

Steps, as aws-iam-authenticator's verifier takes them:
  1. strip `k8s-aws-v1.`, base64url-decode (no padding) into a URL;
  2. the URL must be the STS endpoint (scheme, host and port of --sts), path `/`,
     Action=GetCallerIdentity, X-Amz-Expires present, X-Amz-Date less than 15 minutes old,
     and `x-k8s-aws-id` in X-Amz-SignedHeaders;
  3. GET the URL with the header `x-k8s-aws-id: CLUSTER` and let STS answer who signed it.
moto cannot answer step 3 (it routes an Authorization-less GET to S3 and never reads
X-Amz-Credential), so step 3 is done in two halves that together say the same thing:
the signature is recomputed here (SigV4, independently of hats) with the session's
secret and the cluster header, and must match; then moto's GetCallerIdentity, called
with that same key (a header-signed POST through botocore), names the identity.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import urllib.parse

import boto3


def fail(message):
    print(f"eks_verify: {message}", file=sys.stderr)
    sys.exit(1)


def decode(token):
    prefix = "k8s-aws-v1."
    if not token.startswith(prefix):
        fail(f"token does not start with {prefix}")
    body = token[len(prefix):]
    if "=" in body:
        fail("token is padded")
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def encode(text):
    return urllib.parse.quote(text, safe="-_.~")


def signature(secret, date, region, canonical_request):
    scope = f"{date[:8]}/{region}/sts/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", date, scope,
                         hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date[:8], region, "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--sts", required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(decode(os.environ["TOKEN"]))
    sts = urllib.parse.urlsplit(args.sts)
    if (url.scheme, url.netloc, url.path) != (sts.scheme, sts.netloc, "/"):
        fail(f"the URL is not the STS endpoint {args.sts}/: {url.scheme}://{url.netloc}{url.path}")
    pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
    query = dict(pairs)
    if query.get("Action") != "GetCallerIdentity":
        fail(f"Action is {query.get('Action')!r}")
    if query.get("X-Amz-Expires") != "60":
        fail(f"X-Amz-Expires is {query.get('X-Amz-Expires')!r}")
    signed = query.get("X-Amz-SignedHeaders", "").split(";")
    if "x-k8s-aws-id" not in signed:
        fail(f"x-k8s-aws-id is not signed: {signed}")
    date = query["X-Amz-Date"]
    signed_at = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    age = datetime.datetime.now(datetime.timezone.utc) - signed_at
    if not datetime.timedelta(minutes=-5) < age < datetime.timedelta(minutes=15):
        fail(f"signed at {date}, too far from now")
    key_id, scope = query["X-Amz-Credential"].split("/", 1)
    if scope != f"{date[:8]}/{args.region}/sts/aws4_request":
        fail(f"credential scope {scope!r}")
    if key_id != os.environ["KEY_ID"]:
        fail("signed with another key than the session's")
    if query.get("X-Amz-Security-Token") != os.environ["SESSION_TOKEN"]:
        fail("the session token in the URL is not the session's")
    headers = {"host": url.netloc, "x-k8s-aws-id": args.cluster}
    canonical_query = "&".join(
        f"{encode(k)}={encode(v)}" for k, v in sorted(pairs) if k != "X-Amz-Signature")
    canonical_request = "\n".join([
        "GET", "/", canonical_query,
        "".join(f"{h}:{headers[h]}\n" for h in signed),
        ";".join(signed),
        hashlib.sha256(b"").hexdigest(),
    ])
    if signature(os.environ["SECRET"], date, args.region, canonical_request) != query["X-Amz-Signature"]:
        fail(f"the signature does not match (cluster {args.cluster!r})")
    identity = boto3.client(
        "sts", endpoint_url=args.sts, region_name=args.region,
        aws_access_key_id=key_id, aws_secret_access_key=os.environ["SECRET"],
        aws_session_token=os.environ["SESSION_TOKEN"],
    ).get_caller_identity()
    print(json.dumps({"arn": identity["Arn"], "account": identity["Account"],
                      "signed_headers": signed, "expires": query["X-Amz-Expires"],
                      "host": url.netloc}))


if __name__ == "__main__":
    main()
