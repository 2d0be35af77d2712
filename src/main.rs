//! The browser entry point: mounts the Leptos app. Built for wasm32 by Trunk.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    pocket_cluster::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("pocket-cluster-web is the browser app: build it with `trunk build` (see README.md). For the command line, use `pocket-cluster`.");
}
