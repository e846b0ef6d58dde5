"""DigitalOcean's official Python client, pydo, against the emulator: SSH keys, Droplets
(with tags and user_data) and domains with records, each result checked."""

import time

from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.rest import HttpRequest
import pydo

from emulator import Checks, Emulator, run

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx4bW1mZ2h0cmVlc3BlY3Rlc3RrZXlhYWFhYWFhYWFh"
       " pydo-test")
USER_DATA = "#cloud-config\nruncmd:\n  - echo hello from pydo\n"
DOMAIN = "pydo.example.com"


class PlainHttpBearer(SansIOHTTPPolicy):
    """Sends `Authorization: Bearer <token>` like pydo's default policy does.

    Workaround, not an emulator gap: pydo's default (azure-core's BearerTokenCredentialPolicy)
    refuses to send a token to a non-https URL, and the emulator listens on plain http on
    127.0.0.1. The real API is https only, so it never meets this.
    """

    def __init__(self, token):
        self.token = token

    def on_request(self, request):
        request.http_request.headers["Authorization"] = f"Bearer {self.token}"


def not_found(call):
    """True when the call meets DigitalOcean's 404. pydo returns the error body of a 404 that
    the spec documents (`{"id": "not_found", ...}`) instead of raising."""
    try:
        body = call()
    except HttpResponseError as e:
        return e.status_code == 404
    return isinstance(body, dict) and body.get("id") == "not_found"


def main():
    c = Checks("pydo")
    with Emulator("--ip-delay-ms", "300") as emu:
        client = pydo.Client(
            token=emu.digitalocean_token,
            endpoint=emu.digitalocean_url,
            authentication_policy=PlainHttpBearer(emu.digitalocean_token),
        )

        # SSH keys.
        created = client.ssh_keys.create(body={"name": "pydo-key", "public_key": KEY})
        key = created["ssh_key"]
        c.equal("key name", key["name"], "pydo-key")
        c.equal("key public_key", key["public_key"], KEY)
        c.true("key fingerprint", bool(key["fingerprint"]))
        listed = client.ssh_keys.list()["ssh_keys"]
        c.equal("listed key", [k for k in listed if k["id"] == key["id"]], [key])
        # The real API also serves paths with a trailing slash; so must the emulator.
        raw = client.send_request(HttpRequest("GET", "/v2/account/keys/"))
        c.equal("trailing slash status", raw.status_code, 200)
        c.true("trailing slash lists the key",
               key["id"] in [k["id"] for k in raw.json()["ssh_keys"]])
        c.equal("get key by fingerprint",
                client.ssh_keys.get(ssh_key_identifier=key["fingerprint"])["ssh_key"]["id"],
                key["id"])

        # Droplets.
        body = {
            "name": "pydo-web-1", "region": "nyc3", "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64", "ssh_keys": [key["id"]],
            "tags": ["pydo", "env:test"], "user_data": USER_DATA,
        }
        droplet = client.droplets.create(body=body)["droplet"]
        did = droplet["id"]
        c.equal("created name", droplet["name"], "pydo-web-1")
        c.equal("created tags", sorted(droplet["tags"]), ["env:test", "pydo"])
        c.equal("created status", droplet["status"], "new")
        deadline = time.monotonic() + 30
        while True:
            got = client.droplets.get(droplet_id=did)["droplet"]
            if got["status"] == "active" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        c.equal("got id", got["id"], did)
        c.equal("became active", got["status"], "active")
        c.equal("region", got["region"]["slug"], "nyc3")
        c.equal("size", got["size_slug"], "s-1vcpu-1gb")
        c.equal("image", got["image"]["slug"], "ubuntu-24-04-x64")
        v4 = [n for n in got["networks"]["v4"] if n["type"] == "public"]
        c.true(f"a public IPv4 once active: {got['networks']}", len(v4) == 1)
        by_tag = client.droplets.list(tag_name="pydo")
        c.equal("list by tag", [d["id"] for d in by_tag["droplets"]], [did])
        c.equal("list by tag total", by_tag["meta"]["total"], 1)
        c.equal("other tag lists none",
                client.droplets.list(tag_name="nobody")["droplets"], [])
        c.true("listed among all",
               did in [d["id"] for d in client.droplets.list(per_page=200)["droplets"]])

        # Domains and records.
        domain = client.domains.create(body={"name": DOMAIN})["domain"]
        c.equal("domain name", domain["name"], DOMAIN)
        c.true("domain listed",
               DOMAIN in [d["name"] for d in client.domains.list()["domains"]])
        record = client.domains.create_record(
            domain_name=DOMAIN,
            body={"type": "A", "name": "www", "data": "192.0.2.10", "ttl": 1800},
        )["domain_record"]
        c.equal("record fields", (record["type"], record["name"], record["data"]),
                ("A", "www", "192.0.2.10"))
        records = client.domains.list_records(domain_name=DOMAIN)["domain_records"]
        c.equal("record listed", [r for r in records if r["id"] == record["id"]], [record])
        c.equal("record got",
                client.domains.get_record(domain_name=DOMAIN,
                                          domain_record_id=record["id"])["domain_record"],
                record)
        client.domains.delete_record(domain_name=DOMAIN, domain_record_id=record["id"])
        records = client.domains.list_records(domain_name=DOMAIN)["domain_records"]
        c.equal("record gone", [r for r in records if r["id"] == record["id"]], [])
        c.true("deleted record 404", not_found(lambda: client.domains.get_record(
            domain_name=DOMAIN, domain_record_id=record["id"])))
        client.domains.delete(domain_name=DOMAIN)
        c.true("domain gone",
               DOMAIN not in [d["name"] for d in client.domains.list()["domains"]])
        c.true("deleted domain 404", not_found(lambda: client.domains.get(domain_name=DOMAIN)))

        # Deletes.
        client.droplets.destroy(droplet_id=did)
        c.true("deleted droplet 404", not_found(lambda: client.droplets.get(droplet_id=did)))
        c.equal("tag lists none after delete",
                client.droplets.list(tag_name="pydo")["droplets"], [])
        client.ssh_keys.delete(ssh_key_identifier=key["id"])
        c.true("deleted key 404",
               not_found(lambda: client.ssh_keys.get(ssh_key_identifier=key["id"])))
        c.true("key gone",
               key["id"] not in [k["id"] for k in client.ssh_keys.list()["ssh_keys"]])
    print(f"pydo {pydo._version.VERSION}: {c.count} checks passed")


if __name__ == "__main__":
    run(main)
