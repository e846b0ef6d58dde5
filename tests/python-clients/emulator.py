"""Starts the `cloud-emulator` binary for one client script and reads its banner.

The binary is $CLOUD_EMULATOR (set by `run`). It is started on free ports with
`--exit-on-stdin-eof`, so it ends with this process even if the script dies.
"""

import os
import subprocess
import sys
import threading


class Emulator:
    def __init__(self, *args):
        binary = os.environ.get("CLOUD_EMULATOR")
        if not binary:
            sys.exit("CLOUD_EMULATOR is not set (run these scripts through ./run)")
        self.process = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--vultr-listen", "127.0.0.1:0",
             "--exit-on-stdin-eof", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.digitalocean_url = self.digitalocean_token = None
        self.vultr_url = self.vultr_token = None
        self.linode_url = self.linode_token = None
        banner = []
        last = None
        for line in self.process.stdout:
            line = line.rstrip("\n")
            banner.append(line)
            if line.startswith("DigitalOcean API:"):
                self.digitalocean_url, last = line.split(":", 1)[1].strip(), "do"
            elif line.startswith("Vultr API:"):
                self.vultr_url, last = line.split(":", 1)[1].strip(), "vultr"
            elif line.startswith("Linode API:"):
                self.linode_url, last = line.split(":", 1)[1].strip(), "linode"
            elif line.strip().startswith("token:"):
                token = line.split(":", 1)[1].strip()
                if last == "do":
                    self.digitalocean_token = token
                elif last == "vultr":
                    self.vultr_token = token
                elif last == "linode":
                    self.linode_token = token
            elif line.startswith("Press Ctrl-C"):
                break
        if None in (self.digitalocean_url, self.digitalocean_token,
                    self.vultr_url, self.vultr_token,
                    self.linode_url, self.linode_token):
            self.close()
            sys.exit(f"cloud-emulator printed no usable banner: {banner}")
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.process.stdout],
                         daemon=True).start()

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Checks:
    """Counts checks; `check` raises on the first mismatch."""

    def __init__(self, name):
        self.name = name
        self.count = 0

    def equal(self, what, got, want):
        self.count += 1
        if got != want:
            raise AssertionError(f"{self.name}: {what}: got {got!r}, want {want!r}")

    def true(self, what, cond):
        self.count += 1
        if not cond:
            raise AssertionError(f"{self.name}: {what}")


def run(main):
    """Runs a script's `main`; any failure, a client error included, fails the run."""
    try:
        main()
    except Exception as e:
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        raise SystemExit(1)
