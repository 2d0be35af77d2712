//! Data the first view does not need, fetched from the site after the page starts: today
//! `kubectl explain`'s field documentation (`explain.yaml`, copied into the site by Trunk; see
//! index.html), handed to the engine's worker. Until it has come, `kubectl explain` and the
//! editor's F1 say it is loading.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long after start-up the fetch begins, in real milliseconds: after the first view has
/// loaded and answered, so it never competes with it.
const DELAY_MS: u32 = 1_000;

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("could not fetch {url} from the site"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().map_err(|_| format!("{url}: no body"))?;
    JsFuture::from(text)
        .await
        .map_err(|_| format!("{url}: the body could not be read"))?
        .as_string()
        .ok_or_else(|| format!("{url}: the body is not text"))
}

/// Start fetching, a moment after start-up.
pub fn start() {
    gloo_timers::callback::Timeout::new(DELAY_MS, || {
        wasm_bindgen_futures::spawn_local(async {
            let text = fetch_text("explain.yaml").await;
            super::link::send(crate::host::proto::Request::Explain { text });
        });
    })
    .forget();
}
