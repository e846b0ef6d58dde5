//! cloud-init reads user-data with a YAML 1.1 parser (PyYAML), while `serde_yaml_ng` writes
//! YAML 1.2: it leaves plain (unquoted) the strings that YAML 1.2 reads as strings but YAML
//! 1.1 does not, such as `yes`, `no`, `on`, `off`, `y`, `~`, `0777` (octal), `1:20`
//! (sexagesimal) or `2026-01-02` (a date). A user called `yes` would become `True`.
//!
//! [`quote_ambiguous`] takes the serializer's output and single-quotes every plain scalar that
//! YAML 1.1 could read as anything but a string. It is conservative: a plain scalar stays plain
//! only when it cannot start a YAML 1.1 number, date or special float (no leading digit, `+`,
//! `-` or `.`) and is none of the YAML 1.1 boolean and null words. A plain scalar YAML 1.2
//! reads as a boolean, number or null was written for such a value and stays. The serializer
//! writes one
//! scalar per line (unlimited width, block style), so the scalars are found line by line;
//! block-literal contents (`|`) are left as they are.

/// Words YAML 1.1 reads as booleans or null (and the merge and value keys).
const WORDS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<",
    "=",
];

/// Whether a plain scalar reads as the same string under YAML 1.1.
pub fn plain_is_string_in_yaml11(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !WORDS.contains(&s) && !first.is_ascii_digit() && !matches!(first, '+' | '-' | '.')
}

/// `text` (block-style YAML from `serde_yaml_ng`) with every YAML-1.1-ambiguous plain scalar
/// single-quoted.
pub fn quote_ambiguous(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // Inside a block literal: lines indented more than this belong to it.
    let mut literal_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let indent = body.len() - body.trim_start().len();
        if let Some(block) = literal_indent {
            if body.trim().is_empty() || indent > block {
                out.push_str(line);
                continue;
            }
            literal_indent = None;
        }
        let (prefix, value) = split_scalar(body);
        if value.starts_with('|') || value.starts_with('>') {
            literal_indent = Some(indent);
            out.push_str(line);
            continue;
        }
        if is_plain(value) && is_string_in_yaml12(value) && !plain_is_string_in_yaml11(value) {
            out.push_str(prefix);
            out.push('\'');
            out.push_str(&value.replace('\'', "''"));
            out.push('\'');
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// A line's lead (indentation, `- ` markers, a `key: `) and the scalar after it ("" when the
/// line holds none, e.g. `users:`).
fn split_scalar(line: &str) -> (&str, &str) {
    let mut rest = line.trim_start();
    while let Some(r) = rest.strip_prefix("- ") {
        rest = r;
    }
    if let Some((key, value)) = rest.split_once(": ")
        && !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        rest = value;
    } else if rest.ends_with(':')
        && rest[..rest.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        rest = "";
    }
    let at = line.len() - rest.len();
    (&line[..at], rest)
}

/// Whether the serializer wrote `value` for a string. A plain scalar that YAML 1.2 reads as a
/// boolean, number or null is one the serializer wrote for such a value (it quotes strings
/// that would read so), like `lock_passwd: true`; those stay as they are.
fn is_string_in_yaml12(value: &str) -> bool {
    matches!(
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>(value),
        Ok(serde_yaml_ng::Value::String(_))
    )
}

/// A plain scalar as the serializer writes one: not quoted, not a block or flow collection.
fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && !matches!(
            value.chars().next(),
            Some('\'' | '"' | '[' | '{' | '|' | '>' | '&' | '*' | '!')
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_scalars_are_quoted_and_the_rest_left_alone() {
        let text = "users:\n- name: yes\n  groups: sudo\n  lock_passwd: true\nruncmd:\n- - chmod\n  - 0755\n  - /opt/x\n- - curl\n  - -fsSL\n  - it's\n";
        assert_eq!(
            quote_ambiguous(text),
            "users:\n- name: 'yes'\n  groups: sudo\n  lock_passwd: true\nruncmd:\n- - chmod\n  - '0755'\n  - /opt/x\n- - curl\n  - '-fsSL'\n  - it's\n"
        );
    }

    #[test]
    fn block_literals_are_not_touched() {
        let text = "runcmd:\n- - su\n  - |-\n    no\n    0777\n- - on\n";
        assert_eq!(
            quote_ambiguous(text),
            "runcmd:\n- - su\n  - |-\n    no\n    0777\n- - 'on'\n"
        );
    }

    #[test]
    fn yaml11_words_numbers_and_dates_are_not_plain_strings() {
        for s in [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "~",
            "null",
            "0777",
            "1:20",
            "2026-01-02",
            "1.10",
            ".inf",
            "-1",
            "+1",
            "0x1F",
        ] {
            assert!(!plain_is_string_in_yaml11(s), "{s}");
        }
        for s in ["deploy", "yesterday", "online", "/opt/setup", "ALL", "x1"] {
            assert!(plain_is_string_in_yaml11(s), "{s}");
        }
    }
}
