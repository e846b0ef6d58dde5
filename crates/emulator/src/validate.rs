//! Checks of request values that several providers apply alike.

/// Whether `name` looks like a DNS name with at least two labels.
pub fn valid_zone_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Whether `key` looks like an OpenSSH public key: a known type and a base64 body.
pub fn plausible_public_key(key: &str) -> bool {
    use base64::Engine as _;
    let mut parts = key.split_whitespace();
    let (Some(kind), Some(body)) = (parts.next(), parts.next()) else {
        return false;
    };
    let known = kind.starts_with("ssh-") || kind.starts_with("ecdsa-") || kind.starts_with("sk-");
    known
        && base64::engine::general_purpose::STANDARD
            .decode(body)
            .is_ok()
}
