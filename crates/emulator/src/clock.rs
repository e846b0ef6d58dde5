//! Timestamps in the formats the APIs use, without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// An instant a hair before `t`, to render a resource as it was just before it became ready.
pub fn just_before(t: std::time::Instant) -> std::time::Instant {
    t.checked_sub(std::time::Duration::from_nanos(1))
        .unwrap_or(t)
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `2020-07-21T18:37:44Z`, as DigitalOcean writes times.
pub fn rfc3339_z(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2020-10-10T01:56:20+00:00`, as Vultr writes times.
pub fn rfc3339_offset(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+00:00")
}

/// Splits Unix seconds into (year, month, day, hour, minute, second) in UTC.
fn civil(unix: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3_600, (secs % 3_600) / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_z(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_z(1_595_356_664), "2020-07-21T18:37:44Z");
        assert_eq!(rfc3339_offset(1_602_294_980), "2020-10-10T01:56:20+00:00");
        assert_eq!(rfc3339_z(951_782_400), "2000-02-29T00:00:00Z");
    }
}
