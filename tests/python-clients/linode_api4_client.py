"""Linode's official Python client, linode-api4, against the emulator: SSH keys, Linodes
(created with tags and user data, listed with filters, read, powered through their busy
states, renamed, deleted), Cloud Firewalls with rules and devices, and domains with
records, each result checked."""

import time

from linode_api4 import Domain, Instance, LinodeClient
from linode_api4.errors import ApiError

from emulator import Checks, Emulator, run

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFJvYm90c0FyZUZyaWVuZHNOb3RGb29kMTIzNDU2Nzg5"
       " linode-client-test")
USER_DATA = "#cloud-config\nruncmd:\n  - echo hello from linode-api4\n"
PASSWORD = "Linode-Client-Passw0rd!"
DOMAIN = "linode-client.example"
TAGS = ["machine:created", "machine:session:ab12cd34", "machine:type:web"]


def api_error(call):
    """The ApiError a call raises (None if it succeeds)."""
    try:
        call()
    except ApiError as e:
        return e
    return None


def fresh(client, instance):
    """The Linode as the API has it now."""
    return client.load(Instance, instance.id)


def wait_for(client, instance, status, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        current = fresh(client, instance).status
        if current == status or time.monotonic() > deadline:
            return current
        time.sleep(0.1)


def main():
    c = Checks("linode-api4")
    with Emulator("--ip-delay-ms", "300") as emu:
        client = LinodeClient(emu.linode_token, base_url=emu.linode_url)

        # SSH keys.
        keys = client.profile.ssh_keys()
        c.equal("seeded keys", len(keys), 1)
        key = client.profile.ssh_key_upload(KEY, "linode-client")
        c.equal("uploaded key label", key.label, "linode-client")
        c.equal("uploaded key", key.ssh_key, KEY)
        labels = [k.label for k in client.profile.ssh_keys()]
        c.true(f"new key listed: {labels}", "linode-client" in labels)

        # Catalogs and the token check.
        c.equal("profile", client.profile().username, "hangar-demo")
        c.true("regions", "us-east" in [r.id for r in client.regions()])
        types = {t.id: t for t in client.linode.types()}
        c.equal("nanode price", types["g6-nanode-1"].price.monthly, 5)
        c.true("images", "linode/ubuntu24.04" in [i.id for i in client.images()])

        seeded = len(client.linode.instances())
        c.true("seeded Linodes", seeded >= 1)

        # A Linode: created at once with its address, provisioning, then running.
        linode = client.linode.instance_create(
            "g6-nanode-1", "us-east", image="linode/ubuntu24.04", label="web-2",
            root_pass=PASSWORD, authorized_keys=[KEY], tags=TAGS,
            metadata=client.linode.build_instance_metadata(user_data=USER_DATA),
        )
        c.equal("created status", linode.status, "provisioning")
        c.equal("created label", linode.label, "web-2")
        c.equal("created tags", sorted(linode.tags), sorted(TAGS))
        c.equal("one public IPv4", len(linode.ipv4), 1)
        address = linode.ipv4[0]
        busy = api_error(linode.shutdown)
        c.true("shutdown while provisioning is refused", busy is not None)
        c.equal("busy status", busy.status, 400)
        c.true(f"busy reason: {busy.errors}", "Linode busy." in busy.errors)
        c.equal("running after provisioning", wait_for(client, linode, "running"), "running")
        ips = fresh(client, linode).ips
        c.equal("public address", ips.ipv4.public[0].address, address)

        # Lists with filters (X-Filter).
        by_label = client.linode.instances(Instance.label == "web-2")
        c.equal("filtered by label", [i.id for i in by_label], [linode.id])
        by_tag = client.linode.instances(Instance.tags == "machine:session:ab12cd34")
        c.equal("filtered by tag", [i.id for i in by_tag], [linode.id])
        everyone = client.linode.instances()
        c.equal("all listed", len(everyone), seeded + 1)

        # Power: shutdown, boot, reboot, each through its transient status.
        c.true("shutdown", linode.shutdown())
        c.equal("offline", wait_for(client, linode, "offline"), "offline")
        c.true("boot", linode.boot())
        c.equal("running after boot", wait_for(client, linode, "running"), "running")
        c.true("reboot", linode.reboot())
        c.equal("running after reboot", wait_for(client, linode, "running"), "running")

        # Rename and retag.
        current = fresh(client, linode)
        current.label = "web-2b"
        current.tags = ["machine:created"]
        current.save()
        again = fresh(client, linode)
        c.equal("renamed", again.label, "web-2b")
        c.equal("retagged", again.tags, ["machine:created"])

        # Domains and records.
        domain = client.domain_create(DOMAIN, master=True, soa_email=f"admin@{DOMAIN}")
        c.equal("domain", domain.domain, DOMAIN)
        c.equal("domain type", domain.type, "master")
        www = domain.record_create("A", name="www", target="192.0.2.10", ttl_sec=300)
        c.equal("record target", www.target, "192.0.2.10")
        mx = domain.record_create("MX", name="", target=f"mail.{DOMAIN}", priority=10)
        c.equal("mx priority", mx.priority, 10)
        domain.record_create("TXT", name="", target="v=spf1 -all")
        records = client.load(Domain, domain.id).records
        c.equal("records listed", sorted(r.type for r in records), ["A", "MX", "TXT"])
        www.delete()
        c.equal("record deleted", len(client.load(Domain, domain.id).records), 2)
        c.true("domains listed", DOMAIN in [d.domain for d in client.domains()])
        domain.delete()
        c.true("domain deleted", DOMAIN not in [d.domain for d in client.domains()])

        # A Cloud Firewall with a rule, the Linode as its device.
        rules = {
            "inbound": [{"action": "ACCEPT", "protocol": "TCP", "ports": "22",
                         "addresses": {"ipv4": ["203.0.113.254/32"]}, "label": "ssh-in"}],
            "outbound": [], "inbound_policy": "DROP", "outbound_policy": "ACCEPT",
        }
        firewall = client.networking.firewall_create("hangar-web", rules)
        c.equal("firewall label", firewall.label, "hangar-web")
        device = firewall.device_create(linode.id)
        c.equal("device entity", device.entity.id, linode.id)
        got = firewall.get_rules()
        c.equal("firewall rule ports", got["inbound"][0]["ports"], "22")
        rules["inbound"][0]["ports"] = "22, 443"
        firewall.update_rules(rules)
        c.equal("updated rule ports", firewall.get_rules()["inbound"][0]["ports"], "22, 443")
        c.equal("firewalls listed", [f.label for f in client.networking.firewalls()], ["hangar-web"])
        device.delete()
        firewall.delete()
        c.equal("firewall deleted", len(client.networking.firewalls()), 0)

        # Delete the Linode and the key: then 404.
        linode.delete()
        gone = api_error(lambda: client.load(Instance, linode.id))
        c.equal("deleted Linode is 404", gone.status if gone else None, 404)
        key.delete()
        c.true("key deleted", "linode-client" not in [k.label for k in client.profile.ssh_keys()])
    print(f"linode-api4: {c.count} checks passed")


if __name__ == "__main__":
    run(main)
