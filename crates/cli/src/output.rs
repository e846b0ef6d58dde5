//! Printing: one line at a time to stdout, and the answers of several accounts as each
//! arrives.

use std::io::Write;

use serde_json::Value;

use crate::context::Context;
use hangar::error::{Error, ErrorKind, Result};
use hangar::fleet::PerAccount;

/// One line on stdout.
pub fn out(line: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", line.as_ref());
}

/// A JSON value as one line on stdout.
pub fn out_json(value: &impl serde::Serialize) {
    out(serde_json::to_string(value).unwrap_or_default());
}

/// `[label] line` when several accounts print, else `line`.
pub fn tagged(ctx: &Context, account_id: &str, many: bool, line: &str) -> String {
    if many {
        format!("[{}] {line}", ctx.label(account_id))
    } else {
        line.to_owned()
    }
}

/// Prints an account's error on stderr as it arrives (its lines go to stdout as they come).
pub fn report_failure<T>(ctx: &Context, answer: &PerAccount<T>) {
    if let Err(e) = answer.outcome() {
        eprintln!("Error: {}: {}", ctx.label(&answer.account_id), e.message);
    }
}

/// Every answer's JSON items, each with the `account` it came from.
pub fn json_with_account<T>(
    ctx: &Context,
    answers: &[PerAccount<T>],
    items: impl Fn(&T) -> Vec<Value>,
) -> Value {
    let mut all = Vec::new();
    for answer in answers {
        if let Ok(value) = answer.outcome() {
            for mut item in items(value) {
                if let Value::Object(map) = &mut item {
                    map.insert("account".into(), ctx.label(&answer.account_id).into());
                }
                all.push(item);
            }
        }
    }
    Value::Array(all)
}

/// The answers' result: the single account's error as it is; with several accounts, a
/// partial failure naming those that failed (their errors were printed as they came).
pub fn finish<T>(ctx: &Context, answers: Vec<PerAccount<T>>, many: bool) -> Result<()> {
    let failed: Vec<PerAccount<T>> = answers.into_iter().filter(|a| a.error.is_some()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    if !many {
        return match failed.into_iter().next() {
            Some(only) => only.into_outcome().map(|_| ()),
            None => Ok(()),
        };
    }
    let labels: Vec<&str> = failed.iter().map(|a| ctx.label(&a.account_id)).collect();
    Err(Error::new(
        ErrorKind::Partial,
        format!(
            "{} of {} accounts failed: {}",
            labels.len(),
            ctx.accounts_count(),
            labels.join(", ")
        ),
    ))
}
