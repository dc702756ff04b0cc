"""Seeds a local moto server for the hats demo and writes a sandbox HOME.

Creates an organization with three member accounts, an IAM user `alice` with
access keys and a virtual MFA device, the roles the demo assumes, and the
matching ~/.aws/config, ~/.aws/credentials and hats config.toml.
With STANDIN_SEED, also an IAM Identity Center sign-in (`[sso-session corp]`)
and the stand-in's seed: the user is assigned permission sets in three of the
organization's accounts (same ids and names, so the organization's rules apply).
Usage: seed.py ENDPOINT HOME [STANDIN_SEED]
"""
import json
import os
import sys

import boto3

endpoint, home = sys.argv[1], sys.argv[2]
session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint)
org = session.client("organizations", endpoint_url=endpoint)

org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
accounts = {}
for name, ou_name in (("production", "Production"), ("staging", "Workloads"), ("sandbox", "Sandbox"), ("payments", "Production"), ("data-lake", "Workloads")):
    status = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
    accounts[name] = status["AccountId"]
    existing = [u for u in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"] if u["Name"] == ou_name]
    ou = existing[0]["Id"] if existing else org.create_organizational_unit(ParentId=root, Name=ou_name)["OrganizationalUnit"]["Id"]
    org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=ou)

iam.create_user(UserName="org-reader")
reader = iam.create_access_key(UserName="org-reader")["AccessKey"]
iam.create_user(UserName="alice")
key = iam.create_access_key(UserName="alice")["AccessKey"]
device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
serial = device["SerialNumber"]
iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
for role in ("Admin", "Developer", "ReadOnly", "Auditor"):
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)

prod, staging, sandbox = accounts["production"], accounts["staging"], accounts["sandbox"]
os.makedirs(f"{home}/.aws", exist_ok=True)
os.makedirs(f"{home}/.config/hats", exist_ok=True)
with open(f"{home}/.aws/credentials", "w") as f:
    f.write(f"[alice]\naws_access_key_id = {key['AccessKeyId']}\naws_secret_access_key = {key['SecretAccessKey']}\n")
    f.write(f"[org-reader]\naws_access_key_id = {reader['AccessKeyId']}\naws_secret_access_key = {reader['SecretAccessKey']}\n")
with open(f"{home}/.aws/config", "w") as f:
    f.write(f"""[profile alice]
region = eu-west-1
mfa_serial = {serial}

[profile prod-admin]
role_arn = arn:aws:iam::{prod}:role/Admin
source_profile = alice
region = eu-west-1

[profile staging-dev]
role_arn = arn:aws:iam::{staging}:role/Developer
source_profile = alice

[profile prod-long]
role_arn = arn:aws:iam::{prod}:role/ReadOnly
source_profile = alice
duration_seconds = 14400

[profile audit-via-prod]
role_arn = arn:aws:iam::{sandbox}:role/Auditor
source_profile = prod-admin
""")
with open(f"{home}/.config/hats/config.toml", "w") as f:
    f.write(f"""[defaults]
session_name = "alice"
production_patterns = ["prod-*"]

# Accounts discovered from the organization: every account offers ReadOnly,
# the Production OU adds Admin and is guarded.
[organization]
source = "org-reader"
via = "alice"
roles = ["ReadOnly"]

[[organization.rule]]
ou = "Production"
roles = ["Admin"]
production = true

[[account]]
id = "{sandbox}"
name = "sandbox"
source = "alice"
roles = ["Admin", "ReadOnly"]
region = "us-west-2"
tags = {{ team = "platform" }}
""")
if len(sys.argv) > 3:
    # A start URL of this run's own: an OIDC client registration a previous demo
    # left in the keyring (registered at a stand-in that is gone) never fits it.
    start_url = f"https://corp-{os.urandom(4).hex()}.awsapps.com/start"
    with open(f"{home}/.aws/config", "a") as f:
        f.write(f"""
[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
""")
    assigned = {"production": ["AdministratorAccess", "ViewOnlyAccess"], "staging": ["PowerUserAccess"],
                "data-lake": ["DataScientist", "ViewOnlyAccess"]}
    with open(sys.argv[3], "w") as f:
        json.dump({"region": "us-east-1", "startUrl": start_url, "user": "alice",
                   "accounts": [{"accountId": accounts[name], "accountName": name,
                                 "emailAddress": f"{name}@example.com", "roles": roles}
                                for name, roles in assigned.items()]}, f)
print(f"seeded: accounts production={prod} staging={staging} sandbox={sandbox}, MFA device {serial}")
