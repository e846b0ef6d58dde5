//! A bare window: the same Tauri build as the app (tauri, wry, WebKitGTK) showing a small
//! static HTML table, with no app code, no commands and no JavaScript of its own. The memory
//! soak (`benches/memory_soak.rs`) measures its process tree (this process and the WebKit
//! processes it starts) as the floor the app is compared with.
//!
//! ```sh
//! cargo build -p hangar-desktop --release --example bare_window
//! ```

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!(
            "examples/bare_window_assets/tauri.conf.json"
        ))
        .expect("the bare window could not be started");
}
