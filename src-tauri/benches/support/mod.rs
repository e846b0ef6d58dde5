//! What the desktop-app benches share: the proportional set size (PSS) of a running app's
//! process tree (the app and the WebKit processes it starts), and small statistics.

#![allow(dead_code)] // Each bench uses its own subset.

use std::path::Path;

/// PSS of one app's process tree, in kB, by kind of process.
#[derive(Clone, Copy, Debug, Default)]
pub struct TreePss {
    /// The app's own process (the UI process: GTK, Rust, the core).
    pub app_kb: u64,
    /// WebKit's web content process(es): the page, its DOM and JavaScript.
    pub web_kb: u64,
    /// WebKit's network process.
    pub network_kb: u64,
    /// Anything else under the app (none is expected).
    pub other_kb: u64,
    /// The pages only these processes map (private clean and dirty, the USS), summed. Unlike
    /// PSS it does not drop when another program maps the same libraries; it leaves out the
    /// pages the app and its WebKit processes share among themselves.
    pub private_kb: u64,
    /// WebKit processes on the machine outside this tree (other apps or tests), which share
    /// WebKit's library pages and so lower this tree's PSS.
    pub foreign_webkit: usize,
}

impl TreePss {
    pub fn total_kb(&self) -> u64 {
        self.app_kb + self.web_kb + self.network_kb + self.other_kb
    }

    pub fn total_mib(&self) -> f64 {
        mib(self.total_kb())
    }
}

/// kB to MiB.
pub fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// PSS of the process running `binary` on X display `display` and all its descendants.
pub fn tree_pss(display: &str, binary: &Path) -> TreePss {
    let want = format!("DISPLAY={display}");
    let binary = std::fs::canonicalize(binary).unwrap_or_else(|_| binary.to_path_buf());
    let procs: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, parent_of(pid)?)))
        .collect();
    let roots: Vec<u32> = procs
        .iter()
        .map(|&(pid, _)| pid)
        .filter(|&pid| {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            exe == binary && env.split(|b| *b == 0).any(|kv| kv == want.as_bytes())
        })
        .collect();
    let mut all = roots.clone();
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        all.extend(procs.iter().filter(|&&(_, pp)| pp == p).map(|&(c, _)| c));
        i += 1;
    }
    let mut out = TreePss {
        foreign_webkit: procs
            .iter()
            .filter(|(pid, _)| !all.contains(pid))
            .filter(|(pid, _)| {
                // Web, network and GPU processes; not WebKitWebDriver, which drives this app.
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.starts_with("WebKit") && !c.starts_with("WebKitWebDriv"))
            })
            .count(),
        ..TreePss::default()
    };
    for pid in all {
        let kb = rollup_kb(pid, "Pss:");
        out.private_kb += rollup_kb(pid, "Private_Clean:") + rollup_kb(pid, "Private_Dirty:");
        if roots.contains(&pid) {
            out.app_kb += kb;
            continue;
        }
        // `comm` is cut at 15 characters: "WebKitWebProces", "WebKitNetworkPr".
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.starts_with("WebKitWebProc") {
            out.web_kb += kb;
        } else if comm.starts_with("WebKitNetwork") {
            out.network_kb += kb;
        } else {
            out.other_kb += kb;
        }
    }
    out
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The `field` ("Pss:") of the process's `smaps_rollup`, in kB.
fn rollup_kb(pid: u32, field: &str) -> u64 {
    let rollup = Path::new("/proc")
        .join(pid.to_string())
        .join("smaps_rollup");
    std::fs::read_to_string(rollup)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The `q` quantile (0..=1) of `v` by nearest rank: `q = 0.95` of 20 values is the 19th.
pub fn quantile(v: &[f64], q: f64) -> f64 {
    assert!(!v.is_empty(), "a quantile of nothing");
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[rank - 1]
}

/// The median (the upper one of an even count).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// Milliseconds since the Unix epoch, the clock `Date.now()` reads in the page.
pub fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
        * 1000.0
}

/// The load average over the last minute, to say whether the machine was otherwise idle.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// How many compilers (`rustc`) are running on the machine besides the bench.
pub fn compilers_running() -> usize {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "rustc")
        })
        .count()
}
