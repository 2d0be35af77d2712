//! The engine's Web Worker: the page's `engine-worker.js` loads this wasm and hands it each
//! message from the page (`pocket_cluster::host::proto::Call` as JSON); `call` answers with the
//! `Answer`s as JSON, which the script posts back. The engine, kubectl and the course's checks
//! live here, off the page's main thread and out of the page's own wasm.

#[cfg(target_arch = "wasm32")]
mod worker {
    use pocket_cluster::host::Host;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    /// The worker's clock and memory, for the host's replay budgets and the benchmarks.
    struct Env(Option<web_sys::Performance>);

    impl pocket_cluster::bench::Host for Env {
        fn now_ms(&self) -> f64 {
            match &self.0 {
                Some(p) => p.now(),
                None => js_sys::Date::now(),
            }
        }

        /// The worker's wasm linear memory: it only grows, so its size now is its peak. It
        /// holds the engine's heap (the JS heap does not).
        fn memory_mb(&self) -> Option<(f64, &'static str)> {
            let memory = wasm_bindgen::memory()
                .dyn_into::<js_sys::WebAssembly::Memory>()
                .ok()?;
            let buffer = memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok()?;
            Some((
                buffer.byte_length() as f64 / (1024.0 * 1024.0),
                "wasm linear memory",
            ))
        }
    }

    fn performance() -> Option<web_sys::Performance> {
        js_sys::global()
            .dyn_into::<web_sys::WorkerGlobalScope>()
            .ok()?
            .performance()
    }

    thread_local! {
        static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
    }

    /// One call from the page, as JSON; its answers, as JSON.
    #[wasm_bindgen]
    pub fn call(text: &str) -> String {
        HOST.with(|h| {
            let mut h = h.borrow_mut();
            let host = h.get_or_insert_with(|| {
                let clock = Env(performance());
                Host::new(Box::new(move || {
                    use pocket_cluster::bench::Host as _;
                    clock.now_ms()
                }))
                .with_bench(Box::new(Env(performance())))
            });
            host.call_json(text)
        })
    }

    pub fn start() {
        console_error_panic_hook::set_once();
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("pocket-cluster-engine is the browser app's engine worker: build it with `trunk build` (see README.md). For the command line, use `pocket-cluster`.");
}
