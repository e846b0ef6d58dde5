//! Deterministic ids, addresses and pseudo-random numbers.

use std::net::Ipv4Addr;

/// One step of SplitMix64: a good 64-bit mix of `x`.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A version-4-shaped UUID derived from `(namespace, n)`.
pub fn uuid(namespace: u64, n: u64) -> String {
    let a = splitmix64(namespace ^ n.wrapping_mul(0x0100_0000_01b3));
    let b = splitmix64(a ^ n);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// The `n`th public address (0-based): 192.0.2.1..254, then 198.51.100.1..254,
/// then 203.0.113.1..254 (the documentation ranges), wrapping after 762.
pub fn public_ipv4(n: u64) -> Ipv4Addr {
    let n = n % (3 * 254);
    let host = (n % 254) as u8 + 1;
    match n / 254 {
        0 => Ipv4Addr::new(192, 0, 2, host),
        1 => Ipv4Addr::new(198, 51, 100, host),
        _ => Ipv4Addr::new(203, 0, 113, host),
    }
}

/// The gateway of the /24 `ip` belongs to.
pub fn gateway_of(ip: Ipv4Addr) -> Ipv4Addr {
    let [a, b, c, _] = ip.octets();
    Ipv4Addr::new(a, b, c, 1)
}

/// The `n`th private address, in 10.10.0.0/16.
pub fn private_ipv4(n: u64) -> Ipv4Addr {
    let n = n % 65_000;
    Ipv4Addr::new(10, 10, (n / 250) as u8, (n % 250) as u8 + 2)
}

/// The MD5 fingerprint of an OpenSSH public key (`aa:bb:...`), as DigitalOcean reports it.
/// Falls back to hashing the whole text when the key body is not base64.
pub fn ssh_fingerprint(public_key: &str) -> String {
    use base64::Engine as _;
    use md5::{Digest, Md5};
    let blob = public_key
        .split_whitespace()
        .nth(1)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_else(|| public_key.as_bytes().to_vec());
    let digest = Md5::digest(&blob);
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A password-shaped secret, deterministic in `n`.
pub fn password(n: u64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#{}";
    let mut x = splitmix64(n ^ 0x7061_7373);
    (0..16)
        .map(|_| {
            x = splitmix64(x);
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let u = uuid(1, 2);
        assert_eq!(u, uuid(1, 2));
        assert_ne!(u, uuid(1, 3));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn addresses_walk_the_documentation_ranges() {
        assert_eq!(public_ipv4(0), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(public_ipv4(253), Ipv4Addr::new(192, 0, 2, 254));
        assert_eq!(public_ipv4(254), Ipv4Addr::new(198, 51, 100, 1));
        assert_eq!(public_ipv4(508), Ipv4Addr::new(203, 0, 113, 1));
    }

    #[test]
    fn fingerprint_is_md5_of_the_key_blob() {
        // The blob "AAAA" decodes to three zero bytes; md5(00 00 00) is 693e9af84d3dfcc71e640e005bdc5e2e.
        assert_eq!(
            ssh_fingerprint("ssh-ed25519 AAAA me@host"),
            "69:3e:9a:f8:4d:3d:fc:c7:1e:64:0e:00:5b:dc:5e:2e"
        );
    }
}
