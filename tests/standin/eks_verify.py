#!/usr/bin/env python3
"""Checks an EKS bearer token the way the cluster's authenticator does, against moto.

RUN (the secrets come through the environment, never argv)
    TOKEN=k8s-aws-v1.... KEY_ID=ASIA... SECRET=... SESSION_TOKEN=... \
    python eks_verify.py --cluster NAME --sts http://127.0.0.1:MOTO --region us-east-1
Prints one JSON object: {"arn", "account", "signed_headers", "expires", "host"};
exits 1 with a message on the first check that fails. `kube_api.py` imports `verify`.

Steps, as aws-iam-authenticator's verifier takes them:
  1. strip `k8s-aws-v1.`, base64url-decode (no padding) into a URL;
  2. the URL must be the STS endpoint (scheme, host and port of --sts), path `/`,
     Action=GetCallerIdentity, X-Amz-Expires present, X-Amz-Date less than 15 minutes old,
     and `x-k8s-aws-id` in X-Amz-SignedHeaders;
  3. GET the URL with the header `x-k8s-aws-id: CLUSTER` and let STS answer who signed it.
moto cannot answer step 3 (it routes an Authorization-less GET to S3 and never reads
X-Amz-Credential), so step 3 is done in two halves that together say the same thing:
botocore's own query-string signer (the one `aws eks get-token` uses) presigns the same
request — the token's operation parameters, the cluster header, its X-Amz-Date and
X-Amz-Expires — with the session's secret, and its signature must be the token's; then
moto's GetCallerIdentity, called with that same key (a header-signed POST through
botocore), names the identity.
"""

import argparse
import base64
import datetime
import json
import os
import sys
import urllib.parse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials

PREFIX = "k8s-aws-v1."


class Refused(Exception):
    """A check the token failed; the message says which."""


def decode(token):
    if not token.startswith(PREFIX):
        raise Refused(f"token does not start with {PREFIX}")
    body = token[len(PREFIX):]
    if "=" in body:
        raise Refused("token is padded")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except ValueError as e:
        raise Refused(f"token is not base64url: {e}") from e


def botocore_signature(url, query, cluster, region, credentials):
    """The signature botocore's SigV4 query signer gives the token's request at its instant."""
    operation = {k: v for k, v in query.items() if not k.startswith("X-Amz-")}
    request = botocore.awsrequest.AWSRequest(
        method="GET",
        url=f"{url.scheme}://{url.netloc}/?{urllib.parse.urlencode(operation)}",
        headers={"x-k8s-aws-id": cluster},
    )
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    signer = botocore.auth.SigV4QueryAuth(credentials, "sts", region, expires=int(query["X-Amz-Expires"]))
    real_clock = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *_: signed_at
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = real_clock
    signed = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
    return signed["X-Amz-Signature"], signed["X-Amz-SignedHeaders"]


def check_url(url, query, sts, region, key_id, session_token):
    if (url.scheme, url.netloc, url.path) != (sts.scheme, sts.netloc, "/"):
        raise Refused(f"the URL is not the STS endpoint: {url.scheme}://{url.netloc}{url.path}")
    if query.get("Action") != "GetCallerIdentity":
        raise Refused(f"Action is {query.get('Action')!r}")
    if query.get("X-Amz-Expires") != "60":
        raise Refused(f"X-Amz-Expires is {query.get('X-Amz-Expires')!r}")
    if "x-k8s-aws-id" not in query.get("X-Amz-SignedHeaders", "").split(";"):
        raise Refused(f"x-k8s-aws-id is not signed: {query.get('X-Amz-SignedHeaders')!r}")
    date = query.get("X-Amz-Date", "")
    try:
        signed_at = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError as e:
        raise Refused(f"X-Amz-Date {date!r} is not a time") from e
    age = datetime.datetime.now(datetime.timezone.utc) - signed_at
    if not datetime.timedelta(minutes=-5) < age < datetime.timedelta(minutes=15):
        raise Refused(f"signed at {date}, too far from now")
    signing_key, _, scope = query.get("X-Amz-Credential", "").partition("/")
    if scope != f"{date[:8]}/{region}/sts/aws4_request":
        raise Refused(f"credential scope {scope!r}")
    if signing_key != key_id:
        raise Refused("signed with another key than the session's")
    if query.get("X-Amz-Security-Token") != session_token:
        raise Refused("the session token in the URL is not the session's")


def verify(token, cluster, sts_endpoint, region, key_id, secret, session_token):
    """The identity behind `token` for `cluster`, or `Refused` saying why not."""
    url = urllib.parse.urlsplit(decode(token))
    pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
    query = dict(pairs)
    if len(query) != len(pairs):
        raise Refused("a query parameter is repeated")
    check_url(url, query, urllib.parse.urlsplit(sts_endpoint), region, key_id, session_token)
    credentials = botocore.credentials.Credentials(key_id, secret, session_token)
    expected, signed_headers = botocore_signature(url, query, cluster, region, credentials)
    if signed_headers != query["X-Amz-SignedHeaders"]:
        raise Refused(f"signed headers {query['X-Amz-SignedHeaders']!r}, botocore signs {signed_headers!r}")
    if expected != query.get("X-Amz-Signature"):
        raise Refused(f"the signature does not match (cluster {cluster!r})")
    identity = boto3.client(
        "sts", endpoint_url=sts_endpoint, region_name=region,
        aws_access_key_id=key_id, aws_secret_access_key=secret, aws_session_token=session_token,
    ).get_caller_identity()
    return {"arn": identity["Arn"], "account": identity["Account"],
            "signed_headers": query["X-Amz-SignedHeaders"].split(";"),
            "expires": query["X-Amz-Expires"], "host": url.netloc}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--sts", required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args()
    try:
        report = verify(os.environ["TOKEN"], args.cluster, args.sts, args.region,
                        os.environ["KEY_ID"], os.environ["SECRET"], os.environ["SESSION_TOKEN"])
    except Refused as e:
        print(f"eks_verify: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
